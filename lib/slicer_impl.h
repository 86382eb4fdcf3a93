/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_SLICER_IMPL_H
#define INCLUDED_FIBERKEY_SLICER_IMPL_H

#include <fiberkey/slicer.h>
#include <gnuradio/fiberkey/slicer.h>

namespace gr {
namespace fiberkey {

class slicer_impl : public slicer
{
public:
    enum class threshold_mode { tag, fixed, adaptive };

    slicer_impl(const ::fiberkey::slicer_config& config, threshold_mode mode);

    void set_threshold(double threshold) override;
    double threshold() const override;
    void set_inverted(bool inverted) override;
    bool inverted() const override;
    std::string mode() const override;

    int work(int noutput_items,
             gr_vector_const_void_star& input_items,
             gr_vector_void_star& output_items) override;

private:
    //! Makes \p next the deciding slicer from stream sample \p at on.
    void switch_to(::fiberkey::slicer* next, uint64_t at);

    const threshold_mode d_mode;
    const unsigned d_sps;
    const unsigned d_phase;
    // Guarded by d_setlock: the fixed-threshold slicer, the adaptive one, and the one
    // deciding now (tag mode: adaptive until the first frame_start tag, then fixed).
    ::fiberkey::slicer d_fixed;
    ::fiberkey::slicer d_adaptive;
    ::fiberkey::slicer* d_active;
};

} // namespace fiberkey
} // namespace gr

#endif
