/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/noise_injector.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

constexpr std::size_t frame_bits = frame_layout::frame_bytes * 8;
constexpr std::size_t nd_bits = 124 * 8;

noise_injector make(unsigned sps, noise_distribution d, std::uint64_t seed)
{
    return noise_injector({ .samples_per_bit = sps, .distribution = d },
                          gaussian_source::from_test_seed(seed));
}

// A frame of two-level samples with some link noise, as a receiver would see it.
std::vector<float> noisy_frame(unsigned sps, const signal_levels& l, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::normal_distribution<float> n(0.0f, 0.05f * static_cast<float>(l.one - l.zero));
    std::vector<float> x(frame_bits * sps);
    for (std::size_t b = 0; b < frame_bits; ++b) {
        const float level = static_cast<float>((rng() & 1) ? l.one : l.zero);
        for (unsigned k = 0; k < sps; ++k)
            x[b * sps + k] = level + n(rng);
    }
    return x;
}

double kolmogorov_smirnov_uniform(std::vector<double> u)
{
    std::sort(u.begin(), u.end());
    const double n = static_cast<double>(u.size());
    double d = 0;
    for (std::size_t i = 0; i < u.size(); ++i)
        d = std::max({ d, u[i] - i / n, (i + 1) / n - u[i] });
    return d * std::sqrt(n);
}

} // namespace

TEST(noise_injector, field_positions_come_from_the_frame_layout)
{
    for (unsigned sps : { 1u, 4u }) {
        const auto inj = make(sps, {}, 1);
        EXPECT_EQ(inj.frame_samples(), 134'640u * sps);
        EXPECT_EQ(inj.nd1_samples().offset, (16'320u + 3) * 8 * sps);
        EXPECT_EQ(inj.nd1_samples().length, nd_bits * sps);
        EXPECT_EQ(inj.nd2_samples().offset, (16'320u + 129) * 8 * sps);
        EXPECT_EQ(inj.nd2_samples().length, nd_bits * sps);
    }
}

TEST(noise_injector, noise_lands_on_nd1_and_nd2_samples_only)
{
    for (unsigned sps : { 1u, 3u }) {
        auto inj = make(sps, {}, 2);
        const signal_levels levels{ 2e-5, 2e-6, 1.1e-5 };
        const auto before = noisy_frame(sps, levels, 3);
        auto after = before;
        const auto noise = inj.process(after.data(), levels);
        EXPECT_GT(noise.sigma_nd1, 0.0);
        EXPECT_GT(noise.sigma_nd2, 0.0);
        const auto in = [](frame_layout::span s, std::size_t i) {
            return i >= s.offset && i < s.end();
        };
        std::size_t changed = 0;
        for (std::size_t i = 0; i < before.size(); ++i) {
            if (in(inj.nd1_samples(), i) || in(inj.nd2_samples(), i)) {
                changed += before[i] != after[i];
            } else {
                ASSERT_EQ(std::bit_cast<std::uint32_t>(before[i]),
                          std::bit_cast<std::uint32_t>(after[i]))
                    << "sample " << i;
            }
        }
        EXPECT_GE(changed, 2 * nd_bits * sps - 2);
    }
}

TEST(noise_injector, injected_noise_is_normal_with_the_reported_sigma)
{
    auto inj = make(1, {}, 4);
    const signal_levels levels{ 1.0, 0.0, 0.5 };
    std::vector<float> frame(inj.frame_samples(), 0.25f);
    std::vector<double> z;
    z.reserve(1000 * 2 * nd_bits);
    for (int f = 0; f < 1000; ++f) {
        const auto noise = inj.process(frame.data(), levels);
        for (auto [field, sigma] : { std::pair{ inj.nd1_samples(), noise.sigma_nd1 },
                                     std::pair{ inj.nd2_samples(), noise.sigma_nd2 } }) {
            for (std::size_t i = field.offset; i < field.end(); ++i) {
                z.push_back((frame[i] - 0.25) / sigma);
                frame[i] = 0.25f;
            }
        }
    }
    double s1 = 0, s2 = 0, s4 = 0;
    for (double v : z)
        s1 += v;
    const double mean = s1 / z.size();
    for (double v : z) {
        s2 += (v - mean) * (v - mean);
        s4 += std::pow(v - mean, 4);
    }
    const double var = s2 / z.size();
    const double kurtosis = s4 / z.size() / (var * var);
    // n = 1.98e6: standard errors 7e-4 (mean), 1e-3 (variance), 3.5e-3 (kurtosis).
    EXPECT_NEAR(mean, 0.0, 4e-3);
    EXPECT_NEAR(var, 1.0, 5e-3);
    EXPECT_NEAR(kurtosis, 3.0, 0.02);
    // Kolmogorov-Smirnov on every 10th value against the normal cdf.
    std::vector<double> u;
    for (std::size_t i = 0; i < z.size(); i += 10)
        u.push_back(0.5 * std::erfc(-z[i] / std::sqrt(2.0)));
    EXPECT_LT(kolmogorov_smirnov_uniform(u), 1.95);
}

TEST(noise_injector, per_field_bers_are_independent_and_log_uniform)
{
    auto inj = make(1, {}, 5);
    const signal_levels levels{ -3.0,
                                5.0,
                                0.5 }; // inverted polarity, off-centre threshold
    constexpr int frames = 4000;
    std::vector<double> u1, u2;
    for (int f = 0; f < frames; ++f) {
        const auto n = inj.draw(levels);
        for (double ber : { n.ber_nd1, n.ber_nd2 }) {
            ASSERT_GE(ber, 1e-3);
            ASSERT_LE(ber, 0.2);
        }
        EXPECT_NEAR(
            noise_injector::local_noise_ber(n.sigma_nd1, levels) / n.ber_nd1, 1.0, 1e-9);
        EXPECT_NEAR(
            noise_injector::local_noise_ber(n.sigma_nd2, levels) / n.ber_nd2, 1.0, 1e-9);
        const double span = std::log(0.2 / 1e-3);
        u1.push_back(std::log(n.ber_nd1 / 1e-3) / span);
        u2.push_back(std::log(n.ber_nd2 / 1e-3) / span);
    }
    EXPECT_LT(kolmogorov_smirnov_uniform(u1), 1.95);
    EXPECT_LT(kolmogorov_smirnov_uniform(u2), 1.95);
    // Uncorrelated, also with the next frame.
    const auto correlation =
        [](const std::vector<double>& a, const std::vector<double>& b, std::size_t lag) {
            const std::size_t n = a.size() - lag;
            double ma = 0, mb = 0;
            for (std::size_t i = 0; i < n; ++i) {
                ma += a[i];
                mb += b[i + lag];
            }
            ma /= n;
            mb /= n;
            double sab = 0, saa = 0, sbb = 0;
            for (std::size_t i = 0; i < n; ++i) {
                sab += (a[i] - ma) * (b[i + lag] - mb);
                saa += (a[i] - ma) * (a[i] - ma);
                sbb += (b[i + lag] - mb) * (b[i + lag] - mb);
            }
            return sab / std::sqrt(saa * sbb);
        };
    const double bound = 4.0 / std::sqrt(frames);
    EXPECT_LT(std::fabs(correlation(u1, u2, 0)), bound);
    EXPECT_LT(std::fabs(correlation(u1, u1, 1)), bound);
    EXPECT_LT(std::fabs(correlation(u1, u2, 1)), bound);
}

TEST(noise_injector, measured_error_rate_matches_the_drawn_ber)
{
    // Noiseless levels: every decision error on ND1/ND2 comes from the local noise.
    auto inj = make(1, {}, 6);
    const signal_levels levels{ 3.0, 1.0, 1.8 };
    std::mt19937_64 rng(7);
    std::vector<float> frame(inj.frame_samples());
    std::vector<std::uint8_t> bits(inj.frame_samples());
    double expected = 0;
    std::size_t errors = 0;
    for (int f = 0; f < 300; ++f) {
        for (auto field : { inj.nd1_samples(), inj.nd2_samples() })
            for (std::size_t i = field.offset; i < field.end(); ++i) {
                bits[i] = rng() & 1;
                frame[i] = static_cast<float>(bits[i] ? levels.one : levels.zero);
            }
        const auto noise = inj.process(frame.data(), levels);
        expected += (noise.ber_nd1 + noise.ber_nd2) * nd_bits;
        for (auto field : { inj.nd1_samples(), inj.nd2_samples() })
            for (std::size_t i = field.offset; i < field.end(); ++i)
                errors += (frame[i] > levels.threshold) != bits[i];
    }
    // The expectation sums the drawn BERs, so only the binomial spread is left: about
    // 22,000 errors, a relative standard deviation of 0.7 %.
    EXPECT_NEAR(static_cast<double>(errors) / expected, 1.0, 0.035)
        << errors << " errors, " << expected << " expected";
}

TEST(noise_injector, sigma_for_ber)
{
    // Midpoint threshold: BER = Q(d / (2 sigma)); Q^-1(1e-3) = 3.090232.
    const signal_levels mid{ 1.0, 0.0, 0.5 };
    EXPECT_NEAR(noise_injector::sigma_for_ber(1e-3, mid), 0.5 / 3.090232, 1e-6);
    EXPECT_NEAR(noise_injector::sigma_for_ber(0.2, mid), 0.5 / 0.841621, 1e-6);
    // Scaled levels scale sigma; inverted levels give the same sigma.
    const signal_levels scaled{ 1e-5, 3e-5, 2e-5 };
    EXPECT_NEAR(noise_injector::sigma_for_ber(1e-2, scaled) /
                    noise_injector::sigma_for_ber(1e-2, mid),
                2e-5,
                1e-12);
    const signal_levels skewed{ 1.0, 0.0, 0.3 };
    const double s = noise_injector::sigma_for_ber(0.05, skewed);
    EXPECT_NEAR(noise_injector::local_noise_ber(s, skewed), 0.05, 1e-12);
    EXPECT_THROW(noise_injector::sigma_for_ber(0.5, mid), std::invalid_argument);
    EXPECT_THROW(noise_injector::sigma_for_ber(0.0, mid), std::invalid_argument);
    EXPECT_THROW(noise_injector::sigma_for_ber(0.1, { 1.0, 0.0, 1.0 }),
                 std::invalid_argument);
    EXPECT_THROW(noise_injector::sigma_for_ber(0.1, { 1.0, 1.0, 1.0 }),
                 std::invalid_argument);
    EXPECT_THROW(noise_injector::sigma_for_ber(0.1, { 1.0, 0.0, NAN }),
                 std::invalid_argument);
}

TEST(noise_injector, other_laws)
{
    auto uniform = make(1, { noise_law::ber_uniform, 0.01, 0.02 }, 8);
    auto relative = make(1, { noise_law::sigma_uniform, 0.1, 0.3 }, 9);
    const signal_levels levels{ 4.0, 2.0, 3.0 };
    double sum = 0;
    for (int i = 0; i < 2000; ++i) {
        const auto a = uniform.draw(levels);
        ASSERT_GE(a.ber_nd1, 0.01);
        ASSERT_LE(a.ber_nd1, 0.02);
        sum += a.ber_nd1;
        const auto b = relative.draw(levels);
        ASSERT_GE(b.sigma_nd2, 0.2);
        ASSERT_LE(b.sigma_nd2, 0.6);
        EXPECT_NEAR(
            b.ber_nd2, noise_injector::local_noise_ber(b.sigma_nd2, levels), 1e-15);
    }
    EXPECT_NEAR(sum / 2000, 0.015, 0.0005);
    // A zero-width sigma law is a fixed sigma.
    auto fixed = make(1, { noise_law::sigma_uniform, 0.25, 0.25 }, 10);
    EXPECT_DOUBLE_EQ(fixed.draw(levels).sigma_nd1, 0.5);
}

TEST(noise_injector, pieces_equal_the_whole_frame)
{
    const signal_levels levels{ 1.0, 0.0, 0.5 };
    auto whole = make(2, {}, 11);
    auto pieces = make(2, {}, 11);
    auto a = noisy_frame(2, levels, 12);
    auto b = a;
    const auto noise = whole.process(a.data(), levels);
    const auto same = pieces.draw(levels);
    EXPECT_EQ(noise.sigma_nd1, same.sigma_nd1);
    EXPECT_EQ(noise.sigma_nd2, same.sigma_nd2);
    std::mt19937 rng(13);
    for (std::size_t pos = 0; pos < b.size();) {
        const std::size_t n = std::min<std::size_t>(rng() % 3000, b.size() - pos);
        pieces.apply(b.data() + pos, pos, n, same);
        pos += n;
    }
    EXPECT_EQ(a, b);
}

TEST(noise_injector, rejects_bad_parameters)
{
    const auto bad = [](unsigned sps, noise_distribution d) {
        noise_injector inj({ .samples_per_bit = sps, .distribution = d },
                           gaussian_source::from_test_seed(0));
    };
    EXPECT_THROW(bad(0, {}), std::invalid_argument);
    EXPECT_THROW(bad(1, { noise_law::ber_log_uniform, 0.0, 0.1 }), std::invalid_argument);
    EXPECT_THROW(bad(1, { noise_law::ber_log_uniform, 0.1, 0.5 }), std::invalid_argument);
    EXPECT_THROW(bad(1, { noise_law::ber_uniform, 0.2, 0.1 }), std::invalid_argument);
    EXPECT_THROW(bad(1, { noise_law::sigma_uniform, -0.1, 0.1 }), std::invalid_argument);
    EXPECT_THROW(bad(1, { noise_law::sigma_uniform, 0.1, INFINITY }),
                 std::invalid_argument);
    auto inj = make(1, {}, 14);
    EXPECT_THROW(inj.draw({ 1.0, 0.0, 2.0 }), std::invalid_argument);
}
