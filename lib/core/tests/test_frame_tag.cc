/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <gtest/gtest.h>

#include <random>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
using key16 = std::array<uint8_t, 16>;

// A plaintext frame as the mux builds it (random payload and NEG, encoded INT), tag
// field zero. FIXED SEEDS: test data.
std::vector<uint8_t> plain_frame(std::mt19937& rng, uint32_t counter)
{
    std::vector<uint8_t> payload(fl::payload_bytes), neg(fl::block_bytes),
        info(fl::int_info_bytes);
    for (auto* v : { &payload, &neg, &info })
        for (auto& b : *v)
            b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> f(fl::frame_bytes);
    otu_frame::build(otu_frame::frame_ref(f.data(), fl::frame_bytes),
                     { counter, 1, false },
                     payload,
                     neg,
                     info);
    return f;
}

key16 random_key(std::mt19937& rng)
{
    key16 k;
    for (auto& b : k)
        b = static_cast<uint8_t>(rng());
    return k;
}

otu_frame::frame_ref ref(std::vector<uint8_t>& f)
{
    return otu_frame::frame_ref(f.data(), fl::frame_bytes);
}

frame_tag::int_info_ref info_of(const std::vector<uint8_t>& f)
{
    return frame_tag::int_info_ref(f.data() + fl::intb.offset, fl::int_info_bytes);
}

bool authenticated(std::size_t offset)
{
    for (const auto& s : fl::authenticated_spans)
        if (offset >= s.offset && offset < s.end())
            return true;
    return false;
}
} // namespace

TEST(frame_tag, layout_covers_the_encrypted_rows_and_int_information_only)
{
    for (std::size_t i = 0; i < fl::frame_bytes; ++i) {
        const bool in_rows = i < fl::otu_bytes && i >= fl::clear_overhead_columns &&
                             i % fl::columns < fl::fec_columns.offset;
        const bool in_tag = i >= fl::tag.offset && i < fl::tag.end();
        const bool in_int_info =
            i >= fl::intb.offset && i < fl::intb.offset + fl::int_info_bytes;
        EXPECT_EQ(authenticated(i), (in_rows && !in_tag) || in_int_info) << "byte " << i;
    }
}

TEST(frame_tag, mac_key_is_zuc128_keystream_of_bearer_31)
{
    std::mt19937 rng(3);
    for (unsigned direction = 0; direction < 2; ++direction) {
        const key16 k = random_key(rng);
        std::array<uint8_t, 32> keystream{};
        eea3::crypt(k, 0, 31, direction, keystream, 256); // XOR into zeros
        EXPECT_EQ(frame_tag::mac_key(k, direction), keystream);
    }
    const key16 k = random_key(rng);
    EXPECT_NE(frame_tag::mac_key(k, 0), frame_tag::mac_key(k, 1));
    EXPECT_THROW(frame_tag::mac_key(k, 2), std::invalid_argument);
}

TEST(frame_tag, is_the_zuc256_mac_of_the_gathered_bytes)
{
    std::mt19937 rng(5);
    frame_tag tagger;
    for (int trial = 0; trial < 8; ++trial) {
        const uint32_t counter = static_cast<uint32_t>(rng());
        const unsigned direction = trial & 1;
        auto f = plain_frame(rng, counter);
        const key16 k = random_key(rng);
        std::vector<uint8_t> message;
        for (std::size_t i = 0; i < fl::frame_bytes; ++i)
            if (authenticated(i))
                message.push_back(f[i]);
        std::array<uint8_t, 8> expected{};
        zuc256_mac::compute(frame_tag::mac_key(k, direction),
                            frame_tag::iv(counter, direction),
                            message,
                            message.size() * 8,
                            64,
                            expected);
        EXPECT_EQ(tagger.compute(ref(f), info_of(f), k, counter, direction), expected);
    }
}

TEST(frame_tag, sealed_frames_verify_through_encryption_and_the_field_is_cleared)
{
    std::mt19937 rng(7);
    frame_tag tagger;
    frame_cipher cipher;
    for (int trial = 0; trial < 8; ++trial) {
        const uint32_t counter = static_cast<uint32_t>(rng());
        const unsigned direction = trial & 1;
        const key16 k = random_key(rng);
        auto f = plain_frame(rng, counter);
        const auto original = f;
        tagger.seal(ref(f), k, counter, direction);
        EXPECT_NE(f, original);
        cipher.crypt(f, k, counter, direction);
        cipher.crypt(f, k, counter, direction);
        const auto info = otu_frame::decode_int(ref(f));
        ASSERT_TRUE(info.ok());
        EXPECT_TRUE(tagger.verify(ref(f), info.info, k, counter, direction));
        EXPECT_EQ(f, original);
    }
}

TEST(frame_tag, every_covered_bit_counts_and_nothing_else)
{
    std::mt19937 rng(9);
    frame_tag tagger;
    const key16 k = random_key(rng);
    const uint32_t counter = 0x01020304;
    auto sealed = plain_frame(rng, counter);
    tagger.seal(ref(sealed), k, counter, 0);
    std::uniform_int_distribution<std::size_t> byte(0, fl::frame_bytes - 1);
    int covered = 0, uncovered = 0;
    for (int trial = 0; trial < 600; ++trial) {
        auto f = sealed;
        const std::size_t i = byte(rng);
        f[i] ^= static_cast<uint8_t>(1u << (rng() % 8));
        const bool in_tag = i >= fl::tag.offset && i < fl::tag.end();
        const bool ok = tagger.verify(ref(f), info_of(f), k, counter, 0);
        if (authenticated(i) || in_tag) {
            EXPECT_FALSE(ok) << "byte " << i;
            ++covered;
        } else {
            EXPECT_TRUE(ok) << "byte " << i; // FAS, header, FEC columns, NEG, INT parity
            ++uncovered;
        }
    }
    EXPECT_GT(covered, 400);
    EXPECT_GT(uncovered, 10);
}

TEST(frame_tag, binds_key_counter_and_direction)
{
    std::mt19937 rng(13);
    frame_tag tagger;
    const key16 k = random_key(rng);
    auto other = k;
    other[15] ^= 1;
    auto f = plain_frame(rng, 77);
    tagger.seal(ref(f), k, 77, 1);
    for (auto [key, counter, direction] :
         { std::tuple{ other, 77u, 1u }, { k, 78u, 1u }, { k, 77u, 0u } }) {
        auto g = f;
        EXPECT_FALSE(tagger.verify(ref(g), info_of(g), key, counter, direction));
    }
    auto g = f;
    EXPECT_TRUE(tagger.verify(ref(g), info_of(g), k, 77, 1));
    EXPECT_THROW(tagger.seal(ref(f), k, 77, 2), std::invalid_argument);
}

TEST(frame_tag, corrected_int_information_is_what_counts)
{
    // Line errors in INT are corrected by its RS code before the check: the tag holds.
    std::mt19937 rng(17);
    frame_tag tagger;
    const key16 k = random_key(rng);
    auto f = plain_frame(rng, 5);
    tagger.seal(ref(f), k, 5, 0);
    for (int i = 0; i < 8; ++i)
        f[fl::intb.offset + 3 + 29 * i] ^= 0xa5;
    const auto decoded = otu_frame::decode_int(ref(f));
    ASSERT_EQ(decoded.corrected, 8);
    EXPECT_TRUE(tagger.verify(ref(f), decoded.info, k, 5, 0));
}
