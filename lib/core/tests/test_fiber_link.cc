/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/fiber_link.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/slicer.h>

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace fiberkey;

namespace {

struct ber_run {
    double analytic;
    double measured;
    std::size_t errors;
};

/*
 * Modulator, fiber, receiver and slicer at the optimum threshold over n_bits random
 * bits, against the Q-factor BER of the same link.
 */
ber_run run_link(const ook_modulator_config& tx,
                 const receiver_config& rx_config,
                 std::size_t n_bits,
                 std::uint64_t seed)
{
    ook_modulator mod(tx);
    const fiber_link fiber({});
    optical_receiver rx(rx_config, gaussian_source::from_test_seed(seed));
    const auto levels = rx.levels(mod.power_one_w() * fiber.transmission(),
                                  mod.power_zero_w() * fiber.transmission());
    slicer decide({ .threshold = static_cast<float>(optimum_threshold(levels)) });
    EXPECT_EQ(mod.delay_bits(), 0u);

    std::mt19937_64 rng(seed);
    constexpr std::size_t chunk = 1 << 20;
    std::vector<std::uint8_t> bits(chunk), decided(chunk);
    std::vector<float> samples(chunk);
    std::size_t errors = 0;
    for (std::size_t done = 0; done < n_bits; done += chunk) {
        const std::size_t n = std::min(chunk, n_bits - done);
        for (std::size_t i = 0; i < n; i += 64) {
            const std::uint64_t r = rng();
            for (std::size_t k = 0; k < 64 && i + k < n; ++k)
                bits[i + k] = (r >> k) & 1;
        }
        mod.process(bits.data(), samples.data(), n);
        fiber.process(samples.data(), samples.data(), n);
        rx.process(samples.data(), samples.data(), n);
        EXPECT_EQ(decide.process(samples.data(), decided.data(), n), n);
        for (std::size_t i = 0; i < n; ++i)
            errors += bits[i] != decided[i];
    }
    return { ber_from_q(q_factor(levels)), static_cast<double>(errors) / n_bits, errors };
}

// Poisson: the count of errors is within 5 standard deviations of the expectation.
void expect_statistically_equal(const ber_run& r,
                                std::size_t n_bits,
                                const std::string& what)
{
    const double expected = r.analytic * n_bits;
    EXPECT_NEAR(static_cast<double>(r.errors), expected, 5 * std::sqrt(expected) + 1)
        << what << ": analytic " << r.analytic << ", measured " << r.measured;
}

} // namespace

TEST(link_analytics, q_factor_and_ber)
{
    EXPECT_NEAR(ber_from_q(4.264891), 1e-5, 1e-10);
    EXPECT_NEAR(ber_from_q(3.090232), 1e-3, 1e-8);
    EXPECT_NEAR(ber_from_q(0.0), 0.5, 1e-15);
    const link_levels l{ 10.0, 1.0, 2.0, 1.0 };
    EXPECT_DOUBLE_EQ(q_factor(l), 3.0);
    // The optimum threshold puts Q sigma on either side.
    const double th = optimum_threshold(l);
    EXPECT_DOUBLE_EQ((l.i1 - th) / l.sigma1, 3.0);
    EXPECT_DOUBLE_EQ((th - l.i0) / l.sigma0, 3.0);
    EXPECT_NEAR(ber_at_threshold(l, th), ber_from_q(3.0), 1e-15);
    // It equalises the two error rates, which is near (not at) the minimum BER.
    EXPECT_GT(ber_at_threshold(l, th + 1.0), ber_at_threshold(l, th));
    EXPECT_GT(ber_at_threshold(l, th - 1.0), ber_at_threshold(l, th));
    EXPECT_DOUBLE_EQ(optimum_threshold({ 1.0, 0.0, 0.0, 0.0 }), 0.5);
    EXPECT_EQ(ber_at_threshold({ 1.0, 0.0, 0.0, 0.0 }, 0.5), 0.0);
}

TEST(fiber_link, loss_is_length_times_attenuation_plus_connectors)
{
    const fiber_link f({});
    EXPECT_DOUBLE_EQ(f.loss_db(), 4.5);
    EXPECT_NEAR(f.transmission(), std::pow(10.0, -0.45), 1e-15);
    const fiber_link g(
        { .length_km = 80, .attenuation_db_per_km = 0.2, .connector_loss_db = 0 });
    EXPECT_DOUBLE_EQ(g.loss_db(), 16.0);
    const float in[3] = { 1.0f, 2e-3f, 0.0f };
    float out[3];
    g.process(in, out, 3);
    EXPECT_FLOAT_EQ(out[0], 0.025118864f);
    EXPECT_FLOAT_EQ(out[1], 2e-3f * 0.025118864f);
    EXPECT_EQ(out[2], 0.0f);
}

TEST(fiber_link, default_link_is_near_1e_minus_5)
{
    ook_modulator mod({});
    const fiber_link fiber({});
    optical_receiver rx({}, gaussian_source::from_test_seed(1));
    const auto l = rx.levels(mod.power_one_w() * fiber.transmission(),
                             mod.power_zero_w() * fiber.transmission());
    EXPECT_NEAR(l.i1, 16.70e-6, 0.01e-6);
    EXPECT_NEAR(l.i0, 1.670e-6, 0.001e-6);
    EXPECT_NEAR(l.sigma1, 1.767e-6, 0.001e-6);
    EXPECT_NEAR(l.sigma0, 1.756e-6, 0.001e-6);
    const double ber = ber_from_q(q_factor(l));
    EXPECT_GT(ber, 8e-6);
    EXPECT_LT(ber, 1.2e-5);
}

TEST(optical_receiver, mean_and_noise_of_constant_power)
{
    for (bool amplified : { false, true }) {
        receiver_config c;
        c.amplifier = amplified;
        optical_receiver rx(c, gaussian_source::from_test_seed(2));
        for (double p : { 0.0, 2e-6, 20e-6 }) {
            std::vector<float> x(1'000'000, static_cast<float>(p));
            rx.process(x.data(), x.data(), x.size());
            double s1 = 0, s2 = 0;
            for (float v : x) {
                s1 += v;
                s2 += static_cast<double>(v) * v;
            }
            const double mean = s1 / x.size();
            const double sd = std::sqrt(s2 / x.size() - mean * mean);
            EXPECT_NEAR(mean, rx.mean_current(p), 6 * rx.noise_sigma(p) / 1000);
            EXPECT_NEAR(sd / rx.noise_sigma(p), 1.0, 0.005);
        }
    }
}

TEST(optical_receiver, amplifier_noise_terms)
{
    receiver_config c;
    c.amplifier = true;
    c.amplifier_gain_db = 20;
    c.amplifier_noise_figure_db = 10 * std::log10(2.0); // n_sp = 1 at high gain
    c.thermal_noise_pa_per_rthz = 0;
    c.bandwidth_ghz = 10;
    c.optical_bandwidth_ghz = 20;
    const optical_receiver rx(c, gaussian_source::from_test_seed(3));
    const double h_nu = 6.62607015e-34 * 299792458.0 / 1550e-9;
    const double s = (2.0 * 100 - 1) * h_nu / 2; // W/Hz per polarisation
    const double r = 0.8, b = 10e9, bo = 20e9, q = 1.602176634e-19;
    const double i_ase = 2 * r * s * bo;
    EXPECT_NEAR(rx.mean_current(0) / i_ase, 1.0, 1e-12);
    EXPECT_NEAR(rx.mean_current(1e-6), 100 * r * 1e-6 + i_ase, 1e-15);
    const double var0 = 2 * q * i_ase * b + 4 * r * r * s * s * b * (bo - b / 2);
    EXPECT_NEAR(rx.noise_sigma(0) / std::sqrt(var0), 1.0, 1e-12);
    const double p = 1e-6, i = 100 * r * p + i_ase;
    const double var = 2 * q * i * b + 4 * r * r * 100 * p * s * b +
                       4 * r * r * s * s * b * (bo - b / 2);
    EXPECT_NEAR(rx.noise_sigma(p) / std::sqrt(var), 1.0, 1e-12);
}

TEST(optical_receiver, measured_ber_follows_the_q_factor)
{
    // From BER 1e-2 down to the default link's 1e-5, with at least 300 expected errors.
    const struct {
        double launch_dbm;
        std::size_t bits;
    } points[] = { { -17.5, 100'000 },
                   { -16.6, 1'000'000 },
                   { -15.5, 5'000'000 },
                   { -14.9, 40'000'000 } };
    double previous = 1.0;
    for (const auto& pt : points) {
        const auto r = run_link({ .average_power_dbm = pt.launch_dbm }, {}, pt.bits, 10);
        expect_statistically_equal(r, pt.bits, std::to_string(pt.launch_dbm) + " dBm");
        EXPECT_LT(r.analytic, previous / 4);
        EXPECT_GT(r.analytic * pt.bits, 300.0);
        previous = r.analytic;
        std::printf(
            "[ ber      ] launch %.1f dBm: analytic %.3g, measured %.3g (%zu errors)\n",
            pt.launch_dbm,
            r.analytic,
            r.measured,
            r.errors);
    }
}

TEST(optical_receiver, measured_ber_with_a_preamplifier)
{
    // 20 dB less power made up by a 20 dB EDFA: signal-ASE beat noise dominates the ones.
    receiver_config c;
    c.amplifier = true;
    const auto r = run_link({ .average_power_dbm = -34.5 }, c, 2'000'000, 11);
    EXPECT_GT(r.analytic, 1e-4);
    EXPECT_LT(r.analytic, 1e-2);
    expect_statistically_equal(r, 2'000'000, "amplified");
}

TEST(link, rejects_bad_parameters)
{
    const auto message = [](auto make) {
        try {
            make();
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    EXPECT_NE(
        message([] { fiber_link f({ .length_km = -1 }); }).find("length_km must be >= 0"),
        std::string::npos);
    EXPECT_NE(message([] {
                  fiber_link f({ .attenuation_db_per_km = -0.1 });
              }).find("attenuation_db_per_km"),
              std::string::npos);
    EXPECT_NE(message([] {
                  fiber_link f({ .connector_loss_db = NAN });
              }).find("connector_loss_db"),
              std::string::npos);
    const auto rx_message = [&](auto edit) {
        return message([&] {
            receiver_config c;
            edit(c);
            optical_receiver rx(c, gaussian_source::from_test_seed(0));
        });
    };
    EXPECT_NE(
        rx_message([](auto& c) { c.responsivity_a_per_w = 0; }).find("responsivity"),
        std::string::npos);
    EXPECT_NE(
        rx_message([](auto& c) { c.responsivity_a_per_w = -0.8; }).find("responsivity"),
        std::string::npos);
    EXPECT_NE(rx_message([](auto& c) { c.bandwidth_ghz = 0; }).find("bandwidth_ghz"),
              std::string::npos);
    EXPECT_NE(
        rx_message([](auto& c) { c.thermal_noise_pa_per_rthz = -1; }).find("thermal"),
        std::string::npos);
    EXPECT_NE(rx_message([](auto& c) {
                  c.amplifier = true;
                  c.amplifier_noise_figure_db = 2.0;
              }).find("quantum limit"),
              std::string::npos);
    EXPECT_NE(rx_message([](auto& c) {
                  c.amplifier = true;
                  c.optical_bandwidth_ghz = 1.0;
              }).find("optical_bandwidth_ghz"),
              std::string::npos);
}
