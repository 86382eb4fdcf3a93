/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OTU_MUX_IMPL_H
#define INCLUDED_FIBERKEY_OTU_MUX_IMPL_H

#include "message_inputs.h"
#include <fiberkey/frame_layout.h>
#include <gnuradio/fiberkey/otu_mux.h>

#include <atomic>
#include <deque>
#include <vector>

namespace gr {
namespace fiberkey {

class otu_mux_impl : public message_input_block<otu_mux>
{
public:
    otu_mux_impl(uint64_t first_counter, int queue_depth, bool wait_for_neg);

    uint64_t frames() const override { return d_frames; }
    uint64_t neg_dropped() const override { return d_neg_dropped; }
    uint64_t int_dropped() const override { return d_int_dropped; }
    uint64_t empty_neg_frames() const override { return d_empty_neg; }
    void set_wait_for_neg(bool wait) override;
    uint64_t unpaced_frames() const override { return d_unpaced; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    using bytes = std::vector<uint8_t>;
    void enqueue(std::deque<bytes>& q,
                 const pmt::pmt_t& msg,
                 std::size_t max_bytes,
                 std::atomic<uint64_t>& dropped);
    void build_frame(const uint8_t* payload, uint8_t* frame, uint32_t counter);

    const std::size_t d_queue_depth;
    void on_rx_status(const pmt::pmt_t& msg);

    bool d_wait_for_neg; // guarded by d_setlock
    void on_line_period(const pmt::pmt_t& msg);
    // The receiver's out-of-frame spells (line_decoder: 1 is the search at start) and
    // the last one that ended: messages on the two ports may be handled in any order.
    bool rx_in_frame() const { return d_rx_spell <= d_rx_spell_ended; }

    uint64_t d_rx_spell = 1;       // guarded by d_setlock
    uint64_t d_rx_spell_ended = 0; // guarded by d_setlock
    uint64_t d_period_credit = 0;  // line periods of the current spell; d_setlock
    const pmt::pmt_t d_lock_key;
    const pmt::pmt_t d_outage_key;
    const pmt::pmt_t d_in_frame;
    const pmt::pmt_t d_int_key;
    std::deque<bytes> d_neg; // NEG block + attached INT records; guarded by d_setlock
    std::deque<bytes> d_int; // guarded by d_setlock
    uint32_t d_counter;
    std::atomic<uint64_t> d_frames{ 0 };
    std::atomic<uint64_t> d_neg_dropped{ 0 };
    std::atomic<uint64_t> d_int_dropped{ 0 };
    std::atomic<uint64_t> d_empty_neg{ 0 };
    std::atomic<uint64_t> d_unpaced{ 0 };
};

} // namespace fiberkey
} // namespace gr

#endif
