/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SIGNAL_LEVELS_H
#define FIBERKEY_CORE_SIGNAL_LEVELS_H

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

} // namespace fiberkey

#endif
