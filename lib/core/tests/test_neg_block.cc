/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/neg_block.h>

#include <gtest/gtest.h>

#include <random>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
using block_t = std::array<uint8_t, fl::block_bytes>;

nd_array random_array(std::mt19937& rng)
{
    nd_array a;
    for (auto& b : a)
        b = rng();
    return a;
}

neg_fields random_fields(std::mt19937& rng)
{
    neg_fields f;
    f.nd1_present = rng() & 1;
    f.nd2_present = rng() & 1;
    f.send_seq = f.nd1_present ? static_cast<uint16_t>(1 + rng() % 65535) : 0;
    f.response_seq = f.nd2_present ? static_cast<uint16_t>(1 + rng() % 65535) : 0;
    if (f.nd1_present) {
        f.x1 = random_array(rng);
        f.x2 = random_array(rng);
    }
    if (f.nd2_present) {
        f.y1 = random_array(rng);
        f.y2 = random_array(rng);
    }
    return f;
}
} // namespace

TEST(neg_block, round_trips)
{
    std::mt19937 rng(21);
    for (int trial = 0; trial < 1000; ++trial) {
        const auto f = random_fields(rng);
        block_t block;
        neg_block::encode(f, block);
        const auto d = neg_block::decode(block);
        EXPECT_TRUE(d.consistent());
        ASSERT_EQ(d.fields, f);
    }
}

TEST(neg_block, fields_sit_where_protocol_md_says)
{
    neg_fields f;
    f.nd1_present = f.nd2_present = true;
    f.send_seq = 0x1234;
    f.response_seq = 0xabcd;
    for (std::size_t j = 0; j < fl::nd_array_bytes; ++j) {
        f.x1[j] = static_cast<uint8_t>(j);
        f.x2[j] = static_cast<uint8_t>(0x40 + j);
        f.y1[j] = static_cast<uint8_t>(0x80 + j);
        f.y2[j] = static_cast<uint8_t>(0xc0 + j);
    }
    block_t block;
    block.fill(0xee);
    neg_block::encode(f, block);
    EXPECT_EQ(block[0], 0x03);
    EXPECT_EQ(block[1], 0x12);
    EXPECT_EQ(block[2], 0x34);
    EXPECT_EQ(block[3], 0x00);   // X1[0]
    EXPECT_EQ(block[4], 0x40);   // X2[0]
    EXPECT_EQ(block[5], 0x01);   // X1[1]
    EXPECT_EQ(block[125], 0x3d); // X1[61]
    EXPECT_EQ(block[126], 0x7d); // X2[61]
    EXPECT_EQ(block[127], 0xab);
    EXPECT_EQ(block[128], 0xcd);
    EXPECT_EQ(block[129], 0x80); // Y1[0]
    EXPECT_EQ(block[130], 0xc0); // Y2[0]
    EXPECT_EQ(block[251], 0xbd); // Y1[61]
    EXPECT_EQ(block[252], 0xfd); // Y2[61]
    EXPECT_EQ(block[253], 0x00);
    EXPECT_EQ(block[254], 0x00);
}

TEST(neg_block, absent_arrays_are_written_as_zeros)
{
    neg_fields f;
    f.x1.fill(0xff);
    f.y2.fill(0xff);
    block_t block;
    block.fill(0xee);
    neg_block::encode(f, block);
    for (auto b : block)
        EXPECT_EQ(b, 0);
}

TEST(neg_block, refuses_flags_that_disagree_with_sequences)
{
    block_t block;
    neg_fields f;
    f.nd1_present = true;
    EXPECT_THROW(neg_block::encode(f, block), std::invalid_argument);
    f = {};
    f.response_seq = 7;
    EXPECT_THROW(neg_block::encode(f, block), std::invalid_argument);
}

TEST(neg_block, reports_inconsistent_received_blocks)
{
    block_t block{};
    block[0] = fl::neg_status_nd1; // present, but send sequence 0
    auto d = neg_block::decode(block);
    EXPECT_TRUE(d.fields.nd1_present);
    EXPECT_FALSE(d.nd1_consistent);
    EXPECT_TRUE(d.nd2_consistent);
    EXPECT_FALSE(d.consistent());

    block = {};
    block[128] = 9; // response sequence 9, but status says no ND2
    d = neg_block::decode(block);
    EXPECT_FALSE(d.fields.nd2_present);
    EXPECT_EQ(d.fields.response_seq, 9);
    EXPECT_FALSE(d.nd2_consistent);
    EXPECT_TRUE(d.nd1_consistent);

    block = {};
    block[0] = 0x80;
    EXPECT_FALSE(neg_block::decode(block).reserved_zero);
    block = {};
    block[254] = 1;
    EXPECT_FALSE(neg_block::decode(block).reserved_zero);
    block = {};
    EXPECT_TRUE(neg_block::decode(block).consistent());
}

TEST(neg_block, decodes_any_bytes)
{
    std::mt19937 rng(22);
    for (int trial = 0; trial < 10000; ++trial) {
        block_t block;
        for (auto& b : block)
            b = rng();
        const auto d = neg_block::decode(block);
        EXPECT_EQ(d.fields.x1[5], block[3 + 10]);
        EXPECT_EQ(d.fields.y2[61], block[252]);
        EXPECT_EQ(d.nd1_consistent, d.fields.nd1_present == (d.fields.send_seq != 0));
    }
}
