/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SOFT_FRAME_SYNC_IMPL_H
#define INCLUDED_FIBERKEY_SOFT_FRAME_SYNC_IMPL_H

#include <fiberkey/soft_frame_sync.h>
#include <gnuradio/fiberkey/soft_frame_sync.h>

#include <atomic>
#include <deque>
#include <vector>

namespace gr {
namespace fiberkey {

class soft_frame_sync_impl : public soft_frame_sync
{
public:
    static constexpr int output_delay = ::fiberkey::soft_frame_sync::report_bits;

    explicit soft_frame_sync_impl(const ::fiberkey::soft_frame_sync_config& config);

    bool in_frame() const override { return d_in_frame; }
    uint64_t frames() const override { return d_frames; }
    uint64_t missed_fas() const override { return d_missed; }
    uint64_t in_frame_events() const override { return d_in_events; }
    uint64_t out_of_frame_events() const override { return d_out_events; }
    int delay() const override { return output_delay; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    ::fiberkey::soft_frame_sync d_core;
    // Tags (incoming and frame_start) on items seen but not yet written: at most the
    // last output_delay samples' worth.
    std::deque<gr::tag_t> d_pending;
    uint64_t d_fed = 0; // stream index of the next sample for the core
    std::vector<::fiberkey::frame_start> d_found;
    std::vector<::fiberkey::sync_event> d_events;
    std::atomic<bool> d_in_frame{ false };
    std::atomic<uint64_t> d_frames{ 0 };
    std::atomic<uint64_t> d_missed{ 0 };
    std::atomic<uint64_t> d_in_events{ 0 };
    std::atomic<uint64_t> d_out_events{ 0 };
    const pmt::pmt_t d_status_port;
};

} // namespace fiberkey
} // namespace gr

#endif
