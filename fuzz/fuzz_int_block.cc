/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The INT receive path: RS(255,239) decoding and record parsing (parse_int_block,
// parse_int_info), then int_transport's reassembly of the fragment and ack records.
//
// Input: [config u8] sets the transport's limits (bits 0-1: max_partial_messages - 1,
// bits 2-3: window class, bits 4-5: max_message_bytes class, bits 6-7: retransmission
// delay class), then blocks:
//   [control u8][info length u8][info bytes, zero-padded to 239]
//   [errors u8][errors x (position u8, xor u8)]
// The info bytes get their RS parity, then up to 16 byte errors. Control bit 0: send a
// message of the info bytes on stream (control >> 4) before; bit 1: fill() a writer
// of (control >> 2) % 4 * 60 + 60 bytes after; bit 2 (with bit 3): reset().
// Checks, besides the sanitizers: within the RS capacity the block parses exactly as
// its information bytes do; an accepted block re-encodes to the same records; the
// records fill() writes are accepted; the transport's memory stays within its bounds.
#include "fuzz_input.h"

#include <fiberkey/g709_fec.h>
#include <fiberkey/int_block.h>
#include <fiberkey/int_transport.h>

#include <array>
#include <set>

namespace fl = fiberkey::frame_layout;
using namespace fiberkey;

namespace {

using block = std::array<std::uint8_t, fl::block_bytes>;

//! Writes \p records into a block again: a parser-accepted record must be writable.
block rewrite(const std::vector<int_record>& records)
{
    int_writer w;
    for (const auto& r : records)
        FUZZ_CHECK(w.add(r));
    block b;
    w.finish(b);
    return b;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    int_transport::config tc;
    tc.max_partial_messages = 1 + (config & 3);
    static constexpr unsigned windows[] = { 1, 2, 4, 1024 };
    tc.window = windows[(config >> 2) & 3];
    static constexpr std::size_t message_limits[] = {
        64, 1000, 4096, int_transport::max_message_bytes_limit
    };
    tc.max_message_bytes = message_limits[(config >> 4) & 3];
    tc.retransmit_after_frames = 1 + (config >> 6) * 20;
    tc.max_pending_messages = 4;
    tc.max_delivered_messages = 4;
    tc.max_pending_acks = 4;
    int_transport transport(tc);

    while (!in.empty()) {
        const std::uint8_t control = in.u8();
        std::array<std::uint8_t, fl::int_info_bytes> info{};
        const auto given = in.bytes(in.u8() % (fl::int_info_bytes + 1));
        std::copy(given.begin(), given.end(), info.begin());
        block b{};
        std::copy(info.begin(), info.end(), b.begin());
        rs255::encode(std::span<const std::uint8_t, rs255::k>(info),
                      std::span<std::uint8_t, rs255::parity_bytes>(b.data() + rs255::k,
                                                                   rs255::parity_bytes));
        const std::size_t errors = in.u8() % 17;
        std::set<std::size_t> hit;
        for (std::size_t e = 0; e < errors; ++e) {
            const std::size_t at = in.u8() % fl::block_bytes;
            const std::uint8_t x = in.u8();
            b[at] ^= x;
            if (x)
                hit.insert(at);
        }

        if (control & 1) {
            std::vector<std::uint8_t> message(given.begin(), given.end());
            if (message.size() <= tc.max_message_bytes)
                transport.send(control >> 4, std::move(message));
        }

        const auto clean = parse_int_info(info);
        const auto got = parse_int_block(b);
        FUZZ_CHECK(got.ok() || got.records.empty());
        // Few enough symbol errors (XORs may cancel): exactly what was sent.
        if (hit.size() <= static_cast<std::size_t>(rs255::t)) {
            FUZZ_CHECK(got.error == clean.error);
            FUZZ_CHECK(got.records == clean.records);
        }
        if (got.ok()) {
            const auto again = parse_int_block(rewrite(got.records));
            FUZZ_CHECK(again.ok() && again.corrected_symbols == 0);
            FUZZ_CHECK(again.records == got.records);
            for (const auto& r : got.records)
                transport.receive(r);
        }
        for (const auto& m : transport.poll_delivered())
            FUZZ_CHECK(m.data.size() <= tc.max_message_bytes);

        if (control & 2) {
            int_writer w((control >> 2) % 4 * 60 + 59);
            transport.fill(w);
            block out;
            w.finish(out);
            const auto sent = parse_int_block(out);
            FUZZ_CHECK(sent.ok());
        }
        if ((control & 12) == 12)
            transport.reset();

        FUZZ_CHECK(transport.pending_messages() <= tc.max_pending_messages);
        FUZZ_CHECK(transport.partial_messages() <= tc.max_partial_messages);
        FUZZ_CHECK(transport.buffered_bytes() <=
                   tc.max_partial_messages * tc.max_message_bytes);
        FUZZ_CHECK(transport.pending_acks() <= tc.max_pending_acks);
    }
    return 0;
}
