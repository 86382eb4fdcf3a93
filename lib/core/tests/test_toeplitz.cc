/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/toeplitz.h>

#include <gtest/gtest.h>

#include <random>

using namespace fiberkey;

namespace {

std::vector<std::uint8_t> random_bits(std::mt19937_64& rng, std::size_t n)
{
    std::vector<std::uint8_t> v(n);
    for (auto& b : v)
        b = rng() & 1;
    return v;
}

} // namespace

TEST(toeplitz, pack_and_unpack_round_trip_msb_first)
{
    const std::vector<std::uint8_t> bits = { 1, 0, 1, 1, 0, 0, 0, 0, 1, 1 };
    const auto packed = pack_bits(bits);
    ASSERT_EQ(packed.size(), 2u);
    EXPECT_EQ(packed[0], 0xb0);
    EXPECT_EQ(packed[1], 0xc0);
    EXPECT_EQ(unpack_bits(packed, bits.size()), bits);
    EXPECT_THROW(unpack_bits(packed, 17), std::invalid_argument);
}

TEST(toeplitz, hand_computed_small_case)
{
    // n = 3, l = 2, seed s0..s3: T = [[s2 s1 s0], [s3 s2 s1]].
    const std::vector<std::uint8_t> seed = { 1, 0, 1, 1 }, x = { 1, 1, 0 };
    // y0 = s2 x0 + s1 x1 + s0 x2 = 1 + 0 + 0; y1 = s3 x0 + s2 x1 + s1 x2 = 1 + 1 + 0.
    const std::vector<std::uint8_t> expected = { 1, 0 };
    EXPECT_EQ(toeplitz::hash_reference(x, seed, 2), expected);
    EXPECT_EQ(toeplitz::hash(x, seed, 2), expected);
}

TEST(toeplitz, carry_less_product_equals_reference_on_random_inputs)
{
    std::mt19937_64 rng(20260601);
    const std::size_t sizes[] = { 0,   1,   2,   63,   64,   65,  127,
                                  128, 129, 300, 1000, 2047, 6000 };
    for (auto n : sizes)
        for (auto l : { std::size_t(1),
                        std::size_t(63),
                        std::size_t(64),
                        std::size_t(65),
                        std::size_t(256),
                        n }) {
            const auto x = random_bits(rng, n);
            const auto seed = random_bits(rng, toeplitz::seed_bits(n, l));
            const auto reference = toeplitz::hash_reference(x, seed, l);
            ASSERT_EQ(toeplitz::hash(x, seed, l), reference) << "n " << n << " l " << l;
            ASSERT_EQ(toeplitz::hash_portable(x, seed, l), reference)
                << "n " << n << " l " << l;
        }
    for (int trial = 0; trial < 200; ++trial) {
        const std::size_t n = 1 + rng() % 1500, l = 1 + rng() % 600;
        const auto x = random_bits(rng, n);
        const auto seed = random_bits(rng, toeplitz::seed_bits(n, l));
        const auto reference = toeplitz::hash_reference(x, seed, l);
        ASSERT_EQ(toeplitz::hash(x, seed, l), reference);
        ASSERT_EQ(toeplitz::hash_portable(x, seed, l), reference);
    }
}

TEST(toeplitz, is_linear_in_the_key)
{
    std::mt19937_64 rng(7);
    const auto a = random_bits(rng, 777), b = random_bits(rng, 777);
    const auto seed = random_bits(rng, toeplitz::seed_bits(777, 300));
    std::vector<std::uint8_t> sum(777);
    for (std::size_t i = 0; i < sum.size(); ++i)
        sum[i] = a[i] ^ b[i];
    const auto ha = toeplitz::hash(a, seed, 300), hb = toeplitz::hash(b, seed, 300);
    auto hs = toeplitz::hash(sum, seed, 300);
    for (std::size_t i = 0; i < hs.size(); ++i)
        EXPECT_EQ(hs[i], ha[i] ^ hb[i]);
}

TEST(toeplitz, rejects_a_seed_of_the_wrong_length)
{
    const std::vector<std::uint8_t> x(100, 1), seed(100, 0);
    EXPECT_THROW(toeplitz::hash(x, seed, 2), std::invalid_argument);
    EXPECT_THROW(toeplitz::hash_reference(x, seed, 2), std::invalid_argument);
    EXPECT_EQ(toeplitz::seed_bits(100, 0), 0u);
}
