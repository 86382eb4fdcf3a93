/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_aligner.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

namespace fiberkey {

namespace fl = frame_layout;

namespace {
constexpr std::size_t fas_bits = fl::fas.length * 8;
constexpr std::uint64_t fas_mask = (std::uint64_t{ 1 } << fas_bits) - 1;

// G.798's in-frame check: the last OA1 and the first two OA2.
constexpr std::size_t fas_subset_first = 2;
constexpr std::size_t fas_subset_end = 5;

//! Eight unpacked bits (one per byte, the first bit first) into one byte, MSB first.
std::uint8_t pack8(const std::uint8_t* bits)
{
    if constexpr (std::endian::native == std::endian::little) {
        // Byte i of the word is bit i; the product's top byte sums bit i << (7 - i)
        // (every other pair of factors lands in a lower byte, without carries).
        std::uint64_t w;
        std::memcpy(&w, bits, sizeof w);
        w &= 0x0101010101010101ULL;
        return static_cast<std::uint8_t>((w * 0x8040201008040201ULL) >> 56);
    } else {
        unsigned v = 0;
        for (int i = 0; i < 8; ++i)
            v = (v << 1) | (bits[i] & 1u);
        return static_cast<std::uint8_t>(v);
    }
}

void pack_bytes_portable(const std::uint8_t* bits, std::size_t bytes, std::uint8_t* out)
{
    for (std::size_t i = 0; i < bytes; ++i)
        out[i] = pack8(bits + 8 * i);
}

#if defined(__x86_64__) && defined(__GNUC__)
// 32 bits a step: reverse each group of 8 so that MOVMSKB's bit order comes out MSB
// first, and shift each byte's bit 0 up to its sign bit (a 16-bit shift by 7 moves no
// bit of one byte into the sign bit of the other).
[[gnu::target("avx2")]] void
pack_bytes_avx2(const std::uint8_t* bits, std::size_t bytes, std::uint8_t* out)
{
    // PSHUFB works within each 16-byte half: byte i takes byte 7 - i of its group.
    constexpr auto reverse_groups = [] {
        std::array<std::uint8_t, 32> r{};
        for (unsigned i = 0; i < r.size(); ++i)
            r[i] = static_cast<std::uint8_t>((i % 16 & ~7u) + 7 - i % 8);
        return r;
    }();
    const __m256i reverse =
        _mm256_loadu_si256(reinterpret_cast<const __m256i*>(reverse_groups.data()));
    std::size_t i = 0;
    for (; i + 4 <= bytes; i += 4) {
        __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(bits + 8 * i));
        v = _mm256_slli_epi16(_mm256_shuffle_epi8(v, reverse), 7);
        const auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(v));
        std::memcpy(out + i, &mask, sizeof mask); // x86 is little-endian
    }
    pack_bytes_portable(bits + 8 * i, bytes - i, out + i);
}

void pack_bytes(const std::uint8_t* bits, std::size_t bytes, std::uint8_t* out)
{
    static const bool avx2 = __builtin_cpu_supports("avx2");
    if (avx2)
        pack_bytes_avx2(bits, bytes, out);
    else
        pack_bytes_portable(bits, bytes, out);
}
#else
void pack_bytes(const std::uint8_t* bits, std::size_t bytes, std::uint8_t* out)
{
    pack_bytes_portable(bits, bytes, out);
}
#endif
} // namespace

const char* to_string(align_event e)
{
    switch (e) {
    case align_event::in_frame:
        return "in_frame";
    case align_event::out_of_frame:
        return "out_of_frame";
    case align_event::loss_of_frame:
        return "loss_of_frame";
    case align_event::loss_of_frame_cleared:
        return "loss_of_frame_cleared";
    }
    return "?";
}

frame_aligner::frame_aligner(const frame_aligner_config& config) : d_config(config)
{
    if (config.lof_frames == 0)
        throw std::invalid_argument("frame_aligner: lof_frames must be at least 1");
}

std::size_t frame_aligner::push_bits(std::span<const std::uint8_t> bits)
{
    if (!drain_leftover())
        return 0;
    return consume(bits.data(), bits.size());
}

std::size_t frame_aligner::push_bytes(std::span<const std::uint8_t> bytes)
{
    if (!drain_leftover())
        return 0;
    constexpr std::size_t chunk_bytes = 512;
    std::array<std::uint8_t, chunk_bytes * 8> bits;
    std::size_t used = 0;
    while (used < bytes.size() && !output_pending()) {
        if (d_in_frame) {
            const std::size_t whole =
                follow_bytes(bytes.data() + used, bytes.size() - used);
            used += whole;
            if (whole > 0)
                continue;
        }
        // Hunting bit by bit, or in frame one byte across a checkpoint that falls
        // inside it.
        const std::size_t n = std::min(d_in_frame ? 1 : chunk_bytes, bytes.size() - used);
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t b = 0; b < 8; ++b)
                bits[8 * i + b] = (bytes[used + i] >> (7 - b)) & 1;
        const std::size_t taken = consume(bits.data(), 8 * n);
        const std::size_t whole = (taken + 7) / 8;
        d_leftover_count = 8 * whole - taken;
        std::copy_n(bits.begin() + taken, d_leftover_count, d_leftover.begin());
        used += whole;
    }
    return used;
}

bool frame_aligner::drain_leftover()
{
    if (output_pending())
        return false;
    const std::size_t taken = consume(d_leftover.data(), d_leftover_count);
    std::copy(d_leftover.begin() + taken,
              d_leftover.begin() + d_leftover_count,
              d_leftover.begin());
    d_leftover_count -= taken;
    return d_leftover_count == 0;
}

std::optional<align_event> frame_aligner::pop_event()
{
    if (d_event_count == 0)
        return std::nullopt;
    const align_event e = d_events[0];
    std::copy(d_events.begin() + 1, d_events.begin() + d_event_count, d_events.begin());
    --d_event_count;
    return e;
}

void frame_aligner::emit(align_event e) { d_events[d_event_count++] = e; }

std::size_t frame_aligner::consume(const std::uint8_t* bits, std::size_t n)
{
    std::size_t used = 0;
    while (used < n && !output_pending())
        used += d_in_frame ? follow(bits + used, n - used) : hunt(bits + used, n - used);
    return used;
}

std::size_t frame_aligner::hunt(const std::uint8_t* bits, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t pos = d_counters.bits++;
        ++d_counters.hunted_bits;
        if (++d_oof_bits == frame_bits) {
            d_oof_bits = 0;
            if (++d_oof_periods >= d_config.lof_frames && !d_lof) {
                d_lof = true;
                ++d_counters.loss_of_frame;
                emit(align_event::loss_of_frame);
            }
        }
        // The register starts at zero and the FAS starts with a one, so a match always
        // spans 48 received bits.
        d_reg = (d_reg << 1) | (bits[i] & 1u);
        if ((d_reg & fas_mask) == fl::fas_word)
            found_fas(pos);
        if (output_pending())
            return i + 1;
    }
    return n;
}

void frame_aligner::found_fas(std::uint64_t end)
{
    // Candidates are in stream order; those whose confirmation point has passed
    // unmatched are dropped here.
    while (d_candidate_count > 0 && d_candidates[d_candidate_head] < end) {
        d_candidate_head = (d_candidate_head + 1) % max_candidates;
        --d_candidate_count;
    }
    if (d_candidate_count > 0 && d_candidates[d_candidate_head] == end) {
        d_candidate_count = 0;
        d_in_frame = true;
        d_misses = 0;
        d_fas_ok = true;
        d_frame_start = end + 1 - fas_bits;
        std::copy(fl::fas_pattern.begin(), fl::fas_pattern.end(), d_frame.begin());
        d_pos = fas_bits;
        ++d_counters.in_frame;
        emit(align_event::in_frame);
        return;
    }
    // When full, the oldest candidates are the likelier ones: keep them.
    if (d_candidate_count < max_candidates) {
        d_candidates[(d_candidate_head + d_candidate_count) % max_candidates] =
            end + frame_bits;
        ++d_candidate_count;
    }
}

void frame_aligner::enter_hunt()
{
    d_in_frame = false;
    d_reg = 0;
    d_candidate_count = 0;
    d_pos = 0;
    d_if_frames = 0;
    ++d_counters.out_of_frame;
    emit(align_event::out_of_frame);
}

std::size_t frame_aligner::follow(const std::uint8_t* bits, std::size_t n)
{
    // In frame, a frame starts right where the previous one ended.
    if (d_pos == 0)
        d_frame_start += frame_bits;
    const std::size_t checkpoint = d_pos < fas_bits ? fas_bits : frame_bits;
    const std::size_t take = std::min(n, checkpoint - d_pos);
    pack(bits, take);
    d_counters.bits += take;
    if (d_pos == fas_bits)
        check_fas();
    else if (d_pos == frame_bits)
        complete_frame();
    return take;
}

std::size_t frame_aligner::follow_bytes(const std::uint8_t* bytes, std::size_t n)
{
    // Whole bytes up to the next checkpoint: copied when the frame starts on a byte
    // boundary of the stream, else each joined to the k bits pending in d_acc.
    const std::size_t checkpoint = d_pos < fas_bits ? fas_bits : frame_bits;
    const std::size_t take = std::min(n, (checkpoint - d_pos) / 8);
    if (take == 0)
        return 0;
    if (d_pos == 0)
        d_frame_start += frame_bits;
    std::uint8_t* out = d_frame.data() + d_pos / 8;
    const unsigned k = d_pos % 8;
    if (k == 0) {
        std::memcpy(out, bytes, take);
    } else {
        unsigned acc = d_acc;
        for (std::size_t i = 0; i < take; ++i) {
            out[i] = static_cast<std::uint8_t>((acc << (8 - k)) | (bytes[i] >> k));
            acc = bytes[i];
        }
        d_acc = acc;
    }
    d_pos += 8 * take;
    d_counters.bits += 8 * take;
    if (d_pos == fas_bits)
        check_fas();
    else if (d_pos == frame_bits)
        complete_frame();
    return take;
}

void frame_aligner::pack(const std::uint8_t* bits, std::size_t n)
{
    std::size_t i = 0;
    for (; i < n && d_pos % 8 != 0; ++i)
        pack_one(bits[i]);
    const std::size_t whole = (n - i) / 8;
    pack_bytes(bits + i, whole, d_frame.data() + d_pos / 8);
    i += 8 * whole;
    d_pos += 8 * whole;
    for (; i < n; ++i)
        pack_one(bits[i]);
}

void frame_aligner::pack_one(std::uint8_t bit)
{
    d_acc = (d_acc << 1) | (bit & 1u);
    if (++d_pos % 8 == 0)
        d_frame[d_pos / 8 - 1] = static_cast<std::uint8_t>(d_acc);
}

void frame_aligner::check_fas()
{
    const std::size_t first = d_config.check_fas_subset ? fas_subset_first : 0;
    const std::size_t end = d_config.check_fas_subset ? fas_subset_end : fl::fas.length;
    d_fas_ok = std::equal(
        d_frame.begin() + first, d_frame.begin() + end, fl::fas_pattern.begin() + first);
    if (d_fas_ok) {
        d_misses = 0;
        return;
    }
    ++d_counters.missed_fas;
    if (++d_misses == misses_to_out_of_frame)
        enter_hunt();
}

void frame_aligner::complete_frame()
{
    d_pos = 0;
    d_has_frame = true;
    ++d_counters.frames;
    // G.798 dLOF: out-of-frame time is integrated until in-frame persists as long.
    if (++d_if_frames >= d_config.lof_frames) {
        d_oof_bits = 0;
        d_oof_periods = 0;
        if (d_lof) {
            d_lof = false;
            emit(align_event::loss_of_frame_cleared);
        }
    }
}

} // namespace fiberkey
