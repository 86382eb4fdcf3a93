/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_BLOCKS_PDU_H
#define INCLUDED_FIBERKEY_BLOCKS_PDU_H

#include "message_inputs.h"
#include <fiberkey/frame_layout.h>
#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>
#include <pmt/pmt.h>

#include <optional>
#include <span>

namespace gr {
namespace fiberkey {

/*!
 * True when \p msg is a PDU (pmt::is_pdu: a pair of a dictionary, possibly empty, and a
 * uniform vector) whose data are bytes (a u8vector).
 */
inline bool is_byte_pdu(const pmt::pmt_t& msg)
{
    return pmt::is_pdu(msg) && pmt::is_u8vector(pmt::cdr(msg));
}

/*!
 * What a typed look-up in a PDU's metadata found: a value of the expected type, no entry
 * under the key, or an entry of another type (a malformed message: the handler drops it
 * rather than let pmt::to_bool or pmt::to_long throw pmt::wrong_type in its thread).
 */
template <typename T>
struct meta_value {
    enum class kind { present, absent, wrong_type };
    kind found = kind::absent;
    T value{};

    bool ok() const { return found == kind::present; }
};

//! \p meta[\p key] if \p is_type says it is a T, converted by \p to_type; \p meta must be
//! a dictionary.
template <typename T, typename Is, typename To>
meta_value<T>
meta_lookup(const pmt::pmt_t& meta, const pmt::pmt_t& key, Is is_type, To to_type)
{
    meta_value<T> r;
    if (!pmt::dict_has_key(meta, key))
        return r;
    const pmt::pmt_t v = pmt::dict_ref(meta, key, pmt::PMT_NIL);
    if (!is_type(v)) {
        r.found = meta_value<T>::kind::wrong_type;
        return r;
    }
    r.found = meta_value<T>::kind::present;
    r.value = to_type(v);
    return r;
}

//! \p meta[\p key] as a bool (pmt::PMT_T or pmt::PMT_F).
inline meta_value<bool> meta_bool(const pmt::pmt_t& meta, const pmt::pmt_t& key)
{
    return meta_lookup<bool>(meta, key, pmt::is_bool, pmt::to_bool);
}

//! \p meta[\p key] as a long (a PMT integer).
inline meta_value<long> meta_long(const pmt::pmt_t& meta, const pmt::pmt_t& key)
{
    return meta_lookup<long>(meta, key, pmt::is_integer, pmt::to_long);
}

/*!
 * \p dict[\p key] as a double when it is a real, an integer or a uint64 (pmt::to_double
 * takes only the first two, and throws pmt::wrong_type for a uint64 that pmt::is_number
 * lets through); nullopt for anything else or no entry. \p dict must be a dictionary.
 */
inline std::optional<double> dict_number(const pmt::pmt_t& dict, const pmt::pmt_t& key)
{
    const pmt::pmt_t v = pmt::dict_ref(dict, key, pmt::PMT_NIL);
    if (pmt::is_real(v) || pmt::is_integer(v))
        return pmt::to_double(v);
    if (pmt::is_uint64(v))
        return static_cast<double>(pmt::to_uint64(v));
    return std::nullopt;
}

/*!
 * The bytes of an INT channel "recv" PDU if it is on \p stream (meta "stream", an
 * integer), nullopt when it is another stream's (another user of the channel shares the
 * port: not a refusal). Throws message_refused for what is not such a PDU. The span
 * points into \p msg.
 */
inline std::optional<std::span<const uint8_t>>
int_stream_message(const pmt::pmt_t& msg, const pmt::pmt_t& stream_key, long stream)
{
    if (!is_byte_pdu(msg))
        throw message_refused("expected a PDU (meta with 'stream', u8vector)");
    const auto found = meta_long(pmt::car(msg), stream_key);
    if (found.found == meta_value<long>::kind::wrong_type)
        throw message_refused("meta 'stream' is not an integer");
    if (!found.ok() || found.value != stream)
        return std::nullopt;
    size_t len = 0;
    const uint8_t* data = pmt::u8vector_elements(pmt::cdr(msg), len);
    return std::span<const uint8_t>(data, len);
}

//! \p meta[\p key] as a uint64: a PMT uint64, or a PMT integer that is not negative
//! (Python and GRC give small numbers as the one, C++ senders often as the other).
inline meta_value<uint64_t> meta_uint64(const pmt::pmt_t& meta, const pmt::pmt_t& key)
{
    return meta_lookup<uint64_t>(
        meta,
        key,
        [](const pmt::pmt_t& v) {
            return pmt::is_uint64(v) || (pmt::is_integer(v) && pmt::to_long(v) >= 0);
        },
        [](const pmt::pmt_t& v) {
            return pmt::is_uint64(v) ? pmt::to_uint64(v)
                                     : static_cast<uint64_t>(pmt::to_long(v));
        });
}

//! One received frame's NEG block and INT records, from the otu_demux's "blocks" port.
struct received_blocks {
    ::fiberkey::neg_decoded neg;
    ::fiberkey::int_parse_result records; //!< none when the INT block failed its RS check
};

//! Why parse_blocks_pdu() found nothing: what a handler refusing the message says.
inline constexpr const char* blocks_pdu_expected =
    "expected the demux's \"blocks\" PDU (NEG and INT of a frame)";

/*!
 * Parses a "blocks" PDU (meta with the boolean \p int_ok_key; data: the 255-byte NEG block
 * then the 239 INT information bytes). A missing \p int_ok_key counts as false (no INT
 * records). std::nullopt when \p msg is not such a PDU, including when \p int_ok_key holds
 * something other than a bool.
 */
inline std::optional<received_blocks> parse_blocks_pdu(const pmt::pmt_t& msg,
                                                       const pmt::pmt_t& int_ok_key)
{
    namespace fl = ::fiberkey::frame_layout;
    constexpr std::size_t both = fl::block_bytes + fl::int_info_bytes;
    if (!is_byte_pdu(msg) || pmt::length(pmt::cdr(msg)) != both)
        return std::nullopt;
    const auto int_ok = meta_bool(pmt::car(msg), int_ok_key);
    if (int_ok.found == meta_value<bool>::kind::wrong_type)
        return std::nullopt;
    size_t len = 0;
    const uint8_t* data = pmt::u8vector_elements(pmt::cdr(msg), len);
    received_blocks r;
    r.neg = ::fiberkey::neg_block::decode(
        std::span<const uint8_t, fl::block_bytes>(data, fl::block_bytes));
    if (int_ok.ok() && int_ok.value)
        r.records =
            ::fiberkey::parse_int_info(std::span<const uint8_t, fl::int_info_bytes>(
                data + fl::block_bytes, fl::int_info_bytes));
    return r;
}

/*!
 * Rounds as a negotiator's or model_rounds' "rounds" messages give them: one round (a dict
 * with "count") or consecutive rounds of one direction (a dict with "counts", a
 * u32vector; "sequence" numbers the first, the next ones follow it, 65535 then 1).
 * Valid while the message is.
 */
struct round_message {
    unsigned direction;
    uint16_t sequence; //!< of the first round
    std::size_t size;
    const uint32_t* counts; //!< nullptr for a single round: then `count`
    uint32_t count;

    uint16_t sequence_of(std::size_t i) const
    {
        return static_cast<uint16_t>((sequence - 1 + i) % 65535 + 1);
    }
    uint32_t count_of(std::size_t i) const { return counts ? counts[i] : count; }
};

//! The key of a rounds message's consecutive counts.
inline const pmt::pmt_t& counts_key()
{
    static const pmt::pmt_t k = pmt::mp("counts");
    return k;
}

/*!
 * A rounds message, as the negotiator sends them and parse_round reads them: the counts
 * of consecutive rounds of \p direction from \p sequence on ("count" for one, "counts"
 * for more), and the receiving node's role in that direction ("role": leader or
 * follower).
 */
inline pmt::pmt_t rounds_message(unsigned direction,
                                 uint16_t sequence,
                                 std::span<const uint32_t> counts,
                                 bool leader)
{
    static const pmt::pmt_t direction_key = pmt::mp("direction"),
                            sequence_key = pmt::mp("sequence"),
                            count_key = pmt::mp("count"), role_key = pmt::mp("role"),
                            leader_role = pmt::mp("leader"),
                            follower_role = pmt::mp("follower");
    pmt::pmt_t d = pmt::make_dict();
    d = pmt::dict_add(d, direction_key, pmt::from_long(direction));
    d = pmt::dict_add(d, sequence_key, pmt::from_long(sequence));
    d = counts.size() == 1
            ? pmt::dict_add(d, count_key, pmt::from_long(counts[0]))
            : pmt::dict_add(
                  d, counts_key(), pmt::init_u32vector(counts.size(), counts.data()));
    return pmt::dict_add(d, role_key, leader ? leader_role : follower_role);
}

//! Reads \p msg as rounds; throws message_refused for anything else.
inline round_message parse_round(const pmt::pmt_t& msg,
                                 const pmt::pmt_t& direction_key,
                                 const pmt::pmt_t& sequence_key,
                                 const pmt::pmt_t& count_key)
{
    if (!pmt::is_dict(msg))
        throw message_refused(
            "expected a round (a dict: direction, sequence, count or counts)");
    const auto d = meta_long(msg, direction_key);
    const auto s = meta_long(msg, sequence_key);
    if (!d.ok() || (d.value != 0 && d.value != 1))
        throw message_refused("a round's 'direction' must be the integer 0 or 1");
    if (!s.ok() || s.value < 1 || s.value > 65535)
        throw message_refused("a round's 'sequence' must be an integer 1..65535");
    round_message r{
        static_cast<unsigned>(d.value), static_cast<uint16_t>(s.value), 1, nullptr, 0
    };
    const pmt::pmt_t counts = pmt::dict_ref(msg, counts_key(), pmt::PMT_NIL);
    if (!pmt::is_null(counts)) {
        if (!pmt::is_u32vector(counts) || pmt::length(counts) < 1 ||
            pmt::length(counts) > 65535)
            throw message_refused(
                "a rounds message's 'counts' must be a u32vector of 1..65535 counts");
        r.counts = pmt::u32vector_elements(counts, r.size);
        return r;
    }
    const auto c = meta_long(msg, count_key);
    if (!c.ok() || c.value < 0 || c.value > static_cast<long>(UINT32_MAX))
        throw message_refused("a round's 'count' must be an integer 0..4294967295");
    r.count = static_cast<uint32_t>(c.value);
    return r;
}

} // namespace fiberkey
} // namespace gr

#endif
