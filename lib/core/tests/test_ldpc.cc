/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ldpc.h>
#include <fiberkey/reconciliation.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>

using namespace fiberkey;


TEST(ldpc, construction_is_deterministic_and_follows_the_degrees)
{
    const ldpc_code a(640, 200), b(640, 200);
    EXPECT_EQ(a.edges(), b.edges());
    std::mt19937_64 rng(1);
    std::vector<std::uint8_t> x(640);
    for (int t = 0; t < 5; ++t) {
        for (auto& v : x)
            v = rng() & 1;
        EXPECT_EQ(a.syndrome(x), b.syndrome(x));
    }
    std::size_t edges = 0;
    for (auto d : ldpc_code::variable_degrees(640, 200))
        edges += d;
    EXPECT_EQ(a.edges(), edges);
    EXPECT_EQ(ldpc_code::cached(640, 200)->edges(), edges);
    EXPECT_EQ(ldpc_code::cached(640, 200), ldpc_code::cached(640, 200));
    EXPECT_THROW(ldpc_code(100, 100), std::invalid_argument);
    EXPECT_THROW(ldpc_code(100, 1), std::invalid_argument);
}

TEST(ldpc, decodes_known_errors_and_reports_failure)
{
    const ldpc_code code(1024, 320);
    std::mt19937_64 rng(2);
    std::vector<std::uint8_t> x(1024), out;
    for (auto& v : x)
        v = rng() & 1;
    std::vector<float> llr(1024);
    for (std::size_t i = 0; i < x.size(); ++i)
        llr[i] = (x[i] ^ (i % 50 == 7)) ? -3.0f : 3.0f; // 2% errors
    const auto r = code.decode(llr, code.syndrome(x), out);
    EXPECT_TRUE(r.converged);
    EXPECT_EQ(out, x);
    // Half the bits wrong with confidence: no codeword in reach.
    for (std::size_t i = 0; i < x.size(); ++i)
        llr[i] = (x[i] ^ (i % 2)) ? -3.0f : 3.0f;
    EXPECT_FALSE(code.decode(llr, code.syndrome(x), out, 20).converged);
}

// Printed, loosely bounded: 1000-bit keys (shortened 1024-bit codes) at the operating
// points that choose_codes picks for the post-processor's default design efficiency.
TEST(ldpc, frame_error_rate_at_1_to_5_percent)
{
    const double efficiency = 1.5;
    const std::size_t n = 1000;
    const int frames = 60;
    std::mt19937_64 rng(3);
    std::printf("  %6s %6s %6s %8s %6s %8s\n", "n", "KDR", "m", "f", "FER", "iter");
    for (double p : { 0.01, 0.02, 0.03, 0.04, 0.05 }) {
        const std::vector<double> planes = { p };
        const auto codes = reconciliation::choose_codes(n, planes, efficiency);
        std::bernoulli_distribution flip(p);
        int failures = 0;
        double iterations = 0;
        std::vector<std::uint8_t> x(n), y(n);
        for (int f = 0; f < frames; ++f) {
            for (std::size_t i = 0; i < n; ++i) {
                x[i] = rng() & 1;
                y[i] = x[i] ^ flip(rng);
            }
            const auto out = reconciliation::decode(reconciliation::hard_llrs(y, planes),
                                                    reconciliation::syndrome(x, codes),
                                                    codes,
                                                    100);
            iterations += out.max_iterations;
            failures += !out.converged || out.bits != x;
        }
        const double fer = double(failures) / frames;
        std::printf("  %6zu %6.3f %6zu %8.3f %6.3f %8.1f\n",
                    n,
                    p,
                    codes[0].syndrome_bits,
                    double(codes[0].syndrome_bits) /
                        (n * reconciliation::binary_entropy(p)),
                    fer,
                    iterations / frames);
        EXPECT_LT(fer, 0.5);
    }
}
