/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_TESTS_CORRELATED_COUNTS_H
#define FIBERKEY_TESTS_CORRELATED_COUNTS_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace fiberkey::test {

//! Counts as the signed integers that fiberkey::mutual_information takes.
inline std::vector<std::int32_t> as_int32(const std::vector<std::uint32_t>& v)
{
    return std::vector<std::int32_t>(v.begin(), v.end());
}

/*
 * Correlated count pairs for tests, from a FIXED SEED (reproducible, not secret):
 * F1 = X + N1, F2 = X + N2, rounded to integers and clipped at 0, with X the shared
 * cause (the round's two noise draws, protocol.md section 5) and N1, N2 each side's own
 * share. The ratio noise_sd / shared_sd sets the disagreement after quantization: without
 * a guard band p = arccos(rho) / pi, rho = shared^2 / (shared^2 + noise^2).
 */
class correlated_counts
{
public:
    correlated_counts(std::uint64_t seed,
                      double shared_sd,
                      double noise_sd,
                      double mean = 60.0)
        : d_rng(seed), d_shared(mean, shared_sd), d_noise(0.0, noise_sd)
    {
    }

    std::pair<std::uint32_t, std::uint32_t> next()
    {
        const double x = d_shared(d_rng);
        auto count = [&](double v) {
            return static_cast<std::uint32_t>(std::max(0.0, std::round(v)));
        };
        const double n1 = d_noise(d_rng), n2 = d_noise(d_rng);
        return { count(x + n1), count(x + n2) };
    }

    std::mt19937_64& rng() { return d_rng; }

private:
    std::mt19937_64 d_rng;
    std::normal_distribution<double> d_shared, d_noise;
};

//! noise_sd for a wanted disagreement p of the sign of (F - mean), no guard band.
inline double noise_for_disagreement(double shared_sd, double p)
{
    const double rho = std::cos(M_PI * p);
    return shared_sd * std::sqrt(1.0 / rho - 1.0);
}

} // namespace fiberkey::test

#endif
