/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eve_observer.h>
#include <fiberkey/round_model.h>
#include <fiberkey/round_sequence.h>

#include <bit>
#include <stdexcept>

namespace fiberkey {

namespace {
// Unwrapped index of the first round seen: far from 0, so that rounds before it stay
// positive.
constexpr std::uint64_t first_index = std::uint64_t{ 1 } << 40;

void xor_into(nd_array& acc, std::span<const std::uint8_t> a)
{
    for (std::size_t i = 0; i < a.size(); ++i)
        acc[i] ^= a[i];
}

std::uint16_t weight(const nd_array& a, std::size_t bytes)
{
    unsigned w = 0;
    for (std::size_t i = 0; i < bytes; ++i)
        w += std::popcount(a[i]);
    return static_cast<std::uint16_t>(w);
}

double pattern_error_rate(const std::array<double, 2>& her_ber)
{
    for (double p : her_ber)
        if (!(p >= 0.0 && p < 0.5))
            throw std::invalid_argument("eve_observer: her BERs must lie in [0, 0.5)");
    return either_flips(her_ber[0], her_ber[1]);
}
} // namespace

eve_observer::eve_observer(const eve_observer_config& config)
    : d_config(config), d_g(pattern_error_rate(config.her_ber))
{
    if (config.bits == 0 || config.bits % 8 != 0 ||
        config.bits / 8 > frame_layout::nd_array_bytes)
        throw std::invalid_argument("eve_observer: bits must be a multiple of 8, 8..496");
    if (config.window == 0 || config.window >= round_sequence::half_cycle)
        throw std::invalid_argument("eve_observer: window must be 1..32767 rounds");
    for (auto& d : d_dirs)
        d.ring.resize(config.window);
}

void eve_observer::set_her_ber(const std::array<double, 2>& her_ber)
{
    d_g = pattern_error_rate(her_ber);
    d_config.her_ber = her_ber;
}

eve_observer::slot* eve_observer::round(std::uint8_t d, std::uint16_t s)
{
    auto& dir = d_dirs[d];
    const std::uint64_t w = d_config.window;
    if (!dir.started) {
        dir.started = true;
        dir.newest_seq = s;
        dir.newest_index = first_index;
    }
    const auto ahead = round_sequence::ahead(dir.newest_seq, s);
    if (ahead < round_sequence::half_cycle) {
        const std::uint64_t index = dir.newest_index + ahead;
        // The rounds entering the window take the slots of those leaving it.
        for (auto n = std::max(dir.newest_index + 1, index + 1 - w); n <= index; ++n) {
            auto& old = dir.ring[n % w];
            if (old.state == slot_state::open)
                ++d_counters.expired;
            old.state = slot_state::empty;
        }
        dir.newest_index = index;
        dir.newest_seq = s;
    }
    const std::uint64_t index =
        dir.newest_index - round_sequence::ahead(s, dir.newest_seq);
    if (dir.newest_index - index >= w)
        return nullptr;
    auto& r = dir.ring[index % w];
    if (r.state == slot_state::empty) {
        r.state = slot_state::open;
        r.parts = 0;
        r.leader_pattern.fill(0);
        r.follower_pattern.fill(0);
    }
    return &r;
}

eve_observer::slot*
eve_observer::accept(std::uint8_t d, std::uint16_t s, std::uint8_t part)
{
    auto* r = round(d, s);
    if (r != nullptr && r->state == slot_state::lost)
        return nullptr; // counted when it was lost
    if (r == nullptr || r->state != slot_state::open || (r->parts & part)) {
        ++d_counters.late_parts;
        return nullptr;
    }
    r->parts |= part;
    return r;
}

void eve_observer::complete_if_ready(std::uint8_t d, std::uint16_t s, slot& r)
{
    if (r.parts != (has_nd1 | has_nd2 | has_c1))
        return;
    const std::size_t bytes = d_config.bits / 8;
    eve_round out{
        d, s, weight(r.leader_pattern, bytes), weight(r.follower_pattern, bytes)
    };
    out.estimate = eve_estimate(
        out.seen_leader_errors, out.seen_follower_errors, d_config.bits, d_g);
    d_completed.push_back(out);
    ++d_counters.rounds;
    r.state = slot_state::done; // kept until it leaves the window, to spot late parts
}

void eve_observer::lose(std::uint8_t d, std::uint16_t s, std::uint64_t& cause)
{
    auto* r = round(d, s);
    if (r != nullptr && r->state == slot_state::open) {
        r->state = slot_state::lost;
        ++cause;
    }
}

bool eve_observer::valid_c(const int_c_feedback& c) const
{
    return c.direction <= 1 && c.sequence != 0 && c.bits == d_config.bits &&
           c.c.size() == d_config.bits / 8;
}

void eve_observer::receive(std::uint8_t from,
                           const neg_decoded& neg,
                           std::span<const int_record> int_records)
{
    if (from > 1)
        throw std::invalid_argument("eve_observer: a frame is from A (0) or B (1)");
    ++d_counters.frames;
    const std::uint8_t peer = from ^ 1u;
    const std::size_t bytes = d_config.bits / 8;
    const auto used = [bytes](const nd_array& a) { return std::span(a).first(bytes); };

    const int_round* book = nullptr;
    for (const auto& r : int_records)
        if (const auto* b = std::get_if<int_round>(&r); b && b->direction == from) {
            book = b;
            break;
        }
    if (book == nullptr) { // no numbering to trust: its rounds will expire
        ++d_counters.frames_without_bookkeeping;
        return;
    }

    // The sender leads round s of its own direction: ND1 gives her X1', X2'.
    if (const auto s = book->send_seq; s != 0) {
        if (!neg.fields.nd1_present || neg.fields.send_seq != s)
            lose(from, s, d_counters.numbering_mismatch);
        else if (auto* r = accept(from, s, has_nd1)) {
            xor_into(r->leader_pattern, used(neg.fields.x1));
            xor_into(r->follower_pattern, used(neg.fields.x2));
            complete_if_ready(from, s, *r);
        }
    }

    // C1 of rounds the sender leads; C2 of the peer's round it answers.
    const int_c_feedback* c2 = nullptr;
    for (const auto& rec : int_records) {
        const auto* c = std::get_if<int_c_feedback>(&rec);
        if (c == nullptr)
            continue;
        if (!valid_c(*c)) {
            ++d_counters.bad_records;
        } else if (c->direction == peer) {
            if (c->sequence == book->response_seq && c2 == nullptr)
                c2 = c;
        } else if (auto* r = accept(from, c->sequence, has_c1)) {
            xor_into(r->follower_pattern, c->c);
            complete_if_ready(from, c->sequence, *r);
        }
    }

    // The sender answers round r of the peer's direction: ND2 gives her Y1', Y2'.
    if (const auto r = book->response_seq; r != 0) {
        if (!neg.fields.nd2_present || neg.fields.response_seq != r)
            lose(peer, r, d_counters.numbering_mismatch);
        else if (c2 == nullptr)
            lose(peer, r, d_counters.missing_c2);
        else if (auto* answered = accept(peer, r, has_nd2)) {
            xor_into(answered->leader_pattern, used(neg.fields.y2));
            xor_into(answered->leader_pattern, c2->c);
            xor_into(answered->follower_pattern, used(neg.fields.y1));
            complete_if_ready(peer, r, *answered);
        }
    }
}

std::vector<eve_round> eve_observer::take_completed()
{
    std::vector<eve_round> out;
    out.swap(d_completed);
    return out;
}

std::size_t eve_observer::pending() const
{
    std::size_t n = 0;
    for (const auto& d : d_dirs)
        for (const auto& r : d.ring)
            n += r.state == slot_state::open;
    return n;
}

} // namespace fiberkey
