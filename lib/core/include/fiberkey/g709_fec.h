/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_G709_FEC_H
#define FIBERKEY_CORE_G709_FEC_H

#include <cstddef>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief One RS(255,239) codeword as G.709 Annex A defines it: GF(2^8) with field
 * polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), generator roots alpha^0..alpha^15.
 *
 * Byte 0 of a codeword is the highest-order coefficient (sent first); the 239
 * information bytes come first, the 16 parity bytes last. Encoding, and the check that
 * finds nearly every received codeword clean, run a table-driven division LFSR; errors
 * are corrected by GNU Radio's Reed-Solomon codec. All functions are safe to call from
 * several threads.
 */
namespace rs255 {

inline constexpr std::size_t n = 255;
inline constexpr std::size_t k = 239;
inline constexpr std::size_t parity_bytes = n - k;
inline constexpr int t = 8; //!< correctable symbol errors per codeword

//! Computes the 16 parity bytes of \p info.
void encode(std::span<const std::uint8_t, k> info,
            std::span<std::uint8_t, parity_bytes> parity);

/*!
 * Corrects \p codeword in place. Returns the number of corrected symbols (0..8), or -1
 * when the codeword is uncorrectable; then it is left exactly as it was. A successful
 * return always leaves a valid codeword (more than 8 errors can still be miscorrected
 * into a different one, as with any bounded-distance decoder).
 */
int decode(std::span<std::uint8_t, n> codeword);

} // namespace rs255

//! What one call of g709_fec::decode did.
struct fec_counts {
    std::size_t corrected_symbols = 0;
    std::size_t corrected_codewords = 0;
    std::size_t uncorrectable_codewords = 0;
    //! Which codewords failed: bit 16 * row + x for codeword x of a row (ORed by +=).
    std::uint64_t uncorrectable_mask = 0;

    fec_counts& operator+=(const fec_counts& o);
};

/*!
 * \brief The G.709 FEC of the OTU rows (G.709 Annex A, protocol.md section 3).
 *
 * Each of the 4 rows holds 16 byte-interleaved codewords. Annex A: "the bytes in an OTU
 * row belonging to FEC sub-row X are X + 16 x (i - 1), i = 1..255" (1-based), so with
 * 0-based columns codeword x (0..15) takes columns x, x + 16, ..., x + 16 * 238 (all in
 * 0..3823) as information and puts its parity in columns 3824 + x, 3824 + 16 + x, ...,
 * 4064 + x. The NEG and INT blocks are not covered.
 */
namespace g709_fec {

inline constexpr std::size_t codewords_per_row = 16;

//! Column (0..4079) of symbol \p symbol (0..254) of codeword \p codeword (0..15).
constexpr std::size_t column(std::size_t codeword, std::size_t symbol)
{
    return codeword + codewords_per_row * symbol;
}

//! Writes the parity of the 64 codewords into the FEC columns of \p frame (16,830 bytes).
void encode(std::span<std::uint8_t> frame);

//! Corrects the OTU rows of \p frame in place; uncorrectable codewords are left as
//! received.
fec_counts decode(std::span<std::uint8_t> frame);

/*!
 * Internals for the tests. encode and decode run the LFSR and the syndromes of many
 * codewords at once in SIMD lanes; the fastest kernel this CPU supports is picked on
 * first use.
 */
namespace detail {

//! How encode and decode run: table-driven scalar code, or 16 (ssse3), 32 (avx2) or 64
//! (avx512) codewords per vector, multiplying by PSHUFB nibble tables or GFNI matrices.
enum class kernel { scalar, ssse3, avx2, gfni_avx2, avx512, gfni_avx512 };

//! The kernel's name: "scalar", "ssse3", "avx2", "gfni_avx2", "avx512", "gfni_avx512".
const char* to_string(kernel k);

//! Whether this build and CPU can run \p k.
bool supported(kernel k);

//! The kernel encode and decode use now.
kernel active_kernel();

//! Test-only: makes encode and decode use \p k (throws std::invalid_argument when
//! unsupported). Must not race with encode or decode.
void force_kernel(kernel k);

} // namespace detail

} // namespace g709_fec
} // namespace fiberkey

#endif
