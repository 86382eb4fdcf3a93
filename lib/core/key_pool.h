/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Private to the post-processor: the committed key stream one end holds.
#ifndef FIBERKEY_CORE_KEY_POOL_H
#define FIBERKEY_CORE_KEY_POOL_H

#include <fiberkey/post_processor.h>

#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

inline constexpr std::size_t seed_key_bits = 256;

//! Where a segment of the committed stream came from, for the keys' metadata.
struct segment {
    std::uint64_t start = 0, end = 0;
    std::uint64_t rounds = 0, key_bits = 0, errors = 0, leaked = 0;
    double epsilon = 0.0;
    std::uint16_t last_sequence = 0; //!< the batch's last round (leader's send sequence)
};

//! The bits of the committed stream from position start() on, wiped when dropped.
class key_pool
{
public:
    key_pool() = default;
    key_pool(const key_pool&) = delete;
    key_pool& operator=(const key_pool&) = delete;
    ~key_pool();

    std::uint64_t start() const { return d_start; }
    std::uint64_t end() const { return d_start + d_bits.size(); }
    std::size_t size() const { return d_bits.size(); }

    void append(std::span<const std::uint8_t> bits, segment meta);
    //! Forgets everything and continues the stream at \p position.
    void reset(std::uint64_t position);
    void drop_before(std::uint64_t position);
    bool holds_key_at(std::uint64_t position) const;
    //! The key at \p position; the pool then starts after it.
    seed_key
    take_key(std::uint64_t position, std::uint8_t direction, std::uint32_t index);

private:
    std::uint64_t d_start = 0;
    std::vector<std::uint8_t> d_bits;
    std::vector<segment> d_segments;
};

} // namespace fiberkey

#endif
