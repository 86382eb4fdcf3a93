/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SESSION_KEY_H
#define FIBERKEY_CORE_SESSION_KEY_H

#include <array>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief Session key from seed key (protocol.md section 2).
 *
 * K' = the first 128 bits of the ZUC-256 keystream (2018 paper, 25-byte IV) under
 * key = S, the 256-bit seed key, and the IV
 *     IV0..IV3   = ASCII "FKSK"
 *     IV4        = direction (0 = A to B, 1 = B to A)
 *     IV5..IV8   = key epoch, big-endian
 *     IV9..IV16  = 0
 *     IV17..IV24 = 0 (6-bit fields)
 * Frames are encrypted with ZUC-128 in 128-EEA3 (different key loading and constants),
 * never under S, so no frame keystream can coincide with this one; the IV still names
 * its purpose so that any later ZUC-256 use can stay disjoint by choosing another tag.
 */
namespace session_key {

constexpr std::size_t seed_bytes = 32;
constexpr std::size_t key_bytes = 16;

//! The 25-byte ZUC-256 IV above. Throws std::invalid_argument for a direction > 1.
std::array<std::uint8_t, 25> iv(unsigned direction, std::uint32_t epoch);

//! K' for \p direction and \p epoch; the ZUC state is wiped before returning.
std::array<std::uint8_t, key_bytes> derive(std::span<const std::uint8_t, seed_bytes> seed,
                                           unsigned direction,
                                           std::uint32_t epoch);

} // namespace session_key
} // namespace fiberkey

#endif
