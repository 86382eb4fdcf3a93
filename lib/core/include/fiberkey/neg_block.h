/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_NEG_BLOCK_H
#define FIBERKEY_CORE_NEG_BLOCK_H

#include <fiberkey/frame_layout.h>

#include <array>
#include <cstdint>
#include <span>

namespace fiberkey {

using nd_array = std::array<std::uint8_t, frame_layout::nd_array_bytes>;

//! The contents of one NEG block (protocol.md section 3, patent table 2).
struct neg_fields {
    bool nd1_present = false;
    bool nd2_present = false;
    std::uint16_t send_seq = 0;     //!< 1..65535 when ND1 is present, else 0
    std::uint16_t response_seq = 0; //!< 1..65535 when ND2 is present, else 0
    nd_array x1{}, x2{};            //!< ND1: the sender's arrays of the round it leads
    nd_array y1{}, y2{};            //!< ND2: its response arrays for the peer's round

    bool operator==(const neg_fields&) const = default;
};

//! A received NEG block: NEG has no FEC, so every field may carry channel errors.
struct neg_decoded {
    neg_fields fields;          //!< flags from the status bits, the rest as received
    bool nd1_consistent = true; //!< status bit 0 agrees with send_seq != 0
    bool nd2_consistent = true; //!< status bit 1 agrees with response_seq != 0
    bool reserved_zero = true;  //!< status bits 2-7 and the reserved bytes are 0

    bool consistent() const { return nd1_consistent && nd2_consistent && reserved_zero; }
};

/*!
 * \brief Codec of the 255-byte NEG block. ND1 and ND2 interleave their two arrays byte by
 * byte: ND[2j] = first array[j], ND[2j + 1] = second array[j].
 */
namespace neg_block {

/*!
 * Writes \p f into \p block. An absent ND is written as zeros. Throws
 * std::invalid_argument when a flag disagrees with its sequence number (present with
 * sequence 0, or absent with a nonzero one): that is a caller bug.
 */
void encode(const neg_fields& f,
            std::span<std::uint8_t, frame_layout::block_bytes> block);

//! Reads \p block; never fails, but reports what does not add up.
neg_decoded decode(std::span<const std::uint8_t, frame_layout::block_bytes> block);

} // namespace neg_block
} // namespace fiberkey

#endif
