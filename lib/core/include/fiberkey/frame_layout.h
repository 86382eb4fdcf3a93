/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_LAYOUT_H
#define FIBERKEY_CORE_FRAME_LAYOUT_H

#include <array>
#include <cstddef>
#include <cstdint>

namespace fiberkey {

/*!
 * \brief Where every field of the extended OTU2 frame sits (protocol.md section 3).
 *
 * One frame is the G.709 OTU2 frame (4 rows x 4080 columns, sent row by row) followed by
 * the 255-byte negotiation block (NEG) and the 255-byte interaction block (INT).
 * Offsets are 0-based bytes from the first FAS byte. Every other class asks this one.
 */
namespace frame_layout {

struct span {
    std::size_t offset;
    std::size_t length;
    constexpr std::size_t end() const { return offset + length; }
};

inline constexpr std::size_t rows = 4;
inline constexpr std::size_t columns = 4080;
inline constexpr std::size_t otu_bytes = rows * columns;                // 16,320
inline constexpr std::size_t block_bytes = 255;                         // NEG and INT
inline constexpr std::size_t frame_bytes = otu_bytes + 2 * block_bytes; // 16,830
//! The line rate the simulated link keeps: 82,025 frames/s of 134,640 bits, 11.043846
//! Gbit/s (a capture's default bit rate when it does not say).
inline constexpr double frames_per_second = 82025.0;
inline constexpr double line_bit_rate = frames_per_second * frame_bytes * 8;

/*!
 * One frame as an item of a GNU Radio stream: the frame, then zero bytes. GNU Radio's
 * circular buffers hold whole items in whole 4 KiB pages, so a 16,830-byte item forces
 * 2,048-item (34 MB) buffers; at 16,896 bytes (33 x 512) 8 items fill whole pages and a
 * buffer holds a few frames (docs/protocol-choices.md, "Frames on GNU Radio streams").
 * Blocks write the padding as zeros and never read it.
 */
inline constexpr std::size_t frame_item_bytes = 16896;
inline constexpr std::size_t frame_item_padding = frame_item_bytes - frame_bytes;
static_assert(frame_item_bytes > frame_bytes && (8 * frame_item_bytes) % 4096 == 0);

constexpr std::size_t at(std::size_t row, std::size_t column)
{
    return row * columns + column;
}

// Row 0 overhead, sent in clear.
inline constexpr span fas{ 0, 6 }; // F6 F6 F6 28 28 28
inline constexpr std::array<std::uint8_t, 6> fas_pattern{ 0xf6, 0xf6, 0xf6,
                                                          0x28, 0x28, 0x28 };
//! The FAS as one 48-bit word, first byte most significant (for the aligners' correlators).
inline constexpr std::uint64_t fas_word = [] {
    std::uint64_t w = 0;
    for (auto b : fas_pattern)
        w = (w << 8) | b;
    return w;
}();
inline constexpr std::size_t mfas = 6;            // frame counter bits 7..0
inline constexpr span section_monitoring{ 7, 3 }; // SM
inline constexpr span counter_high{ 10, 3 };      // frame counter bits 31..8
inline constexpr std::size_t epoch_flags = 13;    // bits 0-1 key epoch, 2-7 flags
inline constexpr std::uint8_t epoch_mask = 0x03;
inline constexpr std::uint8_t flag_clear = 0x04; // frame sent unencrypted (link start)
inline constexpr std::size_t clear_overhead_columns = 14;

// Columns of every row.
inline constexpr std::size_t odu_overhead_columns = 14; // rows 1-3, c 0-13
//! The frame's integrity tag (frame_tag): the ODU overhead bytes GCC1, GCC2 and APS/PCC
//! of row 3, inside the encrypted region (docs/protocol-choices.md, "Frame integrity").
inline constexpr span tag{ at(3, 0), 8 };
inline constexpr span opu_overhead_columns{ 14, 2 };
inline constexpr span payload_columns{ 16, 3808 };
inline constexpr span fec_columns{ 3824, 256 };
inline constexpr std::size_t payload_bytes = rows * payload_columns.length; // 15,232

inline constexpr span neg{ otu_bytes, block_bytes };
inline constexpr span intb{ otu_bytes + block_bytes, block_bytes };

// Inside the NEG block, offsets from its first byte (patent table 2).
inline constexpr std::size_t neg_status = 0;
inline constexpr std::uint8_t neg_status_nd1 = 0x01;
inline constexpr std::uint8_t neg_status_nd2 = 0x02;
inline constexpr span neg_send_seq{ 1, 2 };       // big-endian, 0 = no ND1
inline constexpr span neg_nd1{ 3, 124 };          // X1, X2 byte-interleaved
inline constexpr span neg_response_seq{ 127, 2 }; // big-endian, 0 = no ND2
inline constexpr span neg_nd2{ 129, 124 };        // Y1, Y2 byte-interleaved
inline constexpr span neg_reserved{ 253, 2 };
inline constexpr std::size_t nd_array_bytes = 62; // one m-bit array, m = 496

// Inside the INT block: RS(255,239) info bytes, then parity.
inline constexpr std::size_t int_info_bytes = 239;
inline constexpr std::size_t int_parity_bytes = 16;

static_assert(neg_reserved.end() == block_bytes);
static_assert(neg_nd1.length == 2 * nd_array_bytes);
static_assert(int_info_bytes + int_parity_bytes == block_bytes);

/*!
 * The bytes that ZUC covers, in frame order: rows 0-3 up to the FEC columns except the
 * 14 clear overhead bytes of row 0, then NEG and INT. Their concatenation is the
 * "encrypted region" that is cut into lanes.
 */
inline constexpr std::array<span, 5> encrypted_spans{ {
    { at(0, clear_overhead_columns), fec_columns.offset - clear_overhead_columns },
    { at(1, 0), fec_columns.offset },
    { at(2, 0), fec_columns.offset },
    { at(3, 0), fec_columns.offset },
    { neg.offset, 2 * block_bytes },
} };

/*!
 * The plaintext bytes that the integrity tag covers, in this order: the encrypted OTU
 * rows without the tag itself, then the INT information bytes (after their RS check at
 * the receiver). Never NEG, whose bits the receiver's own noise changes on purpose.
 */
inline constexpr std::array<span, 5> authenticated_spans{ {
    { at(0, clear_overhead_columns), fec_columns.offset - clear_overhead_columns },
    { at(1, 0), fec_columns.offset },
    { at(2, 0), fec_columns.offset },
    { tag.end(), fec_columns.offset - tag.length },
    { intb.offset, int_info_bytes },
} };

constexpr std::size_t authenticated_bytes()
{
    std::size_t n = 0;
    for (const auto& s : authenticated_spans)
        n += s.length;
    return n;
}

constexpr std::size_t encrypted_bytes()
{
    std::size_t n = 0;
    for (const auto& s : encrypted_spans)
        n += s.length;
    return n;
}

static_assert(frame_bytes == 16830);
static_assert(encrypted_bytes() == 15792);
static_assert(authenticated_bytes() == 15513);
static_assert(tag.offset == at(3, 0) && tag.end() <= at(3, odu_overhead_columns));

} // namespace frame_layout
} // namespace fiberkey

#endif
