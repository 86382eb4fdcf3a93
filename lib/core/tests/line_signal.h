/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_TESTS_LINE_SIGNAL_H
#define FIBERKEY_TESTS_LINE_SIGNAL_H

#include <fiberkey/frame_cipher.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/otu_frame.h>

#include <array>
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace fiberkey::test {

using neg_bytes = std::array<std::uint8_t, frame_layout::block_bytes>;

//! The plaintext NEG block of a lab pattern's frame with sequence s, its arrays from a
//! FIXED SEED (test data, not secret).
inline neg_bytes pattern_neg(std::uint16_t s, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    neg_fields f{
        .nd1_present = true, .nd2_present = true, .send_seq = s, .response_seq = s
    };
    for (auto* a : { &f.x1, &f.x2, &f.y1, &f.y2 })
        for (auto& b : *a)
            b = static_cast<std::uint8_t>(rng());
    neg_bytes block{};
    neg_block::encode(f, block);
    return block;
}

//! The line bits of one frame as a node sends it (encrypted, FEC, scrambled), one per
//! byte: an empty payload and INT, \p neg in NEG.
inline std::vector<std::uint8_t> line_bits(std::uint32_t counter,
                                           std::span<const std::uint8_t> neg,
                                           std::span<const std::uint8_t, 16> key,
                                           unsigned direction = 0)
{
    std::vector<std::uint8_t> frame(frame_layout::frame_bytes);
    otu_frame::build(std::span<std::uint8_t, frame_layout::frame_bytes>(frame),
                     { .counter = counter },
                     {},
                     neg,
                     {});
    frame_cipher().crypt(frame, key, counter, direction);
    g709_fec::encode(frame);
    g709_scrambler::apply(frame);
    std::vector<std::uint8_t> bits;
    bits.reserve(frame.size() * 8);
    for (const std::uint8_t b : frame)
        for (int k = 7; k >= 0; --k)
            bits.push_back((b >> k) & 1);
    return bits;
}

} // namespace fiberkey::test

#endif
