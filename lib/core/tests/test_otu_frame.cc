/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/g709_fec.h>
#include <fiberkey/otu_frame.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <vector>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {

struct parts {
    std::vector<uint8_t> payload, neg, info;
};

// FIXED SEED: reproducible test data.
parts random_parts(std::mt19937& rng, std::size_t info_bytes = fl::int_info_bytes)
{
    parts p{ std::vector<uint8_t>(fl::payload_bytes),
             std::vector<uint8_t>(fl::block_bytes),
             std::vector<uint8_t>(info_bytes) };
    for (auto* part : { &p.payload, &p.neg, &p.info })
        for (auto& b : *part)
            b = static_cast<uint8_t>(rng());
    return p;
}

std::vector<uint8_t> built(const otu_frame::header& h, const parts& p)
{
    std::vector<uint8_t> f(fl::frame_bytes, 0xaa); // build must overwrite everything
    otu_frame::build(
        otu_frame::frame_ref(f.data(), fl::frame_bytes), h, p.payload, p.neg, p.info);
    return f;
}

otu_frame::const_frame_ref view(const std::vector<uint8_t>& f)
{
    return otu_frame::const_frame_ref(f.data(), fl::frame_bytes);
}

} // namespace

TEST(otu_frame, fields_sit_where_protocol_md_puts_them)
{
    std::mt19937 rng(1);
    const auto p = random_parts(rng, 100);
    const auto f = built({ 0x12345678, 2, false }, p);
    EXPECT_TRUE(std::equal(fl::fas_pattern.begin(), fl::fas_pattern.end(), f.begin()));
    EXPECT_EQ(f[fl::mfas], 0x78);
    EXPECT_EQ(f[10], 0x12);
    EXPECT_EQ(f[11], 0x34);
    EXPECT_EQ(f[12], 0x56);
    EXPECT_EQ(f[fl::epoch_flags], 2);
    // Payload: row by row, columns 16..3823.
    for (std::size_t r = 0; r < fl::rows; ++r)
        for (std::size_t c = 0; c < fl::payload_columns.length; ++c)
            ASSERT_EQ(f[fl::at(r, fl::payload_columns.offset + c)],
                      p.payload[r * fl::payload_columns.length + c]);
    // Every other OTU byte (overhead, OPU overhead, FEC columns) is zero.
    for (std::size_t r = 0; r < fl::rows; ++r)
        for (std::size_t c = r == 0 ? fl::clear_overhead_columns : 0; c < fl::columns;
             ++c) {
            if (c < fl::payload_columns.offset || c >= fl::payload_columns.end()) {
                ASSERT_EQ(f[fl::at(r, c)], 0) << "row " << r << " column " << c;
            }
        }
    EXPECT_TRUE(std::equal(p.neg.begin(), p.neg.end(), f.begin() + fl::neg.offset));
    // INT: 100 information bytes, zero padding to 239, then a valid RS(255,239) parity.
    EXPECT_TRUE(std::equal(p.info.begin(), p.info.end(), f.begin() + fl::intb.offset));
    for (std::size_t i = p.info.size(); i < fl::int_info_bytes; ++i)
        ASSERT_EQ(f[fl::intb.offset + i], 0);
    std::array<uint8_t, rs255::n> cw;
    std::copy_n(f.begin() + fl::intb.offset, rs255::n, cw.begin());
    EXPECT_EQ(rs255::decode(cw), 0);
}

TEST(otu_frame, empty_parts_give_zeros_and_an_empty_neg_block)
{
    const auto f = built({ 7, 0, false }, parts{});
    EXPECT_EQ(otu_frame::read_counter(f.data()), 7u);
    for (std::size_t i = fl::clear_overhead_columns; i < fl::frame_bytes; ++i)
        ASSERT_EQ(f[i], 0) << i; // an all-zero INT codeword has zero parity
}

TEST(otu_frame, take_apart_gives_back_what_went_in)
{
    std::mt19937 rng(2);
    for (int trial = 0; trial < 200; ++trial) {
        const otu_frame::header h{ static_cast<uint32_t>(rng()),
                                   static_cast<unsigned>(rng() % 4),
                                   (rng() & 1) != 0 };
        const auto p = random_parts(rng, rng() % (fl::int_info_bytes + 1));
        const auto f = built(h, p);
        const auto got = otu_frame::read_header(f.data());
        ASSERT_EQ(got.counter, h.counter);
        ASSERT_EQ(got.epoch, h.epoch);
        ASSERT_EQ(got.clear, h.clear);
        std::vector<uint8_t> payload(fl::payload_bytes);
        otu_frame::read_payload(view(f),
                                otu_frame::payload_ref(payload.data(), payload.size()));
        ASSERT_EQ(payload, p.payload);
        const auto neg = otu_frame::neg_block(view(f));
        ASSERT_TRUE(std::equal(neg.begin(), neg.end(), p.neg.begin()));
        const auto d = otu_frame::decode_int(view(f));
        ASSERT_EQ(d.corrected, 0);
        ASSERT_TRUE(std::equal(p.info.begin(), p.info.end(), d.info.begin()));
    }
}

TEST(otu_frame, int_block_corrects_up_to_eight_symbols_and_reports_more)
{
    std::mt19937 rng(3);
    int uncorrectable = 0;
    for (int trial = 0; trial < 100; ++trial) {
        const auto p = random_parts(rng);
        auto f = built({}, p);
        const int errors = trial % 2 ? 8 : 16;
        std::vector<std::size_t> at(fl::block_bytes);
        for (std::size_t i = 0; i < at.size(); ++i)
            at[i] = i;
        std::shuffle(at.begin(), at.end(), rng);
        for (int e = 0; e < errors; ++e)
            f[fl::intb.offset + at[e]] ^= static_cast<uint8_t>(1 + rng() % 255);
        const auto d = otu_frame::decode_int(view(f));
        if (errors == 8) {
            ASSERT_EQ(d.corrected, 8);
            ASSERT_TRUE(std::equal(p.info.begin(), p.info.end(), d.info.begin()));
        } else {
            uncorrectable += !d.ok();
        }
    }
    // 16 symbol errors lie beyond t = 8: nearly always detected (a miscorrection is
    // possible with any bounded-distance decoder, but rare).
    EXPECT_GE(uncorrectable, 48);
}

TEST(otu_frame, wrong_sizes_are_refused)
{
    std::vector<uint8_t> f(fl::frame_bytes);
    const otu_frame::frame_ref out(f.data(), f.size());
    const std::vector<uint8_t> small(100), neg(fl::block_bytes),
        big(fl::int_info_bytes + 1);
    EXPECT_THROW(otu_frame::build(out, {}, small, {}, {}), std::invalid_argument);
    EXPECT_THROW(otu_frame::build(out, {}, {}, small, {}), std::invalid_argument);
    EXPECT_THROW(otu_frame::build(out, {}, {}, neg, big), std::invalid_argument);
    EXPECT_THROW(otu_frame::build(out, { 0, 4, false }, {}, {}, {}),
                 std::invalid_argument);
    EXPECT_THROW(otu_frame::write_int(out, big), std::invalid_argument);
    EXPECT_NO_THROW(otu_frame::build(out, { 0, 3, false }, {}, neg, small));
}

TEST(otu_frame, a_clear_frame_keeps_overhead_and_int_only)
{
    std::mt19937 rng(4);
    const auto p = random_parts(rng);
    const auto plain = built({ 99, 3, false }, p);
    auto f = plain;
    otu_frame::make_clear(otu_frame::frame_ref(f.data(), f.size()));
    const auto h = otu_frame::read_header(f.data());
    EXPECT_TRUE(h.clear);
    EXPECT_EQ(h.epoch, 0u);
    EXPECT_EQ(h.counter, 99u);
    // Exactly the covered bytes other than INT are zero; the rest is untouched.
    std::vector<bool> zeroed(fl::frame_bytes, false);
    for (const auto& s : fl::encrypted_spans)
        for (std::size_t i = s.offset; i < s.end(); ++i)
            zeroed[i] = i < fl::intb.offset;
    for (std::size_t i = 0; i < fl::frame_bytes; ++i) {
        if (i == fl::epoch_flags)
            continue;
        ASSERT_EQ(f[i], zeroed[i] ? 0 : plain[i]) << i;
    }
    EXPECT_TRUE(otu_frame::decode_int(view(f)).ok());
}

TEST(otu_frame, mark_epoch_clears_the_clear_flag_and_keeps_the_rest)
{
    std::vector<uint8_t> f(fl::frame_bytes);
    f[fl::epoch_flags] = 0xf0 | fl::flag_clear | 1;
    otu_frame::mark_epoch(f.data(), 2);
    EXPECT_EQ(f[fl::epoch_flags], 0xf2);
    const auto h = otu_frame::read_header(f.data());
    EXPECT_FALSE(h.clear);
    EXPECT_EQ(h.epoch, 2u);
}

TEST(otu_frame, link_start_allows_clear_frames_only_before_the_first_key)
{
    otu_frame::link_start_policy never(false);
    EXPECT_FALSE(never.clear_allowed());
    otu_frame::link_start_policy start(true);
    EXPECT_TRUE(start.clear_allowed());
    start.keyed();
    EXPECT_FALSE(start.clear_allowed());
}
