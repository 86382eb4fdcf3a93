/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ook_modulator.h>

#include <gtest/gtest.h>

#include "random_bits.h"

#include <cmath>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

using test::random_bits;

std::vector<float> modulate(const ook_modulator_config& c,
                            const std::vector<std::uint8_t>& bits)
{
    ook_modulator m(c);
    std::vector<float> out(bits.size() * c.samples_per_bit);
    m.process(bits.data(), out.data(), bits.size());
    return out;
}

} // namespace

TEST(ook_modulator, levels_follow_power_and_extinction_ratio)
{
    ook_modulator m({ .average_power_dbm = 0.0, .extinction_ratio_db = 10.0 });
    EXPECT_NEAR(m.power_one_w(), 2e-3 * 10 / 11, 1e-12);
    EXPECT_NEAR(m.power_zero_w(), 2e-3 / 11, 1e-12);
    EXPECT_NEAR(10 * std::log10(m.power_one_w() / m.power_zero_w()), 10.0, 1e-9);
    EXPECT_NEAR((m.power_one_w() + m.power_zero_w()) / 2, 1e-3, 1e-12);
}

TEST(ook_modulator, one_sample_per_bit_hits_the_levels_exactly)
{
    const ook_modulator_config c{ .average_power_dbm = -3.0,
                                  .extinction_ratio_db = 6.0,
                                  .samples_per_bit = 1,
                                  .rise_time_bits = 0.5 };
    ook_modulator m(c);
    EXPECT_EQ(m.delay_bits(), 0u);
    const auto bits = random_bits(10'000, 1);
    const auto out = modulate(c, bits);
    for (std::size_t i = 0; i < bits.size(); ++i)
        ASSERT_EQ(out[i],
                  static_cast<float>(bits[i] ? m.power_one_w() : m.power_zero_w()));
}

TEST(ook_modulator, average_power_of_a_balanced_sequence)
{
    for (unsigned sps : { 1u, 3u, 8u }) {
        for (double rise : { 0.0, 0.3, 1.0, 2.0 }) {
            const ook_modulator_config c{ .average_power_dbm = -14.9,
                                          .extinction_ratio_db = 10.0,
                                          .samples_per_bit = sps,
                                          .rise_time_bits = rise };
            // Alternating bits are exactly balanced; the edges are symmetric.
            std::vector<std::uint8_t> bits(4000);
            for (std::size_t i = 0; i < bits.size(); ++i)
                bits[i] = i & 1;
            const auto out = modulate(c, bits);
            double sum = 0;
            for (std::size_t i = 100 * sps; i < out.size(); ++i)
                sum += out[i];
            const double mean_dbm =
                10 * std::log10(sum / (out.size() - 100 * sps) / 1e-3);
            EXPECT_NEAR(mean_dbm, -14.9, 1e-4) << "sps " << sps << " rise " << rise;
        }
    }
}

TEST(ook_modulator, measured_rise_time_matches_the_setting)
{
    for (double rise : { 0.2, 0.5, 1.0, 1.5 }) {
        const unsigned sps = 200;
        const ook_modulator_config c{ .average_power_dbm = 0.0,
                                      .extinction_ratio_db = 10.0,
                                      .samples_per_bit = sps,
                                      .rise_time_bits = rise };
        ook_modulator m(c);
        std::vector<std::uint8_t> bits(10, 0);
        bits.resize(20, 1);
        const auto out = modulate(c, bits);
        const double p0 = m.power_zero_w(), p1 = m.power_one_w();
        const auto crossing = [&](double fraction) {
            const double level = p0 + fraction * (p1 - p0);
            for (std::size_t i = 1; i < out.size(); ++i)
                if (out[i] >= level)
                    return i - 1 + (level - out[i - 1]) / (out[i] - out[i - 1]);
            return -1.0;
        };
        const double measured = (crossing(0.9) - crossing(0.1)) / sps;
        EXPECT_NEAR(measured, rise, 0.01) << rise;
        // The edge is centred on the boundary of bit 10, delayed by delay_bits().
        const double centre = crossing(0.5) / sps;
        EXPECT_NEAR(centre, 10.0 + m.delay_bits(), 0.01) << rise;
        for (std::size_t i = 1; i < out.size(); ++i)
            ASSERT_GE(out[i], out[i - 1]);
    }
}

TEST(ook_modulator, long_edges_cause_intersymbol_interference)
{
    const ook_modulator_config c{ .average_power_dbm = 0.0,
                                  .extinction_ratio_db = 10.0,
                                  .samples_per_bit = 1,
                                  .rise_time_bits = 1.5 };
    ook_modulator m(c);
    EXPECT_GE(m.delay_bits(), 1u);
    std::vector<std::uint8_t> bits(20, 0);
    bits[10] = 1;
    const auto out = modulate(c, bits);
    const float peak = out[10 + m.delay_bits()];
    EXPECT_LT(peak, m.power_one_w() * 0.99);
    EXPECT_GT(peak, m.power_zero_w());
    EXPECT_GT(out[9 + m.delay_bits()], m.power_zero_w());
}

// Whole calls take the vectorised path at one sample per bit, calls shorter than the
// pulse's window the bit-by-bit one: the samples must not depend on it.
TEST(ook_modulator, chunking_does_not_matter)
{
    for (const auto& [sps, rise] : { std::pair{ 4u, 1.2 },
                                     std::pair{ 1u, 0.0 },
                                     std::pair{ 1u, 0.3 },
                                     std::pair{ 1u, 1.2 },
                                     std::pair{ 1u, 2.0 } }) {
        const ook_modulator_config c{ .samples_per_bit = sps, .rise_time_bits = rise };
        const auto bits = random_bits(5000, 2);
        const auto whole = modulate(c, bits);
        ook_modulator m(c);
        std::vector<float> pieces(whole.size());
        std::mt19937 rng(3);
        for (std::size_t pos = 0; pos < bits.size();) {
            const std::size_t limit = rng() % 2 ? 97 : 4;
            const std::size_t n = std::min<std::size_t>(rng() % limit, bits.size() - pos);
            m.process(bits.data() + pos, pieces.data() + pos * sps, n);
            pos += n;
        }
        EXPECT_EQ(whole, pieces)
            << "sps " << sps << ", rise time " << rise << " bits, "
            << 2 * ook_modulator(c).delay_bits() + 1 << "-bit window";
    }
}

TEST(ook_modulator, rejects_bad_parameters)
{
    const auto message = [](const ook_modulator_config& c) {
        try {
            ook_modulator m(c);
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string("no exception");
    };
    EXPECT_NE(message({ .extinction_ratio_db = 0.0 }).find("extinction_ratio_db"),
              std::string::npos);
    EXPECT_NE(message({ .extinction_ratio_db = -3.0 }).find("extinction_ratio_db"),
              std::string::npos);
    EXPECT_NE(message({ .samples_per_bit = 0 }).find("samples_per_bit"),
              std::string::npos);
    EXPECT_NE(message({ .rise_time_bits = -0.1 }).find("rise_time_bits"),
              std::string::npos);
    EXPECT_NE(message({ .rise_time_bits = 2.5 }).find("rise_time_bits"),
              std::string::npos);
    EXPECT_NE(message({ .average_power_dbm = NAN }).find("average_power_dbm"),
              std::string::npos);
}
