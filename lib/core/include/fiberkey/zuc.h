/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ZUC_H
#define FIBERKEY_CORE_ZUC_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief Which 7-bit constants d_0..d_15 ZUC-256 loads with its key and IV (the 2018
 * design-team paper): one set for keystream generation (encryption) and one for each
 * MAC tag size.
 */
enum class zuc256_variant { keystream, mac32, mac64, mac128 };

/*!
 * \brief The ZUC keystream generator (portable C++, no SIMD assumption).
 *
 * One class serves both key sizes: the LFSR, bit reorganisation and F are the same in
 * ZUC-128 (ETSI/SAGE specification v1.6) and ZUC-256 (the 2018 design-team paper,
 * 25-byte IV form); only the key/IV loading and its constants differ.
 * The state is wiped when the object is destroyed.
 */
class zuc
{
public:
    static constexpr std::size_t key128_bytes = 16;
    static constexpr std::size_t iv128_bytes = 16;
    static constexpr std::size_t key256_bytes = 32;
    static constexpr std::size_t iv256_bytes = 25; //!< IV0..IV16 8-bit, IV17..IV24 6-bit

    //! ZUC-128 with a 16-byte key and a 16-byte IV.
    static zuc zuc128(std::span<const std::uint8_t, key128_bytes> key,
                      std::span<const std::uint8_t, iv128_bytes> iv);

    //! ZUC-256 with a 32-byte key and a 25-byte IV whose last 8 bytes hold 6 bits each,
    //! loaded with the constants of \p variant (the keystream set unless a MAC asks for
    //! its own). Throws std::invalid_argument if any of those IV bytes has one of its top
    //! two bits set.
    static zuc zuc256(std::span<const std::uint8_t, key256_bytes> key,
                      std::span<const std::uint8_t, iv256_bytes> iv,
                      zuc256_variant variant = zuc256_variant::keystream);

    zuc(const zuc&) = delete;
    zuc& operator=(const zuc&) = delete;
    zuc(zuc&& other) noexcept;
    zuc& operator=(zuc&& other) noexcept;
    ~zuc();

    //! Next keystream word.
    std::uint32_t next_word();

    //! Fills \p out with the next keystream words.
    void generate(std::span<std::uint32_t> out);

    //! Writes the next keystream bytes (words big-endian) to \p out. A partial last
    //! word is consumed whole.
    void generate_bytes(std::span<std::uint8_t> out);

    //! XORs the next keystream bytes into \p data (encrypt or decrypt in place).
    void apply(std::span<std::uint8_t> data);

private:
    zuc() = default;
    void initialise();
    void wipe() noexcept;

    std::array<std::uint32_t, 16>
        d_lfsr{}; // 31-bit cells, d_lfsr[(d_head + i) & 15] is s_i
    std::uint32_t d_r1 = 0;
    std::uint32_t d_r2 = 0;
    unsigned d_head = 0;
};

/*!
 * \brief The 128-EEA3 confidentiality construction of 3GPP (ZUC-128 keyed by CK with
 * IV = COUNT || BEARER || DIRECTION || 0, twice).
 */
struct eea3 {
    static constexpr unsigned max_bearer = 31;

    //! The 16-byte ZUC IV built from COUNT, BEARER (5 bits) and DIRECTION (1 bit).
    static std::array<std::uint8_t, 16>
    iv(std::uint32_t count, unsigned bearer, unsigned direction);

    /*!
     * XORs \p length_bits bits of keystream into \p data (MSB first) and zeroes the
     * bits past \p length_bits in the last byte, as the 3GPP test data show.
     * \p data must hold at least ceil(length_bits / 8) bytes.
     */
    static void crypt(std::span<const std::uint8_t, 16> key,
                      std::uint32_t count,
                      unsigned bearer,
                      unsigned direction,
                      std::span<std::uint8_t> data,
                      std::uint64_t length_bits);
};

} // namespace fiberkey

#endif
