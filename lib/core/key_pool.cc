/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "key_pool.h"

#include <fiberkey/secure_memory.h>
#include <fiberkey/toeplitz.h>

#include <algorithm>

namespace fiberkey {

key_pool::~key_pool() { secure_wipe(d_bits); }

void key_pool::append(std::span<const std::uint8_t> bits, segment meta)
{
    meta.start = end();
    meta.end = meta.start + bits.size();
    d_bits.insert(d_bits.end(), bits.begin(), bits.end());
    if (meta.end > meta.start)
        d_segments.push_back(meta);
}

void key_pool::reset(std::uint64_t position)
{
    secure_wipe(d_bits);
    d_bits.clear();
    d_segments.clear();
    d_start = position;
}

void key_pool::drop_before(std::uint64_t position)
{
    if (position <= d_start)
        return;
    if (position >= end()) {
        reset(position);
        return;
    }
    const auto n = static_cast<std::ptrdiff_t>(position - d_start);
    secure_wipe(d_bits.data(), std::size_t(n));
    d_bits.erase(d_bits.begin(), d_bits.begin() + n);
    d_start = position;
    while (!d_segments.empty() && d_segments.front().end <= position)
        d_segments.erase(d_segments.begin());
}

bool key_pool::holds_key_at(std::uint64_t position) const
{
    return position >= d_start && end() - d_start >= seed_key_bits &&
           position - d_start <= end() - d_start - seed_key_bits;
}

seed_key
key_pool::take_key(std::uint64_t position, std::uint8_t direction, std::uint32_t index)
{
    seed_key k;
    k.direction = direction;
    k.key_index = index;
    k.stream_position = position;
    const auto first = static_cast<std::ptrdiff_t>(position - d_start);
    auto packed = pack_bits(std::span(d_bits).subspan(std::size_t(first), seed_key_bits));
    std::copy(packed.begin(), packed.end(), k.key.begin());
    secure_wipe(packed);
    std::uint64_t bits = 0, errors = 0;
    for (const auto& s : d_segments) {
        if (s.end <= position || s.start >= position + seed_key_bits)
            continue;
        k.last_round_sequence = s.last_sequence; // segments are in stream order
        k.rounds_used += s.rounds;
        k.bits_leaked += s.leaked;
        k.epsilon += s.epsilon;
        bits += s.key_bits;
        errors += s.errors;
    }
    k.disagreement = bits == 0 ? 0.0 : double(errors) / double(bits);
    drop_before(position + seed_key_bits);
    return k;
}

} // namespace fiberkey
