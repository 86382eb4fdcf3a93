/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_BENCH_LINE_FRAMES_H
#define FIBERKEY_BENCH_LINE_FRAMES_H

#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/otu_frame.h>

#include <random>
#include <vector>

namespace fiberkey_bench {

namespace fl = fiberkey::frame_layout;

// A frame as the mux builds it, payload, NEG and INT drawn from a FIXED SEED (benchmark
// data, not secret).
inline std::vector<uint8_t> random_frame(uint32_t counter, unsigned seed)
{
    std::mt19937 rng(seed);
    std::vector<uint8_t> payload(fl::payload_bytes), neg(fl::block_bytes),
        info(fl::int_info_bytes);
    for (auto* part : { &payload, &neg, &info })
        for (auto& b : *part)
            b = static_cast<uint8_t>(rng());
    std::vector<uint8_t> frame(fl::frame_bytes);
    fiberkey::otu_frame::build(
        fiberkey::otu_frame::frame_ref(frame.data(), fl::frame_bytes),
        { counter, 0, false },
        payload,
        neg,
        info);
    return frame;
}

// The line bits (one per byte, MSB first) of `frames` consecutive frames after the
// G.709 FEC and scrambler, as the line encoder sends them.
inline std::vector<uint8_t> random_line_bits(unsigned frames, unsigned seed)
{
    std::vector<uint8_t> bits;
    bits.reserve(size_t(frames) * fl::frame_bytes * 8);
    for (unsigned i = 0; i < frames; ++i) {
        auto f = random_frame(i, seed + i);
        fiberkey::g709_fec::encode(f);
        fiberkey::g709_scrambler::apply(f);
        for (auto b : f)
            for (int k = 7; k >= 0; --k)
                bits.push_back((b >> k) & 1);
    }
    return bits;
}

} // namespace fiberkey_bench

#endif
