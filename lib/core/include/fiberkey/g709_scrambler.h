/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_G709_SCRAMBLER_H
#define FIBERKEY_CORE_G709_SCRAMBLER_H

#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief The frame-synchronous scrambler of G.709 clause 11.2 (protocol.md section 3).
 *
 * Generator 1 + x + x^3 + x^12 + x^16, reset to all ones at the MSB of the MFAS byte and
 * run over every byte of the 16,830-byte frame except the 6 FAS bytes (the 510 appended
 * bytes included). It is additive, so the same call scrambles and descrambles. The
 * sequence does not depend on the data and is computed once.
 */
namespace g709_scrambler {

//! The 16,824 bytes XORed onto frame bytes 6..16,829; it starts FF FF 4E 91.
std::span<const std::uint8_t> sequence();

//! Scrambles (or descrambles) one frame of frame_layout::frame_bytes in place.
void apply(std::span<std::uint8_t> frame);

} // namespace g709_scrambler
} // namespace fiberkey

#endif
