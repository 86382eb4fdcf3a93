/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "simd_clones.h"

#include <fiberkey/payload_check.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fiberkey {

namespace {
struct mismatch {
    std::uint64_t bytes = 0;
    std::uint64_t bits = 0;
};

// Eight bytes at a time: the XOR's popcount counts wrong bits; a byte is wrong when any
// of its bits is, which the OR-fold below brings down to the byte's low bit. (The AVX2
// and AVX-512 clones have a popcount instruction; the baseline calls libgcc's.)
FIBERKEY_SIMD_CLONES mismatch compare(const std::uint8_t* in,
                                      const std::uint8_t* ref,
                                      std::size_t n)
{
    constexpr std::uint64_t low_bits = 0x0101010101010101ULL;
    mismatch m;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t a, b;
        std::memcpy(&a, in + i, sizeof a);
        std::memcpy(&b, ref + i, sizeof b);
        std::uint64_t d = a ^ b;
        m.bits += static_cast<unsigned>(std::popcount(d));
        d |= d >> 4;
        d |= d >> 2;
        d |= d >> 1;
        m.bytes += static_cast<unsigned>(std::popcount(d & low_bits));
    }
    for (; i < n; ++i) {
        const auto diff = static_cast<unsigned>(in[i] ^ ref[i]);
        m.bytes += diff != 0;
        m.bits += static_cast<unsigned>(std::popcount(diff));
    }
    return m;
}

// The check takes zeros before the pattern as idle, so a pattern may not start with one.
std::vector<std::uint8_t> checked_pattern(std::vector<std::uint8_t> pattern,
                                          const char* who)
{
    if (pattern.empty())
        throw std::invalid_argument(std::string(who) + ": the pattern is empty");
    if (pattern.front() == 0)
        throw std::invalid_argument(
            std::string(who) +
            ": the pattern must start with a non-zero byte (zeros before it are taken "
            "as idle)");
    return pattern;
}
} // namespace

payload_check::payload_check(std::vector<std::uint8_t> pattern)
    : d_pattern(checked_pattern(std::move(pattern), "payload_check"))
{
}

void payload_check::process(std::span<const std::uint8_t> received)
{
    std::size_t done = 0;
    if (!d_counts.started) {
        const auto first = std::find_if(
            received.begin(), received.end(), [](std::uint8_t b) { return b != 0; });
        done = static_cast<std::size_t>(first - received.begin());
        d_counts.idle_bytes += done;
        d_counts.started = done < received.size();
    }
    while (done < received.size()) {
        const std::size_t take =
            std::min(received.size() - done, d_pattern.size() - d_offset);
        const mismatch m =
            compare(received.data() + done, d_pattern.data() + d_offset, take);
        d_counts.bytes += take;
        d_counts.bytes_wrong += m.bytes;
        d_counts.bits_wrong += m.bits;
        d_offset = (d_offset + take) % d_pattern.size();
        done += take;
    }
}

payload_source::payload_source(std::vector<std::uint8_t> pattern)
    : d_pattern(checked_pattern(std::move(pattern), "payload_source"))
{
}

void payload_source::fill(std::span<std::uint8_t> out)
{
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t take = std::min(out.size() - done, d_pattern.size() - d_offset);
        std::memcpy(out.data() + done, d_pattern.data() + d_offset, take);
        d_offset = (d_offset + take) % d_pattern.size();
        done += take;
    }
}

} // namespace fiberkey
