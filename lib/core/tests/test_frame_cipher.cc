/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_cipher.h>
#include <fiberkey/zuc.h>

#include <gtest/gtest.h>

#include <numeric>
#include <random>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
std::vector<uint8_t> random_frame(std::mt19937& rng)
{
    std::vector<uint8_t> f(fl::frame_bytes);
    for (auto& b : f)
        b = rng();
    return f;
}

bool encrypted(std::size_t offset)
{
    for (const auto& s : fl::encrypted_spans)
        if (offset >= s.offset && offset < s.end())
            return true;
    return false;
}
} // namespace

TEST(frame_layout, encrypted_region_matches_protocol)
{
    // FAS, MFAS and the clear OTU overhead: row 0, columns 0-13.
    for (std::size_t c = 0; c < 14; ++c)
        EXPECT_FALSE(encrypted(fl::at(0, c)));
    for (std::size_t r = 1; r < 4; ++r)
        EXPECT_TRUE(encrypted(fl::at(r, 0))) << "ODU overhead of row " << r;
    for (std::size_t r = 0; r < 4; ++r) {
        EXPECT_TRUE(encrypted(fl::at(r, 3823)));
        for (std::size_t c = 3824; c < 4080; ++c)
            EXPECT_FALSE(encrypted(fl::at(r, c))) << "FEC column " << c;
    }
    EXPECT_TRUE(encrypted(fl::neg.offset));
    EXPECT_TRUE(encrypted(fl::frame_bytes - 1));
    const auto& lanes = frame_cipher::lane_bytes();
    EXPECT_EQ(std::accumulate(lanes.begin(), lanes.end(), std::size_t{ 0 }),
              fl::encrypted_bytes());
    for (auto n : lanes)
        EXPECT_EQ(n, 987u);
}

TEST(frame_cipher, equals_sixteen_eea3_lanes_over_the_gathered_region)
{
    std::mt19937 rng(11);
    frame_cipher cipher;
    for (int trial = 0; trial < 20; ++trial) {
        std::array<uint8_t, 16> key;
        for (auto& b : key)
            b = rng();
        const uint32_t count = rng();
        const unsigned direction = rng() & 1;
        const auto plain = random_frame(rng);

        auto frame = plain;
        cipher.crypt(frame, key, count, direction);

        // Independent computation: gather, encrypt lane by lane, compare.
        std::vector<uint8_t> region;
        for (const auto& s : fl::encrypted_spans)
            region.insert(
                region.end(), plain.begin() + s.offset, plain.begin() + s.end());
        std::size_t pos = 0;
        for (unsigned lane = 0; lane < frame_cipher::lanes; ++lane) {
            const auto n = frame_cipher::lane_bytes()[lane];
            eea3::crypt(key,
                        count,
                        lane,
                        direction,
                        std::span<uint8_t>(region).subspan(pos, n),
                        uint64_t(n) * 8);
            pos += n;
        }
        std::vector<uint8_t> expected_region;
        for (const auto& s : fl::encrypted_spans)
            expected_region.insert(
                expected_region.end(), frame.begin() + s.offset, frame.begin() + s.end());
        EXPECT_EQ(expected_region, region);
        for (std::size_t i = 0; i < fl::frame_bytes; ++i) {
            if (!encrypted(i)) {
                ASSERT_EQ(frame[i], plain[i]) << "clear byte " << i << " changed";
            }
        }

        cipher.crypt(frame, key, count, direction);
        EXPECT_EQ(frame, plain);

        std::vector<uint8_t> out_of_place(fl::frame_bytes, 0);
        cipher.crypt(plain, out_of_place, key, count, direction);
        cipher.crypt(frame, key, count, direction);
        EXPECT_EQ(out_of_place, frame) << "out of place equals in place";
    }
}

TEST(frame_cipher, backends_agree)
{
    std::mt19937 rng(12);
    frame_cipher portable(zuc_backend::portable);
    for (auto b : available_zuc_backends()) {
        frame_cipher other(b);
        for (int trial = 0; trial < 50; ++trial) {
            std::array<uint8_t, 16> key;
            for (auto& x : key)
                x = rng();
            const uint32_t count = rng();
            auto f1 = random_frame(rng);
            auto f2 = f1;
            portable.crypt(f1, key, count, 1);
            other.crypt(f2, key, count, 1);
            ASSERT_EQ(f1, f2) << to_string(b);
        }
    }
}

TEST(frame_cipher, rejects_wrong_frame_size)
{
    frame_cipher cipher;
    std::array<uint8_t, 16> key{};
    std::vector<uint8_t> short_frame(fl::frame_bytes - 1);
    EXPECT_THROW(cipher.crypt(short_frame, key, 0, 0), std::invalid_argument);
}
