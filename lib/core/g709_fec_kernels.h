/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
/*
 * Internal to g709_fec*.cc: the kernels that encode and check the codewords of OTU rows,
 * the GF(2^8) tables they share, and the dispatch table that picks one.
 *
 *   g709_fec.cc           encode() and decode() over a frame, through the active kernel
 *   g709_fec_dispatch.cc  CPU detection, the kernel table, the choice made once
 *   g709_fec_generic.cc   the portable kernel (every machine)
 *   g709_fec_ssse3.cc     x86 kernels, each function built for its instruction set with
 *   g709_fec_avx2.cc      [[gnu::target]] (not per-file -m flags, which would let inline
 *   g709_fec_avx512.cc    functions compiled for AVX2 be picked by the linker elsewhere)
 */
#ifndef FIBERKEY_CORE_G709_FEC_KERNELS_H
#define FIBERKEY_CORE_G709_FEC_KERNELS_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <array>
#include <cstddef>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#define FIBERKEY_G709_X86 1
#endif

namespace fiberkey::g709_fec::kernels {

/*
 * A kernel works on `rows` consecutive OTU rows starting at first_row (a pointer to
 * column 0 of the first one; rows are frame_layout::columns apart):
 *   encode: writes the parity of their 16 * rows codewords;
 *   dirty:  bit l set when codeword l % 16 of row l / 16 is not a codeword.
 */
struct functions {
    std::size_t rows;
    void (*encode)(std::uint8_t* first_row);
    std::uint64_t (*dirty)(const std::uint8_t* first_row);
};

//! The kernel in use (g709_fec_dispatch.cc): the fastest one the CPU runs, unless
//! detail::force_kernel chose another.
const functions& active();

// The kernels (one row per call for the portable one).
void encode_generic(std::uint8_t* first_row);
std::uint64_t dirty_generic(const std::uint8_t* first_row);
#ifdef FIBERKEY_G709_X86
// 16, 32 or 64 lanes per vector: one, two or four rows per call.
inline constexpr std::size_t ssse3_rows = 1, avx2_rows = 2, avx512_rows = 4;
void encode_ssse3(std::uint8_t* first_row);
std::uint64_t dirty_ssse3(const std::uint8_t* first_row);
void encode_avx2(std::uint8_t* first_row);
std::uint64_t dirty_avx2(const std::uint8_t* first_row);
void encode_gfni_avx2(std::uint8_t* first_row);
std::uint64_t dirty_gfni_avx2(const std::uint8_t* first_row);
void encode_avx512(std::uint8_t* first_row);
std::uint64_t dirty_avx512(const std::uint8_t* first_row);
void encode_gfni_avx512(std::uint8_t* first_row);
std::uint64_t dirty_gfni_avx512(const std::uint8_t* first_row);
#endif

// ---- GF(2^8) modulo 0x11d, the tables built at compile time. ----

constexpr std::uint8_t gf_mul(std::uint8_t a, std::uint8_t b)
{
    unsigned product = 0;
    for (unsigned x = a; b != 0; b >>= 1) {
        if (b & 1)
            product ^= x;
        x <<= 1;
        if (x & 0x100)
            x ^= 0x11d;
    }
    return static_cast<std::uint8_t>(product);
}

constexpr std::uint8_t alpha_power(std::size_t exponent)
{
    std::uint8_t power = 1;
    for (; exponent != 0; --exponent)
        power = gf_mul(power, 2);
    return power;
}

using parity_array = std::array<std::uint8_t, rs255::parity_bytes>;

/*
 * The division LFSR holds the remainder highest coefficient first, p[0] = parity byte 0.
 * Per information symbol d: f = d ^ p[0], then p[j] = p[j + 1] ^ f * taps[j], where
 * taps[j] is the coefficient of x^(15 - j) in g(x) = (x - alpha^0)...(x - alpha^15).
 */
constexpr parity_array lfsr_taps()
{
    std::array<std::uint8_t, rs255::parity_bytes + 1> g{ 1 }; // g[i]: coefficient of x^i
    for (std::size_t i = 0; i < rs255::parity_bytes; ++i) {
        const auto root = alpha_power(i);
        for (std::size_t j = i + 1; j > 0; --j)
            g[j] = g[j - 1] ^ gf_mul(g[j], root);
        g[0] = gf_mul(g[0], root);
    }
    parity_array taps{};
    for (std::size_t j = 0; j < taps.size(); ++j)
        taps[j] = g[rs255::parity_bytes - 1 - j];
    return taps;
}

inline constexpr parity_array taps = lfsr_taps();

// One LFSR state, p[j] in bits 8 (j % 8) of word j / 8: shifting the register is
// shifting the words, whatever the byte order of the machine.
struct lfsr_words {
    std::uint64_t low, high;
};

// tap_products[f] = f * taps, laid out as lfsr_words.
inline constexpr auto tap_products = [] {
    std::array<lfsr_words, 256> products{};
    for (std::size_t f = 0; f < products.size(); ++f) {
        for (std::size_t j = 0; j < taps.size(); ++j) {
            auto& word = j < 8 ? products[f].low : products[f].high;
            word |= std::uint64_t{ gf_mul(static_cast<std::uint8_t>(f), taps[j]) }
                    << 8 * (j % 8);
        }
    }
    return products;
}();

//! One information symbol \p d into the division LFSR \p p.
inline void lfsr_step(lfsr_words& p, std::uint8_t d)
{
    const auto& products = tap_products[(d ^ p.low) & 0xff];
    p.low = (p.low >> 8 | p.high << 56) ^ products.low;
    p.high = (p.high >> 8) ^ products.high;
}

//! Parity byte j of an LFSR state.
inline std::uint8_t lfsr_byte(const lfsr_words& p, std::size_t j)
{
    return static_cast<std::uint8_t>((j < 8 ? p.low : p.high) >> 8 * (j % 8));
}

#ifdef FIBERKEY_G709_X86

/*
 * ---- For the SIMD kernels. The 16 codewords of a row are byte-interleaved, so the 16
 * bytes at columns 16s..16s+15 are symbol s of codewords 0..15: lane x of a vector is
 * codeword x, and wider vectors take the next rows at once (lane l: row l / 16,
 * codeword l % 16).
 */

// Multiplication by one constant, 64 bytes wide so that each width loads its prefix:
// PSHUFB tables for the low and the high nibble of the other factor, and the
// GF2P8AFFINEQB bit matrix of the same GF(2)-linear map (GFNI's own multiply reduces
// modulo 0x11b, the wrong field).
struct alignas(64) wide_bytes {
    std::array<std::uint8_t, 64> bytes;
};

struct constant_multiplier {
    wide_bytes low_nibble;
    wide_bytes high_nibble;
    wide_bytes bit_matrix;
};

constexpr constant_multiplier multiplier(std::uint8_t c)
{
    constant_multiplier m{};
    for (std::size_t i = 0; i < 64; ++i) {
        m.low_nibble.bytes[i] = gf_mul(c, static_cast<std::uint8_t>(i % 16));
        m.high_nibble.bytes[i] = gf_mul(c, static_cast<std::uint8_t>(i % 16 << 4));
    }
    // Result bit r is the parity of (x & matrix row r), row r is byte 7 - r of each
    // qword; bit b of row r is bit r of c * 2^b.
    for (std::size_t r = 0; r < 8; ++r) {
        unsigned row = 0;
        for (std::size_t b = 0; b < 8; ++b)
            row |= ((gf_mul(c, static_cast<std::uint8_t>(1u << b)) >> r) & 1u) << b;
        for (std::size_t qword = 0; qword < 8; ++qword)
            m.bit_matrix.bytes[8 * qword + 7 - r] = static_cast<std::uint8_t>(row);
    }
    return m;
}

inline constexpr auto tap_multipliers = [] {
    std::array<constant_multiplier, rs255::parity_bytes> m{};
    for (std::size_t j = 0; j < m.size(); ++j)
        m[j] = multiplier(taps[j]);
    return m;
}();

// root_multipliers[i] multiplies by alpha^i.
inline constexpr auto root_multipliers = [] {
    std::array<constant_multiplier, rs255::parity_bytes> m{};
    for (std::size_t i = 0; i < m.size(); ++i)
        m[i] = multiplier(alpha_power(i));
    return m;
}();

/*
 * The loops every SIMD kernel runs, over a lane set L that gives vec, operand (what
 * mul_xor takes: the two nibbles for PSHUFB, the vector itself for GFNI), and functions
 * that load or store symbol s of every lane at the first row's column 16s, make an
 * operand, compute out = x * c ^ addend, and mark the nonzero lanes. These templates
 * have no target of their own: they only come to life inlined into the flattened
 * function each kernel file builds for its instruction set. Each file's lane sets live
 * in its anonymous namespace, so no two files share an instantiation.
 */

// The division LFSR (see lfsr_taps) on every lane at once, fed the first `symbols`
// symbols; parity[rs255::parity_bytes] stays 0: it is what shifts into parity[15].
template <class L>
[[gnu::always_inline]] inline void
lfsr_lanes(const std::uint8_t* first_row,
           std::size_t symbols,
           typename L::vec (&parity)[rs255::parity_bytes + 1])
{
    typename L::vec symbol;
    typename L::operand feedback;
    for (std::size_t s = 0; s < symbols; ++s) {
        L::load(symbol, first_row + column(0, s));
        L::to_operand(feedback, symbol ^ parity[0]);
#pragma GCC unroll 16
        for (std::size_t j = 0; j < rs255::parity_bytes; ++j)
            L::mul_xor(parity[j], feedback, tap_multipliers[j], parity[j + 1]);
    }
}

template <class L>
[[gnu::always_inline]] inline void encode_lanes(std::uint8_t* first_row)
{
    typename L::vec parity[rs255::parity_bytes + 1]{};
    lfsr_lanes<L>(first_row, rs255::k, parity);
    for (std::size_t j = 0; j < rs255::parity_bytes; ++j)
        L::store(first_row + column(0, rs255::k + j), parity[j]);
}

/*
 * Bit l set when lane l is not a codeword, two ways (bench/bench_fec picked per kernel):
 * by the remainder: fed all 255 symbols, the LFSR holds r(x) x^16 mod g(x), zero exactly
 * when g(x) divides r(x) (g(0) != 0), the same test as all-zero syndromes. Faster with
 * PSHUFB, which splits the one feedback into nibbles once per symbol where Horner's rule
 * splits 15 syndromes (ssse3 10.2 -> 6.1 us a frame, avx2 5.0 -> 3.6, avx512 3.4 -> 2.3);
 * by the syndromes: Horner's rule per root, as fast or faster with GFNI.
 */
template <class L>
[[gnu::always_inline]] inline std::uint64_t
dirty_by_remainder(const std::uint8_t* first_row)
{
    typename L::vec parity[rs255::parity_bytes + 1]{};
    lfsr_lanes<L>(first_row, rs255::n, parity);
    auto any = parity[0];
    for (std::size_t j = 1; j < rs255::parity_bytes; ++j)
        any |= parity[j];
    return L::nonzero_lanes(any);
}


template <class L>
[[gnu::always_inline]] inline std::uint64_t
dirty_by_syndromes(const std::uint8_t* first_row)
{
    typename L::vec syndromes[rs255::parity_bytes]{};
    typename L::vec symbol;
    typename L::operand syndrome;
    for (std::size_t s = 0; s < rs255::n; ++s) {
        L::load(symbol, first_row + column(0, s));
        syndromes[0] ^= symbol; // root alpha^0 = 1
#pragma GCC unroll 16
        for (std::size_t i = 1; i < rs255::parity_bytes; ++i) {
            L::to_operand(syndrome, syndromes[i]);
            L::mul_xor(syndromes[i], syndrome, root_multipliers[i], symbol);
        }
    }
    auto any = syndromes[0];
    for (std::size_t i = 1; i < rs255::parity_bytes; ++i)
        any |= syndromes[i];
    return L::nonzero_lanes(any);
}

#endif // FIBERKEY_G709_X86

} // namespace fiberkey::g709_fec::kernels

#endif
