/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/negotiator.h>
#include <fiberkey/round_arithmetic.h>
#include <fiberkey/round_sequence.h>
#include <fiberkey/secure_memory.h>

#include <optional>
#include <stdexcept>
#include <type_traits>

namespace fiberkey {

namespace {
constexpr std::size_t verdict_data_bytes = 9;

template <typename T>
void pop_wiped(std::deque<T>& q)
{
    static_assert(std::is_trivially_copyable_v<T>);
    secure_wipe(&q.front(), sizeof(T));
    q.pop_front();
}

template <typename T>
void wipe_all(std::deque<T>& q)
{
    while (!q.empty())
        pop_wiped(q);
}

const int_c_feedback* find_c(std::span<const int_record> records,
                             std::uint8_t direction,
                             std::uint16_t seq,
                             unsigned bits)
{
    for (const auto& r : records)
        if (const auto* c = std::get_if<int_c_feedback>(&r))
            if (c->direction == direction && c->sequence == seq && c->bits == bits &&
                c->c.size() == bits / 8)
                return c;
    return nullptr;
}

void check(const negotiator_config& c)
{
    if (c.direction > 1)
        throw std::invalid_argument("negotiator: direction must be 0 or 1");
    if (c.bits == 0 || c.bits % 8 != 0 || c.bits / 8 > frame_layout::nd_array_bytes)
        throw std::invalid_argument("negotiator: bits must be a multiple of 8, 8..496");
    if (c.max_responses_to_send == 0 || c.max_rounds_in_flight == 0 ||
        c.max_c1_per_frame == 0 || c.round_timeout_frames == 0)
        throw std::invalid_argument("negotiator: queue bounds and timeout must be > 0");
    if (c.first_send_seq == 0)
        throw std::invalid_argument("negotiator: sequences start at 1");
}
} // namespace

negotiator::negotiator(const negotiator_config& config,
                       std::unique_ptr<random_source> random)
    : d_config(config),
      d_random(std::move(random)),
      d_next_send_seq(config.first_send_seq)
{
    check(d_config);
    if (!d_random)
        throw std::invalid_argument("negotiator: no random source");
}

negotiator::~negotiator()
{
    wipe_all(d_awaiting_response);
    wipe_all(d_awaiting_verdict);
    wipe_all(d_responses_to_send);
    wipe_all(d_awaiting_c1);
    for (auto& c : d_c1_to_send)
        secure_wipe(c.c1);
}

std::span<const std::uint8_t> negotiator::used(const nd_array& a) const
{
    return std::span(a).first(array_bytes());
}

std::span<std::uint8_t> negotiator::used(nd_array& a) const
{
    return std::span(a).first(array_bytes());
}

void negotiator::draw(nd_array& a)
{
    a.fill(0); // the bytes past m stay zero on the wire
    d_random->fill(used(a));
}

negotiator_frame negotiator::transmit()
{
    expire_old_rounds();
    negotiator_frame out;
    int_round book{ d_config.direction, d_next_send_seq, 0 };

    // Leader: a new round in every frame.
    if (d_awaiting_response.size() >= d_config.max_rounds_in_flight) {
        pop_wiped(d_awaiting_response);
        ++d_counters.leader.queue_full;
    }
    auto& led =
        d_awaiting_response.emplace_back(led_round{ d_next_send_seq, d_frame, {}, {} });
    draw(led.x1);
    draw(led.x2);
    out.neg.nd1_present = true;
    out.neg.send_seq = d_next_send_seq;
    out.neg.x1 = led.x1;
    out.neg.x2 = led.x2;
    d_next_send_seq = round_sequence::next(d_next_send_seq);

    // Follower: answer the oldest peer round, with C2 = XA3 ^ XB2.
    std::optional<int_c_feedback> c2;
    if (!d_responses_to_send.empty()) {
        const auto& peer = d_responses_to_send.front();
        if (d_awaiting_c1.size() >= d_config.max_rounds_in_flight) {
            decide(d_awaiting_c1.front().seq, false);
            pop_wiped(d_awaiting_c1);
            ++d_counters.follower.queue_full;
        }
        auto& answered =
            d_awaiting_c1.emplace_back(answered_round{ peer.seq, d_frame, peer.x4, {} });
        draw(answered.y1);
        draw(out.neg.y2);
        c2 = int_c_feedback{ peer_direction(),
                             peer.seq,
                             static_cast<std::uint16_t>(d_config.bits),
                             std::vector<std::uint8_t>(array_bytes()) };
        round_arithmetic::follower_feedback(used(peer.x3), used(out.neg.y2), c2->c);
        out.neg.nd2_present = true;
        out.neg.response_seq = peer.seq;
        out.neg.y1 = answered.y1;
        book.response_seq = peer.seq;
        pop_wiped(d_responses_to_send);
    }

    out.int_records.emplace_back(book);
    if (c2)
        out.int_records.emplace_back(std::move(*c2));
    for (std::size_t i = 0; i < d_config.max_c1_per_frame && !d_c1_to_send.empty(); ++i) {
        auto& c1 = d_c1_to_send.front();
        out.int_records.emplace_back(
            int_c_feedback{ d_config.direction,
                            c1.seq,
                            static_cast<std::uint16_t>(d_config.bits),
                            c1.c1 });
        secure_wipe(c1.c1);
        d_c1_to_send.pop_front();
    }
    if (d_have_verdict) {
        int_fragment v{ verdict_stream,
                        d_verdict_newest,
                        0,
                        1,
                        std::vector<std::uint8_t>(verdict_data_bytes) };
        v.data[0] = peer_direction();
        store_be(v.data.data() + 1, d_verdict_mask, 8);
        out.int_records.emplace_back(std::move(v));
    }

    ++d_frame;
    ++d_counters.frames_sent;
    return out;
}

void negotiator::receive(const neg_decoded& neg, std::span<const int_record> int_records)
{
    ++d_counters.frames_received;
    const int_round* book = nullptr;
    for (const auto& r : int_records) {
        if (const auto* b = std::get_if<int_round>(&r)) {
            if (b->direction == peer_direction() && book == nullptr)
                book = b;
        } else if (const auto* c = std::get_if<int_c_feedback>(&r)) {
            if (c->direction == peer_direction() && c->bits == d_config.bits &&
                c->c.size() == array_bytes())
                take_c1(*c);
        } else if (const auto* f = std::get_if<int_fragment>(&r)) {
            if (f->stream == verdict_stream && f->data.size() == verdict_data_bytes &&
                f->data[0] == d_config.direction)
                take_verdict(*f);
        }
    }

    // INT records are RS-protected; the NEG numbering counts only where INT confirms it.
    if (book == nullptr) {
        ++d_counters.frames_without_bookkeeping;
        if (neg.fields.nd1_present)
            ++d_counters.follower.numbering_mismatch;
        return;
    }
    if (book->response_seq != 0)
        take_response(neg.fields, *book, int_records);
    if (book->send_seq != 0)
        take_peer_round(neg.fields, *book);
}

void negotiator::take_response(const neg_fields& neg,
                               const int_round& book,
                               std::span<const int_record> int_records)
{
    const auto r = book.response_seq;
    // The follower answers in sequence order: older rounds will never be answered.
    while (!d_awaiting_response.empty() &&
           round_sequence::is_before(d_awaiting_response.front().seq, r)) {
        pop_wiped(d_awaiting_response);
        ++d_counters.leader.no_response;
    }
    if (d_awaiting_response.empty() || d_awaiting_response.front().seq != r)
        return; // an answer to a round this side has already given up
    const auto& led = d_awaiting_response.front();

    const int_c_feedback* c4 = nullptr;
    if (!neg.nd2_present || neg.response_seq != r)
        ++d_counters.leader.numbering_mismatch;
    else if ((c4 = find_c(int_records, d_config.direction, r, d_config.bits)) == nullptr)
        ++d_counters.leader.missing_c2;
    else if (d_c1_to_send.size() >= d_config.max_rounds_in_flight)
        ++d_counters.leader.queue_full;
    else {
        // XB3, XB4 are the noisy Y1, Y2 of this frame.
        auto& out = d_c1_to_send.emplace_back(
            c1_out{ r, std::vector<std::uint8_t>(array_bytes()) });
        round_arithmetic::leader_feedback(used(neg.y1), used(led.x2), out.c1);
        const auto f1 =
            round_arithmetic::leader_error_count(used(neg.y2), used(led.x1), c4->c);
        if (d_awaiting_verdict.size() >= d_config.max_rounds_in_flight) {
            pop_wiped(d_awaiting_verdict);
            ++d_counters.leader.verdict_missed;
        }
        d_awaiting_verdict.push_back(
            counted_round{ r, d_frame, static_cast<std::uint16_t>(f1) });
    }
    pop_wiped(d_awaiting_response);
}

void negotiator::take_peer_round(const neg_fields& neg, const int_round& book)
{
    const auto s = book.send_seq;
    if (!neg.nd1_present || neg.send_seq != s) {
        ++d_counters.follower.numbering_mismatch;
        return;
    }
    if (d_responses_to_send.size() >= d_config.max_responses_to_send) {
        pop_wiped(d_responses_to_send);
        ++d_counters.follower.queue_full;
    }
    // XA3, XA4 are the noisy X1, X2 of this frame.
    d_responses_to_send.push_back(peer_round{ s, neg.x1, neg.x2 });
}

void negotiator::take_c1(const int_c_feedback& c3)
{
    drop_follower_rounds_before(c3.sequence);
    if (d_awaiting_c1.empty() || d_awaiting_c1.front().seq != c3.sequence)
        return; // a C1 for a round this side has already decided
    const auto& round = d_awaiting_c1.front();
    const auto f2 =
        round_arithmetic::follower_error_count(used(round.x4), used(round.y1), c3.c);
    d_completed.push_back(
        completed_round{ peer_direction(), round.seq, static_cast<std::uint16_t>(f2) });
    ++d_counters.rounds_completed_as_follower;
    decide(round.seq, true);
    pop_wiped(d_awaiting_c1);
}

void negotiator::drop_follower_rounds_before(std::uint16_t seq)
{
    // The leader sends C1 in sequence order: a later C1 means the earlier ones are lost.
    while (!d_awaiting_c1.empty() &&
           round_sequence::is_before(d_awaiting_c1.front().seq, seq)) {
        decide(d_awaiting_c1.front().seq, false);
        pop_wiped(d_awaiting_c1);
        ++d_counters.follower.missing_c1;
    }
}

void negotiator::decide(std::uint16_t seq, bool finished)
{
    if (!d_have_verdict) {
        d_have_verdict = true;
        d_verdict_newest = seq;
        d_verdict_mask = 0;
    }
    const auto ahead = round_sequence::ahead(d_verdict_newest, seq);
    if (ahead != 0 && ahead < round_sequence::half_cycle) {
        d_verdict_mask = ahead >= verdict_window ? 0 : d_verdict_mask << ahead;
        d_verdict_newest = seq;
    }
    const auto back = round_sequence::ahead(seq, d_verdict_newest);
    if (finished && back < verdict_window)
        d_verdict_mask |= std::uint64_t{ 1 } << back;
}

void negotiator::take_verdict(const int_fragment& verdict)
{
    const auto newest = verdict.message_seq;
    const std::uint64_t mask = load_be(verdict.data.data() + 1, 8);

    while (!d_awaiting_verdict.empty()) {
        const auto& round = d_awaiting_verdict.front();
        const auto back = round_sequence::ahead(round.seq, newest);
        if (back >= round_sequence::half_cycle)
            break; // newer than anything the follower has decided
        if (back >= verdict_window)
            ++d_counters.leader.verdict_missed;
        else if ((mask >> back) & 1u) {
            d_completed.push_back(
                completed_round{ d_config.direction, round.seq, round.f1 });
            ++d_counters.rounds_completed_as_leader;
        } else
            ++d_counters.leader.follower_lost;
        pop_wiped(d_awaiting_verdict);
    }
}

void negotiator::expire_old_rounds()
{
    const auto expired = [this](std::uint64_t since) {
        return d_frame - since >= d_config.round_timeout_frames;
    };
    while (!d_awaiting_response.empty() && expired(d_awaiting_response.front().sent_at)) {
        pop_wiped(d_awaiting_response);
        ++d_counters.leader.no_response;
    }
    while (!d_awaiting_verdict.empty() &&
           expired(d_awaiting_verdict.front().counted_at)) {
        pop_wiped(d_awaiting_verdict);
        ++d_counters.leader.verdict_missed;
    }
    while (!d_awaiting_c1.empty() && expired(d_awaiting_c1.front().answered_at)) {
        decide(d_awaiting_c1.front().seq, false);
        pop_wiped(d_awaiting_c1);
        ++d_counters.follower.missing_c1;
    }
}

std::vector<completed_round> negotiator::take_completed()
{
    std::vector<completed_round> out;
    out.swap(d_completed);
    return out;
}

negotiator_queue_sizes negotiator::queue_sizes() const
{
    return { d_awaiting_response.size(),
             d_c1_to_send.size(),
             d_awaiting_verdict.size(),
             d_responses_to_send.size(),
             d_awaiting_c1.size() };
}

} // namespace fiberkey
