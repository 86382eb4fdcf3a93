/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_NOISE_INJECTOR_IMPL_H
#define INCLUDED_FIBERKEY_NOISE_INJECTOR_IMPL_H

#include <fiberkey/noise_injector.h>
#include <gnuradio/fiberkey/noise_injector.h>

#include <atomic>

namespace gr {
namespace fiberkey {

class noise_injector_impl : public noise_injector
{
public:
    noise_injector_impl(const ::fiberkey::noise_injector_config& config, uint64_t seed);

    uint64_t frames() const override { return d_frames; }
    uint64_t skipped_frames() const override { return d_skipped; }
    bool test_seeded() const override { return d_test_seeded; }

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    //! A frame starts at stream index \p offset with this tag value.
    void start_frame(uint64_t offset, const pmt::pmt_t& value);

    const bool d_test_seeded;
    ::fiberkey::noise_injector d_core;
    bool d_active = false;      // inside a frame that gets noise
    uint64_t d_frame_first = 0; // its first sample
    ::fiberkey::frame_noise d_noise;
    std::atomic<uint64_t> d_frames{ 0 };
    std::atomic<uint64_t> d_skipped{ 0 };
};

} // namespace fiberkey
} // namespace gr

#endif
