/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/signal_levels.h>

#include <algorithm>
#include <array>
#include <cmath>

namespace fiberkey {

std::optional<robust_spread> robust_spread::of(const float* x,
                                               std::size_t n,
                                               std::size_t stride,
                                               std::vector<float>& scratch)
{
    scratch.clear();
    for (std::size_t i = 0; i < n; ++i)
        if (std::isfinite(x[i * stride])) // NaN would break nth_element's ordering
            scratch.push_back(x[i * stride]);
    if (scratch.empty())
        return std::nullopt;
    const auto at = [&](std::size_t k) {
        std::nth_element(scratch.begin(), scratch.begin() + k, scratch.end());
        return static_cast<double>(scratch[k]);
    };
    const std::size_t m = scratch.size();
    const double lower = at(m / 4);
    return robust_spread{ lower, at(m - 1 - m / 4) };
}

signal_levels level_measurement::decision_levels() const
{
    const double sigma_one = std::sqrt(var_one), sigma_zero = std::sqrt(var_zero);
    const double s = sigma_one + sigma_zero;
    const double threshold =
        s > 0.0 ? (sigma_zero * one + sigma_one * zero) / s : 0.5 * (one + zero);
    return { one, zero, threshold, sigma_one, sigma_zero };
}

std::optional<level_measurement> level_measurement::of(std::span<const float> x,
                                                       std::span<const std::int8_t> known)
{
    const auto known_bit = [&](std::size_t i) {
        return i < known.size() ? known[i] : -1;
    };
    std::array<double, 2> sum{}, count{};
    for (std::size_t i = 0; i < x.size(); ++i)
        if (const int b = known_bit(i); b >= 0) {
            sum[b] += x[i];
            ++count[b];
        }
    if (count[0] == 0 || count[1] == 0)
        return std::nullopt;
    const double known_one = sum[1] / count[1], known_zero = sum[0] / count[0];
    const double reach = plausible_eye_openings * std::fabs(known_one - known_zero);
    // Which level each sample counts for: its known bit, or the nearer level; -1: a glitch.
    const auto level_of = [&](std::size_t i) {
        if (const int b = known_bit(i); b >= 0)
            return b;
        const double to_one = std::fabs(x[i] - known_one),
                     to_zero = std::fabs(x[i] - known_zero);
        if (!(std::min(to_one, to_zero) <= reach))
            return -1;
        return to_one < to_zero ? 1 : 0;
    };
    sum = {};
    count = {};
    for (std::size_t i = 0; i < x.size(); ++i)
        if (const int b = level_of(i); b >= 0) {
            sum[b] += x[i];
            ++count[b];
        }
    if (count[0] < 2 || count[1] < 2)
        return std::nullopt;
    level_measurement m;
    m.one = sum[1] / count[1];
    m.zero = sum[0] / count[0];
    std::array<double, 2> squares{};
    for (std::size_t i = 0; i < x.size(); ++i)
        if (const int b = level_of(i); b >= 0) {
            const double d = x[i] - (b ? m.one : m.zero);
            squares[b] += d * d;
        }
    m.var_one = squares[1] / (count[1] - 1);
    m.var_zero = squares[0] / (count[0] - 1);
    if (!std::isfinite(m.one + m.zero + m.var_one + m.var_zero))
        return std::nullopt;
    return m;
}

} // namespace fiberkey
