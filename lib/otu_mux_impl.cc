/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "otu_mux_impl.h"

#include "blocks_pdu.h"
#include "message_wait.h"

#include <fiberkey/otu_frame.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

otu_mux::sptr otu_mux::make(uint64_t first_counter, int queue_depth, bool wait_for_neg)
{
    return gnuradio::make_block_sptr<otu_mux_impl>(
        first_counter, queue_depth, wait_for_neg);
}

otu_mux_impl::otu_mux_impl(uint64_t first_counter, int queue_depth, bool wait_for_neg)
    : gr::block("otu_mux",
                gr::io_signature::make(1, 1, sizeof(uint8_t)),
                gr::io_signature::make(1, 1, fl::frame_item_bytes)),
      d_queue_depth(queue_depth > 0 ? static_cast<std::size_t>(queue_depth) : 0),
      d_wait_for_neg(wait_for_neg),
      d_lock_key(pmt::mp("lock")),
      d_outage_key(pmt::mp("outage")),
      d_in_frame(pmt::mp("in_frame")),
      d_int_key(pmt::mp("int")),
      d_counter(static_cast<uint32_t>(first_counter))
{
    if (queue_depth < 1 || queue_depth > 65536)
        throw std::invalid_argument("otu_mux: queue_depth must be 1..65536");
    if (first_counter > UINT32_MAX)
        throw std::invalid_argument("otu_mux: the frame counter is 32 bits");
    set_tag_propagation_policy(TPP_DONT);
    set_relative_rate(1, fl::payload_bytes); // an input buffer of at least two frames
    // Room for work in chunks of several frames: fewer thread wake-ups per frame.
    set_min_output_buffer(0, 64);
    d_inputs.add("neg", [this](const pmt::pmt_t& m) {
        enqueue(d_neg, m, fl::block_bytes, d_neg_dropped);
    });
    d_inputs.add("int", [this](const pmt::pmt_t& m) {
        enqueue(d_int, m, fl::int_info_bytes, d_int_dropped);
    });
    d_inputs.add("rx_status", [this](const pmt::pmt_t& m) { on_rx_status(m); });
    d_inputs.add("line_periods", [this](const pmt::pmt_t& m) { on_line_period(m); });
}

void otu_mux_impl::on_rx_status(const pmt::pmt_t& msg)
{
    if (!pmt::is_dict(msg))
        throw message_refused("expected a line decoder's status (a dict)");
    const pmt::pmt_t spell = pmt::dict_ref(msg, d_outage_key, pmt::PMT_NIL);
    if (!pmt::is_uint64(spell))
        throw message_refused("a status' 'outage' must be a uint64 spell number");
    const uint64_t s = pmt::to_uint64(spell);
    gr::thread::scoped_lock guard(d_setlock);
    if (pmt::eq(pmt::dict_ref(msg, d_lock_key, pmt::PMT_NIL), d_in_frame)) {
        d_rx_spell_ended = std::max(d_rx_spell_ended, s);
    } else if (s > d_rx_spell) { // out of frame or loss of frame: a spell under way
        d_rx_spell = s;
        d_period_credit = 0;
    }
    if (rx_in_frame())
        d_period_credit = 0;
}

void otu_mux_impl::on_line_period(const pmt::pmt_t& msg)
{
    if (!pmt::is_uint64(msg))
        throw message_refused("expected a line period (a uint64 spell number)");
    const uint64_t s = pmt::to_uint64(msg);
    gr::thread::scoped_lock guard(d_setlock);
    if (s <= d_rx_spell_ended)
        return; // late, from a spell that has ended
    if (s > d_rx_spell) {
        d_rx_spell = s;
        d_period_credit = 0;
    }
    if (d_period_credit < d_queue_depth)
        ++d_period_credit;
}

void otu_mux_impl::set_wait_for_neg(bool wait)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_wait_for_neg = wait;
}

void otu_mux_impl::enqueue(std::deque<bytes>& q,
                           const pmt::pmt_t& msg,
                           std::size_t max_bytes,
                           std::atomic<uint64_t>& dropped)
{
    if (!is_byte_pdu(msg))
        throw message_refused("expected a PDU with a u8vector");
    bytes data = pmt::u8vector_elements(pmt::cdr(msg));
    const bool neg = max_bytes == fl::block_bytes;
    if (data.empty() || data.size() > max_bytes || (neg && data.size() != max_bytes))
        throw message_refused("a PDU of " + std::to_string(data.size()) +
                              " bytes does not fit");
    if (neg) {
        // INT records for the same frame, stored after the NEG block.
        const pmt::pmt_t records = pmt::dict_ref(pmt::car(msg), d_int_key, pmt::PMT_NIL);
        if (!pmt::is_null(records)) {
            if (!pmt::is_u8vector(records) || pmt::length(records) > fl::int_info_bytes)
                throw message_refused("meta 'int' must be a u8vector of at most " +
                                      std::to_string(fl::int_info_bytes) + " bytes");
            const auto& attached = pmt::u8vector_elements(records);
            data.insert(data.end(), attached.begin(), attached.end());
        }
    }
    gr::thread::scoped_lock guard(d_setlock);
    if (q.size() >= d_queue_depth) {
        ++dropped;
        return;
    }
    q.push_back(std::move(data));
}

void otu_mux_impl::forecast(int noutput_items, gr_vector_int& ninput_items_required)
{
    ninput_items_required[0] = noutput_items * static_cast<int>(fl::payload_bytes);
}

void otu_mux_impl::build_frame(const uint8_t* payload, uint8_t* frame, uint32_t counter)
{
    // NEG: the next queued block, or an empty one. INT: the records attached to that NEG
    // block first, then queued records packed in order while they fit.
    ::fiberkey::otu_frame::int_info info;
    std::size_t used = 0;
    bytes neg;
    if (!d_neg.empty()) {
        neg = std::move(d_neg.front());
        d_neg.pop_front();
        used = neg.size() - fl::block_bytes;
        std::copy(neg.begin() + fl::block_bytes, neg.end(), info.begin());
        neg.resize(fl::block_bytes);
    } else {
        ++d_empty_neg;
    }
    while (!d_int.empty() && used + d_int.front().size() <= fl::int_info_bytes) {
        std::copy(d_int.front().begin(), d_int.front().end(), info.begin() + used);
        used += d_int.front().size();
        d_int.pop_front();
    }
    ::fiberkey::otu_frame::build(::fiberkey::otu_frame::frame_ref(frame, fl::frame_bytes),
                                 { counter, 0, false },
                                 std::span<const uint8_t>(payload, fl::payload_bytes),
                                 neg,
                                 std::span<const uint8_t>(info.data(), used));
    std::memset(frame + fl::frame_bytes, 0, fl::frame_item_padding);
}

int otu_mux_impl::general_work(int noutput_items,
                               gr_vector_int& ninput_items,
                               gr_vector_const_void_star& input_items,
                               gr_vector_void_star& output_items)
{
    const auto* in = static_cast<const uint8_t*>(input_items[0]);
    auto* out = static_cast<uint8_t*>(output_items[0]);

    gr::thread::scoped_lock guard(d_setlock);
    int n = std::min<int>(noutput_items, ninput_items[0] / fl::payload_bytes);
    if (d_wait_for_neg && rx_in_frame()) {
        n = std::min<int>(n, static_cast<int>(d_neg.size()));
    } else if (d_wait_for_neg) {
        // A frame out per line period in, the lock step kept without frames; NEG blocks
        // already queued (those primed at start among them) go out regardless.
        const uint64_t allowed = std::max<uint64_t>(d_period_credit, d_neg.size());
        n = static_cast<int>(std::min<uint64_t>(static_cast<uint64_t>(n), allowed));
        const uint64_t paced =
            std::min<uint64_t>(static_cast<uint64_t>(n), d_period_credit);
        d_period_credit -= paced;
        d_unpaced += paced;
    }
    for (int i = 0; i < n; ++i) {
        build_frame(in + static_cast<size_t>(i) * fl::payload_bytes,
                    out + static_cast<size_t>(i) * fl::frame_item_bytes,
                    d_counter);
        const uint64_t offset = nitems_written(0) + i;
        add_item_tag(0, offset, frame_tags::frame_counter(), pmt::from_uint64(d_counter));
        add_item_tag(0, offset, frame_tags::key_epoch(), pmt::from_long(0));
        ++d_counter;
    }
    d_frames += n;
    consume_each(n * static_cast<int>(fl::payload_bytes));
    if (n == 0 && d_wait_for_neg) {
        guard.unlock(); // the setters must not wait for the park to end
        wait_for_message_or_input(*this, 20);
    }
    return n;
}

} // namespace fiberkey
} // namespace gr
