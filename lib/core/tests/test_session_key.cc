/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/hex.h>
#include <fiberkey/session_key.h>
#include <fiberkey/zuc.h>

#include <gtest/gtest.h>

using namespace fiberkey;

namespace {

std::array<std::uint8_t, 32> counting_seed()
{
    std::array<std::uint8_t, 32> s{};
    for (std::size_t i = 0; i < s.size(); ++i)
        s[i] = static_cast<std::uint8_t>(i);
    return s;
}

std::string hex16(const std::array<std::uint8_t, 16>& k) { return to_hex(k); }

} // namespace

TEST(session_key, iv_layout)
{
    const auto v = session_key::iv(1, 0x01020304);
    const std::array<std::uint8_t, 25> expected = { 'F', 'K', 'S', 'K', 1, 1, 2, 3, 4 };
    EXPECT_EQ(v, expected);
    EXPECT_THROW(session_key::iv(2, 0), std::invalid_argument);
}

// Computed by this code (ZUC-256 is held to the 2018 paper's vectors and to ipsec-mb in
// test_zuc); kept here so that the layout can never drift unnoticed.
TEST(session_key, fixed_vector)
{
    const auto seed = counting_seed();
    EXPECT_EQ(hex16(session_key::derive(seed, 0, 0)), "5a7fd8b81c4eed1797704d75bb7332cd");
    EXPECT_EQ(hex16(session_key::derive(seed, 1, 7)), "1bdfdc157b62aa9e0183e91769216880");
}

TEST(session_key, both_ends_derive_the_same_key_and_inputs_separate_keys)
{
    const auto seed = counting_seed();
    // What the other end computes, straight from the documented layout.
    const std::array<std::uint8_t, 25> iv = { 'F', 'K', 'S', 'K', 0, 0, 0, 0, 5 };
    auto z = zuc::zuc256(seed, iv);
    std::array<std::uint8_t, 16> peer{};
    z.generate_bytes(peer);
    EXPECT_EQ(session_key::derive(seed, 0, 5), peer);

    EXPECT_NE(session_key::derive(seed, 0, 5), session_key::derive(seed, 1, 5));
    EXPECT_NE(session_key::derive(seed, 0, 5), session_key::derive(seed, 0, 6));
    auto other = seed;
    other[31] ^= 1;
    EXPECT_NE(session_key::derive(seed, 0, 5), session_key::derive(other, 0, 5));
}
