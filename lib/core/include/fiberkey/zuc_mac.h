/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ZUC_MAC_H
#define FIBERKEY_CORE_ZUC_MAC_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief How the MACs below sum keystream windows over the set message bits.
 *
 * Both paths give the same tags (the tests hold them to each other and to a bit-by-bit
 * reference); \c automatic takes carry-less multiplication (PCLMULQDQ) when the CPU has
 * it and the portable path otherwise. The PCLMULQDQ path runs in time independent of the
 * data; the portable one indexes a table with message nibbles (the message, not the key
 * or keystream, sets its memory access pattern). Either way the keystream is made in
 * blocks and wiped after use.
 */
enum class zuc_mac_path { automatic, portable, clmul };

//! Whether this build and this CPU can run zuc_mac_path::clmul.
bool zuc_mac_clmul_supported();

/*!
 * \brief 128-EIA3, the 3GPP integrity algorithm: a 32-bit MAC from ZUC-128 keyed by IK,
 * with COUNT, BEARER (5 bits) and DIRECTION (1 bit) in the IV.
 */
struct eia3 {
    static constexpr unsigned max_bearer = 31;

    //! The 16-byte ZUC IV of 128-EIA3 (it differs from 128-EEA3's in bytes 8, 14, 15).
    static std::array<std::uint8_t, 16>
    iv(std::uint32_t count, unsigned bearer, unsigned direction);

    /*!
     * The MAC of the first \p length_bits bits of \p message (MSB first). Throws
     * std::invalid_argument when \p message is shorter than ceil(length_bits / 8) bytes,
     * or BEARER or DIRECTION is out of range.
     */
    static std::uint32_t mac(std::span<const std::uint8_t, 16> key,
                             std::uint32_t count,
                             unsigned bearer,
                             unsigned direction,
                             std::span<const std::uint8_t> message,
                             std::uint64_t length_bits);

    //! The same MAC through a chosen path (tests and benchmarks); throws
    //! std::invalid_argument for zuc_mac_path::clmul where it is not supported.
    static std::uint32_t mac(std::span<const std::uint8_t, 16> key,
                             std::uint32_t count,
                             unsigned bearer,
                             unsigned direction,
                             std::span<const std::uint8_t> message,
                             std::uint64_t length_bits,
                             zuc_mac_path path);
};

/*!
 * \brief The ZUC-256 MAC (the 2018 design-team paper): a 32-, 64- or 128-bit tag from
 * ZUC-256 keyed by a 32-byte key and a 25-byte IV (its last 8 bytes 6-bit), each tag size
 * with its own initialisation constants.
 */
struct zuc256_mac {
    static constexpr std::size_t key_bytes = 32;
    static constexpr std::size_t iv_bytes = 25;
    static constexpr std::size_t max_tag_bytes = 16;

    /*!
     * Writes the tag_bits / 8 bytes of the tag of the first \p length_bits bits of
     * \p message (MSB first) to \p tag, keystream words big-endian. Throws
     * std::invalid_argument when tag_bits is not 32, 64 or 128, \p tag is shorter than
     * the tag, \p message shorter than ceil(length_bits / 8) bytes, or an IV byte of
     * IV17..IV24 has one of its top two bits set.
     */
    static void compute(std::span<const std::uint8_t, key_bytes> key,
                        std::span<const std::uint8_t, iv_bytes> iv,
                        std::span<const std::uint8_t> message,
                        std::uint64_t length_bits,
                        unsigned tag_bits,
                        std::span<std::uint8_t> tag);

    //! The same tag through a chosen path (tests and benchmarks); throws
    //! std::invalid_argument for zuc_mac_path::clmul where it is not supported.
    static void compute(std::span<const std::uint8_t, key_bytes> key,
                        std::span<const std::uint8_t, iv_bytes> iv,
                        std::span<const std::uint8_t> message,
                        std::uint64_t length_bits,
                        unsigned tag_bits,
                        std::span<std::uint8_t> tag,
                        zuc_mac_path path);
};

} // namespace fiberkey

#endif
