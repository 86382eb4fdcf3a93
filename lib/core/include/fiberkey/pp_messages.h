/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_PP_MESSAGES_H
#define FIBERKEY_CORE_PP_MESSAGES_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace fiberkey {

/*!
 * \brief The key post-processing messages on the wire (post_processor.h says what they
 * do): typed structs, and their encoding and decoding.
 *
 * All integers big-endian. Every message:
 *   [type u8][direction u8][leader instance u32][batch u32][body length u32][body]
 *   [CRC-32C u32 of all that precedes it]
 * The checksum catches what corruption the INT block's RS code let through (a
 * miscorrected block, or a link without frame integrity tags): a state field that
 * changed unseen (a committed stream length, a key index) would make the two ends cut
 * different keys under one name.
 * Leader-to-follower bodies start with the claim
 *   [last committed batch u32][committed stream bits u64][next key index u32].
 * Bodies by type:
 *   1 BITMAP       claim, mode u8, bits per round u8, alpha x 1000 u16,
 *                  first sequence u16, span u32, kept bitmap ceil(span / 8) bytes
 *   2 BITMAP_REPLY span u32, kept bitmap, key acknowledgements (as KEY_ACK)
 *   3 SYNDROME     claim, key bits u32, bit planes u8, per plane disagreement x 65535
 *                  u16, blocks u8, per block syndrome bits u16, nonce 16 bytes, tag
 *                  length u8, tag, output bits u32,
 *                  [soft and multilevel modes only: the leader's soft_reference: 2^q - 1
 *                  bin boundaries x 2 u32 (q = bit planes + disclosed levels), mean and
 *                  deviation of sqrt(F1 + 3/8) x 65536 u32 each],
 *                  [multilevel mode only: the disclosed levels, d bits per used round
 *                  (n / bit planes of them), MSB first, ceil(d n / planes / 8) bytes],
 *                  seed ceil((n + l - 1) / 8) bytes, syndrome ceil(total syndrome bits
 *                  / 8) bytes
 *   4 RESULT       outcome u8 (0 ok, 5 blocks dropped), bit planes u8, per plane
 *                  errors u32, [soft and multilevel modes, outcomes 0 and 5 only: per
 *                  plane cross-entropy x 1024 u32], [multilevel mode, outcomes 0 and 5
 *                  only: per plane the dispersion of that cross-entropy x 1024 u32],
 *                  [outcome 5 only: failed blocks u8 (>= 1), their indices u8
 *                  ascending, tag length u8, the follower's tag over the kept rounds]
 *                  (errors, cross-entropies and dispersions of the kept rounds then)
 *   5 COMMIT       claim, committed u8 (1) or dropped (0)
 *   6 KEY_ACK      count u16 (<= 2048), per key: index u32, stream position u64
 * Bitmaps are MSB first with zero padding. Whether the optional parts are there depends
 * on the mode both ends are configured with, so decode() is told (mode_fields).
 *
 * decode() checks the format: the header, the body length, every length and count
 * against its bound, bitmap padding. What a field must equal for this end (direction,
 * role, mode, planes) and the ranges of the soft reference (soft_reference::valid) are
 * the post-processor's business.
 */
namespace pp_messages {

enum class type : std::uint8_t {
    bitmap = 1,
    bitmap_reply = 2,
    syndrome = 3,
    result = 4,
    commit = 5,
    key_ack = 6,
};
const char* to_string(type t);
//! BITMAP_REPLY, RESULT and KEY_ACK go to the leader, the others to the follower.
bool to_leader(type t);

enum class result_code : std::uint8_t {
    ok = 0,
    decoding_failed = 1,
    tag_mismatch = 2,
    unknown_batch = 3,
    invalid_request = 4,
    //! Some blocks failed; the kept rounds' key is confirmed by the follower's tag.
    blocks_dropped = 5,
};
//! What a RESULT's outcome means, as the leader reports it.
const char* describe(result_code c);

inline constexpr std::size_t header_bytes = 14;
inline constexpr std::size_t checksum_bytes = 4;
//! The keys of the longest batch: its key bits (4 x 131,072 at most) / 256.
inline constexpr std::size_t max_key_acks = 2048;
//! Rounds a bitmap spans: twice the longest batch (post_processor_config::batch_rounds),
//! room for the rounds missing among a batch's.
inline constexpr std::size_t max_span = 262144;
inline constexpr std::size_t max_tag_bytes = 32;
inline constexpr std::size_t max_key_bits = 3 * max_span;
inline constexpr std::size_t nonce_bytes = 16;
//! Fixed-point units: soft reference mean and deviation, cross-entropies.
inline constexpr double stable_unit = 65536.0;
inline constexpr double entropy_unit = 1024.0;

struct header {
    type kind = type::bitmap;
    std::uint8_t direction = 0;
    std::uint32_t instance = 0; //!< the leader's instance id
    std::uint32_t batch = 0;
};

//! What every leader message says about the committed stream.
struct claim {
    std::uint32_t committed_batch = 0;
    std::uint64_t committed_bits = 0;
    std::uint32_t next_key_index = 0;
};

struct key_ack_entry {
    std::uint32_t index = 0;
    std::uint64_t position = 0;
};

struct bitmap {
    claim leader;
    std::uint8_t mode = 0;           //!< quantizer_mode
    std::uint8_t bits_per_round = 0; //!< bit planes q
    std::uint16_t alpha_code = 0;    //!< alpha x 1000
    std::uint16_t first_sequence = 0;
    std::vector<std::uint8_t> kept; //!< one per round of the span, 0 or 1
};

struct bitmap_reply {
    std::vector<std::uint8_t> kept;
    std::vector<key_ack_entry> acks;
};

/*!
 * The optional parts of a mode's SYNDROME and RESULT: soft (the soft and multilevel
 * modes) and the number of disclosed levels d (multilevel mode: q - 2 at q = 3 and 4, 2 at q = 5). From a bool,
 * a mode without disclosed levels.
 */
struct mode_fields {
    bool soft = false;
    unsigned disclosed_levels = 0;

    mode_fields(bool soft_fields = false, unsigned disclosed = 0) // NOLINT: implicit
        : soft(soft_fields), disclosed_levels(disclosed)
    {
    }
};

//! The soft-mode part of a SYNDROME, in its wire units.
struct soft_reference_wire {
    std::vector<std::uint32_t> boundaries_x2; //!< 2^q - 1 bin boundaries, doubled
    std::uint32_t mean = 0;                   //!< x stable_unit
    std::uint32_t deviation = 0;              //!< x stable_unit, > 0
};

struct syndrome {
    claim leader;
    std::uint32_t key_bits = 0;
    std::vector<std::uint16_t> disagreement;  //!< per bit plane, x 65535
    std::vector<std::uint16_t> syndrome_bits; //!< per LDPC block
    std::array<std::uint8_t, nonce_bytes> nonce{};
    std::vector<std::uint8_t> tag;
    std::uint32_t output_bits = 0;
    std::optional<soft_reference_wire> soft;
    //! Multilevel mode: per used round, its disclosed levels (d bits, natural binary).
    std::vector<std::uint8_t> disclosed;
    std::vector<std::uint8_t> seed; //!< Toeplitz seed bits, key_bits + output_bits - 1
    std::vector<std::uint8_t> syndrome; //!< the syndrome bits, sum of syndrome_bits
};

//! What fixes the length of a SYNDROME.
struct syndrome_shape {
    std::size_t planes = 0;    //!< bit planes
    std::size_t blocks = 0;    //!< LDPC blocks
    std::size_t tag_bytes = 0; //!< tag length
    unsigned soft_levels = 0;  //!< levels of the soft reference; 0: none
    std::size_t disclosed_bits = 0, seed_bits = 0, syndrome_bits = 0;
};

//! The bytes of a SYNDROME of \p shape, header and checksum included.
std::size_t syndrome_bytes(const syndrome_shape& shape);

struct result {
    result_code outcome = result_code::ok;
    //! Per bit plane; empty unless ok or blocks_dropped (then: of the kept rounds).
    std::vector<std::uint32_t> errors;
    std::vector<std::uint32_t> entropy; //!< soft mode and ok: per plane x entropy_unit
    //! Multilevel mode and ok: per plane, the dispersion of its cross-entropy x
    //! entropy_unit (soft_plane_entropy), for the leader's code choice.
    std::vector<std::uint32_t> dispersion;
    //! blocks_dropped only: the failed blocks, ascending, and the kept rounds' tag.
    std::vector<std::uint8_t> dropped_blocks;
    std::vector<std::uint8_t> tag;
};

//! The outcomes whose RESULT carries the kept rounds' errors and model figures.
inline bool reports_errors(result_code c)
{
    return c == result_code::ok || c == result_code::blocks_dropped;
}

struct commit {
    claim leader;
    bool committed = false;
};

struct key_ack {
    std::vector<key_ack_entry> acks;
};

using body = std::variant<bitmap, bitmap_reply, syndrome, result, commit, key_ack>;

struct message {
    header head;
    body content;
};

/*!
 * The bytes of \p m; its header's kind is taken from the body. Throws
 * std::invalid_argument when a field does not fit the format (a bitmap longer than
 * max_span, more than max_key_acks acknowledgements, a seed of the wrong length...) or
 * the bytes would not pass decode() (batch 0, first sequence 0, no tag...).
 */
std::vector<std::uint8_t> encode(const message& m);

struct decoded {
    std::optional<message> msg;
    std::string error; //!< why not, when msg is empty
};
/*!
 * Parses one message from the wire, never throwing: a malformed one gives its reason.
 * \p fields: the optional parts that the ends' mode puts in a SYNDROME and a RESULT.
 */
decoded decode(std::span<const std::uint8_t> bytes, mode_fields fields);

//! CRC-32C (Castagnoli, reflected, init and final XOR 0xffffffff) of \p bytes: the
//! messages' checksum.
std::uint32_t checksum(std::span<const std::uint8_t> bytes);

/*!
 * Rewrites the checksum of \p message (its last checksum_bytes) for what precedes it:
 * for tests and fuzzers that change a message's bytes on purpose and want them parsed.
 * Throws std::invalid_argument when \p message is shorter than a checksum.
 */
void reseal(std::vector<std::uint8_t>& message);

} // namespace pp_messages
} // namespace fiberkey

#endif
