/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/int_transport.h>

#include <algorithm>
#include <cmath>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace fiberkey {

namespace {
// Sequences compare modulo 2^16: up to half the space ahead is "newer".
constexpr std::uint16_t half_sequence_space = 0x8000;

std::size_t divide_up(std::size_t a, std::size_t b) { return (a + b - 1) / b; }
} // namespace

int_transport::int_transport(const config& c) : d_config(c), d_history(stream_count)
{
    if (c.max_message_bytes > max_message_bytes_limit)
        throw std::invalid_argument("int_transport: max_message_bytes above 59,160");
    if (c.fragment_bytes < 1 || c.fragment_bytes > max_fragment_bytes)
        throw std::invalid_argument("int_transport: fragment_bytes must be 1..232");
    if (c.window < 1 || c.window > duplicate_window)
        throw std::invalid_argument("int_transport: window must be 1..1024");
    if (c.retransmit_after_frames < 1 || c.min_retransmit_frames < 1 ||
        c.max_pending_messages < 1 || c.max_partial_messages < 1 ||
        c.max_delivered_messages < 1 || c.max_pending_acks < 1)
        throw std::invalid_argument("int_transport: limits must be at least 1");
}

bool int_transport::send(std::uint8_t stream, std::vector<std::uint8_t> message)
{
    if (message.size() > d_config.max_message_bytes)
        throw std::invalid_argument(
            "int_transport: message longer than max_message_bytes");
    if (d_outgoing.size() >= d_config.max_pending_messages) {
        ++d_stats.queue_overflows;
        return false;
    }
    outgoing m;
    m.stream = stream;
    m.seq = d_next_seq[stream]++;
    m.fragment_bytes =
        std::max(d_config.fragment_bytes, divide_up(message.size(), max_fragments));
    // An empty message still needs one fragment to be seen.
    m.count = static_cast<unsigned>(
        std::max<std::size_t>(1, divide_up(message.size(), m.fragment_bytes)));
    m.data = std::move(message);
    d_outgoing.push_back(std::move(m));
    ++d_stats.messages_sent;
    return true;
}

void int_transport::fill(int_writer& w)
{
    ++d_frame;
    while (!d_acks.empty() && w.add(d_acks.front())) {
        d_acks.pop_front();
        ++d_stats.acks_sent;
    }
    for (auto& m : d_outgoing) {
        if (!m.in_flight) {
            if (d_in_flight[m.stream] >= d_config.window)
                continue;
            m.in_flight = true;
            ++d_in_flight[m.stream];
        }
        if (m.next_index == m.count) {
            if (d_frame - m.pass_done_frame < timeout_for(m))
                continue;
            m.next_index = 0;
            m.retransmitting = true;
            m.expiries = std::min(m.expiries + 1, 31u);
        }
        while (m.next_index < m.count) {
            const std::size_t begin = m.next_index * m.fragment_bytes;
            const std::size_t end = std::min(m.data.size(), begin + m.fragment_bytes);
            const std::size_t size = int_writer::header_bytes +
                                     int_writer::fragment_fields_bytes + (end - begin);
            // Every fragment but the last has this size: the rest of the message
            // waits for the next frame.
            if (size > w.space_left())
                break;
            w.add(int_fragment{ m.stream,
                                m.seq,
                                static_cast<std::uint8_t>(m.next_index),
                                static_cast<std::uint8_t>(m.count),
                                { m.data.begin() + begin, m.data.begin() + end } });
            ++d_stats.fragments_sent;
            if (m.retransmitting)
                ++d_stats.fragments_retransmitted;
            if (++m.next_index == m.count)
                m.pass_done_frame = d_frame;
        }
    }
}

void int_transport::receive(const int_record& r)
{
    if (const auto* f = std::get_if<int_fragment>(&r))
        on_fragment(*f);
    else if (const auto* a = std::get_if<int_ack>(&r))
        on_ack(*a);
}

void int_transport::on_ack(const int_ack& a)
{
    const auto m = std::find_if(d_outgoing.begin(), d_outgoing.end(), [&](const auto& o) {
        return o.in_flight && o.stream == a.stream && o.seq == a.message_seq;
    });
    if (m == d_outgoing.end()) {
        ++d_stats.acks_ignored;
        return;
    }
    // Karn: the ack of a message sent more than once may answer any of its passes, so
    // its time since the last pass is only a lower bound of the round trip; it is taken
    // when above the estimate, which must then grow.
    if (m->next_index == m->count) {
        const std::uint64_t since = d_frame - m->pass_done_frame;
        if (!m->retransmitting || static_cast<double>(since) > d_srtt)
            round_trip_sample(since);
    }
    --d_in_flight[m->stream];
    d_outgoing.erase(m);
    ++d_stats.acks_received;
}

void int_transport::round_trip_sample(std::uint64_t frames)
{
    const double r = static_cast<double>(frames);
    if (d_srtt == 0.0) {
        d_srtt = std::max(r, 1.0);
        d_rttvar = r / 2.0;
    } else {
        d_rttvar = 0.75 * d_rttvar + 0.25 * std::abs(d_srtt - r);
        d_srtt = 0.875 * d_srtt + 0.125 * r;
    }
}

unsigned int_transport::retransmit_timeout() const
{
    if (d_srtt == 0.0)
        return d_config.retransmit_after_frames;
    // RFC 6298's clock granularity term, 2 frames here: as rttvar decays on a steady
    // round trip the timeout must stay above it, or every message would expire a frame
    // before its ack and go out twice for good (Karn's rule then sees no sample).
    const double rto =
        std::max<double>(d_config.min_retransmit_frames,
                         std::ceil(d_srtt + std::max(2.0, 4.0 * d_rttvar)));
    return static_cast<unsigned>(std::min<double>(d_config.retransmit_after_frames, rto));
}

unsigned int_transport::timeout_for(const outgoing& m) const
{
    const double t = std::ldexp(static_cast<double>(retransmit_timeout()),
                                static_cast<int>(m.expiries));
    return static_cast<unsigned>(std::min<double>(d_config.retransmit_after_frames, t));
}

void int_transport::on_fragment(const int_fragment& f)
{
    // parse_int_block never yields these, but receive() is open to any record.
    if (f.count == 0 || f.index >= f.count) {
        ++d_stats.inconsistent_fragments;
        return;
    }
    switch (classify(f.stream, f.message_seq)) {
    case seq_status::stale:
        ++d_stats.stale_fragments;
        return;
    case seq_status::delivered:
        ++d_stats.duplicate_fragments;
        schedule_ack(f.stream, f.message_seq);
        return;
    case seq_status::fresh:
        break;
    }

    auto p = std::find_if(d_partials.begin(), d_partials.end(), [&](const auto& q) {
        return q.stream == f.stream && q.seq == f.message_seq;
    });
    if (p == d_partials.end())
        p = make_partial(f);
    p->last_fed = ++d_feed_tick;
    if (!consistent(*p, f)) {
        d_partials.erase(p);
        ++d_stats.inconsistent_fragments;
        return;
    }
    if (p->held[f.index]) {
        ++d_stats.duplicate_fragments;
        return;
    }
    p->pieces[f.index] = f.data;
    p->held[f.index] = true;
    ++p->held_count;
    p->bytes += f.data.size();
    if (f.index + 1u < f.count)
        p->inner_size = f.data.size();
    if (p->held_count == p->count)
        complete(p);
}

std::vector<int_transport::partial>::iterator
int_transport::make_partial(const int_fragment& f)
{
    if (d_partials.size() >= d_config.max_partial_messages) {
        // The least recently fed one: after a restart or a reset its sender no longer
        // sends it, while live ones keep being fed.
        d_partials.erase(std::min_element(
            d_partials.begin(), d_partials.end(), [](const auto& a, const auto& b) {
                return a.last_fed < b.last_fed;
            }));
        ++d_stats.partials_evicted;
    }
    partial p;
    p.stream = f.stream;
    p.seq = f.message_seq;
    p.count = f.count;
    p.pieces.resize(f.count);
    p.held.resize(f.count);
    d_partials.push_back(std::move(p));
    return std::prev(d_partials.end());
}

bool int_transport::consistent(const partial& p, const int_fragment& f) const
{
    if (f.count != p.count)
        return false;
    if (p.held[f.index])
        return p.pieces[f.index] == f.data;
    // The sender cuts equal fragments and a shorter last one.
    const std::size_t last = p.count - 1u;
    const std::size_t size = f.data.size();
    if (f.index < last) {
        if (p.inner_size && *p.inner_size != size)
            return false;
        if (p.held[last] && p.pieces[last].size() > size)
            return false;
    } else if (p.inner_size && *p.inner_size < size) {
        return false;
    }
    return p.bytes + size <= d_config.max_message_bytes;
}

void int_transport::complete(std::vector<partial>::iterator p)
{
    if (d_delivered.size() >= d_config.max_delivered_messages) {
        // Unacknowledged, so it comes again once the user has polled.
        ++d_stats.delivery_overflows;
        d_partials.erase(p);
        return;
    }
    int_message m;
    m.stream = p->stream;
    m.data.reserve(p->bytes);
    for (const auto& piece : p->pieces)
        m.data.insert(m.data.end(), piece.begin(), piece.end());
    mark_delivered(p->stream, p->seq);
    schedule_ack(p->stream, p->seq);
    d_delivered.push_back(std::move(m));
    ++d_stats.messages_delivered;
    d_partials.erase(p);
}

int_transport::seq_status int_transport::classify(std::uint8_t stream,
                                                  std::uint16_t seq) const
{
    const history& h = d_history[stream];
    if (!h.started)
        return seq_status::fresh;
    const auto ahead = static_cast<std::uint16_t>(seq - h.newest);
    if (ahead != 0 && ahead < half_sequence_space)
        return seq_status::fresh;
    const auto behind = static_cast<std::uint16_t>(h.newest - seq);
    if (behind >= duplicate_window)
        return seq_status::stale;
    return h.delivered.test(behind) ? seq_status::delivered : seq_status::fresh;
}

void int_transport::mark_delivered(std::uint8_t stream, std::uint16_t seq)
{
    history& h = d_history[stream];
    const auto ahead = static_cast<std::uint16_t>(seq - h.newest);
    if (!h.started) {
        h.started = true;
        h.newest = seq;
    } else if (ahead != 0 && ahead < half_sequence_space) {
        // A shift by the window or more clears every bit.
        h.delivered <<= ahead;
        h.newest = seq;
    }
    h.delivered.set(static_cast<std::uint16_t>(h.newest - seq));
}

void int_transport::schedule_ack(std::uint8_t stream, std::uint16_t seq)
{
    const int_ack a{ stream, seq };
    if (std::find(d_acks.begin(), d_acks.end(), a) != d_acks.end())
        return;
    if (d_acks.size() >= d_config.max_pending_acks) {
        // The sender sends the message again and gets another ack.
        ++d_stats.acks_dropped;
        return;
    }
    d_acks.push_back(a);
}

std::vector<int_message> int_transport::poll_delivered()
{
    return std::exchange(d_delivered, {});
}

void int_transport::reset()
{
    d_stats.messages_dropped += d_outgoing.size();
    d_outgoing.clear();
    d_in_flight.fill(0);
    d_partials.clear();
    d_acks.clear();
    std::fill(d_history.begin(), d_history.end(), history{});
}

std::size_t int_transport::buffered_fragments() const
{
    std::size_t n = 0;
    for (const auto& p : d_partials)
        n += p.held_count;
    return n;
}

std::size_t int_transport::buffered_bytes() const
{
    std::size_t n = 0;
    for (const auto& p : d_partials)
        n += p.bytes;
    return n;
}

} // namespace fiberkey
