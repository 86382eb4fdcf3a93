/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/statistics.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace fiberkey {

namespace {
void check_paired(std::size_t a, std::size_t b)
{
    if (a != b)
        throw std::invalid_argument("statistics: paired samples of different sizes");
}

double mean_of(std::span<const double> x)
{
    double sum = 0.0;
    for (double v : x)
        sum += v;
    return x.empty() ? 0.0 : sum / static_cast<double>(x.size());
}

//! Plug-in entropy in nats of the values in \p sorted, and how many distinct ones.
template <typename T>
std::pair<double, std::size_t> entropy_of_sorted(const std::vector<T>& sorted)
{
    // H = ln N - (1/N) sum c ln c over the counts c of equal runs.
    const double n = static_cast<double>(sorted.size());
    double sum_c_ln_c = 0.0;
    std::size_t bins = 0;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i + 1;
        while (j < sorted.size() && sorted[j] == sorted[i])
            ++j;
        const double c = static_cast<double>(j - i);
        sum_c_ln_c += c * std::log(c);
        ++bins;
        i = j;
    }
    return { std::log(n) - sum_c_ln_c / n, bins };
}
} // namespace

moments mean_sigma(std::span<const double> x)
{
    moments m;
    m.count = x.size();
    m.mean = mean_of(x);
    if (x.size() < 2)
        return m;
    double ss = 0.0;
    for (double v : x)
        ss += (v - m.mean) * (v - m.mean);
    m.sigma = std::sqrt(ss / static_cast<double>(x.size() - 1));
    return m;
}

double pearson_correlation(std::span<const double> x, std::span<const double> y)
{
    check_paired(x.size(), y.size());
    const double mx = mean_of(x), my = mean_of(y);
    double sxy = 0.0, sxx = 0.0, syy = 0.0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double dx = x[i] - mx, dy = y[i] - my;
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if (sxx == 0.0 || syy == 0.0)
        return std::numeric_limits<double>::quiet_NaN();
    return sxy / std::sqrt(sxx * syy);
}

mutual_information_estimate mutual_information(std::span<const std::int32_t> x,
                                               std::span<const std::int32_t> y)
{
    check_paired(x.size(), y.size());
    mutual_information_estimate est;
    est.samples = x.size();
    if (x.empty())
        return est;

    std::vector<std::int32_t> xs(x.begin(), x.end()), ys(y.begin(), y.end());
    std::vector<std::uint64_t> joint(x.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        joint[i] = (std::uint64_t{ static_cast<std::uint32_t>(x[i]) } << 32) |
                   static_cast<std::uint32_t>(y[i]);
    std::sort(xs.begin(), xs.end());
    std::sort(ys.begin(), ys.end());
    std::sort(joint.begin(), joint.end());

    const auto [hx, kx] = entropy_of_sorted(xs);
    const auto [hy, ky] = entropy_of_sorted(ys);
    const auto [hxy, kxy] = entropy_of_sorted(joint);
    est.x_values = kx;
    est.y_values = ky;
    est.joint_values = kxy;

    const double n = static_cast<double>(x.size());
    const double bias_nats = (static_cast<double>(kx) + static_cast<double>(ky) -
                              static_cast<double>(kxy) - 1.0) /
                             (2.0 * n);
    est.plugin_bits = (hx + hy - hxy) / std::log(2.0);
    est.bits = est.plugin_bits + bias_nats / std::log(2.0);
    return est;
}

} // namespace fiberkey
