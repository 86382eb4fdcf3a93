/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_BLOCKS_PDU_H
#define INCLUDED_FIBERKEY_BLOCKS_PDU_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>
#include <pmt/pmt.h>

#include <optional>
#include <span>

namespace gr {
namespace fiberkey {

//! One received frame's NEG block and INT records, from the otu_demux's "blocks" port.
struct received_blocks {
    ::fiberkey::neg_decoded neg;
    ::fiberkey::int_parse_result records; //!< none when the INT block failed its RS check
};

/*!
 * Parses a "blocks" PDU (meta with the boolean \p int_ok_key; data: the 255-byte NEG block
 * then the 239 INT information bytes). std::nullopt when \p msg is not such a PDU.
 */
inline std::optional<received_blocks> parse_blocks_pdu(const pmt::pmt_t& msg,
                                                       const pmt::pmt_t& int_ok_key)
{
    namespace fl = ::fiberkey::frame_layout;
    constexpr std::size_t both = fl::block_bytes + fl::int_info_bytes;
    if (!pmt::is_pair(msg) || !pmt::is_dict(pmt::car(msg)) || !pmt::is_u8vector(pmt::cdr(msg)) ||
        pmt::length(pmt::cdr(msg)) != both)
        return std::nullopt;
    size_t len = 0;
    const uint8_t* data = pmt::u8vector_elements(pmt::cdr(msg), len);
    received_blocks r;
    r.neg = ::fiberkey::neg_block::decode(
        std::span<const uint8_t, fl::block_bytes>(data, fl::block_bytes));
    if (pmt::to_bool(pmt::dict_ref(pmt::car(msg), int_ok_key, pmt::PMT_F)))
        r.records = ::fiberkey::parse_int_info(
            std::span<const uint8_t, fl::int_info_bytes>(data + fl::block_bytes,
                                                         fl::int_info_bytes));
    return r;
}

} // namespace fiberkey
} // namespace gr

#endif
