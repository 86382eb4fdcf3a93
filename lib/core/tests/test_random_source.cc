/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/random_source.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <vector>

using namespace fiberkey;

namespace {
std::vector<uint8_t> draw(random_source& r, std::size_t n)
{
    std::vector<uint8_t> v(n);
    r.fill(v);
    return v;
}

std::size_t ones(const std::vector<uint8_t>& v)
{
    std::size_t n = 0;
    for (auto b : v)
        n += std::popcount(b);
    return n;
}
} // namespace

TEST(random_source, a_test_seed_reproduces_the_stream)
{
    test_only_seeded_random_source a(99), b(99), c(100), d(99);
    const auto whole = draw(a, 1000);
    auto pieces = draw(b, 8); // whole 64-bit words continue the stream seamlessly
    const auto rest = draw(b, 992);
    pieces.insert(pieces.end(), rest.begin(), rest.end());
    EXPECT_EQ(pieces, whole);
    EXPECT_NE(draw(c, 1000), whole);

    const auto odd = draw(d, 13); // a byte tail takes the start of the next word
    EXPECT_TRUE(std::equal(odd.begin(), odd.end(), whole.begin()));
    EXPECT_NEAR(static_cast<double>(ones(whole)), 1000 * 4.0, 4 * 45.0); // 4 sigma
}

TEST(random_source, csprng_fills_every_byte)
{
    csprng_random_source r;
    const auto x = draw(r, 4096), y = draw(r, 4096);
    EXPECT_NE(x, y);
    EXPECT_NEAR(static_cast<double>(ones(x)), 4096 * 4.0, 4 * 91.0);
    EXPECT_TRUE(draw(r, 0).empty());
}
