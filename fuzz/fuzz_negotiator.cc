/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The negotiator's receive path: NEG blocks (neg_block::decode) and INT records
// (parse_int_block) into negotiator::receive. Two nodes, A and B, negotiate frame by
// frame through a channel that the input drives.
//
// Input: [config u8] (the first send sequence is 65535 - config, to cross the wrap),
// then one op per frame exchanged [op u8]; bits 0-1 act on A's frame to B, bits 2-3 on
// B's frame to A:
//   0 delivered as sent     1 lost whole
//   2 [errors u8][errors % 8 x (at u8, xor u8)] on the NEG block
//   3 [errors u8][errors % 8 x (at u8, xor u8)] on the INT block (RS may correct them)
// and op bit 4 (bit 5) replaces the INT information bytes of A's (B's) frame with
// [length u8][bytes], zero-padded, with their RS parity: records made up. At most 128
// frames (further ops are ignored), then 24 clean ones settle what is in flight.
// The RS(255,239) code of the INT block runs only when an op touches the block (3, or
// records made up): an INT block delivered as sent parses, as the receiver's
// parse_int_block would, through parse_int_info of its information bytes, without the
// encode and decode that would give back the same bytes (a third of the time).
// Checks, besides the sanitizers: every queue stays within its configured bound; and
// when no record was made up and no leader missed a verdict, both nodes end up with the
// same rounds of each direction once a few clean frames have settled what was in flight
// (negotiator.h: agreement on the surviving rounds).
#include "fuzz_input.h"

#include <fiberkey/g709_fec.h>
#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/negotiator.h>

#include <array>
#include <set>
#include <utility>

namespace fl = fiberkey::frame_layout;
using namespace fiberkey;

namespace {

using block = std::array<std::uint8_t, fl::block_bytes>;

constexpr std::uint32_t max_frames = 128;

struct line_frame {
    block neg{}, intb{};
    int_writer info;
    bool int_as_sent = true; // intb holds nothing yet: the info bytes are the block's

    //! The INT block with its RS parity, for ops that change it.
    block& int_block()
    {
        if (int_as_sent)
            info.finish(intb);
        int_as_sent = false;
        return intb;
    }
    int_parse_result parse_int() const
    {
        if (!int_as_sent)
            return parse_int_block(intb);
        std::array<std::uint8_t, fl::int_info_bytes> padded{};
        std::copy(info.records().begin(), info.records().end(), padded.begin());
        return parse_int_info(padded);
    }
};

line_frame encode(const negotiator_frame& f)
{
    line_frame out;
    neg_block::encode(f.neg, out.neg);
    for (const auto& r : f.int_records)
        FUZZ_CHECK(out.info.add(r));
    return out;
}

void corrupt(fuzz::input& in, block& b)
{
    const unsigned errors = in.u8() % 8;
    for (unsigned e = 0; e < errors; ++e) {
        const std::size_t at = in.u8() % fl::block_bytes;
        b[at] ^= in.u8();
    }
}

void replace_info(fuzz::input& in, block& b)
{
    std::array<std::uint8_t, fl::int_info_bytes> info{};
    const auto given = in.bytes(in.u8() % (fl::int_info_bytes + 1));
    std::copy(given.begin(), given.end(), info.begin());
    std::copy(info.begin(), info.end(), b.begin());
    rs255::encode(std::span<const std::uint8_t, rs255::k>(info),
                  std::span<std::uint8_t, rs255::parity_bytes>(b.data() + rs255::k,
                                                               rs255::parity_bytes));
}

void check_bounds(const negotiator& n)
{
    const auto q = n.queue_sizes();
    const auto& c = n.config();
    FUZZ_CHECK(q.responses_to_send <= c.max_responses_to_send);
    FUZZ_CHECK(q.awaiting_response <= c.max_rounds_in_flight);
    FUZZ_CHECK(q.c1_to_send <= c.max_rounds_in_flight);
    FUZZ_CHECK(q.awaiting_verdict <= c.max_rounds_in_flight);
    FUZZ_CHECK(q.awaiting_c1 <= c.max_rounds_in_flight);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    negotiator_config c;
    c.first_send_seq = static_cast<std::uint16_t>(65535 - in.u8());
    c.max_responses_to_send = 4;
    c.max_rounds_in_flight = 8;
    c.round_timeout_frames = 16;
    c.direction = 0;
    negotiator a(c, std::make_unique<test_only_seeded_random_source>(1));
    c.direction = 1;
    negotiator b(c, std::make_unique<test_only_seeded_random_source>(2));

    // Rounds finished at each node: {direction, sequence}.
    std::set<std::pair<unsigned, unsigned>> done[2];
    bool made_up = false;
    auto exchange = [&](std::uint8_t op) {
        line_frame frames[2] = { encode(a.transmit()), encode(b.transmit()) };
        negotiator* to[2] = { &b, &a };
        for (int side = 0; side < 2; ++side) {
            auto& f = frames[side];
            const unsigned action = (op >> (2 * side)) & 3;
            if (op & (0x10 << side)) {
                replace_info(in, f.int_block());
                made_up = true;
            }
            if (action == 1)
                continue;
            if (action == 2)
                corrupt(in, f.neg);
            if (action == 3)
                corrupt(in, f.int_block());
            const auto records = f.parse_int();
            to[side]->receive(neg_block::decode(f.neg), records.records);
            for (const auto& r : to[side]->take_completed())
                FUZZ_CHECK(done[1 - side].insert({ r.direction, r.sequence }).second);
        }
        check_bounds(a);
        check_bounds(b);
    };
    std::uint32_t frames = 0;
    for (; !in.empty() && frames < max_frames; ++frames)
        exchange(in.u8());
    for (unsigned i = 0; i < c.round_timeout_frames + 8; ++i)
        exchange(0);
    // Each frame starts a round of each direction; those of the settling frames may
    // still be in flight.
    auto settled = [&](const std::set<std::pair<unsigned, unsigned>>& rounds) {
        std::set<std::pair<unsigned, unsigned>> out;
        for (const auto& r : rounds)
            if ((r.second + 65535u - c.first_send_seq) % 65535u < frames)
                out.insert(r);
        return out;
    };
    if (!made_up && a.counters().leader.verdict_missed == 0 &&
        b.counters().leader.verdict_missed == 0)
        FUZZ_CHECK(settled(done[0]) == settled(done[1]));
    return 0;
}
