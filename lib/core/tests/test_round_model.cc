/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/round_model.h>
#include <fiberkey/statistics.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <vector>

using namespace fiberkey;

namespace {
std::unique_ptr<random_source> seeded(uint64_t seed)
{
    return std::make_unique<test_only_seeded_random_source>(seed);
}

double binomial_pmf(unsigned n, double p, unsigned k)
{
    return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) -
                    std::lgamma(n - k + 1.0) + k * std::log(p) +
                    (n - k) * std::log1p(-p));
}

// Pearson's chi-square of `samples` against B(n, p), neighbouring values pooled so that
// every bin expects at least 5; returns (statistic, degrees of freedom).
std::pair<double, double>
chi_square_vs_binomial(const std::vector<unsigned>& samples, unsigned n, double p)
{
    const double total = static_cast<double>(samples.size());
    std::vector<double> observed(n + 1, 0.0), expected(n + 1);
    for (auto k : samples)
        observed.at(k) += 1.0;
    for (unsigned k = 0; k <= n; ++k)
        expected[k] = total * binomial_pmf(n, p, k);

    // The upper tail from `last` on forms the last bin.
    unsigned last = n;
    for (double tail = expected[n]; tail < 5.0 && last > 0;)
        tail += expected[--last];

    double chi2 = 0.0, obs = 0.0, expect = 0.0;
    int bins = 0;
    const auto close_bin = [&] {
        chi2 += (obs - expect) * (obs - expect) / expect;
        obs = expect = 0.0;
        ++bins;
    };
    for (unsigned k = 0; k < last; ++k) {
        obs += observed[k];
        expect += expected[k];
        if (expect >= 5.0)
            close_bin();
    }
    for (unsigned k = last; k <= n; ++k) { // with any small remainder from below
        obs += observed[k];
        expect += expected[k];
    }
    close_bin();
    return { chi2, bins - 1.0 };
}

std::vector<double> as_doubles(const std::vector<model_round>& r,
                               uint16_t model_round::*f)
{
    std::vector<double> v;
    v.reserve(r.size());
    for (const auto& x : r)
        v.push_back(x.*f);
    return v;
}

std::vector<int32_t> as_ints(const std::vector<model_round>& r, uint16_t model_round::*f)
{
    std::vector<int32_t> v;
    v.reserve(r.size());
    for (const auto& x : r)
        v.push_back(x.*f);
    return v;
}
} // namespace

// With one fixed BER p per field and no link errors, F1 and F2 are exactly B(m, 2p(1-p)).
// This holds the binomial sampler (both of its methods, and BTRD's squeeze and exact
// tests at m = 4000) to the exact law.
TEST(round_model, counts_follow_the_exact_binomial_law_at_a_fixed_ber)
{
    struct setting {
        unsigned bits;
        double ber;
        bool eve;
    };
    for (const auto s : { setting{ 496, 0.001, false },
                          setting{ 496, 0.01, false },
                          setting{ 496, 0.05, true },
                          setting{ 496, 0.2, false },
                          setting{ 496, 0.5, false },
                          setting{ 4000, 0.25, true },
                          setting{ 24, 0.3, false } }) {
        round_model_config c;
        c.bits = s.bits;
        c.noise_ber_low = c.noise_ber_high = s.ber;
        c.simulate_eve = s.eve;
        c.eve_ber = { 0.1, 0.05 };
        round_model model(c, seeded(s.bits + static_cast<uint64_t>(s.ber * 1e6)));
        std::vector<unsigned> f1, f2, seen;
        for (int i = 0; i < 400000; ++i) {
            const auto r = model.next(i & 1);
            f1.push_back(r.f1);
            f2.push_back(r.f2);
            seen.push_back(r.eve_seen_leader_errors);
        }
        const double p = 2 * s.ber * (1 - s.ber);
        for (const auto* v : { &f1, &f2 }) {
            const auto [chi2, df] = chi_square_vs_binomial(*v, s.bits, p);
            EXPECT_LT(chi2, df + 6 * std::sqrt(2 * df))
                << "m " << s.bits << " ber " << s.ber << " df " << df;
        }
        if (s.eve) { // her view of e(X1): rate p + g - 2pg, g from both of her receivers
            const double g = 0.1 + 0.05 - 2 * 0.1 * 0.05;
            const auto [chi2, df] =
                chi_square_vs_binomial(seen, s.bits, s.ber + g - 2 * s.ber * g);
            EXPECT_LT(chi2, df + 6 * std::sqrt(2 * df)) << "eve, m " << s.bits;
        }
    }
}

TEST(round_model, link_errors_add_to_the_local_noise)
{
    round_model_config c;
    c.noise_ber_low = c.noise_ber_high = 0.01;
    c.link_ber = { 0.02, 0.005 };
    round_model model(c, seeded(3));
    std::vector<model_round> r(200000);
    model.generate(1, r); // BA: B's ND1 crosses fiber BA, A's ND2 fiber AB
    const double p_l = 0.01 + 0.005 - 2 * 0.01 * 0.005,
                 p_f = 0.01 + 0.02 - 2 * 0.01 * 0.02;
    EXPECT_DOUBLE_EQ(r[0].leader_field_ber, p_l);
    EXPECT_DOUBLE_EQ(r[0].follower_field_ber, p_f);
    const double want = 496 * (p_l + p_f - 2 * p_l * p_f); // sigma of the mean ~ 0.01
    EXPECT_NEAR(mean_sigma(as_doubles(r, &model_round::f1)).mean, want, 0.05);
    EXPECT_NEAR(mean_sigma(as_doubles(r, &model_round::f2)).mean, want, 0.05);
}

TEST(round_model, a_test_seed_reproduces_the_run)
{
    round_model_config c;
    c.simulate_eve = true;
    round_model a(c, seeded(42)), b(c, seeded(42)), other(c, seeded(43));
    int differ = 0;
    for (int i = 0; i < 1000; ++i) {
        const auto x = a.next(0), y = b.next(0), z = other.next(0);
        ASSERT_EQ(x.f1, y.f1);
        ASSERT_EQ(x.f2, y.f2);
        ASSERT_EQ(x.eve_estimate, y.eve_estimate);
        differ += x.f1 != z.f1;
    }
    EXPECT_GT(differ, 900);
}

TEST(round_model, refuses_impossible_settings)
{
    round_model_config c;
    c.noise_ber_low = 0.0;
    EXPECT_THROW(round_model{ c }, std::invalid_argument);
    c = {};
    c.noise_ber_high = 0.6;
    EXPECT_THROW(round_model{ c }, std::invalid_argument);
    c = {};
    c.link_ber[1] = -0.1;
    EXPECT_THROW(round_model{ c }, std::invalid_argument);
    c = {};
    c.bits = 0;
    EXPECT_THROW(round_model{ c }, std::invalid_argument);
}

// The figures at the defaults: m = 496, local BER log-uniform in [1e-3, 0.2], no link
// errors, Eve simulated (the model's speed is in bench/bench_core.cc).
TEST(round_model, defaults_correlation_and_mutual_information)
{
    std::vector<model_round> r(2000000);
    round_model_config c;
    c.simulate_eve = true;
    round_model with_eve(c, seeded(8));
    with_eve.generate(0, std::span(r).first(r.size() / 2));
    with_eve.generate(1, std::span(r).subspan(r.size() / 2, r.size() / 2));

    const auto f1 = as_doubles(r, &model_round::f1), f2 = as_doubles(r, &model_round::f2);
    const auto m1 = mean_sigma(f1);
    const double rho = pearson_correlation(f1, f2);
    const auto mi =
        mutual_information(as_ints(r, &model_round::f1), as_ints(r, &model_round::f2));
    std::printf("F: mean %.3f sigma %.3f; corr(F1, F2) %.4f; I(F1;F2) %.4f bits "
                "(plug-in %.4f; %zu rounds, %zu joint bins)\n",
                m1.mean,
                m1.sigma,
                rho,
                mi.bits,
                mi.plugin_bits,
                mi.samples,
                mi.joint_values);
    EXPECT_GT(rho, 0.95);
    EXPECT_GT(mi.bits, 1.0);

    std::vector<int32_t> eve(r.size()),
        passive = as_ints(r, &model_round::eve_passive_guess);
    std::vector<double> eve_d(r.size());
    for (std::size_t i = 0; i < r.size(); ++i) {
        eve_d[i] = r[i].eve_estimate;
        eve[i] = static_cast<int32_t>(std::lround(r[i].eve_estimate));
    }
    const auto f1i = as_ints(r, &model_round::f1), f2i = as_ints(r, &model_round::f2);
    const double eve_rho = pearson_correlation(eve_d, f1);
    const auto eve_mi1 = mutual_information(eve, f1i),
               eve_mi2 = mutual_information(eve, f2i);
    const double passive_rho =
        pearson_correlation(as_doubles(r, &model_round::eve_passive_guess), f1);
    const auto passive_mi = mutual_information(passive, f1i);
    std::printf("Eve, session keys known (her BER 1e-3 per fiber): corr(est, F1) %.4f, "
                "I(est;F1) %.4f, I(est;F2) %.4f bits\n",
                eve_rho,
                eve_mi1.bits,
                eve_mi2.bits);
    std::printf("Eve, passive tap: corr %.4f, I(guess;F1) %.4f bits\n",
                passive_rho,
                passive_mi.bits);
    EXPECT_NEAR(passive_rho, 0.0, 0.005);
    EXPECT_NEAR(passive_mi.bits, 0.0, 0.01);
    EXPECT_GT(eve_rho, rho); // knowing one error pattern of each count beats F2
    EXPECT_GT(eve_mi1.bits, mi.bits);
}
