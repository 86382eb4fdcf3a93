/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_FAULT_INJECTOR_IMPL_H
#define INCLUDED_FIBERKEY_LINE_FAULT_INJECTOR_IMPL_H

#include <fiberkey/line_fault_injector.h>
#include <gnuradio/fiberkey/line_fault_injector.h>

namespace gr {
namespace fiberkey {

class line_fault_injector_impl : public line_fault_injector
{
public:
    line_fault_injector_impl(const ::fiberkey::line_fault_config& config, uint64_t seed);

    void set_drop_probability(double p) override;
    void set_bursts(double bursts_per_frame, int burst_bits) override;
    void set_int_loss_probability(double p) override;
    void set_tamper_probability(double p) override;
    void set_active_window(uint64_t active_from_frame, uint64_t active_frames) override;
    void set_outage(uint64_t outage_start_frame,
                    uint64_t outage_frames,
                    const std::string& outage_fill) override;

    uint64_t frames() const override { return counters().frames; }
    uint64_t frames_dropped() const override { return counters().frames_dropped; }
    uint64_t bursts() const override { return counters().bursts; }
    uint64_t bit_errors() const override { return counters().bit_errors; }
    uint64_t outage_frames() const override { return counters().outage_frames; }
    uint64_t int_corrupted() const override { return counters().int_corrupted; }
    uint64_t frames_tampered() const override { return counters().frames_tampered; }
    uint64_t tampered_bits() const override { return counters().tampered_bits; }
    bool test_seeded() const override { return d_core.test_seeded(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override;
    int general_work(int noutput_items,
                     gr_vector_int& ninput_items,
                     gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override;

private:
    ::fiberkey::line_fault_counters counters() const;
    //! Applies \p change to a copy of the configuration and takes it.
    template <typename Change>
    void reconfigure(Change change);

    ::fiberkey::line_fault_injector d_core; // guarded by d_setlock
};

} // namespace fiberkey
} // namespace gr

#endif
