/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/fiber_link.h>

#include "simd_clones.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

constexpr double electron_charge = 1.602176634e-19; // C
constexpr double planck = 6.62607015e-34;           // J s
constexpr double speed_of_light = 299792458.0;      // m/s

double from_db(double db) { return std::pow(10.0, db / 10.0); }

void require(bool ok, const char* who, const std::string& what)
{
    if (!ok)
        throw std::invalid_argument(std::string(who) + ": " + what);
}

bool non_negative(double v) { return std::isfinite(v) && v >= 0.0; }
bool positive(double v) { return std::isfinite(v) && v > 0.0; }

double gaussian_tail(double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); }

//! Photocurrent: the mean R G p + I_ase plus noise of variance v0 + v1 p.
FIBERKEY_SIMD_CLONES void detect(const float* optical_w,
                                 const float* normals,
                                 float* current_a,
                                 std::size_t n,
                                 float gain_r,
                                 float ase,
                                 float v0,
                                 float v1)
{
    for (std::size_t i = 0; i < n; ++i) {
        const float p = optical_w[i];
        const float sigma = std::sqrt(std::max(0.0f, v0 + v1 * p));
        current_a[i] = gain_r * p + ase + sigma * normals[i];
    }
}

} // namespace

double q_factor(const link_levels& l) { return (l.i1 - l.i0) / (l.sigma1 + l.sigma0); }

double ber_from_q(double q) { return gaussian_tail(q); }

double optimum_threshold(const link_levels& l)
{
    const double s = l.sigma0 + l.sigma1;
    if (s == 0.0)
        return 0.5 * (l.i1 + l.i0);
    return (l.sigma0 * l.i1 + l.sigma1 * l.i0) / s;
}

double ber_at_threshold(const link_levels& l, double threshold)
{
    // A noiseless symbol is wrong exactly when it sits on the wrong side.
    const auto error = [](double distance, double sigma) {
        if (sigma == 0.0)
            return distance > 0.0 ? 0.0 : 1.0;
        return gaussian_tail(distance / sigma);
    };
    return 0.5 * (error(l.i1 - threshold, l.sigma1) + error(threshold - l.i0, l.sigma0));
}

fiber_link::fiber_link(const fiber_link_config& config) : d_config(config)
{
    require(non_negative(config.length_km),
            "fiber_link",
            "length_km must be >= 0, got " + std::to_string(config.length_km));
    require(non_negative(config.attenuation_db_per_km),
            "fiber_link",
            "attenuation_db_per_km must be >= 0, got " +
                std::to_string(config.attenuation_db_per_km));
    require(non_negative(config.connector_loss_db),
            "fiber_link",
            "connector_loss_db must be >= 0, got " +
                std::to_string(config.connector_loss_db));
    d_loss_db =
        config.length_km * config.attenuation_db_per_km + config.connector_loss_db;
    d_transmission = from_db(-d_loss_db);
}

void fiber_link::process(const float* in_w, float* out_w, std::size_t n) const
{
    const auto t = static_cast<float>(d_transmission);
    for (std::size_t i = 0; i < n; ++i)
        out_w[i] = in_w[i] * t;
}

optical_receiver::optical_receiver(const receiver_config& config, gaussian_source noise)
    : d_config(config), d_noise(std::move(noise))
{
    const char* who = "optical_receiver";
    require(positive(config.responsivity_a_per_w),
            who,
            "responsivity_a_per_w must be > 0, got " +
                std::to_string(config.responsivity_a_per_w));
    require(non_negative(config.thermal_noise_pa_per_rthz),
            who,
            "thermal_noise_pa_per_rthz must be >= 0, got " +
                std::to_string(config.thermal_noise_pa_per_rthz));
    require(positive(config.bandwidth_ghz),
            who,
            "bandwidth_ghz must be > 0, got " + std::to_string(config.bandwidth_ghz));

    const double r = config.responsivity_a_per_w;
    const double b = config.bandwidth_ghz * 1e9;
    const double thermal = config.thermal_noise_pa_per_rthz * 1e-12;
    double gain = 1.0;
    double ase_density = 0.0; // W/Hz per polarisation
    double optical_bandwidth = 0.0;
    if (config.amplifier) {
        require(non_negative(config.amplifier_gain_db),
                who,
                "amplifier_gain_db must be >= 0, got " +
                    std::to_string(config.amplifier_gain_db));
        require(positive(config.wavelength_nm),
                who,
                "wavelength_nm must be > 0, got " + std::to_string(config.wavelength_nm));
        require(positive(config.optical_bandwidth_ghz) &&
                    config.optical_bandwidth_ghz >= config.bandwidth_ghz,
                who,
                "optical_bandwidth_ghz must be at least bandwidth_ghz, got " +
                    std::to_string(config.optical_bandwidth_ghz));
        gain = from_db(config.amplifier_gain_db);
        const double nf = from_db(config.amplifier_noise_figure_db);
        // n_sp >= 1: a phase-insensitive amplifier cannot beat NF = 2 - 1/G.
        require(std::isfinite(nf) && nf * gain >= 2.0 * gain - 1.0 - 1e-12,
                who,
                "amplifier_noise_figure_db " +
                    std::to_string(config.amplifier_noise_figure_db) +
                    " is below the quantum limit 10 log10(2 - 1/G)");
        const double photon_energy =
            planck * speed_of_light / (config.wavelength_nm * 1e-9);
        ase_density = (nf * gain - 1.0) * photon_energy / 2.0;
        optical_bandwidth = config.optical_bandwidth_ghz * 1e9;
    }

    d_gain_r = r * gain;
    d_ase_current = 2.0 * r * ase_density * optical_bandwidth;
    d_variance_0 =
        thermal * thermal * b + 2.0 * electron_charge * d_ase_current * b +
        4.0 * r * r * ase_density * ase_density * b * (optical_bandwidth - b / 2);
    d_variance_per_w =
        2.0 * electron_charge * d_gain_r * b + 4.0 * r * r * gain * ase_density * b;
}

double optical_receiver::noise_sigma(double power_w) const
{
    return std::sqrt(std::max(0.0, d_variance_0 + d_variance_per_w * power_w));
}

link_levels optical_receiver::levels(double p1_w, double p0_w) const
{
    return {
        mean_current(p1_w), mean_current(p0_w), noise_sigma(p1_w), noise_sigma(p0_w)
    };
}

void optical_receiver::process(const float* optical_w, float* current_a, std::size_t n)
{
    const auto gain_r = static_cast<float>(d_gain_r);
    const auto ase = static_cast<float>(d_ase_current);
    const auto v0 = static_cast<float>(d_variance_0);
    const auto v1 = static_cast<float>(d_variance_per_w);
    while (n > 0) {
        const std::size_t m = std::min(n, block);
        d_noise.fill(d_normals.data(), m);
        detect(optical_w, d_normals.data(), current_a, m, gain_r, ase, v0, v1);
        optical_w += m;
        current_a += m;
        n -= m;
    }
}

} // namespace fiberkey
