/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/noise_injector.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {

frame_layout::span neg_field_samples(frame_layout::span field, unsigned sps)
{
    return { (frame_layout::neg.offset + field.offset) * 8 * sps,
             field.length * 8 * sps };
}

void validate(const noise_injector_config& c)
{
    if (c.samples_per_bit == 0)
        throw std::invalid_argument("noise_injector: samples_per_bit must be at least 1");
    if (c.samples_per_bit > 1024)
        throw std::invalid_argument(
            "noise_injector: samples_per_bit must be at most 1024");
    const auto& d = c.distribution;
    if (!std::isfinite(d.low) || !std::isfinite(d.high) || d.low > d.high)
        throw std::invalid_argument(
            "noise_injector: the distribution needs finite low <= high, got " +
            std::to_string(d.low) + " and " + std::to_string(d.high));
    switch (d.law) {
    case noise_law::ber_log_uniform:
    case noise_law::ber_uniform:
        if (!(d.low > 0.0 && d.high < 0.5))
            throw std::invalid_argument(
                "noise_injector: a BER distribution needs 0 < low <= high < 0.5");
        break;
    case noise_law::sigma_uniform:
        if (d.low < 0.0)
            throw std::invalid_argument(
                "noise_injector: a sigma distribution needs 0 <= low <= high");
        break;
    default:
        throw std::invalid_argument("noise_injector: unknown noise law");
    }
}

// Distances of the two levels from the threshold; both positive when it lies between.
struct margins {
    double one;
    double zero;
};

margins margins_of(const signal_levels& l)
{
    const double sign = l.one >= l.zero ? 1.0 : -1.0;
    const margins m{ sign * (l.one - l.threshold), sign * (l.threshold - l.zero) };
    if (!(m.one > 0.0 && m.zero > 0.0) || !std::isfinite(m.one + m.zero))
        throw std::invalid_argument(
            "noise_injector: the threshold " + std::to_string(l.threshold) +
            " must lie strictly between the levels " + std::to_string(l.one) + " and " +
            std::to_string(l.zero));
    return m;
}

double tail(double x) { return 0.5 * std::erfc(x / std::numbers::sqrt2); }

} // namespace

noise_law parse_noise_law(std::string_view name)
{
    if (name == "ber_log_uniform")
        return noise_law::ber_log_uniform;
    if (name == "ber_uniform")
        return noise_law::ber_uniform;
    if (name == "sigma_uniform")
        return noise_law::sigma_uniform;
    throw std::invalid_argument("noise_injector: law is ber_log_uniform, ber_uniform or "
                                "sigma_uniform, got '" +
                                std::string(name) + "'");
}

noise_injector::noise_injector(const noise_injector_config& config,
                               gaussian_source source)
    : d_sps(config.samples_per_bit),
      d_distribution(config.distribution),
      d_source(std::move(source))
{
    validate(config);
    d_nd1 = neg_field_samples(frame_layout::neg_nd1, d_sps);
    d_nd2 = neg_field_samples(frame_layout::neg_nd2, d_sps);
    d_normals.resize(std::max(d_nd1.length, d_nd2.length));
}

double noise_injector::local_noise_ber(double sigma, const signal_levels& levels)
{
    const margins m = margins_of(levels);
    const double s1 = std::hypot(std::max(sigma, 0.0), levels.sigma_one);
    const double s0 = std::hypot(std::max(sigma, 0.0), levels.sigma_zero);
    return 0.5 *
           ((s1 > 0.0 ? tail(m.one / s1) : 0.0) + (s0 > 0.0 ? tail(m.zero / s0) : 0.0));
}

double noise_injector::sigma_for_ber(double ber, const signal_levels& levels)
{
    if (!(ber > 0.0 && ber < 0.5))
        throw std::invalid_argument(
            "noise_injector: a target BER must be in (0, 0.5), got " +
            std::to_string(ber));
    const margins m = margins_of(levels);
    if (local_noise_ber(0.0, levels) >= ber)
        return 0.0;
    // The BER grows with sigma from its value without local noise towards 0.5 (far
    // above both margins): bisect on log sigma.
    double lo = std::min(m.one, m.zero) * 1e-3;
    double hi = (m.one + m.zero) * 1e6;
    for (int i = 0; i < 200 && hi > lo * (1.0 + 1e-13); ++i) {
        const double mid = std::sqrt(lo * hi);
        (local_noise_ber(mid, levels) < ber ? lo : hi) = mid;
    }
    return std::sqrt(lo * hi);
}

double noise_injector::draw_one(const signal_levels& levels, double& ber)
{
    const double u = d_source.uniform();
    const double low = d_distribution.low, high = d_distribution.high;
    switch (d_distribution.law) {
    case noise_law::ber_log_uniform:
        ber = std::exp(std::log(low) + u * (std::log(high) - std::log(low)));
        return sigma_for_ber(ber, levels);
    case noise_law::ber_uniform:
        ber = low + u * (high - low);
        return sigma_for_ber(ber, levels);
    case noise_law::sigma_uniform:
        break;
    }
    const double sigma = std::fabs(levels.one - levels.zero) * (low + u * (high - low));
    ber = local_noise_ber(sigma, levels);
    return sigma;
}

frame_noise noise_injector::draw(const signal_levels& levels)
{
    margins_of(levels); // refuse bad levels before drawing anything
    frame_noise noise;
    noise.sigma_nd1 = draw_one(levels, noise.ber_nd1);
    noise.sigma_nd2 = draw_one(levels, noise.ber_nd2);
    return noise;
}

void noise_injector::add_noise(float* samples,
                               std::size_t frame_offset,
                               std::size_t n,
                               frame_layout::span field,
                               double sigma)
{
    const std::size_t first = std::max(frame_offset, field.offset);
    const std::size_t end = std::min(frame_offset + n, field.end());
    if (first >= end || sigma == 0.0)
        return;
    const std::size_t count = end - first;
    d_source.fill(d_normals.data(), count);
    float* x = samples + (first - frame_offset);
    const auto s = static_cast<float>(sigma);
    for (std::size_t i = 0; i < count; ++i)
        x[i] += s * d_normals[i];
}

void noise_injector::apply(float* samples,
                           std::size_t frame_offset,
                           std::size_t n,
                           const frame_noise& noise)
{
    add_noise(samples, frame_offset, n, d_nd1, noise.sigma_nd1);
    add_noise(samples, frame_offset, n, d_nd2, noise.sigma_nd2);
}

frame_noise noise_injector::process(float* frame, const signal_levels& levels)
{
    const frame_noise noise = draw(levels);
    apply(frame, 0, frame_samples(), noise);
    return noise;
}

} // namespace fiberkey
