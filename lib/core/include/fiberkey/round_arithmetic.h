/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ROUND_ARITHMETIC_H
#define FIBERKEY_CORE_ROUND_ARITHMETIC_H

#include <cstddef>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief The XOR and popcount of one round (protocol.md section 5), named for direction
 * AB: A leads, B follows. Direction BA is the same with the roles swapped.
 *
 * Arrays are m bits packed in m / 8 bytes (any m that is a multiple of 8); all arguments
 * of one call have the same size, else std::invalid_argument. The work runs on 64-bit
 * words, so one call for m = 496 is eight XORs and eight popcounts.
 *
 *   follower: C2 = XA3 ^ XB2            sent to the leader in INT (arrives as C4)
 *   leader:   C1 = XB3 ^ XA2            sent to the follower in INT (arrives as C3)
 *   leader:   E1 = XB4 ^ XA1 ^ C4,  F1 = |E1|
 *   follower: E2 = XA4 ^ XB1 ^ C3,  F2 = |E2|
 */
namespace round_arithmetic {

//! C2 = XA3 ^ XB2: the follower's noisy copy of the leader's first array, masked by the
//! follower's own second array.
void follower_feedback(std::span<const std::uint8_t> xa3,
                       std::span<const std::uint8_t> xb2,
                       std::span<std::uint8_t> c2);

//! C1 = XB3 ^ XA2: the leader's noisy copy of the follower's first array, masked by the
//! leader's own second array.
void leader_feedback(std::span<const std::uint8_t> xb3,
                     std::span<const std::uint8_t> xa2,
                     std::span<std::uint8_t> c1);

//! E1 = XB4 ^ XA1 ^ C4, which equals (XA1 ^ XA3) ^ (XB2 ^ XB4).
void leader_error_pattern(std::span<const std::uint8_t> xb4,
                          std::span<const std::uint8_t> xa1,
                          std::span<const std::uint8_t> c4,
                          std::span<std::uint8_t> e1);

//! E2 = XA4 ^ XB1 ^ C3, which equals (XA2 ^ XA4) ^ (XB1 ^ XB3).
void follower_error_pattern(std::span<const std::uint8_t> xa4,
                            std::span<const std::uint8_t> xb1,
                            std::span<const std::uint8_t> c3,
                            std::span<std::uint8_t> e2);

//! F1 = |XB4 ^ XA1 ^ C4|, without materialising E1.
std::size_t leader_error_count(std::span<const std::uint8_t> xb4,
                               std::span<const std::uint8_t> xa1,
                               std::span<const std::uint8_t> c4);

//! F2 = |XA4 ^ XB1 ^ C3|, without materialising E2.
std::size_t follower_error_count(std::span<const std::uint8_t> xa4,
                                 std::span<const std::uint8_t> xb1,
                                 std::span<const std::uint8_t> c3);

} // namespace round_arithmetic
} // namespace fiberkey

#endif
