/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SLICER_H
#define FIBERKEY_CORE_SLICER_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fiberkey {

struct slicer_config {
    unsigned samples_per_bit = 1;
    //! Which sample of each bit is decided, 0 .. samples_per_bit - 1.
    unsigned sample_phase = 0;
    float threshold = 0.0f;
    /*!
     * Track the two levels and keep the threshold at their midpoint. The first block of
     * decisions starts from its own midhinge (the line is scrambled, hence balanced), so
     * the initial threshold does not matter; wild samples (far outside the eye) are
     * left out of the levels.
     */
    bool adaptive = false;
    //! Adaptive: weight of each block of 256 decisions in the level averages, (0, 1].
    float adaptation_rate = 1.0f / 16;
    //! Decide 1 below the threshold (a receiver chain with inverted polarity).
    bool inverted = false;
};

/*!
 * \brief Hard decisions: float samples in, one bit per byte (0 or 1) out.
 *
 * With several samples per bit it keeps one sample per bit, at the configured phase;
 * the position within a bit carries across calls. The threshold can be fixed, set at
 * any time (for example per frame from soft_frame_sync), or adaptive.
 */
class slicer
{
public:
    //! Throws std::invalid_argument for samples_per_bit 0, a phase out of range, or a
    //! rate outside (0, 1].
    explicit slicer(const slicer_config& config);

    /*!
     * Consumes n samples and writes one bit per decided sample, at most
     * n / samples_per_bit + 1 of them; returns how many.
     */
    std::size_t process(const float* in, std::uint8_t* out, std::size_t n);

    //! Takes effect from the next decision; in adaptive mode the levels are re-learnt
    //! around it.
    void set_threshold(float threshold);
    float threshold() const { return d_threshold; }
    void set_inverted(bool inverted) { d_inverted = inverted; }
    bool inverted() const { return d_inverted; }
    //! The next consumed sample is sample `phase` of a bit.
    void set_sample_phase(unsigned phase);

private:
    static constexpr std::size_t adapt_block = 256;
    static constexpr unsigned max_one_sided_blocks = 8;

    void decide(const float* in, std::size_t stride, std::uint8_t* out, std::size_t n);
    //! Adapts the levels to the samples, clamped to [lowest, highest] (farther out they
    //! are glitches); after max_one_sided_blocks blocks with decisions of one level only,
    //! the levels are stale and are learnt afresh.
    void adapt(const std::uint8_t* bits,
               const float* in,
               std::size_t stride,
               std::size_t n,
               float lowest,
               float highest);

    unsigned d_sps;
    bool d_adaptive;
    float d_rate;
    float d_threshold;
    bool d_inverted;
    std::size_t d_skip; // samples to drop before the next decided one
    bool d_levels_known = false;
    float d_level_high = 0.0f;
    float d_level_low = 0.0f;
    unsigned d_one_sided_blocks = 0; // in a row, with decisions of one level only
    std::vector<float> d_scratch;    // for robust_spread
};

} // namespace fiberkey

#endif
