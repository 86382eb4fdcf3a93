/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/level_normalizer.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

using fiberkey::level_normalizer;

namespace {

// NRZ at `low`/`high` with Gaussian noise of sigma = noise * (high - low).
std::vector<float>
two_levels(std::size_t n, double low, double high, double noise, std::mt19937& rng)
{
    std::normal_distribution<double> g(0.0, noise * std::fabs(high - low));
    std::vector<float> x(n);
    for (auto& v : x)
        v = static_cast<float>((rng() & 1 ? high : low) + g(rng));
    return x;
}

std::vector<float>
run(level_normalizer& ln, const std::vector<float>& in, std::mt19937& rng)
{
    std::vector<float> out;
    std::size_t at = 0;
    std::vector<float> buf(5000);
    while (true) {
        const std::size_t n = std::min<std::size_t>(in.size() - at, 1 + rng() % 7000);
        buf.resize(1 + rng() % 5000);
        const auto p = ln.process(std::span<const float>(in.data() + at, n), buf);
        out.insert(out.end(), buf.begin(), buf.begin() + p.written);
        at += p.consumed;
        if (at == in.size() && ln.pending() == 0)
            break;
    }
    return out;
}

} // namespace

TEST(level_normalizer, any_scale_offset_and_polarity_comes_out_at_plus_minus_one)
{
    for (const auto& [low, high] : { std::pair{ 0.0, 1e-4 },    // amperes
                                     std::pair{ 2.5, 2.9 },     // volts with offset
                                     std::pair{ 90.0, -110.0 }, // ADC codes, inverted
                                     std::pair{ -3e6, 5e6 } }) {
        std::mt19937 rng(1);
        const auto in = two_levels(200000, low, high, 0.05, rng);
        level_normalizer ln({ .learn_samples = 4096, .tracking_samples = 65536 });
        const auto out = run(ln, in, rng);
        ASSERT_EQ(out.size(), in.size()) << "every sample comes out, the window too";
        double sum_abs = 0.0;
        std::size_t agree = 0;
        for (std::size_t i = 0; i < in.size(); ++i) {
            sum_abs += std::fabs(out[i]);
            agree += (in[i] > 0.5 * (low + high)) == (out[i] > 0); // order kept
        }
        EXPECT_NEAR(sum_abs / out.size(), 1.0, 0.1) << low << " " << high;
        EXPECT_GT(agree, in.size() * 999 / 1000) << "the sign follows the level";
        EXPECT_LE(*std::max_element(out.begin(), out.end()), 4.0f);
    }
}

TEST(level_normalizer, follows_drift_and_survives_bad_samples)
{
    std::mt19937 rng(2);
    auto in = two_levels(400000, -1.0, 1.0, 0.05, rng);
    for (std::size_t i = 0; i < in.size(); ++i) // a baseline that wanders by 1.5 levels
        in[i] += static_cast<float>(1.5 * std::sin(2 * M_PI * i / 300000.0));
    in[10] = std::numeric_limits<float>::quiet_NaN();
    in[200000] = std::numeric_limits<float>::infinity();
    in[200001] = 3e38f;
    level_normalizer ln({ .learn_samples = 4096, .tracking_samples = 2000 });
    const auto out = run(ln, in, rng);
    ASSERT_EQ(out.size(), in.size());
    EXPECT_EQ(ln.nonfinite_samples(), 2u);
    EXPECT_EQ(out[10], 0.0f);
    std::size_t wrong = 0;
    for (std::size_t i = 210000; i < in.size(); ++i) {
        const double base = 1.5 * std::sin(2 * M_PI * i / 300000.0);
        wrong += (in[i] > base) != (out[i] > 0);
    }
    EXPECT_LT(wrong, 200u)
        << "the levels follow the wander; one huge sample is forgotten";
}

TEST(level_normalizer, short_streams_and_no_signal)
{
    level_normalizer ln({ .learn_samples = 100, .tracking_samples = 0 });
    std::vector<float> in(99, 1.0f), out(200);
    const auto p = ln.process(in, out);
    EXPECT_EQ(p.consumed, 99u);
    EXPECT_EQ(p.written, 0u);
    EXPECT_FALSE(ln.learned());
    const std::vector<float> one{ 1.0f };
    const auto q = ln.process(one, out);
    EXPECT_TRUE(ln.learned());
    EXPECT_EQ(q.written, 100u);
    EXPECT_EQ(ln.low(), ln.high()); // a constant: no signal, zeros out
    EXPECT_EQ(out[0], 0.0f);
    EXPECT_THROW(level_normalizer({ .learn_samples = 8 }), std::invalid_argument);
    EXPECT_THROW(level_normalizer({ .tracking_samples = -1 }), std::invalid_argument);
}
