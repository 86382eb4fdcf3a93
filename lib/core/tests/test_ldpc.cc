/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "../ldpc_math.h"

#include <fiberkey/ldpc.h>
#include <fiberkey/reconciliation.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <span>
#include <utility>

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

TEST(ldpc, message_functions_match_the_standard_ones)
{
    // e^-a on the decoder's range (messages are clamped to 25) and beyond, relative.
    double worst = 0.0;
    for (double a = 0.0; a <= 40.0; a += 1.0 / 4096.0)
        worst = std::max(worst,
                         std::fabs(ldpc_math::exp_of_negative(a) / std::exp(-a) - 1.0));
    EXPECT_LT(worst, 1e-15);
    // ln y from 1e-13 to 1e13 ((1 + p) / (1 - p) with |p| <= 1 - 1e-12): absolute error
    // below 1e-15 for |ln y| <= 1, relative beyond.
    worst = 0.0;
    auto check = [&](double y) {
        const double exact = std::log(y);
        worst = std::max(worst,
                         std::fabs(ldpc_math::log_of_positive(y) - exact) /
                             std::max(1.0, std::fabs(exact)));
    };
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> exponent(-13.0, 13.0);
    for (int i = 0; i < 200000; ++i)
        check(std::pow(10.0, exponent(rng)));
    for (double y : { 1.0, 0x1.6a09e667f3bcdp0, 2.0, 0.5, 1.0 + 1e-15, 1.0 - 1e-16 })
        check(y);
    EXPECT_LT(worst, 1e-15);
}

namespace {
// Each check's variables, from the syndromes of unit vectors (the code's only view).
std::vector<std::vector<std::size_t>> check_rows(const ldpc_code& code)
{
    std::vector<std::vector<std::size_t>> rows(code.m());
    std::vector<std::uint8_t> x(code.n(), 0);
    for (std::size_t v = 0; v < code.n(); ++v) {
        x[v] = 1;
        const auto s = code.syndrome(x);
        for (std::size_t c = 0; c < code.m(); ++c)
            if (s[c])
                rows[c].push_back(v);
        x[v] = 0;
    }
    return rows;
}
} // namespace

TEST(ldpc, long_codes_are_lifts_of_grown_codes)
{
    EXPECT_EQ(ldpc_code::lifting(2048, 640), 1u);
    EXPECT_EQ(ldpc_code::lifting(2304, 72), 2u);
    EXPECT_EQ(ldpc_code::lifting(8192, 2560), 4u);
    EXPECT_EQ(ldpc_code::lifting(16384, 256), 8u);
    EXPECT_EQ(ldpc_code::lifting(4099, 1000), 1u); // no common factor >= 3: grown
    // A lift keeps the base's degrees: Z times the base's edges, every variable of
    // base node v with v's degree.
    const ldpc_code lifted(4096, 1280), base(2048, 640);
    EXPECT_EQ(lifted.edges(), 2 * base.edges());
    const auto rows = check_rows(lifted);
    std::vector<unsigned> degree(4096, 0);
    for (const auto& r : rows)
        for (auto v : r)
            ++degree[v];
    const auto base_degrees = ldpc_code::variable_degrees(2048, 640);
    for (std::size_t v = 0; v < 4096; ++v)
        ASSERT_EQ(degree[v], base_degrees[v / 2]) << "variable " << v;
    // No 4-cycle (the grown base has none, and a lift adds none): no two checks share
    // two variables.
    std::vector<std::vector<std::size_t>> var_checks(4096);
    for (std::size_t c = 0; c < rows.size(); ++c)
        for (auto v : rows[c])
            var_checks[v].push_back(c);
    std::vector<std::size_t> seen(rows.size(), SIZE_MAX);
    for (std::size_t c = 0; c < rows.size(); ++c)
        for (auto v : rows[c])
            for (auto other : var_checks[v]) {
                if (other == c)
                    continue;
                ASSERT_NE(seen[other], c) << "checks " << c << " and " << other;
                seen[other] = c;
            }
}

namespace {
// The decoder as ldpc.h specifies it, written plainly: layered sum-product check by
// check in order, std::tanh and std::atanh, messages clamped to 25, and a second
// attempt with channel LLRs x 0.7 and check messages damped by half.
ldpc_code::decode_result
reference_decode(const std::vector<std::vector<std::size_t>>& rows,
                 std::span<const float> llr,
                 std::span<const std::uint8_t> syndrome,
                 std::vector<std::uint8_t>& x,
                 unsigned max_iterations)
{
    const std::size_t n = llr.size();
    auto meets = [&](const std::vector<double>& total) {
        x.assign(n, 0);
        for (std::size_t v = 0; v < n; ++v)
            x[v] = total[v] < 0 ? 1 : 0;
        for (std::size_t c = 0; c < rows.size(); ++c) {
            std::uint8_t parity = syndrome[c];
            for (auto v : rows[c])
                parity ^= x[v];
            if (parity)
                return false;
        }
        return true;
    };
    ldpc_code::decode_result result;
    for (const auto& [scale, damping] :
         { std::pair{ 1.0, 0.0 }, std::pair{ 0.7, 0.5 } }) {
        std::vector<double> total(n);
        for (std::size_t v = 0; v < n; ++v)
            total[v] = std::clamp(scale * llr[v], -25.0, 25.0);
        std::vector<std::vector<double>> to_var(rows.size());
        for (std::size_t c = 0; c < rows.size(); ++c)
            to_var[c].assign(rows[c].size(), 0.0);
        if (meets(total)) {
            result.converged = true;
            return result;
        }
        for (unsigned it = 0; it < max_iterations; ++it) {
            ++result.iterations;
            for (std::size_t c = 0; c < rows.size(); ++c) {
                const auto& row = rows[c];
                std::vector<double> q(row.size()), t(row.size());
                for (std::size_t i = 0; i < row.size(); ++i) {
                    q[i] = std::clamp(total[row[i]] - to_var[c][i], -25.0, 25.0);
                    t[i] = std::tanh(q[i] / 2);
                }
                for (std::size_t i = 0; i < row.size(); ++i) {
                    double product = 1.0;
                    for (std::size_t j = 0; j < row.size(); ++j)
                        if (j != i)
                            product *= t[j];
                    product = std::clamp(product, -0.999999999999, 0.999999999999);
                    const double message =
                        (1 - damping) * (syndrome[c] ? -2 : 2) * std::atanh(product) +
                        damping * to_var[c][i];
                    to_var[c][i] = message;
                    total[row[i]] = q[i] + message;
                }
            }
            if (meets(total)) {
                result.converged = true;
                return result;
            }
        }
    }
    return result;
}
} // namespace

// The decoder updates runs of checks that share no variable together (ldpc.cc); that
// must be the layered schedule check by check. Against the plain decoder above, on a
// lifted code (Z = 3, runs of 3 checks and more) and a grown one, at error rates where
// decoding takes tens of iterations and sometimes fails: the same outcome, iterations
// and bits, frame by frame (the message functions differ in the last bits only).
TEST(ldpc, grouped_checks_decode_as_the_layered_schedule)
{
    struct point {
        std::size_t n, m;
        ldpc_degrees degrees;
        double p;
    };
    for (const auto& pt : { point{ 6144, 3072, ldpc_degrees::two_three_sixteen, 0.085 },
                            point{ 1024, 320, ldpc_degrees::two_four_eight, 0.04 } }) {
        const ldpc_code code(pt.n, pt.m, pt.degrees);
        const auto rows = check_rows(code);
        std::mt19937_64 rng(11);
        std::bernoulli_distribution flip(pt.p);
        const float l = float(std::log((1 - pt.p) / pt.p));
        std::vector<std::uint8_t> x(pt.n), out, reference;
        std::vector<float> llr(pt.n);
        unsigned converged = 0, iterations = 0;
        for (int frame = 0; frame < 12; ++frame) {
            for (std::size_t v = 0; v < pt.n; ++v) {
                x[v] = rng() & 1;
                llr[v] = (x[v] ^ flip(rng)) ? -l : l;
            }
            const auto s = code.syndrome(x);
            const auto got = code.decode(llr, s, out, 60);
            const auto want = reference_decode(rows, llr, s, reference, 60);
            ASSERT_EQ(got.converged, want.converged) << pt.n << " frame " << frame;
            ASSERT_EQ(got.iterations, want.iterations) << pt.n << " frame " << frame;
            ASSERT_EQ(out, reference) << pt.n << " frame " << frame;
            converged += got.converged;
            iterations += got.iterations;
        }
        std::printf("  n = %zu: %u of 12 frames converged, %.1f iterations on average\n",
                    pt.n,
                    converged,
                    iterations / 12.0);
        EXPECT_GT(converged, 0u);
    }
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

    // A lifted code of 8,192 bits at 2 % errors.
    const auto& lifted = *ldpc_code::cached(8192, 2560);
    x.resize(8192);
    for (auto& v : x)
        v = rng() & 1;
    llr.resize(8192);
    for (std::size_t i = 0; i < x.size(); ++i)
        llr[i] = (x[i] ^ (i % 50 == 7)) ? -3.0f : 3.0f;
    EXPECT_TRUE(lifted.decode(llr, lifted.syndrome(x), out).converged);
    EXPECT_EQ(out, x);
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
