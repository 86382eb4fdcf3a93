/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/slicer.h>

#include <gtest/gtest.h>

#include "random_bits.h"

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

using test::random_bits;

// sps samples per bit: the level plus a ramp that only the right phase avoids.
std::vector<float> waveform(const std::vector<std::uint8_t>& bits,
                            unsigned sps,
                            unsigned phase,
                            float one,
                            float zero)
{
    std::vector<float> x;
    for (auto b : bits)
        for (unsigned k = 0; k < sps; ++k)
            x.push_back(k == phase ? (b ? one : zero) : (b ? zero : one));
    return x;
}

} // namespace

TEST(slicer, fixed_threshold_one_sample_per_bit)
{
    const float x[] = { -1.0f, 0.2f, 0.5f, 0.50001f, 3.0f, -0.0f };
    std::uint8_t out[6];
    slicer s({ .threshold = 0.5f });
    ASSERT_EQ(s.process(x, out, 6), 6u);
    const std::uint8_t expected[] = { 0, 0, 0, 1, 1, 0 };
    EXPECT_TRUE(std::equal(out, out + 6, expected));
    s.set_inverted(true);
    ASSERT_EQ(s.process(x, out, 6), 6u);
    for (int i = 0; i < 6; ++i)
        EXPECT_EQ(out[i], expected[i] ^ 1);
}

TEST(slicer, decimates_at_the_phase_across_arbitrary_chunks)
{
    for (unsigned sps : { 2u, 3u, 8u }) {
        for (unsigned phase = 0; phase < sps; ++phase) {
            const auto bits = random_bits(3000, sps * 10 + phase);
            const auto x = waveform(bits, sps, phase, 2.0f, -1.0f);
            slicer s(
                { .samples_per_bit = sps, .sample_phase = phase, .threshold = 0.5f });
            std::vector<std::uint8_t> out(bits.size() + 8);
            std::size_t produced = 0;
            std::mt19937 rng(phase);
            for (std::size_t pos = 0; pos < x.size();) {
                const std::size_t n = std::min<std::size_t>(rng() % 20, x.size() - pos);
                const std::size_t got =
                    s.process(x.data() + pos, out.data() + produced, n);
                ASSERT_LE(got, n / sps + 1);
                produced += got;
                pos += n;
            }
            ASSERT_EQ(produced, bits.size());
            out.resize(produced);
            EXPECT_EQ(out, bits) << "sps " << sps << " phase " << phase;
        }
    }
}

TEST(slicer, set_sample_phase_realigns)
{
    const auto bits = random_bits(100, 1);
    const auto x = waveform(bits, 4, 3, 1.0f, 0.0f);
    slicer s({ .samples_per_bit = 4, .threshold = 0.5f });
    s.set_sample_phase(3);
    std::vector<std::uint8_t> out(101);
    out.resize(s.process(x.data(), out.data(), x.size()));
    EXPECT_EQ(out, bits);
    EXPECT_THROW(s.set_sample_phase(4), std::invalid_argument);
}

TEST(slicer, adaptive_threshold_finds_and_follows_the_midpoint)
{
    // Levels far from the initial threshold, then a slow drift of both.
    const auto bits = random_bits(200'000, 2);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::mt19937 rng(3);
    std::vector<float> x(bits.size());
    for (std::size_t i = 0; i < x.size(); ++i) {
        const float drift = 2e-6f * i;
        x[i] = (bits[i] ? 11.0f : 9.0f) + drift + noise(rng);
    }
    slicer s({ .threshold = -100.0f, .adaptive = true });
    std::vector<std::uint8_t> out(x.size());
    ASSERT_EQ(s.process(x.data(), out.data(), x.size()), x.size());
    EXPECT_EQ(out, bits);
    EXPECT_NEAR(s.threshold(), 10.0f + 2e-6f * x.size(), 0.02f);
}

TEST(slicer, adaptive_levels_survive_glitches_and_follow_a_signal_that_comes_up)
{
    // Silence first (the laser off), then the signal; single wild samples before and
    // after the levels are learnt: a glitch costs its own decision, never the levels.
    const auto bits = random_bits(100'000, 4);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::mt19937 rng(5);
    constexpr std::size_t silence = 5'000;
    std::vector<float> x(silence + bits.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = (i < silence ? 0.0f : (bits[i - silence] ? 2.0f : 1.0f)) + noise(rng);
    const float wild[] = { 3e38f,
                           -3e38f,
                           std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN(),
                           1e6f };
    std::vector<std::size_t> glitches;
    for (std::size_t k = 0; k < 40; ++k) {
        const std::size_t at = silence + 10 + k * 2'417;
        x[at] = wild[k % std::size(wild)];
        glitches.push_back(at);
    }
    x[3] = 3e38f; // and one in the silence
    slicer s({ .threshold = 0.5f, .adaptive = true });
    std::vector<std::uint8_t> out(x.size());
    ASSERT_EQ(s.process(x.data(), out.data(), x.size()), x.size());
    // Allow the first blocks of signal to relearn (eight one-sided blocks, then one to
    // learn); after them every bit but the glitches is right.
    constexpr std::size_t relearn = 10 * 256;
    std::size_t errors = 0;
    for (std::size_t i = silence + relearn; i < x.size(); ++i)
        if (std::find(glitches.begin(), glitches.end(), i) == glitches.end())
            errors += out[i] != bits[i - silence];
    EXPECT_EQ(errors, 0u);
    EXPECT_NEAR(s.threshold(), 1.5f, 0.02f);
}

TEST(slicer, adaptive_levels_recover_from_bursts_of_wild_samples)
{
    // A burst of 150 wild samples in the first block makes one "level" of them; one of
    // 300 mid-stream spans a relearnt block. The slicer must find the signal again.
    const auto bits = random_bits(60'000, 6);
    std::normal_distribution<float> noise(0.0f, 0.05f);
    std::mt19937 rng(7);
    std::vector<float> x(bits.size());
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = (bits[i] ? 2.0f : 1.0f) + noise(rng);
    const auto burst = [&](std::size_t from, std::size_t n) {
        for (std::size_t i = from; i < from + n; ++i)
            x[i] = 1e6f;
    };
    burst(10, 150);
    burst(30'000, 300);
    slicer s({ .threshold = 0.5f, .adaptive = true });
    std::vector<std::uint8_t> out(x.size());
    ASSERT_EQ(s.process(x.data(), out.data(), x.size()), x.size());
    const auto errors = [&](std::size_t from, std::size_t to) {
        std::size_t e = 0;
        for (std::size_t i = from; i < to; ++i)
            e += out[i] != bits[i];
        return e;
    };
    // Recovered within a dozen blocks of 256 decisions after each burst.
    EXPECT_EQ(errors(12 * 256, 30'000), 0u);
    EXPECT_EQ(errors(30'300 + 12 * 256, x.size()), 0u);
    EXPECT_NEAR(s.threshold(), 1.5f, 0.02f);
}

TEST(slicer, rejects_bad_parameters)
{
    EXPECT_THROW(slicer({ .samples_per_bit = 0 }), std::invalid_argument);
    EXPECT_THROW(slicer({ .samples_per_bit = 2, .sample_phase = 2 }),
                 std::invalid_argument);
    EXPECT_THROW(slicer({ .adaptive = true, .adaptation_rate = 0.0f }),
                 std::invalid_argument);
    EXPECT_THROW(slicer({ .threshold = NAN }), std::invalid_argument);
}
