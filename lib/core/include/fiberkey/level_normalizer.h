/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LEVEL_NORMALIZER_H
#define FIBERKEY_CORE_LEVEL_NORMALIZER_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

struct level_normalizer_config {
    //! Samples that set the levels at the start: their 10th and 90th percentiles.
    std::size_t learn_samples = 65536;
    //! Samples over which the levels follow drift afterwards (an exponential average of
    //! the samples on each side of the middle); 0 keeps the learned levels.
    double tracking_samples = 65536;
};

/*!
 * \brief Brings a two-level signal of any units, offset and polarity to about +-1: the
 * front end of a receiver for captures whose scale nobody knows (volts, amperes, ADC
 * codes). The first learn_samples samples set the levels (robust percentiles: a few
 * glitches do not move them); they are then given out normalised, and every later
 * sample as it comes, while the levels follow slow drift. A sample beyond +-4 comes out
 * at +-4 (a glitch must not disturb what follows); a non-finite one comes out as 0 and
 * is counted. Until the first learn_samples samples are in nothing comes out,
 * so a stream shorter than that gives nothing.
 */
class level_normalizer
{
public:
    //! Throws std::invalid_argument for learn_samples < 16 or tracking_samples < 0.
    explicit level_normalizer(const level_normalizer_config& config = {});

    struct progress {
        std::size_t consumed; //!< of the input
        std::size_t written;  //!< to the output
    };

    /*!
     * Takes input into the learning window until the levels are set, then gives out the
     * window normalised, then input one for one, as far as \p out has room.
     */
    progress process(std::span<const float> in, std::span<float> out);

    //! Learned samples still to give out, and whether the levels are set.
    std::size_t pending() const { return d_window.size() - d_drained; }
    bool learned() const { return d_learned; }
    //! The levels now (valid once learned); equal levels mean no signal.
    double low() const { return d_low; }
    double high() const { return d_high; }
    std::uint64_t nonfinite_samples() const { return d_nonfinite; }

private:
    void learn();
    float normalise(float x);

    level_normalizer_config d_config;
    double d_rate;
    std::vector<float> d_window;
    std::size_t d_drained = 0;
    bool d_learned = false;
    double d_low = 0.0;
    double d_high = 0.0;
    std::uint64_t d_nonfinite = 0;
};

} // namespace fiberkey

#endif
