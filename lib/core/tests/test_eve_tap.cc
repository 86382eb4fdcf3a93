/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eve_tap.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/slicer.h>

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

eve_tap_config tap_at(double position_km, double fraction)
{
    eve_tap_config c;
    c.position_km = position_km;
    c.tap_fraction = fraction;
    return c;
}

} // namespace

TEST(eve_tap, splits_the_power_at_the_tap_position)
{
    const fiber_link_config link{};
    const fiber_link whole(link);
    eve_tap tap(link, tap_at(4.0, 0.2), gaussian_source::from_test_seed(1));
    // B loses the 20 % Eve takes on top of the link loss.
    EXPECT_NEAR(tap.main_transmission(), whole.transmission() * 0.8, 1e-15);
    // Eve: half the connector loss and 4 km of fiber, then 20 %.
    EXPECT_NEAR(
        tap.eve_transmission(), std::pow(10.0, -(0.5 + 4 * 0.35) / 10) * 0.2, 1e-15);
    // At A's end and at B's end.
    eve_tap at_a(link, tap_at(0.0, 0.5), gaussian_source::from_test_seed(2));
    eve_tap at_b(link, tap_at(10.0, 0.5), gaussian_source::from_test_seed(3));
    EXPECT_NEAR(at_a.eve_transmission(), std::pow(10.0, -0.05) * 0.5, 1e-15);
    EXPECT_NEAR(at_b.eve_transmission(), std::pow(10.0, -0.4) * 0.5, 1e-15);
    EXPECT_NEAR(at_a.main_transmission(), at_b.main_transmission(), 1e-15);
}

TEST(eve_tap, outputs_and_eve_ber)
{
    const fiber_link_config link{};
    // 30 % taken 1 km from A: about 1.5 dB less light than B gets.
    eve_tap tap(link, tap_at(1.0, 0.3), gaussian_source::from_test_seed(4));
    ook_modulator mod({});
    const auto levels = tap.eve_levels(mod.power_one_w(), mod.power_zero_w());
    const double analytic = ber_from_q(q_factor(levels));
    EXPECT_GT(analytic, 1e-4);
    EXPECT_LT(analytic, 1e-2);

    constexpr std::size_t n = 1'000'000;
    std::mt19937_64 rng(5);
    std::vector<std::uint8_t> bits(n), decided(n);
    for (auto& b : bits)
        b = rng() & 1;
    std::vector<float> launched(n), main(n), eve(n);
    mod.process(bits.data(), launched.data(), n);
    tap.process(launched.data(), main.data(), eve.data(), n);
    for (std::size_t i = 0; i < n; ++i)
        ASSERT_EQ(main[i], launched[i] * static_cast<float>(tap.main_transmission()));
    slicer s({ .threshold = static_cast<float>(optimum_threshold(levels)) });
    s.process(eve.data(), decided.data(), n);
    std::size_t errors = 0;
    for (std::size_t i = 0; i < n; ++i)
        errors += decided[i] != bits[i];
    const double expected = analytic * n;
    EXPECT_NEAR(static_cast<double>(errors), expected, 5 * std::sqrt(expected));
    // In place on the main path.
    tap.process(launched.data(), launched.data(), eve.data(), n);
    EXPECT_EQ(launched, main);
}

TEST(eve_tap, rejects_bad_parameters)
{
    const auto bad = [](const fiber_link_config& l, const eve_tap_config& t) {
        eve_tap tap(l, t, gaussian_source::from_test_seed(0));
    };
    EXPECT_THROW(bad({}, tap_at(-1.0, 0.1)), std::invalid_argument);
    EXPECT_THROW(bad({}, tap_at(10.5, 0.1)), std::invalid_argument);
    EXPECT_THROW(bad({}, tap_at(5.0, 0.0)), std::invalid_argument);
    EXPECT_THROW(bad({}, tap_at(5.0, 1.0)), std::invalid_argument);
    EXPECT_THROW(bad({ .length_km = -3.0 }, tap_at(0.0, 0.1)), std::invalid_argument);
    eve_tap_config no_responsivity;
    no_responsivity.receiver.responsivity_a_per_w = 0.0;
    EXPECT_THROW(bad({}, no_responsivity), std::invalid_argument);
}
