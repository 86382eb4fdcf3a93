/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/round_arithmetic.h>

#include <gtest/gtest.h>

#include <bit>
#include <random>
#include <stdexcept>
#include <vector>

using namespace fiberkey;
namespace ra = fiberkey::round_arithmetic;

namespace {
using bytes = std::vector<uint8_t>;

bytes random_bytes(std::mt19937& rng, std::size_t n)
{
    bytes v(n);
    for (auto& b : v)
        b = static_cast<uint8_t>(rng());
    return v;
}

bytes xor_of(const bytes& a, const bytes& b)
{
    bytes out(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        out[i] = a[i] ^ b[i];
    return out;
}

std::size_t ones(const bytes& v)
{
    std::size_t n = 0;
    for (auto b : v)
        n += std::popcount(b);
    return n;
}

// Flips each bit with probability p: the noise between an array and its received copy.
bytes noisy_copy(std::mt19937& rng, const bytes& v, double p)
{
    std::bernoulli_distribution flip(p);
    bytes out = v;
    for (auto& b : out)
        for (int bit = 0; bit < 8; ++bit)
            if (flip(rng))
                b ^= static_cast<uint8_t>(1u << bit);
    return out;
}
} // namespace

// Both sides' patterns equal the XOR of one error pattern from each direction
// (protocol.md section 5, "Check"), for m = 496 and for lengths with a byte tail.
TEST(round_arithmetic, error_patterns_equal_the_protocol_identities)
{
    std::mt19937 rng(5);
    for (std::size_t n : { 62u, 1u, 7u, 9u, 17u, 128u }) {
        for (int trial = 0; trial < 200; ++trial) {
            const double p = 0.3 * (trial % 7) / 6.0;
            const auto xa1 = random_bytes(rng, n), xa2 = random_bytes(rng, n);
            const auto xb1 = random_bytes(rng, n), xb2 = random_bytes(rng, n);
            const auto xa3 = noisy_copy(rng, xa1, p), xa4 = noisy_copy(rng, xa2, p);
            const auto xb3 = noisy_copy(rng, xb1, p), xb4 = noisy_copy(rng, xb2, p);

            bytes c1(n), c2(n), e1(n), e2(n);
            ra::follower_feedback(xa3, xb2, c2);
            ra::leader_feedback(xb3, xa2, c1);
            ra::leader_error_pattern(xb4, xa1, c2, e1);
            ra::follower_error_pattern(xa4, xb1, c1, e2);

            ASSERT_EQ(c2, xor_of(xa3, xb2));
            ASSERT_EQ(c1, xor_of(xb3, xa2));
            const auto want_e1 = xor_of(xor_of(xa1, xa3), xor_of(xb2, xb4));
            const auto want_e2 = xor_of(xor_of(xa2, xa4), xor_of(xb1, xb3));
            ASSERT_EQ(e1, want_e1);
            ASSERT_EQ(e2, want_e2);
            ASSERT_EQ(ra::leader_error_count(xb4, xa1, c2), ones(want_e1));
            ASSERT_EQ(ra::follower_error_count(xa4, xb1, c1), ones(want_e2));
        }
    }
}

TEST(round_arithmetic, noiseless_round_counts_zero_and_every_bit_counts)
{
    std::mt19937 rng(6);
    const auto xa1 = random_bytes(rng, 62), xa2 = random_bytes(rng, 62);
    const auto xb1 = random_bytes(rng, 62), xb2 = random_bytes(rng, 62);
    bytes c1(62), c2(62);
    ra::follower_feedback(xa1, xb2, c2);
    ra::leader_feedback(xb1, xa2, c1);
    EXPECT_EQ(ra::leader_error_count(xb2, xa1, c2), 0u);
    EXPECT_EQ(ra::follower_error_count(xa2, xb1, c1), 0u);

    // One flipped bit anywhere, including the last word and the last byte, counts once.
    for (std::size_t bit = 0; bit < 496; ++bit) {
        auto xb4 = xb2;
        xb4[bit / 8] ^= static_cast<uint8_t>(0x80u >> (bit % 8));
        ASSERT_EQ(ra::leader_error_count(xb4, xa1, c2), 1u) << bit;
    }
}

TEST(round_arithmetic, refuses_arrays_of_different_sizes)
{
    bytes a(62), b(62), short_one(61);
    EXPECT_THROW(ra::follower_feedback(a, b, short_one), std::invalid_argument);
    EXPECT_THROW(ra::leader_feedback(short_one, a, b), std::invalid_argument);
    EXPECT_THROW(ra::leader_error_count(a, short_one, b), std::invalid_argument);
    EXPECT_THROW(ra::follower_error_pattern(a, b, a, short_one), std::invalid_argument);
}
