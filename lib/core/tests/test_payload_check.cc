/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/payload_check.h>

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <stdexcept>

using fiberkey::payload_check;

namespace {

std::vector<std::uint8_t> pattern_of(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<std::uint8_t> p(n);
    for (auto& b : p)
        b = static_cast<std::uint8_t>(rng());
    p[0] = 0x5a;
    return p;
}

} // namespace

TEST(payload_check, idle_zeros_then_the_pattern_with_its_errors_counted)
{
    const auto pattern = pattern_of(100, 1);
    std::vector<std::uint8_t> rx(37, 0); // idle
    for (int lap = 0; lap < 3; ++lap)
        rx.insert(rx.end(), pattern.begin(), pattern.end());
    rx[37 + 5] ^= 0x81;   // two bits of one byte
    rx[37 + 150] ^= 0x10; // one bit
    payload_check check(pattern);
    check.process(rx);
    const auto& c = check.counts();
    EXPECT_TRUE(c.started);
    EXPECT_EQ(c.idle_bytes, 37u);
    EXPECT_EQ(c.bytes, 300u);
    EXPECT_EQ(c.bytes_wrong, 2u);
    EXPECT_EQ(c.bits_wrong, 3u);
}

TEST(payload_check, a_lost_period_keeps_the_alignment)
{
    const auto pattern = pattern_of(64, 2);
    std::vector<std::uint8_t> rx;
    for (int lap = 0; lap < 5; ++lap)
        if (lap != 2) // one frame lost whole
            rx.insert(rx.end(), pattern.begin(), pattern.end());
    payload_check check(pattern);
    check.process(rx);
    EXPECT_EQ(check.counts().bytes, 256u);
    EXPECT_EQ(check.counts().bytes_wrong, 0u);
}

TEST(payload_check, counts_do_not_depend_on_the_chunks)
{
    const auto pattern = pattern_of(97, 3);
    std::mt19937 rng(4);
    std::vector<std::uint8_t> rx(50, 0);
    for (int lap = 0; lap < 40; ++lap)
        rx.insert(rx.end(), pattern.begin(), pattern.end());
    for (auto& b : rx)
        if (rng() % 50 == 0)
            b ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    payload_check whole(pattern);
    whole.process(rx);
    for (int trial = 0; trial < 20; ++trial) {
        payload_check chunked(pattern);
        for (std::size_t at = 0; at < rx.size();) {
            const std::size_t n = std::min<std::size_t>(rx.size() - at, rng() % 300);
            chunked.process(std::span<const std::uint8_t>(rx.data() + at, n));
            at += n;
        }
        EXPECT_EQ(chunked.counts().idle_bytes, whole.counts().idle_bytes);
        EXPECT_EQ(chunked.counts().bytes, whole.counts().bytes);
        EXPECT_EQ(chunked.counts().bytes_wrong, whole.counts().bytes_wrong);
        EXPECT_EQ(chunked.counts().bits_wrong, whole.counts().bits_wrong);
    }
    EXPECT_GT(whole.counts().bits_wrong, 0u);
}

TEST(payload_check, refuses_a_pattern_it_could_not_find)
{
    EXPECT_THROW(payload_check({}), std::invalid_argument);
    EXPECT_THROW(payload_check({ 0, 1, 2 }), std::invalid_argument);
    payload_check nothing_yet({ 1 });
    nothing_yet.process(std::vector<std::uint8_t>(10, 0));
    EXPECT_FALSE(nothing_yet.counts().started);
    EXPECT_EQ(nothing_yet.counts().idle_bytes, 10u);
}

TEST(payload_check, counts_match_a_byte_by_byte_reference)
{
    // Errors of any shape (one to eight bits of a byte), against the plain definition.
    const auto pattern = pattern_of(1001, 5);
    std::mt19937 rng(6);
    for (int trial = 0; trial < 50; ++trial) {
        std::vector<std::uint8_t> rx;
        for (int lap = 0; lap < 3; ++lap)
            rx.insert(rx.end(), pattern.begin(), pattern.end());
        const unsigned rate = 1 + rng() % 40;
        std::uint64_t bytes_wrong = 0, bits_wrong = 0;
        for (std::size_t i = 1; i < rx.size(); ++i) { // byte 0 stays: the start marker
            if (rng() % rate != 0)
                continue;
            const auto e = static_cast<std::uint8_t>(1 + rng() % 255);
            rx[i] ^= e;
            ++bytes_wrong;
            bits_wrong += static_cast<unsigned>(std::popcount(e));
        }
        payload_check check(pattern);
        check.process(rx);
        EXPECT_EQ(check.counts().bytes, rx.size());
        EXPECT_EQ(check.counts().bytes_wrong, bytes_wrong);
        EXPECT_EQ(check.counts().bits_wrong, bits_wrong);
    }
}

TEST(payload_source, repeats_the_pattern_across_any_chunks_and_the_check_finds_no_error)
{
    const auto pattern = pattern_of(1001, 7);
    std::mt19937 rng(8);
    fiberkey::payload_source source(pattern);
    payload_check check(pattern);
    std::vector<std::uint8_t> all;
    while (all.size() < 5 * pattern.size()) {
        std::vector<std::uint8_t> chunk(rng() % 2500); // shorter and longer than a lap
        source.fill(chunk);
        check.process(chunk);
        all.insert(all.end(), chunk.begin(), chunk.end());
    }
    for (std::size_t i = 0; i < all.size(); ++i)
        ASSERT_EQ(all[i], pattern[i % pattern.size()]) << "byte " << i;
    EXPECT_EQ(check.counts().bytes, all.size());
    EXPECT_EQ(check.counts().bits_wrong, 0u);
    EXPECT_EQ(source.period(), pattern.size());
    EXPECT_THROW(fiberkey::payload_source({}), std::invalid_argument);
    EXPECT_THROW(fiberkey::payload_source({ 0, 1 }), std::invalid_argument);
}
