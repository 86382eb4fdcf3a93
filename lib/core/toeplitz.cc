/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/secure_memory.h>
#include <fiberkey/toeplitz.h>

#include "clmul.h"

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

// Bit k of the vector at word k / 64, bit k % 64.
std::vector<std::uint64_t> to_words(std::span<const std::uint8_t> bits)
{
    std::vector<std::uint64_t> w((bits.size() + 63) / 64, 0);
    for (std::size_t k = 0; k < bits.size(); ++k)
        w[k / 64] |= std::uint64_t(bits[k] & 1) << (k % 64);
    return w;
}

// Without PCLMULQDQ: row i of T is the seed window starting at bit i against x
// reversed, l n / 64 word operations (faster than a carry-less product in software).
std::vector<std::uint8_t> hash_rows(std::span<const std::uint8_t> key_bits,
                                    std::span<const std::uint8_t> seed,
                                    std::size_t out_bits)
{
    std::vector<std::uint8_t> reversed(key_bits.rbegin(), key_bits.rend());
    auto x = to_words(reversed);
    secure_wipe(reversed);
    auto s = to_words(seed);
    s.resize(s.size() + 2, 0); // a window may always read the word after its last
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

#ifdef FIBERKEY_HAVE_CLMUL
struct wide {
    std::uint64_t low = 0, high = 0;
};

// The 128-bit carry-less product of two words.
FIBERKEY_CLMUL_TARGET wide clmul(std::uint64_t a, std::uint64_t b)
{
    const __m128i p = _mm_clmulepi64_si128(
        _mm_cvtsi64_si128(std::int64_t(a)), _mm_cvtsi64_si128(std::int64_t(b)), 0);
    return { std::uint64_t(_mm_cvtsi128_si64(p)),
             std::uint64_t(_mm_extract_epi64(p, 1)) };
}

// y_i is the coefficient of z^(i + n - 1) of S(z) X(z), S and X the polynomials whose
// coefficients are the seed's and the key's bits: only the product's words that hold
// degrees n - 1 .. n + l - 2 are formed, each the sum of the carry-less products of
// the word pairs whose degrees meet there.
FIBERKEY_CLMUL_TARGET std::vector<std::uint8_t>
hash_clmul(std::span<const std::uint8_t> key_bits,
           std::span<const std::uint8_t> seed,
           std::size_t out_bits)
{
    const std::size_t n = key_bits.size();
    if (n == 0)
        return std::vector<std::uint8_t>(out_bits, 0);
    auto x = to_words(key_bits);
    const auto s = to_words(seed);
    const std::size_t first = (n - 1) / 64, last = (n + out_bits - 2) / 64;
    // product[p - first]: degrees 64 p .. 64 p + 63.
    std::vector<std::uint64_t> product(last - first + 2, 0);
    for (std::size_t sum = first == 0 ? 0 : first - 1; sum <= last; ++sum) {
        wide acc;
        const std::size_t low = sum >= s.size() ? sum - s.size() + 1 : 0;
        for (std::size_t b = low; b < x.size() && b <= sum; ++b) {
            const auto p = clmul(s[sum - b], x[b]);
            acc.low ^= p.low;
            acc.high ^= p.high;
        }
        if (sum >= first)
            product[sum - first] ^= acc.low;
        product[sum + 1 - first] ^= acc.high;
    }
    std::vector<std::uint8_t> y(out_bits);
    for (std::size_t i = 0; i < out_bits; ++i) {
        const std::size_t degree = i + n - 1 - 64 * first;
        y[i] = static_cast<std::uint8_t>((product[degree / 64] >> (degree % 64)) & 1);
    }
    secure_wipe(x);
    secure_wipe(product);
    return y;
}
#endif

} // namespace

std::vector<std::uint8_t> hash(std::span<const std::uint8_t> key_bits,
                               std::span<const std::uint8_t> seed,
                               std::size_t out_bits)
{
    check_sizes(key_bits.size(), seed.size(), out_bits);
#ifdef FIBERKEY_HAVE_CLMUL
    if (out_bits != 0 && cpu_has_clmul())
        return hash_clmul(key_bits, seed, out_bits);
#endif
    return hash_rows(key_bits, seed, out_bits);
}

std::vector<std::uint8_t> hash_portable(std::span<const std::uint8_t> key_bits,
                                        std::span<const std::uint8_t> seed,
                                        std::size_t out_bits)
{
    check_sizes(key_bits.size(), seed.size(), out_bits);
    return hash_rows(key_bits, seed, out_bits);
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
