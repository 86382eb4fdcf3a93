/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SIGNAL_LEVELS_H
#define FIBERKEY_CORE_SIGNAL_LEVELS_H

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * The two signal levels of a received frame and its decision threshold, in the units of
 * the samples (soft_frame_sync measures them, noise_injector scales its noise to them).
 * `one` is the level of a transmitted 1: below `zero` when the polarity is inverted.
 */
struct signal_levels {
    double one = 1.0;
    double zero = 0.0;
    double threshold = 0.5;
    //! Noise already on each level (the link's own), as estimated by the frame sync;
    //! the local noise adds to it in variance.
    double sigma_one = 0.0;
    double sigma_zero = 0.0;
};

/*!
 * Where two-level samples x[0], x[stride], ... (n of them) sit, measured so that no single
 * wild sample can move it: a capture glitch of 3e38 or an infinity counts as one sample,
 * not as its value. Non-finite samples are left out; nullopt when none is finite.
 */
struct robust_spread {
    double lower_quartile;
    double upper_quartile;

    //! The midhinge: on data with both levels common, a decision level between them.
    double middle() const { return 0.5 * (lower_quartile + upper_quartile); }

    static std::optional<robust_spread>
    of(const float* x, std::size_t n, std::size_t stride, std::vector<float>& scratch);
};

/*!
 * How far outside the eye (the span between two levels) a sample may lie and still be
 * taken as a bit by the level estimators: farther, it is a glitch and left out.
 */
inline constexpr double plausible_eye_openings = 4.0;

//! Means and variances of the two levels in a run of samples.
struct level_measurement {
    double one = 1.0;
    double zero = 0.0;
    double var_one = 0.0;
    double var_zero = 0.0;

    /*!
     * The levels with the Gaussian optimum threshold between them (both symbols the
     * same number of sigmas away; the midpoint when both are noiseless).
     */
    signal_levels decision_levels() const;

    /*!
     * Measures x: the samples whose bit is known (known[i] is 0 or 1; -1, or i beyond
     * known.size(), for unknown) give a first estimate of each level; every sample then
     * counts for the level it is nearer, unless it lies farther than
     * plausible_eye_openings eyes from both (a glitch, not a bit). The known bits fix
     * which level is a 1, so an inverted signal comes out with one below zero. nullopt
     * unless both levels have a known bit and two samples, and the result is finite.
     */
    static std::optional<level_measurement> of(std::span<const float> x,
                                               std::span<const std::int8_t> known);
};

} // namespace fiberkey

#endif
