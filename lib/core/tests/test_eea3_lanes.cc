/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eea3_lanes.h>
#include <fiberkey/hex.h>
#include <fiberkey/zuc.h>

#include <gtest/gtest.h>

#include <numeric>
#include <random>

using namespace fiberkey;

namespace {
// Keystream of the given lanes: encrypting zeros in place.
std::vector<uint8_t> keystream(eea3_lanes& lanes,
                               std::span<const uint8_t, 16> key,
                               uint32_t count,
                               unsigned direction,
                               const std::vector<uint32_t>& lane_bytes)
{
    std::vector<uint8_t> out(std::accumulate(lane_bytes.begin(), lane_bytes.end(), 0u),
                             0);
    std::vector<eea3_lanes::lane> io;
    std::size_t pos = 0;
    for (auto n : lane_bytes) {
        io.push_back({ out.data() + pos, out.data() + pos, n });
        pos += n;
    }
    lanes.crypt(key, count, direction, io);
    return out;
}
} // namespace

class every_backend : public ::testing::TestWithParam<zuc_backend>
{
};

TEST_P(every_backend, corner_case_vector_in_every_lane_count)
{
    // The vector that Debian's libipsec-mb 1.3 gets wrong outside groups of four lanes.
    const auto key = from_hex("000102030405060708090a0b0c0d0e0f");
    const std::string expected =
        "f555336501312ed77208c8fc30b5a44a7d097d6e744e1040075f4785126999d56eb23b972a";
    auto lanes = eea3_lanes::make(GetParam());
    for (unsigned n = 1; n <= 16; ++n) {
        const auto out = keystream(*lanes,
                                   std::span<const uint8_t, 16>(key.data(), 16),
                                   0xcf50724b,
                                   0,
                                   std::vector<uint32_t>(n, 37));
        EXPECT_EQ(to_hex(std::span<const uint8_t>(out).first(37)), expected)
            << n << " lanes";
    }
}

TEST_P(every_backend, agrees_with_single_lane_eea3_on_random_input)
{
    auto lanes = eea3_lanes::make(GetParam());
    std::mt19937 rng(3);
    for (int trial = 0; trial < 1500; ++trial) {
        std::array<uint8_t, 16> key;
        for (auto& b : key)
            b = rng();
        const uint32_t count = rng();
        const unsigned direction = rng() & 1;
        const unsigned n = 1 + rng() % eea3_lanes::max_lanes;
        std::vector<uint32_t> lane_bytes(n);
        for (auto& b : lane_bytes)
            b = (trial % 10 == 0) ? eea3_lanes::max_lane_bytes : rng() % 1200;
        const auto out = keystream(*lanes, key, count, direction, lane_bytes);
        std::size_t pos = 0;
        for (unsigned lane = 0; lane < n; ++lane) {
            std::vector<uint8_t> ref(lane_bytes[lane], 0);
            eea3::crypt(key, count, lane, direction, ref, uint64_t(lane_bytes[lane]) * 8);
            ASSERT_TRUE(std::equal(ref.begin(), ref.end(), out.begin() + pos))
                << "trial " << trial << " lane " << lane << " of " << n;
            pos += lane_bytes[lane];
        }
    }
}

TEST_P(every_backend, encrypts_out_of_place)
{
    auto lanes = eea3_lanes::make(GetParam());
    std::mt19937 rng(5);
    std::array<uint8_t, 16> key;
    for (auto& b : key)
        b = rng();
    std::vector<uint8_t> plain(16 * 300), cipher(plain.size());
    for (auto& b : plain)
        b = rng();
    std::vector<eea3_lanes::lane> io;
    for (unsigned i = 0; i < 16; ++i)
        io.push_back({ plain.data() + 300 * i, cipher.data() + 300 * i, 300 });
    lanes->crypt(key, 42, 1, io);
    const auto ks = keystream(*lanes, key, 42, 1, std::vector<uint32_t>(16, 300));
    for (std::size_t i = 0; i < plain.size(); ++i)
        ASSERT_EQ(cipher[i], plain[i] ^ ks[i]) << i;
}

TEST_P(every_backend, rejects_bad_arguments)
{
    auto lanes = eea3_lanes::make(GetParam());
    std::array<uint8_t, 16> key{};
    std::vector<uint8_t> buf(eea3_lanes::max_lane_bytes + 1);
    const eea3_lanes::lane ok{ buf.data(), buf.data(), 10 };
    const std::vector<eea3_lanes::lane> too_many(33, ok);
    const std::vector<eea3_lanes::lane> too_long{ { buf.data(), buf.data(), 8189 } };
    const std::vector<eea3_lanes::lane> no_buffer{ { nullptr, buf.data(), 1 } };
    const std::vector<eea3_lanes::lane> one{ ok };
    EXPECT_THROW(lanes->crypt(key, 0, 0, too_many), std::invalid_argument);
    EXPECT_THROW(lanes->crypt(key, 0, 0, too_long), std::invalid_argument);
    EXPECT_THROW(lanes->crypt(key, 0, 0, no_buffer), std::invalid_argument);
    EXPECT_THROW(lanes->crypt(key, 0, 2, one), std::invalid_argument);
}

INSTANTIATE_TEST_SUITE_P(backends,
                         every_backend,
                         ::testing::ValuesIn(available_zuc_backends()),
                         [](const auto& info) {
                             std::string s = to_string(info.param);
                             std::replace(s.begin(), s.end(), '-', '_');
                             return s;
                         });

TEST(zuc_backend, names_round_trip)
{
    for (auto b : available_zuc_backends())
        EXPECT_EQ(parse_zuc_backend(to_string(b)), b);
    EXPECT_THROW(parse_zuc_backend("fast"), std::invalid_argument);
}
