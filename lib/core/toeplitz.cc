/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/secure_memory.h>
#include <fiberkey/toeplitz.h>

#include <bit>
#include <stdexcept>

namespace fiberkey {

std::vector<std::uint8_t> pack_bits(std::span<const std::uint8_t> bits)
{
    std::vector<std::uint8_t> bytes((bits.size() + 7) / 8, 0);
    for (std::size_t i = 0; i < bits.size(); ++i)
        bytes[i / 8] |= static_cast<std::uint8_t>((bits[i] & 1) << (7 - i % 8));
    return bytes;
}

std::vector<std::uint8_t> unpack_bits(std::span<const std::uint8_t> bytes,
                                      std::size_t nbits)
{
    if (bytes.size() * 8 < nbits)
        throw std::invalid_argument("unpack_bits: too few bytes");
    std::vector<std::uint8_t> bits(nbits);
    for (std::size_t i = 0; i < nbits; ++i)
        bits[i] = (bytes[i / 8] >> (7 - i % 8)) & 1;
    return bits;
}

namespace toeplitz {
namespace {

void check_sizes(std::size_t key_bits, std::size_t seed_size, std::size_t out_bits)
{
    if (seed_size != seed_bits(key_bits, out_bits))
        throw std::invalid_argument("toeplitz: the seed must have n + l - 1 bits");
}

// Bit k of the vector at word k / 64, bit k % 64: shifts then move along the vector.
std::vector<std::uint64_t> to_words(std::span<const std::uint8_t> bits, std::size_t extra)
{
    std::vector<std::uint64_t> w((bits.size() + 63) / 64 + extra, 0);
    for (std::size_t k = 0; k < bits.size(); ++k)
        w[k / 64] |= std::uint64_t(bits[k] & 1) << (k % 64);
    return w;
}

} // namespace

std::vector<std::uint8_t> hash(std::span<const std::uint8_t> key_bits,
                               std::span<const std::uint8_t> seed,
                               std::size_t out_bits)
{
    check_sizes(key_bits.size(), seed.size(), out_bits);
    std::vector<std::uint8_t> reversed(key_bits.rbegin(), key_bits.rend());
    auto x = to_words(reversed, 0);
    secure_wipe(reversed);
    // Spare words so that a window may always read the word after its last.
    const auto s = to_words(seed, 2);
    const std::size_t words = x.size();

    std::vector<std::uint8_t> y(out_bits);
    for (std::size_t i = 0; i < out_bits; ++i) {
        const std::size_t first = i / 64;
        const unsigned shift = i % 64;
        std::uint64_t acc = 0;
        for (std::size_t w = 0; w < words; ++w) {
            std::uint64_t window = s[first + w] >> shift;
            if (shift != 0)
                window |= s[first + w + 1] << (64 - shift);
            acc ^= window & x[w];
        }
        y[i] = static_cast<std::uint8_t>(std::popcount(acc) & 1);
    }
    // x is zero past bit n, so window bits beyond the end of row i never count.
    secure_wipe(x);
    return y;
}

std::vector<std::uint8_t> hash_reference(std::span<const std::uint8_t> key_bits,
                                         std::span<const std::uint8_t> seed,
                                         std::size_t out_bits)
{
    check_sizes(key_bits.size(), seed.size(), out_bits);
    const std::size_t n = key_bits.size();
    std::vector<std::uint8_t> y(out_bits, 0);
    for (std::size_t i = 0; i < out_bits; ++i)
        for (std::size_t j = 0; j < n; ++j)
            y[i] ^= seed[i + n - 1 - j] & key_bits[j];
    return y;
}

} // namespace toeplitz
} // namespace fiberkey
