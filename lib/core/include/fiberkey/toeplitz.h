/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_TOEPLITZ_H
#define FIBERKEY_CORE_TOEPLITZ_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

/*
 * Key post-processing handles keys as "bit vectors": one bit per byte, value 0 or 1,
 * which keeps the quantizer, the LDPC decoder and the hash easy to check. On the wire
 * and for the 256-bit seed keys they are packed MSB first.
 */

//! Packs 0/1 bytes MSB first; the last byte is zero-padded.
std::vector<std::uint8_t> pack_bits(std::span<const std::uint8_t> bits);

//! The first \p nbits bits of \p bytes, MSB first, as 0/1 bytes. Throws
//! std::invalid_argument when \p bytes is too short.
std::vector<std::uint8_t> unpack_bits(std::span<const std::uint8_t> bytes,
                                      std::size_t nbits);

/*!
 * \brief Privacy amplification by a random Toeplitz matrix, a 2-universal family.
 *
 * An n-bit key x is hashed to l bits y = T x over GF(2) with the l x n Toeplitz matrix
 * T[i][j] = seed[i - j + n - 1], i.e. seed bit k lies on the diagonal i - j = k - n + 1.
 * The seed has n + l - 1 bits and is drawn by the leader from a CSPRNG for every batch.
 */
namespace toeplitz {

//! Seed length for an \p key_bits -> \p out_bits hash.
inline std::size_t seed_bits(std::size_t key_bits, std::size_t out_bits)
{
    return out_bits == 0 ? 0 : key_bits + out_bits - 1;
}

/*!
 * Word-level hash: with x reversed, row i of T is the seed window starting at bit i,
 * so y_i is the parity of (64-bit windows of the seed) AND (x reversed), l * n / 64 word
 * operations. Throws std::invalid_argument unless seed.size() == seed_bits(n, l).
 */
std::vector<std::uint8_t> hash(std::span<const std::uint8_t> key_bits,
                               std::span<const std::uint8_t> seed_bits,
                               std::size_t out_bits);

//! The definition, bit by bit: for tests only.
std::vector<std::uint8_t> hash_reference(std::span<const std::uint8_t> key_bits,
                                         std::span<const std::uint8_t> seed_bits,
                                         std::size_t out_bits);

} // namespace toeplitz
} // namespace fiberkey

#endif
