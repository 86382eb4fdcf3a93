/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The receive path of line_decoder (lib/line_decoder_impl.cc) on a fuzzed line:
// frame_aligner, then per frame the G.709 descrambler, the FEC decoder and the clear
// counter checks of frame_counter_tracker.
//
// Random bytes almost never hold two FAS one frame (16,830 bytes) apart, so the input is
// a script that builds the line:
//   [config u8]  bit 0: unpacked bits (push_bits) rather than packed bytes (push_bytes);
//                bit 1: FEC on; bit 2: check all 6 FAS bytes; bits 3-5: lof_frames - 1;
//                bits 6-7: push chunk size class
//   then ops [op u8], by op % 4:
//   0 frame  [counter step i8][epoch and flags u8][errors u8][errors x (at u16, xor u8)]:
//            a valid line frame (FEC parity, scrambled) whose counter is the last one
//            plus 1 plus the step, with up to 64 byte errors anywhere (FAS included)
//   1 noise  [length u8][bytes]: raw line bytes
//   2 slip   op / 4 % 8 + 1 bits of noise (a bit slip), or as many bits dropped from
//            the end of the line when op bit 5 is set
//   3 chunk  [size u16]: the size of the following pushes
// Besides sanitizer reports it checks the aligner's bookkeeping, that it never stalls
// with input left, that a second FEC pass finds nothing more to correct, and that the
// scalar FEC kernel agrees with the SIMD one on every frame.
#include "fuzz_input.h"

#include <fiberkey/frame_aligner.h>
#include <fiberkey/frame_counter_tracker.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/otu_frame.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <vector>

namespace fl = fiberkey::frame_layout;
using namespace fiberkey;

namespace {

constexpr std::size_t max_frames = 6;
constexpr std::size_t max_errors = 64;

struct line_builder {
    std::vector<std::uint8_t> bits; // one per byte
    std::uint32_t counter = 0;
    std::size_t frames = 0;

    void push_byte(std::uint8_t b)
    {
        for (int k = 7; k >= 0; --k)
            bits.push_back((b >> k) & 1);
    }

    void frame(fuzz::input& in)
    {
        static std::array<std::uint8_t, fl::frame_bytes> f;
        counter += 1 + static_cast<std::int8_t>(in.u8());
        otu_frame::build(f, { counter, 0, false }, {}, {}, {});
        f[fl::epoch_flags] = in.u8(); // any flags, valid or not: the receiver must cope
        g709_fec::encode(f);
        g709_scrambler::apply(f);
        const std::size_t errors = in.u8() % (max_errors + 1);
        for (std::size_t e = 0; e < errors; ++e) {
            const std::size_t at = in.u16() % fl::frame_bytes;
            f[at] ^= in.u8();
        }
        for (auto b : f)
            push_byte(b);
        ++frames;
    }
};

// FEC decoding of one frame with the kernel in use, checked against the scalar one.
fec_counts checked_decode(std::span<std::uint8_t> frame)
{
    using g709_fec::detail::kernel;
    static const kernel fastest = g709_fec::detail::active_kernel();
    std::vector<std::uint8_t> scalar(frame.begin(), frame.end());
    const auto counts = g709_fec::decode(frame);
    if (fastest != kernel::scalar) {
        g709_fec::detail::force_kernel(kernel::scalar);
        const auto s = g709_fec::decode(scalar);
        g709_fec::detail::force_kernel(fastest);
        FUZZ_CHECK(std::equal(scalar.begin(), scalar.end(), frame.begin()));
        FUZZ_CHECK(s.corrected_symbols == counts.corrected_symbols);
        FUZZ_CHECK(s.corrected_codewords == counts.corrected_codewords);
        FUZZ_CHECK(s.uncorrectable_codewords == counts.uncorrectable_codewords);
        FUZZ_CHECK(s.uncorrectable_mask == counts.uncorrectable_mask);
    }
    constexpr std::size_t codewords = fl::rows * g709_fec::codewords_per_row;
    FUZZ_CHECK(counts.corrected_codewords + counts.uncorrectable_codewords <= codewords);
    FUZZ_CHECK(counts.corrected_symbols <= counts.corrected_codewords * rs255::t);
    FUZZ_CHECK(counts.corrected_symbols >= counts.corrected_codewords);
    FUZZ_CHECK(std::popcount(counts.uncorrectable_mask) ==
               static_cast<int>(counts.uncorrectable_codewords));
    // Whatever was corrected is now a codeword; the rest was left as received.
    std::vector<std::uint8_t> again(frame.begin(), frame.end());
    const auto second = g709_fec::decode(again);
    FUZZ_CHECK(second.corrected_symbols == 0);
    FUZZ_CHECK(second.uncorrectable_codewords == counts.uncorrectable_codewords);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), frame.begin()));
    return counts;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    const bool unpacked = config & 1;
    const bool fec = config & 2;
    frame_aligner_config ac;
    ac.check_fas_subset = !(config & 4);
    ac.lof_frames = 1 + ((config >> 3) & 7);
    static constexpr std::size_t chunk_classes[] = { 1, 7, 4096, 1 << 20 };

    line_builder line;
    std::size_t chunk = chunk_classes[config >> 6];
    struct chunk_change {
        std::size_t at_bit, size;
    };
    std::vector<chunk_change> changes;
    while (!in.empty()) {
        const std::uint8_t op = in.u8();
        switch (op % 4) {
        case 0:
            if (line.frames < max_frames)
                line.frame(in);
            break;
        case 1:
            for (auto b : in.bytes(in.u8()))
                line.push_byte(b);
            break;
        case 2: {
            const std::size_t n = (op >> 2) % 8 + 1;
            if (op & 0x20)
                line.bits.resize(line.bits.size() - std::min(n, line.bits.size()));
            else
                for (std::size_t i = 0; i < n; ++i)
                    line.bits.push_back((op >> 6) & 1);
            break;
        }
        case 3:
            changes.push_back({ line.bits.size(), std::size_t{ in.u16() } + 1 });
            break;
        }
    }

    std::vector<std::uint8_t> stream;
    if (unpacked) {
        stream = line.bits;
    } else {
        stream.assign((line.bits.size() + 7) / 8, 0);
        for (std::size_t i = 0; i < line.bits.size(); ++i)
            stream[i / 8] |= static_cast<std::uint8_t>(line.bits[i] << (7 - i % 8));
    }
    const std::size_t unit = unpacked ? 1 : 8; // bits per stream item

    frame_aligner aligner(ac);
    frame_counter_tracker tracker;
    std::vector<std::uint8_t> frame(fl::frame_bytes);
    std::size_t consumed = 0, frames = 0, change = 0;
    std::uint64_t last_start = 0;
    auto take_events = [&] {
        bool any = false;
        while (const auto e = aligner.pop_event()) {
            any = true;
            if (*e == align_event::out_of_frame || *e == align_event::loss_of_frame)
                tracker.reset();
        }
        return any;
    };
    for (;;) {
        take_events();
        if (aligner.has_frame()) {
            const std::uint64_t start = aligner.frame_start();
            FUZZ_CHECK(start + frame_aligner::frame_bits <= aligner.counters().bits);
            FUZZ_CHECK(frames == 0 || start >= last_start + frame_aligner::frame_bits);
            last_start = start;
            std::memcpy(frame.data(), aligner.frame().data(), fl::frame_bytes);
            aligner.pop_frame();
            ++frames;
            g709_scrambler::apply(frame);
            frame_counter_tracker::trust trusted{};
            if (fec)
                trusted = frame_counter_tracker::trust_from_fec(
                    checked_decode(frame).uncorrectable_mask);
            const auto header = otu_frame::read_header(frame.data());
            const auto view = tracker.on_frame(header.counter, header.epoch, trusted);
            FUZZ_CHECK(!view || view->epoch <= fl::epoch_mask);
            continue;
        }
        while (change < changes.size() && changes[change].at_bit <= consumed * unit)
            chunk = changes[change++].size;
        const std::size_t n = std::min(chunk, stream.size() - consumed);
        if (n == 0 && unpacked)
            break;
        // In bytes mode an empty push at the end takes the bits left of a split byte.
        const std::span<const std::uint8_t> piece(stream.data() + consumed, n);
        const std::size_t taken =
            unpacked ? aligner.push_bits(piece) : aligner.push_bytes(piece);
        FUZZ_CHECK(taken <= n);
        const bool output = take_events() || aligner.has_frame();
        // With nothing to hand out the aligner must make progress.
        FUZZ_CHECK(n == 0 || taken > 0 || output);
        consumed += taken;
        if (n == 0 && !output)
            break;
    }
    const auto& c = aligner.counters();
    FUZZ_CHECK(c.frames == frames);
    FUZZ_CHECK(c.hunted_bits <= c.bits);
    FUZZ_CHECK(c.bits == stream.size() * unit);
    FUZZ_CHECK(c.in_frame >= c.out_of_frame && c.in_frame <= c.out_of_frame + 1);
    return 0;
}
