/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_schedule.h>

#include <gtest/gtest.h>

using namespace fiberkey;
using verdict = key_schedule::verdict;

namespace {
session_key key_of(uint8_t v)
{
    session_key k;
    k.fill(v);
    return k;
}
} // namespace

TEST(key_schedule, transmit_switches_on_the_announced_frame)
{
    key_schedule s(key_schedule::role::transmit);
    EXPECT_EQ(s.for_transmit(5).result, verdict::no_key);
    s.install(key_of(1), 0, 0);
    auto a = s.for_transmit(10);
    ASSERT_EQ(a.result, verdict::ok);
    EXPECT_EQ(a.epoch, 0u);
    EXPECT_EQ((*a.key)[0], 1);
    s.install(key_of(2), 1, 20);
    for (uint32_t c = 11; c < 20; ++c)
        EXPECT_EQ(s.for_transmit(c).epoch, 0u);
    auto b = s.for_transmit(20);
    ASSERT_EQ(b.result, verdict::ok);
    EXPECT_EQ(b.epoch, 1u);
    EXPECT_EQ((*b.key)[0], 2);
    EXPECT_EQ(s.active_epoch(), 1u);
}

TEST(key_schedule, transmit_refuses_counter_reuse_and_exhaustion)
{
    key_schedule s(key_schedule::role::transmit);
    s.install(key_of(1), 0, 100);
    EXPECT_EQ(s.for_transmit(99).result, verdict::no_key) << "before the start";
    EXPECT_EQ(s.for_transmit(100).result, verdict::ok);
    EXPECT_EQ(s.for_transmit(101).result, verdict::ok);
    EXPECT_EQ(s.for_transmit(101).result, verdict::counter_reused);
    EXPECT_EQ(s.for_transmit(100).result, verdict::counter_reused);
    EXPECT_EQ(s.for_transmit(150).result, verdict::ok) << "gaps are fine";
    EXPECT_EQ(s.for_transmit(120).result, verdict::counter_reused);
    EXPECT_EQ(s.for_transmit(99).result, verdict::counter_reused) << "a step back";
    // Step through the counter space to the last counter before the key's first frame.
    EXPECT_EQ(s.for_transmit(150u + 0x7fffffffu).result, verdict::ok);
    EXPECT_EQ(s.for_transmit(99).result, verdict::ok);
    EXPECT_EQ(s.frames_left(), 0u);
    EXPECT_EQ(s.for_transmit(100).result, verdict::exhausted);
    EXPECT_EQ(s.for_transmit(5000).result, verdict::exhausted);
    // A new key lifts the stop.
    s.install(key_of(2), 1, 6000);
    EXPECT_EQ(s.for_transmit(6000).result, verdict::ok);
    EXPECT_EQ(s.frames_left(), key_schedule::frames_per_key - 1);
}

TEST(key_schedule, counters_wrap_across_zero)
{
    key_schedule s(key_schedule::role::transmit);
    s.install(key_of(1), 2, 0xfffffff0u);
    for (uint32_t c = 0xfffffff0u; c != 0x10; ++c)
        ASSERT_EQ(s.for_transmit(c).result, verdict::ok) << c;
    s.install(key_of(2), 3, 0x20);
    EXPECT_EQ(s.for_transmit(0x1f).epoch, 2u);
    EXPECT_EQ(s.for_transmit(0x20).epoch, 3u);
}

TEST(key_schedule, keys_must_follow_each_other)
{
    key_schedule s(key_schedule::role::transmit);
    EXPECT_THROW(s.install(key_of(1), 4, 0), std::invalid_argument);
    s.install(key_of(1), 0, 0);
    ASSERT_EQ(s.for_transmit(0).result, verdict::ok);
    EXPECT_THROW(s.install(key_of(2), 0, 10), std::invalid_argument)
        << "the active epoch";
    EXPECT_THROW(s.install(key_of(2), 2, 10), std::invalid_argument) << "a skipped epoch";
    s.install(key_of(2), 1, 10);
    EXPECT_THROW(s.install(key_of(3), 1, 20), std::invalid_argument) << "a pending epoch";
    // A burst of keys (a batch may yield several) queues in order, epochs cycling.
    for (unsigned i = 0; i + 1 < key_schedule::max_pending; ++i)
        s.install(key_of(3), (2 + i) % key_schedule::epochs, std::nullopt);
    EXPECT_THROW(s.install(key_of(4), (1 + key_schedule::max_pending) % 4, std::nullopt),
                 std::invalid_argument)
        << "queue bound";
}

TEST(key_schedule, a_burst_of_keys_reaches_the_receiver_in_order)
{
    key_schedule tx(key_schedule::role::transmit), rx(key_schedule::role::receive);
    for (unsigned k = 0; k < 9; ++k) {
        tx.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
        rx.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
    }
    // The transmitter steps through the keys; the receiver follows epoch by epoch.
    for (uint32_t c = 0; c < 9 * key_schedule::min_frames_per_key; ++c) {
        const auto t = tx.for_transmit(c);
        ASSERT_EQ(t.result, verdict::ok);
        const auto r = rx.for_receive(c, t.epoch);
        ASSERT_EQ(r.result, verdict::ok) << c;
        EXPECT_EQ(*r.key, *t.key) << c;
    }
}

TEST(key_schedule, receive_selects_by_epoch_and_retires_the_old_key)
{
    key_schedule s(key_schedule::role::receive);
    EXPECT_EQ(s.for_receive(0, 0).result, verdict::no_key);
    s.install(key_of(1), 0, 0);
    s.install(key_of(2), 1, 50);
    EXPECT_EQ((*s.for_receive(10, 0).key)[0], 1);
    EXPECT_EQ(s.for_receive(40, 1).result, verdict::before_start);
    EXPECT_EQ((*s.for_receive(50, 1).key)[0], 2);
    // A late frame under the old epoch still decrypts until the old key retires.
    EXPECT_EQ((*s.for_receive(49, 0).key)[0], 1);
    for (uint32_t c = 51; c < 51 + key_schedule::retire_after; ++c)
        ASSERT_EQ(s.for_receive(c, 1).result, verdict::ok);
    EXPECT_EQ(s.for_receive(49, 0).result, verdict::no_key) << "old key wiped";
    EXPECT_EQ(s.for_receive(60, 3).result, verdict::no_key);
}

TEST(key_schedule, a_receiver_takes_re_issued_keys_in_place_of_pending_ones)
{
    // Keys 0..2 (epochs 1, 2, 3) emitted by a post-processor that then restarted; its
    // successor issues indices 1 and 2 again, with other bits.
    key_schedule rx(key_schedule::role::receive);
    rx.install(key_of(10), 1, std::nullopt);
    ASSERT_EQ(rx.for_receive(5, 1).result, verdict::ok);
    EXPECT_EQ(rx.install(key_of(11), 2, std::nullopt), 0u);
    EXPECT_EQ(rx.install(key_of(12), 3, std::nullopt), 0u);
    EXPECT_EQ(rx.install(key_of(21), 2, std::nullopt), 2u)
        << "key 1 and key 2 superseded";
    EXPECT_EQ(rx.install(key_of(22), 3, std::nullopt), 0u);
    EXPECT_EQ((*rx.for_receive(6, 2).key)[0], 21);
    EXPECT_EQ((*rx.for_receive(7, 3).key)[0], 22);
    // The active epoch is never superseded, nor an epoch that no pending key has.
    EXPECT_THROW(rx.install(key_of(30), 3, std::nullopt), std::invalid_argument);
    rx.install(key_of(40), 0, std::nullopt);
    EXPECT_THROW(rx.install(key_of(50), 2, std::nullopt), std::invalid_argument);
    // A transmitter refuses it: a pending key there may already be due.
    key_schedule tx(key_schedule::role::transmit);
    tx.install(key_of(1), 0, std::nullopt);
    tx.install(key_of(2), 1, std::nullopt);
    EXPECT_THROW(tx.install(key_of(3), 1, std::nullopt), std::invalid_argument);
}

TEST(key_schedule, immediate_keys_and_revocation)
{
    key_schedule tx(key_schedule::role::transmit);
    tx.install(key_of(1), 0, std::nullopt);
    EXPECT_EQ(tx.for_transmit(0x90000000u).result, verdict::ok) << "any counter";
    key_schedule rx(key_schedule::role::receive);
    rx.install(key_of(1), 0, std::nullopt);
    EXPECT_EQ(rx.for_receive(0xf0000000u, 0).result, verdict::ok);
    rx.revoke(0);
    EXPECT_EQ(rx.for_receive(0xf0000001u, 0).result, verdict::no_key);
    tx.revoke(0);
    EXPECT_EQ(tx.for_transmit(0x90000001u).result, verdict::no_key);
    EXPECT_THROW(rx.revoke(4), std::invalid_argument);
}

TEST(key_schedule, pending_keys_take_effect_one_per_frame)
{
    key_schedule tx(key_schedule::role::transmit);
    tx.install(key_of(1), 0, std::nullopt);
    EXPECT_EQ(tx.for_transmit(10).epoch, 0u);
    tx.install(key_of(2), 1, std::nullopt);
    tx.install(key_of(3), 2, std::nullopt);
    // Each key holds for min_frames_per_key counters before the next takes over.
    const uint32_t hold = key_schedule::min_frames_per_key;
    for (uint32_t c = 11; c < 10 + hold; ++c)
        ASSERT_EQ(tx.for_transmit(c).epoch, 0u);
    EXPECT_EQ(tx.for_transmit(10 + hold).epoch, 1u) << "the epoch steps by one";
    EXPECT_EQ(tx.for_transmit(9 + 2 * hold).epoch, 1u);
    EXPECT_EQ(tx.for_transmit(10 + 2 * hold).epoch, 2u);
    EXPECT_EQ((*tx.for_transmit(11 + 2 * hold).key)[0], 3);
}

namespace {
// Keys 0..n-1 (epoch k mod 4, no start) at both ends; frame 0 is received, frames 1 to
// end - 1 are sent and lost.
void lose_frames_after_the_first(key_schedule& tx,
                                 key_schedule& rx,
                                 unsigned n,
                                 uint32_t end)
{
    for (unsigned k = 0; k < n; ++k) {
        tx.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
        rx.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
    }
    ASSERT_EQ(rx.for_receive(0, tx.for_transmit(0).epoch).result, verdict::ok);
    for (uint32_t c = 1; c < end; ++c)
        tx.for_transmit(c);
}
} // namespace

TEST(key_schedule, receive_skips_keys_whose_frames_were_all_lost)
{
    key_schedule tx(key_schedule::role::transmit), rx(key_schedule::role::receive);
    // Epochs 1 and 2 go by while every frame is lost.
    const uint32_t hold = key_schedule::min_frames_per_key;
    lose_frames_after_the_first(tx, rx, 4, 3 * hold);
    const auto t = tx.for_transmit(3 * hold);
    ASSERT_EQ(t.epoch, 3u);
    const auto r = rx.for_receive(3 * hold, t.epoch);
    ASSERT_EQ(r.result, verdict::ok);
    EXPECT_EQ(r.epoch, 3u);
    EXPECT_EQ(*r.key, *t.key);
    EXPECT_EQ(rx.pending(), 0u) << "the skipped keys are gone";
    // Up to three epochs ahead at once (a fourth would alias the active one; after a
    // long gap it is a candidate too: after_a_long_gap_every_fourth_key_in_line_*).
    key_schedule late(key_schedule::role::receive);
    for (unsigned k = 0; k < 5; ++k)
        late.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
    ASSERT_EQ(late.for_receive(0, 0).result, verdict::ok);
    EXPECT_EQ(late.for_receive(1, 3).result, verdict::ok);
}

// A gap longer than 3 x min_frames_per_key while four keys took effect: the epoch of the
// next frame names the active key and the fourth in line; both are candidates, and the
// caller takes the one that decrypts.
TEST(key_schedule, after_a_long_gap_every_fourth_key_in_line_is_a_candidate)
{
    key_schedule tx(key_schedule::role::transmit), rx(key_schedule::role::receive);
    const uint32_t hold = key_schedule::min_frames_per_key;
    lose_frames_after_the_first(tx, rx, 6, 4 * hold);
    const auto t = tx.for_transmit(4 * hold);
    ASSERT_EQ(t.epoch, 0u);
    ASSERT_EQ((*t.key)[0], 4) << "four keys on";
    const auto options = rx.receive_candidates(4 * hold, t.epoch);
    ASSERT_EQ(options.result, verdict::ok);
    ASSERT_EQ(options.advances, (std::vector<int>{ 0, 4 }));
    EXPECT_EQ((*rx.candidate_key(t.epoch, 4).key)[0], 4);
    rx.accept_receive(4 * hold, t.epoch, 4);
    EXPECT_EQ(rx.pending(), 1u);
    // In step again: one candidate per epoch.
    const auto next = tx.for_transmit(5 * hold);
    ASSERT_EQ(next.epoch, 1u);
    EXPECT_EQ(rx.receive_candidates(5 * hold, 1).advances, (std::vector<int>{ 1 }));
    EXPECT_EQ(*rx.for_receive(5 * hold, 1).key, *next.key);
    // Without the gap the epoch names the active key only.
    key_schedule near(key_schedule::role::receive);
    for (unsigned k = 0; k < 6; ++k)
        near.install(key_of(static_cast<uint8_t>(k)), k % 4, std::nullopt);
    ASSERT_EQ(near.for_receive(0, 0).result, verdict::ok);
    EXPECT_EQ(near.receive_candidates(3, 0).advances, (std::vector<int>{ 0 }));
}

// With integrity the receiver looks a key up without changing anything and commits only
// for a frame whose tag held: frames forged under later epochs leave its keys in place.
TEST(key_schedule, peeking_changes_nothing_until_the_frame_is_accepted)
{
    key_schedule s(key_schedule::role::receive);
    s.install(key_of(1), 0, 0);
    s.install(key_of(2), 1, 100);
    s.install(key_of(3), 2, 200);
    ASSERT_EQ(s.for_receive(5, 0).result, verdict::ok);

    // Forged frames under epochs 1 and 2 (all of them, many times): keys are found...
    for (uint32_t c = 210; c < 260; ++c) {
        const auto one = s.peek_receive(c, 1);
        ASSERT_EQ(one.result, verdict::ok);
        EXPECT_EQ((*one.key)[0], 2);
        const auto two = s.peek_receive(c, 2);
        ASSERT_EQ(two.result, verdict::ok);
        EXPECT_EQ((*two.key)[0], 3);
        EXPECT_EQ(s.peek_receive(c, 3).result, verdict::no_key);
    }
    EXPECT_EQ(s.peek_receive(50, 1).result, verdict::before_start);
    // ...but nothing moved: epoch 0 is still active, both keys still wait.
    EXPECT_EQ(s.active_epoch(), 0u);
    EXPECT_EQ(s.pending(), 2u);
    const auto zero = s.peek_receive(60, 0);
    ASSERT_EQ(zero.result, verdict::ok);
    EXPECT_EQ((*zero.key)[0], 1);

    // A genuine frame of epoch 1 is accepted: the switch happens then, as for_receive's.
    ASSERT_EQ(s.peek_receive(100, 1).result, verdict::ok);
    s.accept_receive(100, 1);
    EXPECT_EQ(s.active_epoch(), 1u);
    EXPECT_EQ(s.pending(), 1u);
    EXPECT_EQ((*s.peek_receive(61, 0).key)[0], 1)
        << "late frames of epoch 0 still decrypt";
}
