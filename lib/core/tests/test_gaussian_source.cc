/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/gaussian_source.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

using namespace fiberkey;

namespace {

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

struct moments {
    double mean, variance, skewness, kurtosis;
};

moments moments_of(const std::vector<float>& v)
{
    double s1 = 0;
    for (float x : v)
        s1 += x;
    const double mean = s1 / v.size();
    double m2 = 0, m3 = 0, m4 = 0;
    for (float x : v) {
        const double d = x - mean;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
    }
    m2 /= v.size();
    m3 /= v.size();
    m4 /= v.size();
    return { mean, m2, m3 / std::pow(m2, 1.5), m4 / (m2 * m2) };
}

// Both generators behind the same Box-Muller: the CSPRNG and the fast physical one.
struct generator {
    const char* name;
    gaussian_source (*from_test_seed)(std::uint64_t);
};
constexpr generator generators[] = {
    { "CSPRNG", &gaussian_source::from_test_seed },
    { "physical", &gaussian_source::physical_from_test_seed },
};

} // namespace

TEST(gaussian_source, moments_of_ten_million_samples)
{
    for (const auto& gen : generators) {
        auto g = gen.from_test_seed(1);
        SCOPED_TRACE(gen.name);
        std::vector<float> v(10'000'000);
        g.fill(v);
        const auto m = moments_of(v);
        // Standard errors for n = 1e7: mean 3.2e-4, variance 4.5e-4, skewness 7.7e-4,
        // kurtosis 1.5e-3; the bounds are five of them.
        EXPECT_NEAR(m.mean, 0.0, 1.6e-3);
        EXPECT_NEAR(m.variance, 1.0, 2.3e-3);
        EXPECT_NEAR(m.skewness, 0.0, 4e-3);
        EXPECT_NEAR(m.kurtosis, 3.0, 8e-3);
    }
}

TEST(gaussian_source, kolmogorov_smirnov_against_the_normal_cdf)
{
    for (const auto& gen : generators) {
        auto g = gen.from_test_seed(2);
        SCOPED_TRACE(gen.name);
        std::vector<float> v(1'000'000);
        g.fill(v);
        std::sort(v.begin(), v.end());
        double d = 0;
        const double n = static_cast<double>(v.size());
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double f = normal_cdf(v[i]);
            d = std::max({ d, f - i / n, (i + 1) / n - f });
        }
        // Critical value of sqrt(n) D at the 0.1 % level is 1.95.
        EXPECT_LT(d * std::sqrt(n), 1.95);
    }
}

TEST(gaussian_source, chi_square_over_equiprobable_bins_and_tails)
{
    for (const auto& gen : generators) {
        auto g = gen.from_test_seed(3);
        SCOPED_TRACE(gen.name);
        constexpr int bins = 100;
        std::vector<double> edges(bins - 1);
        // Equiprobable bins by bisection on the normal cdf.
        for (int k = 1; k < bins; ++k) {
            double lo = -10, hi = 10;
            for (int it = 0; it < 100; ++it) {
                const double mid = 0.5 * (lo + hi);
                (normal_cdf(mid) < static_cast<double>(k) / bins ? lo : hi) = mid;
            }
            edges[k - 1] = lo;
        }
        std::vector<float> v(4'000'000);
        g.fill(v);
        std::vector<double> count(bins);
        std::size_t beyond_4_sigma = 0;
        for (float x : v) {
            count[std::upper_bound(edges.begin(), edges.end(), x) - edges.begin()] += 1;
            beyond_4_sigma += std::fabs(x) > 4.0f;
        }
        const double expected = static_cast<double>(v.size()) / bins;
        double chi2 = 0;
        for (double c : count)
            chi2 += (c - expected) * (c - expected) / expected;
        // 99 degrees of freedom: the 0.1 % critical value is 148.2.
        EXPECT_LT(chi2, 148.2);
        // Tails matter for BER: P(|x| > 4) = 6.33e-5, i.e. 253 expected, sd 16.
        EXPECT_NEAR(static_cast<double>(beyond_4_sigma), 253.3, 80.0);
    }
}

TEST(gaussian_source, pairs_are_uncorrelated)
{
    for (const auto& gen : generators) {
        auto g = gen.from_test_seed(4);
        SCOPED_TRACE(gen.name);
        std::vector<float> v(2'000'000);
        g.fill(v);
        double lag1 = 0, half = 0, sq = 0;
        const std::size_t n = v.size();
        for (std::size_t i = 0; i + 1 < n; ++i)
            lag1 += v[i] * v[i + 1];
        // The two outputs of one Box-Muller draw land 1024 samples apart.
        for (std::size_t i = 0; i + 1024 < n; ++i) {
            half += v[i] * v[i + 1024];
            sq += static_cast<double>(v[i]) * v[i] * v[i + 1024] * v[i + 1024];
        }
        EXPECT_NEAR(lag1 / n, 0.0, 5.0 / std::sqrt(n));
        EXPECT_NEAR(half / n, 0.0, 5.0 / std::sqrt(n));
        // Independent, not just uncorrelated: E[x^2 y^2] = 1.
        EXPECT_NEAR(sq / n, 1.0, 0.02);
    }
}

TEST(gaussian_source, test_seed_is_reproducible_and_chunking_does_not_matter)
{
    for (const auto& gen : generators) {
        SCOPED_TRACE(gen.name);
        auto a = gen.from_test_seed(5);
        auto b = gen.from_test_seed(5);
        auto c = gen.from_test_seed(6);
        EXPECT_TRUE(a.test_seeded());
        std::vector<float> va(10'000), vb(10'000), vc(10'000);
        a.fill(va);
        for (std::size_t pos = 0, step = 1; pos < vb.size();
             pos += step, step = step * 3 + 1)
            b.fill(vb.data() + pos, std::min(step, vb.size() - pos));
        c.fill(vc);
        EXPECT_EQ(va, vb);
        EXPECT_NE(va, vc);
    }
    // The two generators are distinct, and say which they are.
    std::vector<float> secure(64), fast(64);
    auto s = gaussian_source::from_test_seed(7);
    auto f = gaussian_source::physical_from_test_seed(7);
    s.fill(secure);
    f.fill(fast);
    EXPECT_NE(secure, fast);
    EXPECT_TRUE(s.secure());
    EXPECT_FALSE(f.secure());
    EXPECT_FALSE(gaussian_source::physical().secure());
    EXPECT_FALSE(gaussian_source::physical().test_seeded());
}

TEST(gaussian_source, os_entropy_sources_differ)
{
    gaussian_source a, b;
    EXPECT_FALSE(a.test_seeded());
    std::vector<float> va(64), vb(64);
    a.fill(va);
    b.fill(vb);
    EXPECT_NE(va, vb);
    auto pa = gaussian_source::physical(), pb = gaussian_source::physical();
    pa.fill(va);
    pb.fill(vb);
    EXPECT_NE(va, vb);
}

TEST(gaussian_source, uniform_is_in_range_and_flat)
{
    auto g = gaussian_source::from_test_seed(7);
    constexpr int n = 200'000;
    double sum = 0;
    std::vector<int> deciles(10);
    for (int i = 0; i < n; ++i) {
        const double u = g.uniform();
        ASSERT_GE(u, 0.0);
        ASSERT_LT(u, 1.0);
        sum += u;
        deciles[static_cast<int>(u * 10)]++;
    }
    EXPECT_NEAR(sum / n, 0.5, 5 * std::sqrt(1.0 / 12 / n));
    for (int d : deciles)
        EXPECT_NEAR(d, n / 10, 5 * std::sqrt(n * 0.09));
}

TEST(gaussian_source, moved_from_source_refuses_work)
{
    auto a = gaussian_source::from_test_seed(8);
    gaussian_source b = std::move(a);
    std::vector<float> v(4096);
    b.fill(v);
    EXPECT_THROW(a.fill(v), std::logic_error);
}
