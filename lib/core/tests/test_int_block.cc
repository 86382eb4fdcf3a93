/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/g709_fec.h>
#include <fiberkey/int_block.h>

#include <gtest/gtest.h>

#include <random>
#include <set>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
using block_t = std::array<uint8_t, fl::block_bytes>;

std::vector<uint8_t> random_bytes(std::size_t n, std::mt19937& rng)
{
    std::vector<uint8_t> v(n);
    for (auto& b : v)
        b = rng();
    return v;
}

int_record random_record(std::mt19937& rng)
{
    switch (rng() % 4) {
    case 0: {
        int_c_feedback c;
        c.direction = rng() & 1;
        c.sequence = static_cast<uint16_t>(1 + rng() % 65535);
        c.bits = static_cast<uint16_t>(rng() % 3 == 0 ? 496 : 1 + rng() % 600);
        c.c = random_bytes((c.bits + 7) / 8, rng);
        return c;
    }
    case 1:
        return int_round{ static_cast<uint8_t>(rng() & 1),
                          static_cast<uint16_t>(rng()),
                          static_cast<uint16_t>(rng()) };
    case 2: {
        int_fragment f;
        f.stream = rng();
        f.message_seq = rng();
        f.count = static_cast<uint8_t>(1 + rng() % 255);
        f.index = static_cast<uint8_t>(rng() % f.count);
        f.data = random_bytes(rng() % 120, rng);
        return f;
    }
    default:
        return int_ack{ static_cast<uint8_t>(rng()), static_cast<uint16_t>(rng()) };
    }
}

//! Fills a writer with random records until one does not fit; returns what went in.
std::vector<int_record> fill(int_writer& w, std::mt19937& rng)
{
    std::vector<int_record> records;
    for (;;) {
        auto r = random_record(rng);
        if (!w.add(r))
            return records;
        records.push_back(std::move(r));
    }
}

block_t write(const std::vector<int_record>& records)
{
    int_writer w;
    for (const auto& r : records)
        EXPECT_TRUE(w.add(r));
    block_t block;
    w.finish(block);
    return block;
}

//! A block whose information bytes are \p info (zero-extended) with valid parity.
block_t with_parity(std::vector<uint8_t> info)
{
    info.resize(fl::int_info_bytes);
    block_t block{};
    std::copy(info.begin(), info.end(), block.begin());
    rs255::encode(std::span(block).first<rs255::k>(),
                  std::span(block).last<rs255::parity_bytes>());
    return block;
}

void corrupt(block_t& block, int count, std::mt19937& rng)
{
    std::set<std::size_t> positions;
    while (positions.size() < static_cast<std::size_t>(count))
        positions.insert(rng() % block.size());
    for (auto p : positions)
        block[p] ^= static_cast<uint8_t>(1 + rng() % 255);
}
} // namespace

TEST(int_block, round_trips_random_record_sets)
{
    std::mt19937 rng(31);
    for (int trial = 0; trial < 2000; ++trial) {
        int_writer w;
        const auto records = fill(w, rng);
        block_t block;
        w.finish(block);
        const auto parsed = parse_int_block(block);
        ASSERT_TRUE(parsed.ok()) << to_string(parsed.error);
        EXPECT_EQ(parsed.corrected_symbols, 0);
        ASSERT_EQ(parsed.records, records);
    }
}

TEST(int_block, an_empty_block_is_all_zero_and_parses_to_nothing)
{
    int_writer w;
    EXPECT_EQ(w.space_left(), 239u);
    block_t block;
    block.fill(0xee);
    w.finish(block);
    for (auto b : block)
        EXPECT_EQ(b, 0);
    const auto parsed = parse_int_block(block);
    EXPECT_TRUE(parsed.ok());
    EXPECT_TRUE(parsed.records.empty());
}

TEST(int_block, wire_format_is_as_documented)
{
    int_c_feedback c{ 1, 0x0102, 496, std::vector<uint8_t>(62, 0xaa) };
    const auto block = write({ int_round{ 0, 0x1234, 0x5678 }, c, int_ack{ 9, 0xbeef } });
    const std::vector<uint8_t> head{ 2, 5,  0, 0x12, 0x34, 0x56, 0x78,
                                     1, 67, 1, 1,    2,    1,    0xf0 };
    EXPECT_TRUE(std::equal(head.begin(), head.end(), block.begin()));
    EXPECT_EQ(block[14], 0xaa);
    const std::size_t ack = 7 + 2 + 67;
    EXPECT_EQ(block[ack], 4);
    EXPECT_EQ(block[ack + 1], 3);
    EXPECT_EQ(block[ack + 2], 9);
    EXPECT_EQ(block[ack + 3], 0xbe);
    EXPECT_EQ(block[ack + 4], 0xef);
    EXPECT_EQ(block[ack + 5], 0); // padding
    EXPECT_EQ(int_writer::encoded_size(c), 69u);
}

TEST(int_block, writer_refuses_what_does_not_fit_and_what_is_malformed)
{
    int_writer w;
    int_fragment big{ 1, 2, 0, 1, std::vector<uint8_t>(232) };
    EXPECT_EQ(int_writer::encoded_size(big), 239u);
    EXPECT_TRUE(w.add(big));
    EXPECT_EQ(w.space_left(), 0u);
    EXPECT_FALSE(w.add(int_ack{}));
    w.clear();
    EXPECT_EQ(w.space_left(), 239u);

    big.data.push_back(0);
    EXPECT_THROW(w.add(big), std::invalid_argument);
    EXPECT_THROW(w.add(int_round{ 2, 1, 1 }), std::invalid_argument);
    EXPECT_THROW(w.add(int_c_feedback{ 0, 0, 8, { 0 } }), std::invalid_argument);
    EXPECT_THROW(w.add(int_c_feedback{ 0, 1, 9, { 0 } }), std::invalid_argument);
    EXPECT_THROW(w.add(int_fragment{ 0, 0, 3, 3, {} }), std::invalid_argument);
    EXPECT_THROW(w.add(int_fragment{ 0, 0, 0, 0, {} }), std::invalid_argument);
    EXPECT_EQ(w.space_left(), 239u);
}

TEST(int_block, corrupted_blocks_within_rs_capacity_parse_exactly)
{
    std::mt19937 rng(32);
    for (int trial = 0; trial < 1000; ++trial) {
        int_writer w;
        const auto records = fill(w, rng);
        block_t block;
        w.finish(block);
        const int errors = trial % (rs255::t + 1);
        corrupt(block, errors, rng);
        const auto parsed = parse_int_block(block);
        ASSERT_TRUE(parsed.ok()) << to_string(parsed.error);
        EXPECT_EQ(parsed.corrected_symbols, errors);
        ASSERT_EQ(parsed.records, records);
    }
}

TEST(int_block, beyond_rs_capacity_is_dropped_whole)
{
    std::mt19937 rng(33);
    int_block_counters counters;
    for (int trial = 0; trial < 1000; ++trial) {
        int_writer w;
        const auto records = fill(w, rng);
        block_t block;
        w.finish(block);
        corrupt(block, 9 + trial % 40, rng);
        const auto parsed = parse_int_block(block);
        counters.count(parsed);
        if (parsed.ok())
            EXPECT_NE(parsed.records, records) << "only a miscorrection can parse";
        else
            EXPECT_TRUE(parsed.records.empty());
    }
    EXPECT_GE(counters.uncorrectable, 995u);
    EXPECT_EQ(counters.accepted + counters.uncorrectable + counters.rejected, 1000u);
}

TEST(int_block, malformed_records_reject_the_whole_block)
{
    struct bad_case {
        std::vector<uint8_t> info;
        int_error error;
        std::size_t offset;
    };
    const std::vector<bad_case> cases{
        { { 4, 3, 1, 0, 1, 5, 0 }, int_error::unknown_type, 5 },
        { { 0, 1 }, int_error::padding_not_zero, 0 },
        { { 4, 3, 1, 0, 1, 0, 0, 7 }, int_error::padding_not_zero, 5 },
        { { 2, 4, 0, 0, 1, 0 }, int_error::bad_length, 0 },
        { { 4, 4, 0, 0, 1, 0 }, int_error::bad_length, 0 },
        { { 1, 4, 0, 0, 1, 0 }, int_error::bad_length, 0 },
        { { 1, 6, 0, 0, 1, 0, 9, 0 }, int_error::bad_length, 0 }, // 9 bits need 2 bytes
        { { 3, 4, 0, 0, 1, 0 }, int_error::bad_length, 0 },
        { { 2, 5, 2, 0, 1, 0, 1 }, int_error::bad_field, 0 },       // direction 2
        { { 1, 6, 0, 0, 0, 0, 8, 0xff }, int_error::bad_field, 0 }, // sequence 0
        { { 1, 5, 0, 0, 1, 0, 0 }, int_error::bad_field, 0 },       // 0 bits
        { { 3, 5, 0, 0, 1, 2, 2 }, int_error::bad_field, 0 },       // index 2 of 2
        { { 3, 5, 0, 0, 1, 0, 0 }, int_error::bad_field, 0 },       // count 0
        { { 3, 250 }, int_error::length_overrun, 0 },
    };
    for (const auto& c : cases) {
        const auto parsed = parse_int_block(with_parity(c.info));
        EXPECT_EQ(parsed.error, c.error) << to_string(parsed.error);
        EXPECT_EQ(parsed.error_offset, c.offset);
        EXPECT_TRUE(parsed.records.empty());
    }

    // A record header in the very last information byte has no room for its length.
    std::vector<uint8_t> info(fl::int_info_bytes);
    info[0] = 3;
    info[1] = 236; // a fragment filling bytes 0..237
    info[6] = 1;   // count
    info[238] = 4;
    auto parsed = parse_int_block(with_parity(info));
    EXPECT_EQ(parsed.error, int_error::length_overrun);
    EXPECT_EQ(parsed.error_offset, 238u);
    info[238] = 0x99;
    EXPECT_EQ(parse_int_block(with_parity(info)).error, int_error::unknown_type);
    info[238] = 0;
    parsed = parse_int_block(with_parity(info));
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed.records.size(), 1u);
    EXPECT_EQ(std::get<int_fragment>(parsed.records[0]).data.size(), 231u);
}

TEST(int_block, random_inputs_never_crash_and_parse_consistently)
{
    // Whatever parses must come back byte for byte through the writer.
    auto check = [](const block_t& block) {
        const auto parsed = parse_int_block(block);
        if (!parsed.ok()) {
            EXPECT_TRUE(parsed.records.empty());
            return false;
        }
        auto corrected = block;
        rs255::decode(corrected);
        const auto rewritten = write(parsed.records);
        EXPECT_EQ(rewritten, corrected);
        return true;
    };
    std::mt19937 rng(34);
    int_block_counters counters;
    for (int trial = 0; trial < 100000; ++trial) {
        block_t block;
        for (auto& b : block)
            b = rng();
        counters.count(parse_int_block(block));
        check(block);
    }
    EXPECT_EQ(counters.accepted + counters.uncorrectable + counters.rejected, 100000u);

    // Valid parity over mutated records reaches the record parser every time.
    int accepted = 0;
    for (int trial = 0; trial < 20000; ++trial) {
        int_writer w;
        fill(w, rng);
        block_t block;
        w.finish(block);
        std::vector<uint8_t> info(block.begin(), block.begin() + fl::int_info_bytes);
        for (int m = 0, n = 1 + static_cast<int>(rng() % 3); m < n; ++m)
            info[rng() % info.size()] =
                static_cast<uint8_t>(rng() % 8 == 0 ? rng() : rng() % 6);
        accepted += check(with_parity(info));
    }
    EXPECT_GT(accepted, 0);
    EXPECT_LT(accepted, 20000);
}

TEST(int_block, every_error_has_a_name)
{
    for (auto e : { int_error::none,
                    int_error::uncorrectable,
                    int_error::unknown_type,
                    int_error::length_overrun,
                    int_error::bad_length,
                    int_error::bad_field,
                    int_error::padding_not_zero })
        EXPECT_STRNE(to_string(e), "?");
}
