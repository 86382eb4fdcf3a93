/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_INT_BLOCK_H
#define FIBERKEY_CORE_INT_BLOCK_H

#include <fiberkey/frame_layout.h>

#include <array>
#include <cstdint>
#include <span>
#include <variant>
#include <vector>

namespace fiberkey {

/*
 * The INT block (protocol.md section 3): 239 information bytes, then their RS(255,239)
 * parity, computed over the plaintext before encryption.
 *
 * The information bytes are a sequence of records, each
 *     [type u8][length u8][payload: length bytes]
 * followed by zero padding up to byte 239; a type byte of 0 starts the padding. All
 * multi-byte fields are big-endian. Payloads by type:
 *     1 C feedback  [direction u8][sequence u16][bits u16][C: (bits + 7) / 8 bytes]
 *     2 round       [direction u8][send sequence u16][response sequence u16]
 *     3 fragment    [stream u8][message sequence u16][index u8][count u8][data ...]
 *     4 ack         [stream u8][message sequence u16]
 * Directions are 0 (A to B) and 1 (B to A). A receiver rejects the whole block on any
 * unknown type, wrong length or out-of-range field: a block is used whole or not at all.
 */

enum class int_record_type : std::uint8_t {
    padding = 0,
    c_feedback = 1,
    round = 2,
    fragment = 3,
    ack = 4,
};

//! C1 or C2 of one round (protocol.md section 5, steps 3 and 5).
struct int_c_feedback {
    std::uint8_t direction = 0;  //!< the negotiation the round belongs to (its leader's)
    std::uint16_t sequence = 0;  //!< the round's send sequence, 1..65535
    std::uint16_t bits = 0;      //!< m, at least 1
    std::vector<std::uint8_t> c; //!< (bits + 7) / 8 bytes, MSB first

    bool operator==(const int_c_feedback&) const = default;
};

//! The authoritative copy of the NEG bookkeeping of the frame that carries it.
struct int_round {
    std::uint8_t direction = 0;     //!< the sender's direction
    std::uint16_t send_seq = 0;     //!< as in NEG; 0 = no ND1
    std::uint16_t response_seq = 0; //!< as in NEG; 0 = no ND2

    bool operator==(const int_round&) const = default;
};

//! One piece of a post-processing message (reconciliation, hash check, ...).
struct int_fragment {
    std::uint8_t stream = 0;
    std::uint16_t message_seq = 0;
    std::uint8_t index = 0; //!< 0..count-1
    std::uint8_t count = 1; //!< at least 1
    std::vector<std::uint8_t> data;

    bool operator==(const int_fragment&) const = default;
};

//! Acknowledges a whole post-processing message.
struct int_ack {
    std::uint8_t stream = 0;
    std::uint16_t message_seq = 0;

    bool operator==(const int_ack&) const = default;
};

using int_record = std::variant<int_c_feedback, int_round, int_fragment, int_ack>;

/*!
 * \brief Builds the 255 bytes of one INT block, record by record.
 */
class int_writer
{
public:
    //! Bytes of the type and length header of every record.
    static constexpr std::size_t header_bytes = 2;
    //! Bytes of a fragment's fields before its data.
    static constexpr std::size_t fragment_fields_bytes = 5;

    //! Header plus payload of \p r on the wire.
    static std::size_t encoded_size(const int_record& r);

    //! A writer that uses at most \p capacity of the 239 information bytes (the rest of
    //! the block is left to other users of the INT channel).
    explicit int_writer(std::size_t capacity = frame_layout::int_info_bytes);

    //! Information bytes still free.
    std::size_t space_left() const { return d_capacity - d_used; }
    //! Information bytes written so far.
    std::size_t used() const { return d_used; }
    //! The records written so far, without padding: what another writer's block can take.
    std::span<const std::uint8_t> records() const { return { d_info.data(), d_used }; }

    /*!
     * Appends \p r; returns false, and changes nothing, when it does not fit in what is
     * left. Throws std::invalid_argument for a record no receiver would accept (bad
     * direction, C size not matching its bit count, zero sequence in C feedback, index
     * not below count, longer than one block).
     */
    bool add(const int_record& r);

    //! Writes the records, the zero padding and the RS parity into \p block.
    void finish(std::span<std::uint8_t, frame_layout::block_bytes> block) const;

    //! Starts an empty block.
    void clear();

private:
    std::array<std::uint8_t, frame_layout::int_info_bytes> d_info{};
    std::size_t d_capacity;
    std::size_t d_used = 0;
};

enum class int_error : std::uint8_t {
    none = 0,
    uncorrectable,    //!< more errors than RS(255,239) corrects
    unknown_type,     //!< a record type this build does not know
    length_overrun,   //!< a record runs past the 239 information bytes
    bad_length,       //!< a record's length does not fit its type
    bad_field,        //!< a field out of range (direction, sequence, index, count)
    padding_not_zero, //!< bytes after the padding start are not zero
};

const char* to_string(int_error e);

struct int_parse_result {
    int_error error = int_error::none;
    std::size_t error_offset = 0;    //!< information byte of the offending record
    int corrected_symbols = 0;       //!< by RS, when not uncorrectable
    std::vector<int_record> records; //!< empty unless ok()

    bool ok() const { return error == int_error::none; }
};

/*!
 * RS-decodes one received INT block (already decrypted) and parses its records. On any
 * error the result has no records: the block is dropped whole.
 */
int_parse_result
parse_int_block(std::span<const std::uint8_t, frame_layout::block_bytes> block);

//! Parses the 239 information bytes of an INT block that RS has already corrected.
int_parse_result
parse_int_info(std::span<const std::uint8_t, frame_layout::int_info_bytes> info);

//! Running totals over received INT blocks.
struct int_block_counters {
    std::uint64_t accepted = 0;
    std::uint64_t uncorrectable = 0; //!< dropped: beyond the RS capacity
    std::uint64_t rejected = 0;      //!< dropped: RS fine, records malformed
    std::uint64_t corrected_symbols = 0;

    void count(const int_parse_result& r);
};

} // namespace fiberkey

#endif
