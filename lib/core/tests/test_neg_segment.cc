/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "line_signal.h"

#include <fiberkey/neg_segment.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <tuple>
#include <vector>

namespace fiberkey {
namespace {

constexpr std::array<std::uint8_t, 16> key{
    3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3
};
constexpr double neg_bit = frame_layout::neg.offset * 8;

using test::pattern_neg;

//! The line bits of one frame under the tests' key.
std::vector<std::uint8_t> line_bits(std::uint32_t counter,
                                    std::span<const std::uint8_t> neg,
                                    unsigned direction = 0)
{
    return test::line_bits(counter, neg, key, direction);
}

struct scope {
    double samples_per_bit = 4.527;
    double ppm = 0.0;       //!< the sampling clock's offset from the bit clock
    double start_bit = 0.0; //!< the line bit at the first sample (fractions allowed)
    double noise = 0.02;    //!< rms, eye opening 1
    double polarity = 1.0;
    std::size_t samples = 0;
    std::uint64_t seed = 1;
};

//! A segment of `bits` as a band-limited NRZ waveform sampled by a scope.
std::vector<float> capture(const std::vector<std::uint8_t>& bits, const scope& s)
{
    std::mt19937_64 rng(s.seed);
    std::normal_distribution<double> gauss(0.0, s.noise);
    const double step = (1.0 + s.ppm * 1e-6) / s.samples_per_bit;
    std::vector<float> x(s.samples);
    const auto level = [&](long i) {
        return i < 0 || i >= static_cast<long>(bits.size()) ? 0.0 : bits[i] ? 0.5 : -0.5;
    };
    for (std::size_t k = 0; k < s.samples; ++k) {
        const double t = s.start_bit + static_cast<double>(k) * step;
        const long i = static_cast<long>(std::floor(t));
        const double u = t - static_cast<double>(i);
        // Raised-cosine edges 0.6 bits wide about each bit boundary.
        const auto edge = [](double v) {
            return 0.5 - 0.5 * std::cos(std::numbers::pi * std::clamp(v, 0.0, 1.0));
        };
        double v = level(i);
        v += (level(i + 1) - level(i)) * edge((u - 0.7) / 0.6);
        v += (level(i) - level(i - 1)) * (edge((u + 0.3) / 0.6) - 1.0);
        x[k] = static_cast<float>(s.polarity * v + 0.1 + gauss(rng));
    }
    return x;
}

neg_segment_config config_for(const scope& s, double trigger_error_bits = 0.0)
{
    return { .samples_per_bit = s.samples_per_bit,
             .first_bit = s.start_bit + trigger_error_bits,
             .search_bits = 64,
             .local_noise = false,
             .noise = {} };
}

TEST(neg_segment, decides_the_transmitted_block_without_local_noise)
{
    const auto neg = pattern_neg(12, 1);
    const auto bits = line_bits(1011, neg);
    for (const double sps : { 1.0, 2.37, 4.527, 8.0 }) {
        for (const double polarity : { 1.0, -1.0 }) {
            scope s{ .samples_per_bit = sps,
                     .start_bit = neg_bit - 40.3,
                     .noise = 0.03,
                     .polarity = polarity };
            // The trigger is 17 bits off where the settings put it.
            auto c = config_for(s, 17.0);
            if (sps == 1.0) { // one sample per bit: each at its bit's centre
                s.start_bit = neg_bit - 40 + 0.5;
                c.first_bit = neg_bit - 40 + 17;
            }
            s.samples =
                static_cast<std::size_t>((frame_layout::block_bytes * 8 + 80) * sps);
            const std::vector<neg_frame_id> ids{ { 1010, 11, 11 }, { 1011, 12, 12 } };
            neg_segment_receiver rx(c, key, 0, ids);
            const auto r = rx.decide(capture(bits, s), 0);
            ASSERT_EQ(r.status, neg_segment_status::decided) << sps << " " << polarity;
            EXPECT_EQ(r.frame, 1u);
            EXPECT_FALSE(r.searched);
            EXPECT_EQ(r.neg, neg) << sps;
            EXPECT_EQ(r.bit_offset, -17);
            EXPECT_EQ(r.inverted, polarity < 0);
            EXPECT_EQ(r.known_bit_errors, 0u);
            EXPECT_EQ(r.levels.one < r.levels.zero, polarity < 0);
        }
    }
}

TEST(neg_segment, the_wrong_frame_key_or_direction_is_not_taken)
{
    const auto neg = pattern_neg(12, 2);
    const auto bits = line_bits(1011, neg);
    scope s{ .start_bit = neg_bit - 50.5 };
    s.samples = static_cast<std::size_t>(2200 * s.samples_per_bit);
    const auto x = capture(bits, s);
    // Frames next to it: other counters, other sequence numbers.
    const std::vector<neg_frame_id> others{ { 1010, 11, 11 },
                                            { 1012, 13, 13 },
                                            { 1011, 11, 11 } };
    EXPECT_EQ(neg_segment_receiver(config_for(s), key, 0, others).decide(x, 0).status,
              neg_segment_status::not_aligned);
    const std::vector<neg_frame_id> right{ { 1011, 12, 12 } };
    auto wrong_key = key;
    wrong_key[0] ^= 1;
    EXPECT_EQ(
        neg_segment_receiver(config_for(s), wrong_key, 0, right).decide(x, 0).status,
        neg_segment_status::not_aligned);
    EXPECT_EQ(neg_segment_receiver(config_for(s), key, 1, right).decide(x, 0).status,
              neg_segment_status::not_aligned);
    EXPECT_EQ(neg_segment_receiver(config_for(s), key, 0, right).decide(x, 0).status,
              neg_segment_status::decided);
}

TEST(neg_segment, finds_its_frame_after_missed_triggers_and_anywhere_in_the_pattern)
{
    // A looping pattern of 300 frames, counters 40.., sequences 1..
    std::vector<neg_frame_id> pattern;
    for (std::uint16_t i = 0; i < 300; ++i)
        pattern.push_back({ 40u + i,
                            static_cast<std::uint16_t>(i + 1),
                            static_cast<std::uint16_t>(i + 1) });
    scope s{ .start_bit = neg_bit - 45.2 };
    s.samples = static_cast<std::size_t>(2140 * s.samples_per_bit);
    neg_segment_receiver rx(config_for(s), key, 0, pattern);
    for (const auto& [frame, expected, searched] :
         { std::tuple{ 10, 10, false },   // the frame expected
           std::tuple{ 13, 10, false },   // three triggers missed
           std::tuple{ 250, 10, true },   // the scope armed in the middle of the loop
           std::tuple{ 0, 299, false } }) // the loop wraps
    {
        const auto neg = pattern_neg(pattern[frame].send_seq, frame);
        s.seed = static_cast<std::uint64_t>(frame) + 1;
        const auto r = rx.decide(capture(line_bits(pattern[frame].counter, neg), s),
                                 static_cast<std::size_t>(expected));
        ASSERT_EQ(r.status, neg_segment_status::decided) << frame;
        EXPECT_EQ(r.frame, static_cast<std::size_t>(frame));
        EXPECT_EQ(r.searched, searched) << frame;
        EXPECT_EQ(r.neg, neg) << frame;
    }
}

TEST(neg_segment, bad_segments_are_refused_with_their_cause)
{
    const auto bits = line_bits(5, pattern_neg(6, 3));
    scope s{ .start_bit = neg_bit - 30.0 };
    s.samples = static_cast<std::size_t>(2150 * s.samples_per_bit);
    const std::vector<neg_frame_id> ids{ { 5, 6, 6 } };
    neg_segment_receiver rx(config_for(s), key, 0, ids);
    auto x = capture(bits, s);
    EXPECT_EQ(rx.decide(std::span(x).first(x.size() / 2), 0).status,
              neg_segment_status::too_short);
    std::vector<float> flat(x.size(), 0.25f);
    EXPECT_EQ(rx.decide(flat, 0).status, neg_segment_status::no_signal);
    std::mt19937_64 rng(4);
    std::normal_distribution<float> gauss;
    std::vector<float> noise(x.size());
    for (auto& v : noise)
        v = gauss(rng);
    const auto noisy = rx.decide(noise, 0).status;
    EXPECT_TRUE(noisy == neg_segment_status::no_signal ||
                noisy == neg_segment_status::not_aligned);
    auto nan = x;
    nan[100] = std::nanf("");
    EXPECT_EQ(rx.decide(nan, 0).status, neg_segment_status::no_signal);
    // NEG beyond what the trigger and the search allow.
    auto late = config_for(s);
    late.first_bit -= 400;
    late.search_bits = 100;
    EXPECT_EQ(neg_segment_receiver(late, key, 0, ids).decide(x, 0).status,
              neg_segment_status::too_short);
    EXPECT_EQ(rx.decide(x, 0).status, neg_segment_status::decided);
    for (const double sps : { 0.5, 1.5, 2000.0, std::nan("") }) {
        auto c = config_for(s);
        c.samples_per_bit = sps;
        EXPECT_THROW(neg_segment_receiver(c, key, 0, ids), std::invalid_argument) << sps;
    }
    EXPECT_THROW(neg_segment_receiver(config_for(s), key, 2, ids), std::invalid_argument);
    EXPECT_THROW(neg_segment_receiver(config_for(s), key, 0, {}), std::invalid_argument);
}

TEST(neg_segment, measures_the_scope_clock_offset)
{
    // 300 ppm off: 0.6 bits of drift across NEG, too much for one phase.
    for (const double ppm : { -300.0, 0.0, 250.0 }) {
        std::vector<double> found;
        for (std::uint64_t seed = 1; seed <= 15; ++seed) {
            const auto bits =
                line_bits(static_cast<std::uint32_t>(seed), pattern_neg(1, seed));
            scope s{ .ppm = ppm, .start_bit = neg_bit - 40.0, .seed = seed };
            s.samples =
                9600 + seed % 4; // every remainder by 4: the tone is taken in quarters
            const auto sps = neg_segment_receiver::measure_samples_per_bit(
                capture(bits, s), s.samples_per_bit);
            ASSERT_TRUE(sps.has_value());
            found.push_back(*sps);
        }
        std::nth_element(found.begin(), found.begin() + 7, found.end());
        const double measured_ppm = (4.527 / found[7] - 1.0) * 1e6;
        EXPECT_NEAR(measured_ppm, ppm, 25.0);
    }
    EXPECT_FALSE(neg_segment_receiver::measure_samples_per_bit(
        std::vector<float>(20000, 1.0f), 4.527));
    EXPECT_FALSE(
        neg_segment_receiver::measure_samples_per_bit(std::vector<float>(100), 4.527));
    // Near 2 samples per bit the tone's drift is ambiguous: not measured.
    scope two{ .samples_per_bit = 2.0, .start_bit = neg_bit - 40.0 };
    two.samples = 4800;
    EXPECT_FALSE(neg_segment_receiver::measure_samples_per_bit(
        capture(line_bits(1, pattern_neg(1, 1)), two), 2.0));
}

TEST(neg_segment, with_the_measured_clock_a_drifting_segment_decides)
{
    const auto neg = pattern_neg(300, 9);
    const auto bits = line_bits(299, neg);
    scope s{ .ppm = 300.0, .start_bit = neg_bit - 40.0 };
    s.samples = static_cast<std::size_t>(2120 * s.samples_per_bit);
    const auto x = capture(bits, s);
    const std::vector<neg_frame_id> ids{ { 299, 300, 300 } };
    neg_segment_receiver rx(config_for(s), key, 0, ids);
    const auto measured = neg_segment_receiver::measure_samples_per_bit(x, 4.527);
    ASSERT_TRUE(measured);
    rx.set_samples_per_bit(*measured);
    const auto r = rx.decide(x, 0);
    ASSERT_EQ(r.status, neg_segment_status::decided);
    EXPECT_EQ(r.neg, neg);
}

TEST(neg_segment, local_noise_changes_the_arrays_only)
{
    const auto neg = pattern_neg(7, 10);
    const auto bits = line_bits(6, neg);
    scope s{ .start_bit = neg_bit - 40.0, .noise = 0.01 };
    s.samples = static_cast<std::size_t>(2120 * s.samples_per_bit);
    auto c = config_for(s);
    c.local_noise = true;
    c.noise = { noise_law::ber_uniform, 0.1, 0.1 };
    const std::vector<neg_frame_id> ids{ { 6, 7, 7 } };
    neg_segment_receiver rx(c, key, 0, ids, gaussian_source::from_test_seed(5));
    const auto r = rx.decide(capture(bits, s), 0);
    ASSERT_EQ(r.status, neg_segment_status::decided);
    EXPECT_GT(r.noise.sigma_nd1, 0.0);
    std::size_t wrong = 0;
    for (std::size_t b = 0; b < neg.size(); ++b) {
        const bool array_byte =
            (b >= frame_layout::neg_nd1.offset && b < frame_layout::neg_nd1.end()) ||
            (b >= frame_layout::neg_nd2.offset && b < frame_layout::neg_nd2.end());
        const int flipped = std::popcount(static_cast<unsigned>(r.neg[b] ^ neg[b]));
        if (!array_byte) {
            EXPECT_EQ(flipped, 0) << b;
        }
        wrong += static_cast<std::size_t>(flipped);
    }
    // BER 0.1 on 1,984 array bits: 198 expected.
    EXPECT_GT(wrong, 140u);
    EXPECT_LT(wrong, 260u);
}

} // namespace
} // namespace fiberkey
