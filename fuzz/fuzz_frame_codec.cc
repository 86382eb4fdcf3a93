/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The frame codec and what zuc_crypt (lib/zuc_crypt_impl.cc) does with a frame: otu_frame
// (build, headers, payload, INT, make_clear, mark_epoch, link_start_policy), frame_tag
// (seal, verify), frame_cipher, and neg_block::decode of the NEG block received.
// A frame is built from the input's parts, sealed, encrypted and marked with its epoch as
// the transmitter does, changed on the line as the input says, then taken apart as the
// receiver does: header, decryption under the key of the received epoch and counter, RS
// check of INT, tag check.
//
// Input:
//   [config u8]  bit 0: a link-start clear frame (make_clear) instead of an encrypted
//                one; bits 1-2: epoch; bit 3: direction; bit 4: the receiver allows
//                clear frames; bit 5: the received frame is the input's bytes instead
//                (below); bit 6: the header's epoch is 4..7 (build must refuse it);
//                bit 7: the receiver has already taken a frame under a key
//   [counter u32]
//   [parts u8]   bits 0-1 payload, bits 2-3 NEG: 0 none (zeros), 1 the whole part
//                (the payload is its bytes repeated), 2 the bytes as given, of any
//                length (build must refuse a length other than 0 or the part's)
//   [payload length u8][payload bytes] [NEG length u8][NEG bytes]
//   [INT length u8][INT bytes]  (over 239 bytes: build must refuse it)
//   then line ops [op u8], by op % 4:
//   0 [at u16][xor u8]              a byte anywhere in the frame
//   1 [span u8][offset u16][xor u8] a byte of an authenticated span (plaintext bytes
//                                   the tag covers, frame_layout::authenticated_spans)
//   2 [xor u8]                      byte op / 4 % 8 of the tag field
//   3 [at u8][xor u8]               a byte of the INT block (RS may correct it)
// With config bit 5 the received frame is instead the input after the config byte,
// repeated to 16,830 bytes: a frame of anything, taken apart the same way.
// Checks, besides the sanitizers: build refuses bad parts with std::invalid_argument
// and nothing else; what was built reads back (header, counter, payload, NEG, INT);
// make_clear and mark_epoch change exactly their bytes; encryption changes only the
// covered bytes and undoes itself; a received frame passes the tag check exactly when
// none of its authenticated plaintext bytes (INT after RS correction) nor its tag differ
// from what was sealed, and the check zeroes the tag field; a clear frame is accepted
// only while link_start_policy allows it; neg_block::decode reads every field where
// it sits, and a block whose decoding is consistent encodes back to the same bytes
// (but for the arrays of an absent ND, written as zeros).
#include "fuzz_input.h"

#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/otu_frame.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <vector>

namespace fl = fiberkey::frame_layout;
using namespace fiberkey;

namespace {

using frame_bytes = std::array<std::uint8_t, fl::frame_bytes>;
using key = std::array<std::uint8_t, 16>;

//! Fixed test keys, one per epoch.
const std::array<key, 4>& keys()
{
    static const auto k = [] {
        std::array<key, 4> out{};
        for (std::size_t e = 0; e < out.size(); ++e)
            for (std::size_t i = 0; i < 16; ++i)
                out[e][i] = static_cast<std::uint8_t>(0x11 * (e + 1) + 7 * i);
        return out;
    }();
    return k;
}

frame_cipher& cipher()
{
    static frame_cipher c;
    return c;
}

frame_tag& tagger()
{
    static frame_tag t;
    return t;
}

bool in_span(std::size_t at, const fl::span& s) { return at >= s.offset && at < s.end(); }

bool encrypted(std::size_t at)
{
    return std::any_of(fl::encrypted_spans.begin(),
                       fl::encrypted_spans.end(),
                       [&](const fl::span& s) { return in_span(at, s); });
}

//! A NEG block as decoded must encode back to itself when nothing in it is inconsistent.
void check_neg(std::span<const std::uint8_t, fl::block_bytes> b)
{
    const neg_decoded d = neg_block::decode(b);
    const bool status_nd1 = b[fl::neg_status] & fl::neg_status_nd1;
    const bool status_nd2 = b[fl::neg_status] & fl::neg_status_nd2;
    FUZZ_CHECK(d.fields.nd1_present == status_nd1);
    FUZZ_CHECK(d.fields.nd2_present == status_nd2);
    FUZZ_CHECK(d.nd1_consistent == (status_nd1 == (d.fields.send_seq != 0)));
    FUZZ_CHECK(d.nd2_consistent == (status_nd2 == (d.fields.response_seq != 0)));
    for (std::size_t j = 0; j < fl::nd_array_bytes; ++j) {
        FUZZ_CHECK(d.fields.x1[j] == b[fl::neg_nd1.offset + 2 * j]);
        FUZZ_CHECK(d.fields.x2[j] == b[fl::neg_nd1.offset + 2 * j + 1]);
        FUZZ_CHECK(d.fields.y1[j] == b[fl::neg_nd2.offset + 2 * j]);
        FUZZ_CHECK(d.fields.y2[j] == b[fl::neg_nd2.offset + 2 * j + 1]);
    }
    if (!d.consistent())
        return;
    // Consistent: it encodes back to the block, but for the arrays of an absent ND,
    // which are written as zeros.
    std::array<std::uint8_t, fl::block_bytes> expected;
    std::copy(b.begin(), b.end(), expected.begin());
    if (!d.fields.nd1_present)
        std::fill_n(expected.begin() + fl::neg_nd1.offset, fl::neg_nd1.length, 0);
    if (!d.fields.nd2_present)
        std::fill_n(expected.begin() + fl::neg_nd2.offset, fl::neg_nd2.length, 0);
    std::array<std::uint8_t, fl::block_bytes> again{};
    neg_block::encode(d.fields, again);
    FUZZ_CHECK(again == expected);
}

//! The receive side on any frame: must not crash, whatever it holds.
void receive_anything(frame_bytes& wire, unsigned direction)
{
    const auto h = otu_frame::read_header(wire.data());
    FUZZ_CHECK(h.epoch <= fl::epoch_mask);
    FUZZ_CHECK(h.counter == otu_frame::read_counter(wire.data()));
    check_neg(otu_frame::neg_block(wire));
    if (h.clear) {
        FUZZ_CHECK(otu_frame::decode_int(wire).corrected <= rs255::t);
        return;
    }
    cipher().crypt(wire, keys()[h.epoch], h.counter, direction);
    check_neg(otu_frame::neg_block(wire));
    const auto d = otu_frame::decode_int(wire);
    if (d.ok())
        tagger().verify(wire, d.info, keys()[h.epoch], h.counter, direction);
    std::array<std::uint8_t, fl::payload_bytes> payload;
    otu_frame::read_payload(wire, payload);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    const bool clear = config & 1;
    const unsigned epoch = (config >> 1) & 3;
    const unsigned direction = (config >> 3) & 1;
    otu_frame::link_start_policy policy(config & 0x10);
    FUZZ_CHECK(policy.clear_allowed() == bool(config & 0x10));
    if (config & 0x80) {
        policy.keyed();
        FUZZ_CHECK(!policy.clear_allowed());
    }
    static frame_bytes sent, wire, plain;

    if (config & 0x20) {
        const auto rest = in.rest();
        for (std::size_t i = 0; i < wire.size(); ++i)
            wire[i] = rest.empty() ? 0 : rest[i % rest.size()];
        receive_anything(wire, direction);
        return 0;
    }

    const otu_frame::header h{ in.u32(), config & 0x40 ? 4 + epoch : epoch, false };
    const std::uint8_t parts = in.u8();
    const auto payload_given = in.bytes(in.u8());
    const auto neg_given = in.bytes(in.u8());
    const auto int_given = in.bytes(in.u8());

    // The parts, valid or not.
    static std::vector<std::uint8_t> payload, neg;
    payload.clear();
    neg.clear();
    switch (parts & 3) {
    case 1:
        payload.resize(fl::payload_bytes);
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] =
                payload_given.empty() ? 0 : payload_given[i % payload_given.size()];
        break;
    case 2:
    case 3:
        payload.assign(payload_given.begin(), payload_given.end());
        break;
    }
    switch ((parts >> 2) & 3) {
    case 1:
        neg.assign(fl::block_bytes, 0);
        std::copy(neg_given.begin(), neg_given.end(), neg.begin());
        break;
    case 2:
    case 3:
        neg.assign(neg_given.begin(), neg_given.end());
        break;
    }
    const bool valid = (payload.empty() || payload.size() == fl::payload_bytes) &&
                       (neg.empty() || neg.size() == fl::block_bytes) &&
                       int_given.size() <= fl::int_info_bytes &&
                       h.epoch <= fl::epoch_mask;
    try {
        otu_frame::build(sent, h, payload, neg, int_given);
        FUZZ_CHECK(valid);
    } catch (const std::invalid_argument& e) {
        FUZZ_CHECK(!valid && *e.what());
        return 0;
    }

    // What was built reads back.
    const auto got = otu_frame::read_header(sent.data());
    FUZZ_CHECK(got.counter == h.counter && got.epoch == h.epoch && !got.clear);
    FUZZ_CHECK(std::equal(fl::fas_pattern.begin(), fl::fas_pattern.end(), sent.begin()));
    static std::array<std::uint8_t, fl::payload_bytes> payload_back;
    otu_frame::read_payload(sent, payload_back);
    if (payload.empty())
        FUZZ_CHECK(std::all_of(
            payload_back.begin(), payload_back.end(), [](auto b) { return b == 0; }));
    else
        FUZZ_CHECK(std::equal(payload.begin(), payload.end(), payload_back.begin()));
    const auto neg_back = otu_frame::neg_block(sent);
    if (neg.empty())
        FUZZ_CHECK(
            std::all_of(neg_back.begin(), neg_back.end(), [](auto b) { return b == 0; }));
    else
        FUZZ_CHECK(std::equal(neg.begin(), neg.end(), neg_back.begin()));
    otu_frame::int_info info{};
    std::copy(int_given.begin(), int_given.end(), info.begin());
    const auto int_back = otu_frame::decode_int(sent);
    FUZZ_CHECK(int_back.corrected == 0 && int_back.info == info);
    {
        // Header and counter writers against the readers, on a copy.
        plain = sent;
        const std::uint32_t other = h.counter ^ 0x9e3779b9u;
        otu_frame::write_counter(plain.data(), other);
        FUZZ_CHECK(otu_frame::read_counter(plain.data()) == other);
        otu_frame::write_header(plain.data(), { h.counter, 3 - epoch, true });
        const auto back = otu_frame::read_header(plain.data());
        FUZZ_CHECK(back.counter == h.counter && back.epoch == 3 - epoch && back.clear);
    }
    check_neg(neg_back);

    if (clear) {
        // Link start: overhead and INT only.
        wire = sent;
        otu_frame::make_clear(wire);
        const auto ch = otu_frame::read_header(wire.data());
        FUZZ_CHECK(ch.clear && ch.epoch == 0 && ch.counter == h.counter);
        for (std::size_t i = 0; i < wire.size(); ++i) {
            if (i == fl::epoch_flags)
                continue;
            const bool zeroed = encrypted(i) && !in_span(i, fl::intb);
            FUZZ_CHECK(wire[i] == (zeroed ? 0 : sent[i]));
        }
    } else {
        // Transmit: seal the plaintext, encrypt, mark the epoch in the clear overhead.
        tagger().seal(sent, keys()[epoch], h.counter, direction);
        cipher().crypt(sent, wire, keys()[epoch], h.counter, direction);
        for (std::size_t i = 0; i < wire.size(); i += 1 + i % 7) // a sample of the bytes
            if (!encrypted(i))
                FUZZ_CHECK(wire[i] == sent[i]);
        cipher().crypt(wire, plain, keys()[epoch], h.counter, direction);
        FUZZ_CHECK(plain == sent);
        otu_frame::mark_epoch(wire.data(), epoch);
        for (std::size_t i = 0; i < fl::clear_overhead_columns; ++i)
            if (i != fl::epoch_flags)
                FUZZ_CHECK(wire[i] == sent[i]);
        FUZZ_CHECK(otu_frame::read_header(wire.data()).epoch == epoch);
    }

    // The line.
    while (!in.empty()) {
        const std::uint8_t op = in.u8();
        switch (op % 4) {
        case 0: {
            const std::size_t at = in.u16() % fl::frame_bytes;
            wire[at] ^= in.u8();
            break;
        }
        case 1: {
            const auto& s =
                fl::authenticated_spans[in.u8() % fl::authenticated_spans.size()];
            const std::size_t at = s.offset + in.u16() % s.length;
            wire[at] ^= in.u8();
            break;
        }
        case 2:
            wire[fl::tag.offset + (op >> 2) % fl::tag.length] ^= in.u8();
            break;
        case 3: {
            const std::size_t at = fl::intb.offset + in.u8() % fl::block_bytes;
            wire[at] ^= in.u8();
            break;
        }
        }
    }

    // Receive.
    const auto rh = otu_frame::read_header(wire.data());
    check_neg(otu_frame::neg_block(wire)); // what a receiver without keys would see
    if (rh.clear) {
        const bool accepted = policy.clear_allowed();
        FUZZ_CHECK(accepted == ((config & 0x90) == 0x10));
        const auto d = otu_frame::decode_int(wire);
        if (clear && wire == sent)
            FUZZ_CHECK(d.ok());
        return 0;
    }
    plain = wire;
    cipher().crypt(plain, keys()[rh.epoch], rh.counter, direction);
    check_neg(otu_frame::neg_block(plain));
    const auto d = otu_frame::decode_int(plain);
    if (!d.ok())
        return 0; // the receiver drops it: a line fault, not a verdict
    // What the tag must say: whether any authenticated plaintext byte or the tag differs
    // from what was sealed (a wrong counter or epoch garbles the whole decryption).
    bool changed = clear || d.info != info;
    for (std::size_t i = 0; i + 1 < fl::authenticated_spans.size() && !changed; ++i) {
        const auto& s = fl::authenticated_spans[i];
        changed = !std::equal(
            plain.begin() + s.offset, plain.begin() + s.end(), sent.begin() + s.offset);
    }
    changed = changed || !std::equal(plain.begin() + fl::tag.offset,
                                     plain.begin() + fl::tag.end(),
                                     sent.begin() + fl::tag.offset);
    const bool ok =
        tagger().verify(plain, d.info, keys()[rh.epoch], rh.counter, direction);
    FUZZ_CHECK(ok == !changed);
    FUZZ_CHECK(std::all_of(plain.begin() + fl::tag.offset,
                           plain.begin() + fl::tag.end(),
                           [](auto b) { return b == 0; }));
    if (ok) {
        FUZZ_CHECK(rh.counter == h.counter && rh.epoch == epoch);
        policy.keyed();
        FUZZ_CHECK(!policy.clear_allowed());
    }
    // A direction other than 0 or 1 is refused.
    try {
        tagger().compute(plain, d.info, keys()[0], rh.counter, 2);
        FUZZ_CHECK(false);
    } catch (const std::invalid_argument& e) {
        FUZZ_CHECK(*e.what());
    }
    return 0;
}
