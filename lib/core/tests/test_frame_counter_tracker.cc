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

TEST(frame_counter_tracker, a_new_epoch_needs_two_frames_unless_trusted)
{
    frame_counter_tracker t;
    t.on_frame(0, 3);
    EXPECT_EQ(t.on_frame(1, 3)->epoch, 3u);
    EXPECT_FALSE(t.on_frame(2, 0)) << "a new epoch from an untrusted overhead waits";
    EXPECT_EQ(t.on_frame(3, 0)->epoch, 0u) << "confirmed by the next frame";
    EXPECT_FALSE(t.on_frame(4, 2)) << "a garbled epoch byte";
    EXPECT_EQ(t.on_frame(5, 0)->epoch, 0u) << "not confirmed: the epoch stays";
    EXPECT_EQ(t.on_frame(6, 1, { .counter = false, .epoch = true })->epoch, 1u)
        << "trusted: taken at once";
    // Every frame of epoch 2 lost: 1 -> 3 is a step too.
    EXPECT_FALSE(t.on_frame(7, 3));
    EXPECT_EQ(t.on_frame(8, 3)->counter, 8u);
    EXPECT_EQ(t.stats().epoch_unconfirmed, 3u);
    EXPECT_EQ(t.stats().epoch_changes, 3u);
    EXPECT_EQ(t.stats().counter_mismatches, 0u);
}

TEST(frame_counter_tracker, acquisition_needs_one_epoch_unless_trusted)
{
    frame_counter_tracker t;
    t.on_frame(10, 1);
    EXPECT_FALSE(t.on_frame(11, 2)) << "epochs differ: acquisition starts over";
    EXPECT_EQ(t.on_frame(12, 2)->epoch, 2u);
    frame_counter_tracker u;
    u.on_frame(10, 1);
    EXPECT_EQ(u.on_frame(11, 2, { .counter = false, .epoch = true })->epoch, 2u);
    frame_counter_tracker w;
    const auto v = w.on_frame(77, 3, { .counter = true, .epoch = true });
    ASSERT_TRUE(v) << "a trusted overhead locks at once";
    EXPECT_EQ(v->counter, 77u);
    EXPECT_EQ(v->epoch, 3u);
}

TEST(frame_counter_tracker, takes_a_trusted_counter_at_once)
{
    frame_counter_tracker t;
    t.on_frame(10, 0);
    t.on_frame(11, 0);
    // Frames 12 and 13 lost: the next one says 14, through a decoded FEC codeword.
    EXPECT_EQ(t.on_frame(14, 0, { .counter = true, .epoch = false })->counter, 14u);
    EXPECT_EQ(t.on_frame(15, 0)->counter, 15u);
    EXPECT_EQ(t.on_frame(0xdead, 0)->counter, 16u) << "an untrusted one is still checked";
    EXPECT_EQ(t.stats().counter_jumps, 1u);
    EXPECT_EQ(t.stats().counter_mismatches, 1u);
    EXPECT_EQ(t.stats().relocks, 0u);
}

TEST(frame_counter_tracker, trust_comes_from_the_codewords_of_row_0)
{
    using tracker = frame_counter_tracker;
    EXPECT_TRUE(tracker::trust_from_fec(0).counter);
    EXPECT_TRUE(tracker::trust_from_fec(0).epoch);
    // Columns 6 (MFAS), 10-12 (counter) and 13 (epoch) lie in codewords 6, 10-12, 13.
    for (unsigned c : { 6u, 10u, 11u, 12u }) {
        EXPECT_FALSE(tracker::trust_from_fec(1ull << c).counter) << c;
        EXPECT_TRUE(tracker::trust_from_fec(1ull << c).epoch) << c;
    }
    EXPECT_FALSE(tracker::trust_from_fec(1ull << 13).epoch);
    EXPECT_TRUE(tracker::trust_from_fec(1ull << 13).counter);
    // Other codewords of row 0 and every codeword of rows 1-3 leave the overhead alone.
    const std::uint64_t others = ~((1ull << 6) | (7ull << 10) | (1ull << 13)) & 0xffff;
    EXPECT_TRUE(tracker::trust_from_fec(others | ~0xffffull).counter);
    EXPECT_TRUE(tracker::trust_from_fec(others | ~0xffffull).epoch);
}

// Isolated garbled epoch bytes (never two frames in a row) on a link that re-keys every
// 16 to 40 frames, with occasional runs of lost frames: every frame that came through
// intact and is taken under its own counter gets its transmitter's epoch. A garbled frame
// is dropped, or delivered under its own epoch, or, when it reads the old epoch just after
// a switch, under that one (it cannot be told apart; the switch is confirmed a frame
// later).
TEST(frame_counter_tracker, isolated_epoch_errors_never_reach_the_receiver)
{
    std::mt19937 rng(29);
    frame_counter_tracker t;
    unsigned epoch = 0, previous = 0, delivered = 0, garbled = 0, until_switch = 16;
    std::uint32_t counter = 0;
    bool last_garbled = false;
    for (int frame = 0; frame < 200000; ++frame, ++counter) {
        if (--until_switch == 0) {
            previous = epoch;
            epoch = (epoch + 1) & 3;
            until_switch = 16 + rng() % 25;
        }
        if (rng() % 500 == 0)
            counter += rng() % 20; // lost frames
        unsigned seen = epoch;
        if (!last_garbled && rng() % 50 == 0) {
            seen = (epoch + 1 + rng() % 3) & 3;
            ++garbled;
        }
        last_garbled = seen != epoch;
        if (const auto v = t.on_frame(counter, seen)) {
            // Frames taken under a wrong counter (until the tracker relocks after lost
            // frames) cannot decrypt whatever the epoch; the others must have the right one.
            if (v->counter != counter)
                ASSERT_TRUE(v->epoch == epoch || v->epoch == previous)
                    << "frame " << frame;
            else if (last_garbled && seen == previous)
                ASSERT_TRUE(v->epoch == epoch || v->epoch == previous)
                    << "frame " << frame;
            else
                ASSERT_EQ(v->epoch, epoch) << "frame " << frame;
            ++delivered;
        }
    }
    EXPECT_GT(garbled, 3000u);
    EXPECT_GT(delivered, 180000u);
}

// The frames a receiver still takes in frame while the line turns to noise carry random
// counters and epochs: two of them alike must not switch its key.
TEST(frame_counter_tracker, frames_with_a_wrong_counter_never_change_the_epoch)
{
    frame_counter_tracker t;
    t.on_frame(40, 1);
    t.on_frame(41, 1);
    EXPECT_EQ(t.on_frame(0x1234, 3)->epoch, 1u);
    EXPECT_EQ(t.on_frame(0x9876, 3)->epoch, 1u) << "same new epoch, wrong counters";
    EXPECT_EQ(t.on_frame(44, 1)->epoch, 1u);
    EXPECT_EQ(t.stats().epoch_changes, 0u);
}

TEST(frame_counter_tracker, counter_wraps)
{
    frame_counter_tracker t;
    t.on_frame(0xfffffffe, 0);
    t.on_frame(0xffffffff, 0);
    EXPECT_EQ(t.on_frame(0, 0)->counter, 0u);
    EXPECT_EQ(t.stats().counter_mismatches, 0u);
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
    EXPECT_THROW(frame_counter_tracker({ 2, 3, 0 }), std::invalid_argument);
}
