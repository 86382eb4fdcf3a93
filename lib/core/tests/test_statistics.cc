/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/statistics.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

using namespace fiberkey;

TEST(statistics, mean_and_sample_sigma)
{
    const std::vector<double> x{ 2, 4, 4, 4, 5, 5, 7, 9 };
    const auto m = mean_sigma(x);
    EXPECT_EQ(m.count, 8u);
    EXPECT_DOUBLE_EQ(m.mean, 5.0);
    EXPECT_DOUBLE_EQ(m.sigma, std::sqrt(32.0 / 7.0));
    EXPECT_EQ(mean_sigma(std::vector<double>{ 3.0 }).sigma, 0.0);
}

TEST(statistics, pearson_on_exact_cases)
{
    const std::vector<double> x{ 1, 2, 3, 4, 5 };
    const std::vector<double> up{ 3, 5, 7, 9, 11 }, down{ 5, 4, 3, 2, 1 };
    const std::vector<double> some{ 2, 1, 4, 3, 5 }, flat{ 1, 1, 1, 1, 1 };
    EXPECT_NEAR(pearson_correlation(x, up), 1.0, 1e-12);
    EXPECT_NEAR(pearson_correlation(x, down), -1.0, 1e-12);
    EXPECT_NEAR(pearson_correlation(x, some), 0.8, 1e-12); // Sxy = 8, Sxx = Syy = 10
    EXPECT_TRUE(std::isnan(pearson_correlation(x, flat)));
    EXPECT_THROW(pearson_correlation(x, std::vector<double>{ 1, 2 }),
                 std::invalid_argument);
}

// X uniform bit, Y = X through a binary symmetric channel: I = 1 - h(eps).
TEST(statistics, mutual_information_of_a_binary_symmetric_channel)
{
    std::mt19937_64 rng(11);
    const double eps = 0.1;
    std::bernoulli_distribution flip(eps);
    std::vector<std::int32_t> x(200000), y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<std::int32_t>(rng() & 1);
        y[i] = x[i] ^ static_cast<std::int32_t>(flip(rng));
    }
    const double h = -eps * std::log2(eps) - (1 - eps) * std::log2(1 - eps);
    const auto est = mutual_information(x, y);
    EXPECT_NEAR(est.bits, 1.0 - h, 0.01);
    EXPECT_EQ(est.joint_values, 4u);
}

// Bivariate normal with correlation rho, finely binned: the binned MI tends to the
// continuous -1/2 log2(1 - rho^2) as the bin width goes to zero.
TEST(statistics, mutual_information_of_a_binned_bivariate_normal)
{
    std::mt19937_64 rng(12);
    std::normal_distribution<double> n01;
    const double rho = 0.9, width = 0.1;
    std::vector<std::int32_t> x(2000000), y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const double a = n01(rng);
        const double b = rho * a + std::sqrt(1 - rho * rho) * n01(rng);
        x[i] = static_cast<std::int32_t>(std::floor(a / width));
        y[i] = static_cast<std::int32_t>(std::floor(b / width));
    }
    const auto est = mutual_information(x, y);
    EXPECT_NEAR(est.bits, -0.5 * std::log2(1 - rho * rho), 0.02);
}

// Independent samples on 16 x 16 values and only 2,000 pairs: the plug-in estimate is
// biased up by about 225 / (2 N ln 2) = 0.08 bits; Miller-Madow removes most of it.
TEST(statistics, miller_madow_removes_the_small_sample_bias)
{
    std::mt19937_64 rng(13);
    std::vector<std::int32_t> x(2000), y(x.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] = static_cast<std::int32_t>(rng() % 16);
        y[i] = static_cast<std::int32_t>(rng() % 16);
    }
    const auto est = mutual_information(x, y);
    EXPECT_GT(est.plugin_bits, 0.05);
    EXPECT_LT(std::abs(est.bits), 0.02);
    EXPECT_EQ(est.x_values, 16u);
    EXPECT_EQ(mutual_information({}, {}).bits, 0.0);
}

TEST(statistics, mutual_information_of_identical_uniform_samples_is_their_entropy)
{
    std::mt19937_64 rng(14);
    std::vector<std::int32_t> x(100000);
    for (auto& v : x)
        v = static_cast<std::int32_t>(rng() % 8) - 4; // negative values too
    EXPECT_NEAR(mutual_information(x, x).bits, 3.0, 0.01);
}
