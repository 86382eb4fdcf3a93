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
//   [start u8]   bits 0-2, the receiver's state when the line begins (below)
//   then ops [op u8], by op % 4:
//   0 frame  [counter step i8][epoch and flags u8][errors u8][errors x (at u16, xor u8)]:
//            a valid line frame (FEC parity, scrambled) whose counter is the last one
//            plus 1 plus the step, with up to 64 byte errors anywhere (FAS included);
//            at most 4 frames (past that the op is read and ignored)
//   1 noise  [length u8][bytes]: raw line bytes (ignored past 5 frame lengths of line)
//   2 slip   op / 4 % 8 + 1 bits of noise (a bit slip), or as many bits dropped from
//            the end of the line when op bit 5 is set
//   3 chunk  [size u16]: the size of the following pushes
// Push sizes (config bits 6-7: 1, 7, 4,096 or 2^20 items, or op 3's size + 1) are in
// bits or bytes as the mode pushes. A size below 64 lasts 1,024 pushes, then 4,096 is
// used until the next op 3: tiny pushes through a whole frame would cost 16,830 (bytes)
// or 134,640 (bits) calls, while where they matter, at a frame boundary or a FAS, op 3
// puts them.
//
// Start states. Hunting for a frame costs a frame period of bit-by-bit search (134,640
// bits), several milliseconds under the sanitizers, so that an input can start where the
// aligner and the counter tracker already are after a clean line, as a running receiver
// is. They are made once per process and aligner setting, by feeding clean frames
// through the same code, and copied for each input:
//   0 power on: hunting, nothing seen
//   1 hunting after one clean frame: its FAS is a candidate that the line's first
//     frame confirms (if it starts right there)
//   2 (and 5-7) in frame after two clean frames, the counter tracker locked
//   3 as 2, then 4 frames whose FAS missed: the next miss goes out of frame
//   4 as 3, then a fifth miss (out of frame), zeros for lof_frames frame periods (loss
//     of frame) and a clean frame: hunting in loss of frame, a candidate pending
// The line's frames continue the counter of the start state.
//
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
#include <optional>
#include <vector>

namespace fl = fiberkey::frame_layout;
using namespace fiberkey;

namespace {

constexpr std::size_t max_frames = 4;
constexpr std::size_t max_errors = 64;
constexpr std::size_t max_line_bytes = (max_frames + 1) * fl::frame_bytes;
constexpr std::size_t small_chunk = 64, small_chunk_pushes = 1024, default_chunk = 4096;

using frame_bytes = std::array<std::uint8_t, fl::frame_bytes>;

//! A line frame as sent: built, FEC parity added, scrambled. Kept in a table, since a
//! fuzzing run asks for the same few counters again and again; the table is static
//! storage, so a miss allocates nothing (libFuzzer reruns an input that leaves more
//! allocations than frees, to look for leaks).
const frame_bytes& line_frame(std::uint32_t counter, std::uint8_t epoch_flags)
{
    struct slot {
        std::uint64_t id = ~std::uint64_t{ 0 };
        frame_bytes f;
    };
    static std::array<slot, 256> made;
    const std::uint64_t id = std::uint64_t{ counter } << 8 | epoch_flags;
    slot& s = made[(counter * 31u + epoch_flags) % made.size()];
    if (s.id != id) {
        s.id = id;
        otu_frame::build(s.f, { counter, 0, false }, {}, {}, {});
        s.f[fl::epoch_flags] = epoch_flags; // any flags, valid or not: the receiver copes
        g709_fec::encode(s.f);
        g709_scrambler::apply(s.f);
    }
    return s.f;
}

//! The line as packed bits, MSB first.
struct bit_line {
    std::vector<std::uint8_t> bytes;
    std::size_t bits = 0;

    void put_bit(unsigned b)
    {
        if (bits % 8 == 0)
            bytes.push_back(0);
        bytes.back() |= static_cast<std::uint8_t>((b & 1) << (7 - bits % 8));
        ++bits;
    }
    void put(std::span<const std::uint8_t> in)
    {
        const unsigned shift = bits % 8;
        if (shift == 0) {
            bytes.insert(bytes.end(), in.begin(), in.end());
        } else {
            for (auto b : in) {
                bytes.back() |= static_cast<std::uint8_t>(b >> shift);
                bytes.push_back(static_cast<std::uint8_t>(b << (8 - shift)));
            }
        }
        bits += 8 * in.size();
    }
    void drop(std::size_t n)
    {
        bits -= std::min(n, bits);
        bytes.resize((bits + 7) / 8);
        if (bits % 8)
            bytes.back() &= static_cast<std::uint8_t>(0xff << (8 - bits % 8));
    }
};

// FEC decoding of one frame with the kernel in use, checked against the scalar one.
fec_counts checked_decode(std::span<std::uint8_t> frame)
{
    using g709_fec::detail::kernel;
    static const kernel fastest = g709_fec::detail::active_kernel();
    static frame_bytes scalar, again;
    std::copy(frame.begin(), frame.end(), scalar.begin());
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
    std::copy(frame.begin(), frame.end(), again.begin());
    const auto second = g709_fec::decode(again);
    FUZZ_CHECK(second.corrected_symbols == 0);
    FUZZ_CHECK(second.uncorrectable_codewords == counts.uncorrectable_codewords);
    FUZZ_CHECK(std::equal(again.begin(), again.end(), frame.begin()));
    return counts;
}

//! The receiver: the aligner and what line_decoder does with each frame it emits.
struct receiver {
    frame_aligner aligner;
    frame_counter_tracker tracker;
    std::uint32_t counter = 0; // of the last frame sent to it
    frame_bytes frame{};

    explicit receiver(const frame_aligner_config& c) : aligner(c) {}

    bool take_events()
    {
        bool any = false;
        while (const auto e = aligner.pop_event()) {
            any = true;
            if (*e == align_event::out_of_frame || *e == align_event::loss_of_frame)
                tracker.reset();
        }
        return any;
    }

    void take_frame(bool fec)
    {
        std::memcpy(frame.data(), aligner.frame().data(), fl::frame_bytes);
        aligner.pop_frame();
        g709_scrambler::apply(frame);
        frame_counter_tracker::trust trusted{};
        if (fec)
            trusted = frame_counter_tracker::trust_from_fec(
                checked_decode(frame).uncorrectable_mask);
        const auto header = otu_frame::read_header(frame.data());
        const auto view = tracker.on_frame(header.counter, header.epoch, trusted);
        FUZZ_CHECK(!view || view->epoch <= fl::epoch_mask);
    }

    //! Feeds a whole clean line (start states only).
    void feed(const std::vector<std::uint8_t>& bits)
    {
        std::size_t used = 0;
        for (;;) {
            take_events();
            if (aligner.has_frame()) {
                take_frame(true);
                continue;
            }
            if (used == bits.size())
                break;
            used += aligner.push_bits(std::span(bits).subspan(used));
        }
    }
};

void append_bits(std::vector<std::uint8_t>& bits, std::span<const std::uint8_t> bytes)
{
    for (auto b : bytes)
        for (int k = 7; k >= 0; --k)
            bits.push_back((b >> k) & 1);
}

//! The receiver in start state \p kind (see the top) for aligner setting \p c.
const receiver& start_state(unsigned kind, const frame_aligner_config& c)
{
    // Static storage, as for line_frame: 5 kinds x 8 lof_frames x 2 FAS checks.
    static std::array<std::optional<receiver>, 80> made;
    auto& slot = made[kind << 4 | (c.lof_frames - 1) << 1 | c.check_fas_subset];
    if (slot)
        return *slot;
    slot.emplace(c);
    receiver& r = *slot;
    std::vector<std::uint8_t> bits;
    auto clean = [&] { append_bits(bits, line_frame(++r.counter, 0)); };
    auto missed = [&] {
        frame_bytes f = line_frame(++r.counter, 0);
        std::fill_n(f.begin(), fl::fas.length, 0);
        append_bits(bits, f);
    };
    if (kind >= 1)
        clean();
    if (kind >= 2)
        clean();
    if (kind >= 3)
        for (int i = 0; i < 4; ++i)
            missed();
    if (kind >= 4) {
        missed();
        bits.resize(bits.size() + c.lof_frames * frame_aligner::frame_bits, 0);
        clean();
    }
    r.feed(bits);
    FUZZ_CHECK(r.aligner.in_frame() == (kind == 2 || kind == 3));
    // After a frame period of hunting (kind 1) loss of frame depends on lof_frames.
    FUZZ_CHECK(kind == 1 || r.aligner.loss_of_frame() == (kind == 4));
    return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    const std::uint8_t start = in.u8();
    const bool unpacked = config & 1;
    const bool fec = config & 2;
    frame_aligner_config ac;
    ac.check_fas_subset = !(config & 4);
    ac.lof_frames = 1 + ((config >> 3) & 7);
    static constexpr std::size_t chunk_classes[] = { 1, 7, 4096, 1 << 20 };

    static constexpr unsigned kinds[8] = { 0, 1, 2, 3, 4, 2, 2, 2 };
    receiver rx = start_state(kinds[start & 7], ac);
    const frame_aligner_counters base = rx.aligner.counters();

    bit_line line;
    std::size_t frames_built = 0;
    static frame_bytes f;
    std::size_t chunk = chunk_classes[config >> 6];
    struct chunk_change {
        std::size_t at_bit, size;
    };
    std::vector<chunk_change> changes;
    while (!in.empty()) {
        const std::uint8_t op = in.u8();
        switch (op % 4) {
        case 0: {
            rx.counter += 1 + static_cast<std::int8_t>(in.u8());
            const std::uint8_t flags = in.u8();
            const std::size_t errors = in.u8() % (max_errors + 1);
            const bool build = frames_built < max_frames;
            if (build)
                f = line_frame(rx.counter, flags);
            // Past the limit the fields are read all the same: the script stays aligned.
            for (std::size_t e = 0; e < errors; ++e) {
                const std::size_t at = in.u16() % fl::frame_bytes;
                const std::uint8_t x = in.u8();
                if (build)
                    f[at] ^= x;
            }
            if (build) {
                line.put(f);
                ++frames_built;
            }
            break;
        }
        case 1: {
            const auto noise = in.bytes(in.u8());
            if (line.bytes.size() < max_line_bytes)
                line.put(noise);
            break;
        }
        case 2: {
            const std::size_t n = (op >> 2) % 8 + 1;
            if (op & 0x20)
                line.drop(n);
            else
                for (std::size_t i = 0; i < n; ++i)
                    line.put_bit((op >> 6) & 1);
            break;
        }
        case 3:
            changes.push_back({ line.bits, std::size_t{ in.u16() } + 1 });
            break;
        }
    }

    // Packed bytes carry the line's last bits in a final partial byte, which the
    // aligner consumes whole: those padding bits count as line bits.
    std::vector<std::uint8_t> stream;
    if (unpacked) {
        static const auto unpack = [] {
            std::array<std::array<std::uint8_t, 8>, 256> t{};
            for (unsigned v = 0; v < 256; ++v)
                for (unsigned k = 0; k < 8; ++k)
                    t[v][k] = (v >> (7 - k)) & 1;
            return t;
        }();
        stream.resize(8 * line.bytes.size());
        for (std::size_t i = 0; i < line.bytes.size(); ++i)
            std::memcpy(stream.data() + 8 * i, unpack[line.bytes[i]].data(), 8);
        stream.resize(line.bits);
    } else {
        stream = std::move(line.bytes);
    }
    const std::size_t unit = unpacked ? 1 : 8; // bits per stream item

    frame_aligner& aligner = rx.aligner;
    std::size_t consumed = 0, frames = 0, change = 0, small_pushes = 0;
    std::uint64_t last_start = 0;
    for (;;) {
        rx.take_events();
        if (aligner.has_frame()) {
            const std::uint64_t start_bit = aligner.frame_start();
            FUZZ_CHECK(start_bit + frame_aligner::frame_bits <= aligner.counters().bits);
            FUZZ_CHECK(frames == 0 ||
                       start_bit >= last_start + frame_aligner::frame_bits);
            last_start = start_bit;
            ++frames;
            rx.take_frame(fec);
            continue;
        }
        while (change < changes.size() && changes[change].at_bit <= consumed * unit) {
            chunk = changes[change++].size;
            small_pushes = 0;
        }
        if (chunk < small_chunk && ++small_pushes > small_chunk_pushes)
            chunk = default_chunk;
        const std::size_t n = std::min(chunk, stream.size() - consumed);
        if (n == 0 && unpacked)
            break;
        // In bytes mode an empty push at the end takes the bits left of a split byte.
        const std::span<const std::uint8_t> piece(stream.data() + consumed, n);
        const std::size_t taken =
            unpacked ? aligner.push_bits(piece) : aligner.push_bytes(piece);
        FUZZ_CHECK(taken <= n);
        const bool output = rx.take_events() || aligner.has_frame();
        // With nothing to hand out the aligner must make progress.
        FUZZ_CHECK(n == 0 || taken > 0 || output);
        consumed += taken;
        if (n == 0 && !output)
            break;
    }
    const auto& c = aligner.counters();
    FUZZ_CHECK(c.frames - base.frames == frames);
    FUZZ_CHECK(c.hunted_bits - base.hunted_bits <= c.bits - base.bits);
    FUZZ_CHECK(c.bits - base.bits == stream.size() * unit);
    FUZZ_CHECK(c.in_frame >= c.out_of_frame && c.in_frame <= c.out_of_frame + 1);
    return 0;
}
