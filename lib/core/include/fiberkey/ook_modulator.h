/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_OOK_MODULATOR_H
#define FIBERKEY_CORE_OOK_MODULATOR_H

#include <cstddef>
#include <cstdint>
#include <vector>

namespace fiberkey {

/*!
 * Transmitter settings. The defaults, with fiber_link_config's and receiver_config's,
 * make the default link of fiber_link.h (BER about 1e-5 before local noise).
 */
struct ook_modulator_config {
    //! Mean launch power over ones and zeros (the line is scrambled, hence balanced).
    double average_power_dbm = -14.9;
    //! P1 / P0; must be > 0 dB.
    double extinction_ratio_db = 10.0;
    //! Output samples per bit, >= 1.
    unsigned samples_per_bit = 1;
    //! 10-90 % rise (and fall) time in bit periods, 0 (rectangular) to 2.
    double rise_time_bits = 0.3;
};

/*!
 * \brief Intensity modulation (OOK, NRZ): bits to optical power samples in watts.
 *
 * Every transition is a raised-cosine edge centred on the bit boundary, 0.59 of its
 * length between 10 % and 90 %; edges longer than a bit overlap and add up (the
 * waveform is linear in the bits), which is intersymbol interference. Sample k of bit m
 * sits at time m + (k + 0.5) / samples_per_bit bit periods, so with one sample per bit
 * and a rise time up to 0.59 bit the samples are exactly P1 or P0.
 *
 * The edges reach up to delay_bits() bits either side, so output bit m belongs to input
 * bit m - delay_bits(); the line is at P0 before the first bit. Streaming: process()
 * may be called with any chunk sizes.
 */
class ook_modulator
{
public:
    //! Throws std::invalid_argument for settings outside the documented ranges.
    explicit ook_modulator(const ook_modulator_config& config);

    /*!
     * Consumes n bits (one per byte, the LSB counts) and writes n * samples_per_bit
     * power samples in watts.
     */
    void process(const std::uint8_t* bits, float* out, std::size_t n);

    double power_one_w() const { return d_p1; }
    double power_zero_w() const { return d_p0; }
    unsigned samples_per_bit() const { return d_sps; }
    unsigned delay_bits() const { return d_delay; }
    //! Back to the state after construction (line at P0).
    void reset() { d_window = 0; }

private:
    unsigned d_sps;
    double d_p1;
    double d_p0;
    unsigned d_delay;
    unsigned d_window_mask;
    unsigned d_window = 0; // the last 2 * delay + 1 bits, newest in bit 0
    // For every window pattern, its samples_per_bit output samples.
    std::vector<float> d_table;
};

} // namespace fiberkey

#endif
