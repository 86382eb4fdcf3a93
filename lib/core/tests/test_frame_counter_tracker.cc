/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_counter_tracker.h>
#include <fiberkey/frame_layout.h>

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace fiberkey;

TEST(frame_counter_tracker, takes_the_counter_after_consecutive_frames_confirm_it)
{
    frame_counter_tracker t;
    EXPECT_FALSE(t.on_frame(1000, 0));
    EXPECT_FALSE(t.on_frame(5, 0)) << "not consecutive: acquisition starts over";
    auto v = t.on_frame(6, 0);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->counter, 6u);
    EXPECT_TRUE(t.locked());
    EXPECT_EQ(t.stats().unconfirmed, 2u);
}

TEST(frame_counter_tracker, trusts_its_own_count_against_isolated_errors)
{
    frame_counter_tracker t;
    t.on_frame(99, 0);
    t.on_frame(100, 0);
    EXPECT_EQ(t.on_frame(0xdead, 0)->counter, 101u) << "a garbled counter";
    EXPECT_EQ(t.on_frame(102, 0)->counter, 102u);
    EXPECT_EQ(t.on_frame(0xffffffff, 0)->counter, 103u);
    EXPECT_EQ(t.on_frame(0, 0)->counter, 104u);
    EXPECT_EQ(t.stats().counter_mismatches, 3u);
    EXPECT_TRUE(t.locked());
}

TEST(frame_counter_tracker, relocks_after_a_real_jump)
{
    frame_counter_tracker t;
    t.on_frame(10, 0);
    t.on_frame(11, 0);
    // The transmitter restarted at 500: three disagreements give up the lock, and the
    // third frame starts acquisition, so the fourth confirms it.
    EXPECT_EQ(t.on_frame(500, 0)->counter, 12u);
    EXPECT_EQ(t.on_frame(501, 0)->counter, 13u);
    EXPECT_FALSE(t.on_frame(502, 0));
    auto v = t.on_frame(503, 0);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->counter, 503u);
    EXPECT_EQ(t.stats().relocks, 1u);
}

TEST(frame_counter_tracker, epoch_steps_only_forward_by_one)
{
    frame_counter_tracker t;
    t.on_frame(0, 3);
    EXPECT_EQ(t.on_frame(1, 3)->epoch, 3u);
    EXPECT_EQ(t.on_frame(2, 0)->epoch, 0u) << "3 -> 0 is the next epoch";
    EXPECT_EQ(t.on_frame(3, 2)->epoch, 0u) << "a jump is a channel error";
    EXPECT_EQ(t.stats().epoch_rejected, 1u);
    EXPECT_EQ(t.on_frame(4, 1)->epoch, 1u);
}

TEST(frame_counter_tracker, counter_wraps)
{
    frame_counter_tracker t;
    t.on_frame(0xfffffffe, 0);
    t.on_frame(0xffffffff, 0);
    EXPECT_EQ(t.on_frame(0, 0)->counter, 0u);
    EXPECT_EQ(t.stats().counter_mismatches, 0u);
}

TEST(frame_counter_tracker, counter_bytes_in_the_clear_overhead)
{
    std::vector<uint8_t> frame(frame_layout::frame_bytes, 0);
    frame_counter_tracker::write_counter(frame.data(), 0x12345678);
    EXPECT_EQ(frame[frame_layout::mfas], 0x78);
    EXPECT_EQ(frame[10], 0x12);
    EXPECT_EQ(frame[11], 0x34);
    EXPECT_EQ(frame[12], 0x56);
    EXPECT_EQ(frame_counter_tracker::read_counter(frame.data()), 0x12345678u);
    frame[frame_layout::epoch_flags] = 0xfe;
    EXPECT_EQ(frame_counter_tracker::read_epoch(frame.data()), 2u);
}

TEST(frame_counter_tracker, random_counters_never_lock_on_noise)
{
    frame_counter_tracker t;
    std::mt19937 rng(1);
    int locked = 0;
    for (int i = 0; i < 100000; ++i)
        locked += t.on_frame(rng(), rng() & 3).has_value();
    EXPECT_LT(locked, 3);
    EXPECT_THROW(frame_counter_tracker({ 0, 1 }), std::invalid_argument);
}
