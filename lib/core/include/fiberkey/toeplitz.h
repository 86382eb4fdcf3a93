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
 * The hash as a carry-less product: y_i is the coefficient of z^(i + n - 1) of S(z)
 * X(z), with the seed's and the key's bits as the coefficients of S and X; the words of
 * the product that hold y are sums of 64 x 64-bit carry-less products, (l / 64) (n / 64)
 * of them, by PCLMULQDQ where the CPU has it: 8 ms for a key of 200,000 bits hashed
 * to 160,000 (the multilevel mode's batch of 100,000 rounds). Throws std::invalid_argument unless seed.size() == seed_bits(n, l).
 */
std::vector<std::uint8_t> hash(std::span<const std::uint8_t> key_bits,
                               std::span<const std::uint8_t> seed_bits,
                               std::size_t out_bits);

//! The same row by row: the seed's 64-bit windows against the key, l n / 64 word
//! operations (0.25 s for the batch above); what hash() does without PCLMULQDQ.
std::vector<std::uint8_t> hash_portable(std::span<const std::uint8_t> key_bits,
                                        std::span<const std::uint8_t> seed_bits,
                                        std::size_t out_bits);

//! The definition, bit by bit: for tests only.
std::vector<std::uint8_t> hash_reference(std::span<const std::uint8_t> key_bits,
                                         std::span<const std::uint8_t> seed_bits,
                                         std::size_t out_bits);

} // namespace toeplitz
} // namespace fiberkey

#endif
