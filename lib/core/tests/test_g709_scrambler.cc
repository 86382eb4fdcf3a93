/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_scrambler.h>

#include <gtest/gtest.h>

#include <random>
#include <vector>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
int bit(std::span<const uint8_t> bytes, std::size_t n)
{
    return (bytes[n / 8] >> (7 - n % 8)) & 1;
}
} // namespace

TEST(g709_scrambler, starts_with_the_published_bytes)
{
    const auto seq = g709_scrambler::sequence();
    ASSERT_EQ(seq.size(), fl::frame_bytes - fl::fas.length);
    EXPECT_EQ(seq[0], 0xff);
    EXPECT_EQ(seq[1], 0xff);
    EXPECT_EQ(seq[2], 0x4e);
    EXPECT_EQ(seq[3], 0x91);
}

TEST(g709_scrambler, every_bit_follows_the_generator)
{
    // 1 + x + x^3 + x^12 + x^16: s[n] = s[n-1] ^ s[n-3] ^ s[n-12] ^ s[n-16]; the
    // polynomial is primitive, so the sequence repeats after 65,535 bits.
    const auto seq = g709_scrambler::sequence();
    const std::size_t bits = seq.size() * 8;
    for (std::size_t n = 0; n < 16; ++n)
        ASSERT_EQ(bit(seq, n), 1);
    for (std::size_t n = 16; n < bits; ++n)
        ASSERT_EQ(bit(seq, n),
                  bit(seq, n - 1) ^ bit(seq, n - 3) ^ bit(seq, n - 12) ^ bit(seq, n - 16))
            << "bit " << n;
    for (std::size_t n = 0; n + 65535 < bits; n += 997)
        ASSERT_EQ(bit(seq, n), bit(seq, n + 65535));
}

TEST(g709_scrambler, is_self_inverse_and_leaves_fas_alone)
{
    std::mt19937 rng(3);
    std::vector<uint8_t> frame(fl::frame_bytes);
    for (auto& b : frame)
        b = rng();
    const auto original = frame;
    g709_scrambler::apply(frame);
    for (std::size_t i = 0; i < fl::fas.length; ++i)
        EXPECT_EQ(frame[i], original[i]);
    // MFAS meets the first sequence byte, FF; the last INT byte is covered too.
    EXPECT_EQ(frame[fl::mfas], original[fl::mfas] ^ 0xff);
    EXPECT_EQ(frame.back(), original.back() ^ g709_scrambler::sequence().back());
    g709_scrambler::apply(frame);
    EXPECT_EQ(frame, original);
}

TEST(g709_scrambler, rejects_a_wrong_size)
{
    std::vector<uint8_t> frame(fl::otu_bytes);
    EXPECT_THROW(g709_scrambler::apply(frame), std::invalid_argument);
}
