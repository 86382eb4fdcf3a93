/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ROUND_COUNTS_IMPL_H
#define INCLUDED_FIBERKEY_ROUND_COUNTS_IMPL_H

#include "message_inputs.h"
#include <gnuradio/fiberkey/round_counts.h>

#include <array>
#include <atomic>
#include <deque>

namespace gr {
namespace fiberkey {

class round_counts_impl : public message_input_block<round_counts>
{
public:
    explicit round_counts_impl(int queue_depth);

    uint64_t rounds_dropped() const override { return d_dropped; }

    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    struct round {
        long sequence;
        float count;
    };
    void on_round(const pmt::pmt_t& msg);

    const std::size_t d_depth;
    std::array<std::deque<round>, 2> d_queues; // guarded by d_setlock
    std::atomic<uint64_t> d_dropped{ 0 };
    const pmt::pmt_t d_direction_key, d_sequence_key, d_count_key;
};

} // namespace fiberkey
} // namespace gr

#endif
