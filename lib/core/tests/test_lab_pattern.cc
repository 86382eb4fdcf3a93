/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "line_signal.h"

#include <fiberkey/hex.h>
#include <fiberkey/lab_pattern.h>
#include <fiberkey/neg_block.h>

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>

#include <unistd.h>

namespace fiberkey {
namespace {

constexpr std::size_t block = frame_layout::block_bytes;

//! A pattern of n frames with random arrays from a FIXED SEED.
lab_pattern pattern(char node, std::uint32_t n, std::uint32_t first, std::uint64_t seed)
{
    lab_pattern p;
    p.node = node;
    p.direction = node == 'A' ? 0 : 1;
    p.frames = n;
    p.first_counter = first;
    for (std::uint32_t i = 0; i < n; ++i) {
        const auto block = test::pattern_neg(lab_pattern::sequence(i), seed * 1000 + i);
        p.blocks.insert(p.blocks.end(), block.begin(), block.end());
    }
    return p;
}

//! Frame i's block with the given array bits flipped (the receiver's decision errors).
std::vector<std::uint8_t>
decided(const lab_pattern& p, std::size_t i, nd_array neg_fields::*array, unsigned errors)
{
    auto f = neg_block::decode(p.block(i)).fields;
    for (unsigned k = 0; k < errors; ++k)
        (f.*array)[k * 7 % f.x1.size()] ^= static_cast<std::uint8_t>(1u << (k % 8));
    std::vector<std::uint8_t> out(block);
    neg_block::encode(f, std::span<std::uint8_t, block>(out.data(), block));
    return out;
}

TEST(lab_rounds, counts_are_the_errors_each_receiver_made)
{
    const auto a = pattern('A', 20, 100, 1), b = pattern('B', 25, 7, 2);
    lab_rounds rounds(a, b);
    EXPECT_EQ(rounds.frames(), 20u);
    // Round 4: B decides A's X1 with 3 errors and X2 with 5; A decides B's frame exactly.
    EXPECT_FALSE(rounds.add('B', 104, decided(a, 4, &neg_fields::x1, 3)).has_value());
    const auto r = rounds.add('A', 11, decided(b, 4, &neg_fields::y1, 0));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->index, 4u);
    EXPECT_EQ(r->sequence, 5);
    // F1 of AB = |A's X1 errors at B ^ B's Y2 errors at A|; F2 = |X2 errors ^ Y1 errors|.
    EXPECT_EQ(r->ab_at_a, 3u);
    EXPECT_EQ(r->ab_at_b, 0u);
    EXPECT_EQ(r->ba_at_b, 0u);
    EXPECT_EQ(r->ba_at_a, 0u);
    // Round 9: errors on both sides, the other arrays.
    rounds.add('A', 16, decided(b, 9, &neg_fields::x2, 6)); // B's X2 at A: F2 of BA
    const auto s =
        rounds.add('B', 109, decided(a, 9, &neg_fields::y1, 2)); // A's Y1: F2 of BA
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->ab_at_a, 0u);
    EXPECT_EQ(s->ab_at_b, 0u);
    EXPECT_EQ(s->ba_at_b, 0u);
    // The count is of the XOR of both receivers' errors: the 2 flips at B fall on the
    // bits of the first 2 of the 6 at A and cancel.
    EXPECT_EQ(s->ba_at_a, 4u);
    EXPECT_EQ(rounds.rounds(), 2u);
}

TEST(lab_rounds, repeats_and_frames_outside_the_pattern_are_counted_and_ignored)
{
    const auto a = pattern('A', 10, 0, 3), b = pattern('B', 10, 50, 4);
    lab_rounds rounds(a, b);
    const auto exact_a = decided(a, 2, &neg_fields::x1, 0);
    const auto exact_b = decided(b, 2, &neg_fields::x1, 0);
    EXPECT_FALSE(rounds.add('B', 2, exact_a));
    EXPECT_FALSE(
        rounds.add('B', 2, decided(a, 2, &neg_fields::x1, 9))); // a loop's repeat
    const auto r = rounds.add('A', 52, exact_b);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->ab_at_a + r->ab_at_b + r->ba_at_a + r->ba_at_b,
              0u); // the first decision
    EXPECT_FALSE(rounds.add('A', 52, exact_b));
    EXPECT_FALSE(rounds.add('A', 49, exact_b)); // below B's first counter
    EXPECT_FALSE(rounds.add('A', 60, exact_b)); // beyond its frames
    EXPECT_FALSE(rounds.add('B', 0xffffffff, exact_a));
    EXPECT_EQ(rounds.repeated(), 2u);
    EXPECT_EQ(rounds.outside_pattern(), 3u);
    EXPECT_EQ(rounds.rounds(), 1u);
    EXPECT_THROW(rounds.add('C', 1, exact_a), std::invalid_argument);
    EXPECT_THROW(rounds.add('A', 1, std::vector<std::uint8_t>(10)),
                 std::invalid_argument);
    EXPECT_THROW(lab_rounds(b, a), std::invalid_argument);
}

class lab_pattern_files : public ::testing::Test
{
protected:
    void SetUp() override
    {
        dir = std::filesystem::temp_directory_path() /
              ("fiberkey_lab_" + std::to_string(::getpid()));
        std::filesystem::create_directories(dir);
        p = pattern('B', 4, 10, 5);
        std::ofstream(dir / "b.neg", std::ios::binary)
            .write(reinterpret_cast<const char*>(p.blocks.data()),
                   static_cast<std::streamsize>(p.blocks.size()));
        std::array<unsigned char, 32> digest{};
        EVP_Digest(p.blocks.data(),
                   p.blocks.size(),
                   digest.data(),
                   nullptr,
                   EVP_sha256(),
                   nullptr);
        manifest =
            R"({"fiberkey_lab_pattern": 1, "node": "B", "direction": 1, "frames": 4,
            "first_counter": 10, "session_key": "00112233445566778899aabbccddeeff",
            "m": 496, "fec": true, "integrity": false, "arrays_file": "b.neg",
            "arrays_sha256": ")" +
            to_hex(digest) + R"("})";
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::string write(const std::string& text)
    {
        std::ofstream(dir / "b.json") << text;
        return (dir / "b").string();
    }
    std::string error_of(const std::string& text)
    {
        try {
            lab_pattern::read(write(text));
        } catch (const lab_pattern_error& e) {
            return e.what();
        }
        return "";
    }

    std::filesystem::path dir;
    lab_pattern p;
    std::string manifest;
};

std::string replaced(std::string s, const std::string& from, const std::string& to)
{
    s.replace(s.find(from), from.size(), to);
    return s;
}

TEST_F(lab_pattern_files, reads_what_fiberkey_lab_pattern_writes)
{
    const auto q = lab_pattern::read(write(manifest));
    EXPECT_EQ(q.node, 'B');
    EXPECT_EQ(q.direction, 1u);
    EXPECT_EQ(q.frames, 4u);
    EXPECT_EQ(q.first_counter, 10u);
    EXPECT_EQ(to_hex(q.session_key), "00112233445566778899aabbccddeeff");
    EXPECT_TRUE(q.fec);
    EXPECT_FALSE(q.integrity);
    EXPECT_EQ(q.blocks, p.blocks);
    EXPECT_EQ(lab_pattern::read(write(manifest) + ".json").frames, 4u);
}

TEST_F(lab_pattern_files, refuses_what_does_not_add_up)
{
    for (const auto& [from, to, says] :
         { std::tuple{ "\"node\": \"B\"", "\"node\": \"C\"", "node" },
           std::tuple{ "\"direction\": 1", "\"direction\": 0", "direction" },
           std::tuple{ "\"frames\": 4", "\"frames\": 5", "does not match" },
           std::tuple{ "\"frames\": 4", "\"frames\": 0", "frames" },
           std::tuple{
               "\"first_counter\": 10", "\"first_counter\": 4294967295", "32 bits" },
           std::tuple{ "\"m\": 496", "\"m\": 256", "array length" },
           std::tuple{ "\"m\": 496", "\"m\": 496.5", "non-negative integer" },
           std::tuple{ "\"frames\": 4", "\"frames\": 1e30", "non-negative integer" },
           std::tuple{
               "\"direction\": 1", "\"direction\": 1e20", "non-negative integer" },
           std::tuple{ "\"first_counter\": 10", "\"first_counter\": -1", "non-negative" },
           std::tuple{ "\"fec\": true", "\"fec\": 1", "fec" },
           std::tuple{ "00112233", "zz112233", "session_key" },
           std::tuple{ "\"b.neg\"", "\"../b.neg\"", "arrays_file" },
           std::tuple{ "\"b.neg\"", "\"c.neg\"", "not a readable" },
           std::tuple{
               "\"fiberkey_lab_pattern\": 1", "\"fiberkey_lab_pattern\": 2", "version" },
           std::tuple{ ", \"integrity\": false", "", "integrity" } }) {
        const auto e = error_of(replaced(manifest, from, to));
        EXPECT_NE(e.find(says), std::string::npos) << to << ": " << e;
    }
    EXPECT_NE(error_of("not json").find("not a fiberkey-lab pattern"), std::string::npos);
    // An array changed after the fact.
    p.blocks[300] ^= 1;
    std::ofstream(dir / "b.neg", std::ios::binary)
        .write(reinterpret_cast<const char*>(p.blocks.data()),
               static_cast<std::streamsize>(p.blocks.size()));
    EXPECT_NE(error_of(manifest).find("does not match its manifest"), std::string::npos);
    EXPECT_THROW(lab_pattern::read((dir / "none").string()), lab_pattern_error);
}

} // namespace
} // namespace fiberkey
