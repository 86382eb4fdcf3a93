/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/soft_frame_sync.h>

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

constexpr std::size_t F = soft_frame_sync::frame_bits;

struct stream_spec {
    std::size_t offset = 0; // random bits before the first FAS
    std::size_t frames = 4;
    double one = 1.0;
    double zero = 0.0;
    double sigma = 0.05; // noise on both levels
    std::uint64_t seed = 1;
    std::vector<std::size_t> broken_fas = {}; // frames whose FAS is random bits instead
};

// Random bits with a FAS every frame, mapped to levels with Gaussian noise.
std::vector<float> make_stream(const stream_spec& s)
{
    std::mt19937_64 rng(s.seed);
    std::normal_distribution<double> noise(0.0, s.sigma);
    std::vector<float> x(s.offset + s.frames * F);
    for (std::size_t i = 0; i < x.size(); ++i) {
        bool bit = rng() & 1;
        if (i >= s.offset) {
            const std::size_t frame = (i - s.offset) / F, pos = (i - s.offset) % F;
            const bool broken =
                std::find(s.broken_fas.begin(), s.broken_fas.end(), frame) !=
                s.broken_fas.end();
            if (pos < 48 && !broken)
                bit = (frame_layout::fas_pattern[pos / 8] >> (7 - pos % 8)) & 1;
        }
        x[i] = static_cast<float>((bit ? s.one : s.zero) + noise(rng));
    }
    return x;
}

struct sync_run {
    std::vector<frame_start> frames;
    std::vector<sync_event> events;
};

sync_run run(soft_frame_sync& sync, const std::vector<float>& x, std::uint64_t chunk_seed)
{
    sync_run r;
    std::mt19937 rng(chunk_seed);
    for (std::size_t pos = 0; pos < x.size();) {
        // Mostly large chunks, sometimes tiny ones, to cross every boundary.
        const std::size_t want = (rng() % 4 == 0) ? rng() % 200 : rng() % 70'000;
        const std::size_t n = std::min(want, x.size() - pos);
        sync.process(x.data() + pos, n, r.frames, &r.events);
        pos += n;
    }
    return r;
}

} // namespace

TEST(soft_frame_sync, locks_from_arbitrary_offsets_levels_and_polarity)
{
    const struct {
        std::size_t offset;
        double one, zero, sigma;
    } cases[] = {
        { 0, 1.0, 0.0, 0.1 },
        { 1, 16.7e-6, 1.67e-6, 1.76e-6 }, // the default link: photocurrent, BER 1e-5
        { 12'345, -3.0, 5.0, 0.5 },       // inverted, DC offset
        { F - 1, 1001.0, 1000.0, 0.05 },  // small swing on a large offset
        { 77'777, 0.2, 0.8, 0.06 },       // inverted
    };
    std::uint64_t seed = 10;
    for (const auto& c : cases) {
        const stream_spec spec{ .offset = c.offset,
                                .frames = 5,
                                .one = c.one,
                                .zero = c.zero,
                                .sigma = c.sigma,
                                .seed = ++seed };
        soft_frame_sync sync;
        const auto r = run(sync, make_stream(spec), seed);
        // The first FAS is found, the second confirms: frames 1..4 are reported.
        ASSERT_EQ(r.frames.size(), 4u) << c.offset;
        ASSERT_EQ(r.events.size(), 1u);
        EXPECT_EQ(r.events[0].kind, sync_event_kind::in_frame);
        EXPECT_EQ(r.events[0].sample, c.offset + F);
        const double swing = std::fabs(c.one - c.zero);
        for (std::size_t k = 0; k < r.frames.size(); ++k) {
            const auto& f = r.frames[k];
            EXPECT_EQ(f.sample, c.offset + (k + 1) * F);
            EXPECT_TRUE(f.fas_ok);
            EXPECT_EQ(f.inverted, c.one < c.zero);
            EXPECT_GT(f.correlation, 0.9);
            // 56 samples per level: the means are good to a few sigma / sqrt(56).
            EXPECT_NEAR(f.levels.one, c.one, 0.1 * swing + 4 * c.sigma / 7);
            EXPECT_NEAR(f.levels.zero, c.zero, 0.1 * swing + 4 * c.sigma / 7);
            EXPECT_NEAR(f.levels.threshold, 0.5 * (c.one + c.zero), 0.15 * swing);
            EXPECT_NEAR(f.sigma_one / c.sigma, 1.0, 0.6);
        }
        EXPECT_TRUE(sync.in_frame());
    }
}

TEST(soft_frame_sync, glitches_neither_keep_it_from_locking_nor_move_its_levels)
{
    // One wild sample before lock (the hunting decision level must not follow it) and
    // one in the overhead bytes after the FAS of every locked frame (the level estimates
    // must not).
    const float wild[] = { 3e38f,
                           -3e38f,
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::quiet_NaN() };
    std::uint64_t seed = 40;
    for (const float w : wild) {
        const stream_spec spec{ .offset = 5'000,
                                .frames = 6,
                                .one = 3.0,
                                .zero = 1.0,
                                .sigma = 0.1,
                                .seed = ++seed };
        auto x = make_stream(spec);
        x[100] = w;
        for (std::size_t k = 1; k < spec.frames; ++k)
            x[spec.offset + k * F + 60] = w;
        soft_frame_sync sync;
        const auto r = run(sync, x, seed);
        ASSERT_EQ(r.frames.size(), spec.frames - 1) << w;
        for (const auto& f : r.frames) {
            EXPECT_TRUE(f.fas_ok) << w;
            EXPECT_NEAR(f.levels.one, 3.0, 0.1) << w;
            EXPECT_NEAR(f.levels.zero, 1.0, 0.1) << w;
            EXPECT_NEAR(f.levels.threshold, 2.0, 0.1) << w;
            EXPECT_NEAR(f.sigma_one, 0.1, 0.05) << w;
        }
    }
}

TEST(soft_frame_sync, level_estimates_converge)
{
    soft_frame_sync sync({ .level_smoothing = 0.1 });
    const stream_spec spec{
        .offset = 999, .frames = 40, .one = 3.0, .zero = 1.0, .sigma = 0.3, .seed = 20
    };
    const auto r = run(sync, make_stream(spec), 21);
    ASSERT_EQ(r.frames.size(), 39u);
    const auto& last = r.frames.back();
    EXPECT_NEAR(last.levels.one, 3.0, 0.05);
    EXPECT_NEAR(last.levels.zero, 1.0, 0.05);
    EXPECT_NEAR(last.levels.threshold, 2.0, 0.05);
    EXPECT_NEAR(last.sigma_one, 0.3, 0.05);
    EXPECT_NEAR(last.sigma_zero, 0.3, 0.05);
}

TEST(soft_frame_sync, threshold_moves_towards_the_quieter_level)
{
    // Shot-noise-like: ones three times as noisy as zeros.
    std::mt19937_64 rng(30);
    const stream_spec spec{
        .offset = 5, .frames = 30, .one = 1.0, .zero = 0.0, .sigma = 0.0, .seed = 31
    };
    auto x = make_stream(spec);
    std::normal_distribution<double> noise(0.0, 1.0);
    for (auto& v : x)
        v += static_cast<float>(noise(rng) * (v > 0.5f ? 0.12 : 0.04));
    soft_frame_sync sync({ .level_smoothing = 0.2 });
    const auto r = run(sync, x, 32);
    ASSERT_EQ(r.frames.size(), 29u);
    // Optimum (0.04 * 1 + 0.12 * 0) / 0.16 = 0.25.
    EXPECT_NEAR(r.frames.back().levels.threshold, 0.25, 0.05);
}

TEST(soft_frame_sync, four_misses_stay_in_frame_five_go_out_and_it_relocks)
{
    {
        const stream_spec spec{
            .offset = 100, .frames = 10, .seed = 40, .broken_fas = { 3, 4, 5, 6 }
        };
        soft_frame_sync sync;
        const auto r = run(sync, make_stream(spec), 41);
        ASSERT_EQ(r.frames.size(), 9u);
        ASSERT_EQ(r.events.size(), 1u);
        for (std::size_t k = 0; k < r.frames.size(); ++k)
            EXPECT_EQ(r.frames[k].fas_ok, !(k + 1 >= 3 && k + 1 <= 6)) << k;
        EXPECT_EQ(sync.counters().missed_fas, 4u);
    }
    {
        const stream_spec spec{
            .offset = 100, .frames = 12, .seed = 42, .broken_fas = { 3, 4, 5, 6, 7 }
        };
        soft_frame_sync sync;
        const auto r = run(sync, make_stream(spec), 43);
        ASSERT_EQ(r.events.size(), 3u);
        EXPECT_EQ(r.events[1].kind, sync_event_kind::out_of_frame);
        EXPECT_EQ(r.events[1].sample, 100 + 7 * F);
        // Hunting again finds frame 8's FAS and confirms it at frame 9.
        EXPECT_EQ(r.events[2].kind, sync_event_kind::in_frame);
        EXPECT_EQ(r.events[2].sample, 100 + 9 * F);
        // Frames 1-6 (3-6 missed), then 9-11.
        ASSERT_EQ(r.frames.size(), 9u);
        EXPECT_EQ(r.frames[5].sample, 100 + 6 * F);
        EXPECT_FALSE(r.frames[5].fas_ok);
        EXPECT_EQ(r.frames[6].sample, 100 + 9 * F);
        EXPECT_TRUE(r.frames[6].fas_ok);
        EXPECT_TRUE(sync.in_frame());
    }
}

TEST(soft_frame_sync, no_lock_on_data_without_fas_and_fake_fas_is_ignored)
{
    std::mt19937_64 rng(50);
    std::vector<float> x(4 * F);
    for (auto& v : x)
        v = static_cast<float>(rng() & 1);
    soft_frame_sync sync;
    auto r = run(sync, x, 51);
    EXPECT_TRUE(r.frames.empty());
    EXPECT_FALSE(sync.in_frame());

    // A FAS copy in the payload of one frame is a candidate that never confirms.
    stream_spec spec{ .offset = 3, .frames = 4, .seed = 52 };
    auto y = make_stream(spec);
    const std::size_t fake = 3 + F / 3;
    for (std::size_t i = 0; i < 48; ++i)
        y[fake + i] = y[3 + i];
    soft_frame_sync sync2;
    r = run(sync2, y, 53);
    ASSERT_EQ(r.frames.size(), 3u);
    EXPECT_EQ(r.frames[0].sample, 3 + F);
    EXPECT_GE(sync2.counters().candidates, 3u);
}

TEST(soft_frame_sync, chunking_does_not_matter_and_reset_forgets)
{
    const stream_spec spec{
        .offset = 4321, .frames = 6, .one = 0.3, .zero = 0.9, .sigma = 0.1, .seed = 60
    };
    const auto x = make_stream(spec);
    soft_frame_sync whole, pieces;
    std::vector<frame_start> a;
    whole.process(x.data(), x.size(), a);
    const auto b = run(pieces, x, 61).frames;
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t k = 0; k < a.size(); ++k) {
        EXPECT_EQ(a[k].sample, b[k].sample);
        EXPECT_EQ(a[k].levels.threshold, b[k].levels.threshold);
        EXPECT_EQ(a[k].correlation, b[k].correlation);
    }
    whole.reset();
    EXPECT_FALSE(whole.in_frame());
    std::vector<frame_start> c;
    whole.process(x.data(), x.size(), c);
    ASSERT_EQ(c.size(), a.size());
    EXPECT_EQ(c[0].sample, x.size() + a[0].sample);
}

TEST(soft_frame_sync, rejects_bad_parameters)
{
    EXPECT_THROW(soft_frame_sync({ .max_hunt_bit_errors = 13 }), std::invalid_argument);
    EXPECT_THROW(soft_frame_sync({ .min_correlation = 0.0 }), std::invalid_argument);
    EXPECT_THROW(soft_frame_sync({ .min_correlation = 1.5 }), std::invalid_argument);
    EXPECT_THROW(soft_frame_sync({ .level_smoothing = 0.0 }), std::invalid_argument);
}

// Feeding the same whole frames again, in chunks, keeps the lock (the speed of both
// states is in bench/bench_core.cc and bench/bench_phy.cc).
TEST(soft_frame_sync, keeps_lock_on_repeated_whole_frames)
{
    const stream_spec spec{ .offset = 17, .frames = 12, .seed = 70 };
    const auto x = make_stream(spec);
    std::vector<frame_start> frames;
    constexpr std::size_t chunk = 65'536;
    soft_frame_sync locked;
    locked.process(x.data(), 17 + 2 * F + 200, frames);
    ASSERT_TRUE(locked.in_frame());
    const std::size_t start = 17 + 2 * F + 200, len = 9 * F;
    for (int i = 0; i < 3; ++i) {
        for (std::size_t pos = 0; pos < len; pos += chunk)
            locked.process(x.data() + start + pos, std::min(chunk, len - pos), frames);
        EXPECT_TRUE(locked.in_frame());
    }
}
