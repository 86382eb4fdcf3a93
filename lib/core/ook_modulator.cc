/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ook_modulator.h>

#include "simd_clones.h"

#include <cmath>
#include <cstring>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

/*!
 * One sample per bit, for bits[W - 1 .. n - 1]: out[i] = table[window of bits i-W+1..i,
 * newest in bit 0]. The window is rebuilt from the input at every i, with no state
 * carried from one i to the next, so that the loop vectorises (gathers from the table).
 */
template <unsigned W>
FIBERKEY_SIMD_CLONES void look_up_whole_windows(const std::uint8_t* bits,
                                                float* out,
                                                std::size_t n,
                                                const float* table)
{
    for (std::size_t i = W - 1; i < n; ++i) {
        unsigned w = 0;
        for (unsigned j = 0; j < W; ++j)
            w |= (bits[i - j] & 1u) << j;
        out[i] = table[w];
    }
}

// Raised-cosine step from 0 to 1 over [-length/2, length/2].
double edge(double t, double length)
{
    if (t <= -length / 2)
        return 0.0;
    if (t >= length / 2)
        return 1.0;
    return 0.5 * (1.0 + std::sin(std::numbers::pi * t / length));
}

// Response to a single one in the bit [0, 1).
double pulse(double t, double edge_length)
{
    return edge(t, edge_length) - edge(t - 1.0, edge_length);
}

void require(bool ok, const std::string& what)
{
    if (!ok)
        throw std::invalid_argument("ook_modulator: " + what);
}

} // namespace

ook_modulator::ook_modulator(const ook_modulator_config& config)
    : d_sps(config.samples_per_bit)
{
    require(std::isfinite(config.average_power_dbm),
            "average_power_dbm must be a finite number");
    require(config.extinction_ratio_db > 0.0 && std::isfinite(config.extinction_ratio_db),
            "extinction_ratio_db must be > 0 dB (P1 above P0), got " +
                std::to_string(config.extinction_ratio_db));
    require(config.samples_per_bit >= 1, "samples_per_bit must be at least 1");
    require(config.samples_per_bit <= 1024, "samples_per_bit must be at most 1024");
    require(config.rise_time_bits >= 0.0 && config.rise_time_bits <= 2.0,
            "rise_time_bits must be in [0, 2] bit periods, got " +
                std::to_string(config.rise_time_bits));

    // (P1 + P0) / 2 = P_avg and P1 / P0 = r.
    const double p_avg = 1e-3 * std::pow(10.0, config.average_power_dbm / 10.0);
    const double r = std::pow(10.0, config.extinction_ratio_db / 10.0);
    d_p1 = 2.0 * p_avg * r / (r + 1.0);
    d_p0 = 2.0 * p_avg / (r + 1.0);

    // 10 % to 90 % of a raised-cosine edge takes 2 asin(0.8) / pi of its length.
    const double edge_length =
        config.rise_time_bits * std::numbers::pi / (2.0 * std::asin(0.8));
    const auto phase_time = [this](unsigned k) { return (k + 0.5) / d_sps; };
    const auto tap_is_zero = [&](int j) {
        for (unsigned k = 0; k < d_sps; ++k)
            if (pulse(j + phase_time(k), edge_length) != 0.0)
                return false;
        return true;
    };
    d_delay = 0;
    while (!tap_is_zero(static_cast<int>(d_delay) + 1) ||
           !tap_is_zero(-static_cast<int>(d_delay) - 1))
        ++d_delay;

    const unsigned window_bits = 2 * d_delay + 1;
    d_window_mask = (1u << window_bits) - 1;
    d_table.resize((std::size_t{ 1 } << window_bits) * d_sps);
    for (unsigned w = 0; w <= d_window_mask; ++w) {
        for (unsigned k = 0; k < d_sps; ++k) {
            // Window bit i holds the bit i - delay positions older than the output bit.
            double level = 0.0;
            for (unsigned i = 0; i < window_bits; ++i)
                if ((w >> i) & 1u)
                    level += pulse(static_cast<int>(i) - static_cast<int>(d_delay) +
                                       phase_time(k),
                                   edge_length);
            d_table[w * d_sps + k] = static_cast<float>(d_p0 + (d_p1 - d_p0) * level);
        }
    }
}

void ook_modulator::process(const std::uint8_t* bits, float* out, std::size_t n)
{
    unsigned window = d_window;
    const unsigned window_bits = 2 * d_delay + 1;
    if (d_sps == 1 && window_bits <= 5 && n >= window_bits) {
        // The first W - 1 outputs need older bits from the window; the rest do not.
        for (std::size_t i = 0; i + 1 < window_bits; ++i) {
            window = ((window << 1) | (bits[i] & 1u)) & d_window_mask;
            out[i] = d_table[window];
        }
        switch (window_bits) {
        case 1:
            look_up_whole_windows<1>(bits, out, n, d_table.data());
            break;
        case 3:
            look_up_whole_windows<3>(bits, out, n, d_table.data());
            break;
        default:
            look_up_whole_windows<5>(bits, out, n, d_table.data());
            break;
        }
        window = 0;
        for (unsigned j = 0; j < window_bits; ++j)
            window |= (bits[n - 1 - j] & 1u) << j;
    } else if (d_sps == 1) {
        for (std::size_t i = 0; i < n; ++i) {
            window = ((window << 1) | (bits[i] & 1u)) & d_window_mask;
            out[i] = d_table[window];
        }
    } else {
        for (std::size_t i = 0; i < n; ++i) {
            window = ((window << 1) | (bits[i] & 1u)) & d_window_mask;
            std::memcpy(out + i * d_sps, &d_table[window * d_sps], d_sps * sizeof(float));
        }
    }
    d_window = window;
}

} // namespace fiberkey
