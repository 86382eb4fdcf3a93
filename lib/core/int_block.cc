/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/int_block.h>

#include <algorithm>
#include <stdexcept>

namespace fiberkey {

namespace fl = frame_layout;

namespace {
constexpr std::size_t c_feedback_fields_bytes = 5;
constexpr std::size_t round_bytes = 5;
constexpr std::size_t ack_bytes = 3;

std::size_t c_bytes(std::uint16_t bits) { return (bits + 7u) / 8u; }

bool known_type(std::uint8_t type)
{
    return type >= static_cast<std::uint8_t>(int_record_type::c_feedback) &&
           type <= static_cast<std::uint8_t>(int_record_type::ack);
}

// Per record type: its type byte, payload size, the field checks a receiver makes
// (shared with the writer) and its payload on the wire.

int_record_type type_of(const int_c_feedback&) { return int_record_type::c_feedback; }
int_record_type type_of(const int_round&) { return int_record_type::round; }
int_record_type type_of(const int_fragment&) { return int_record_type::fragment; }
int_record_type type_of(const int_ack&) { return int_record_type::ack; }

std::size_t payload_size(const int_c_feedback& c)
{
    return c_feedback_fields_bytes + c.c.size();
}
std::size_t payload_size(const int_round&) { return round_bytes; }
std::size_t payload_size(const int_fragment& f)
{
    return int_writer::fragment_fields_bytes + f.data.size();
}
std::size_t payload_size(const int_ack&) { return ack_bytes; }

bool fields_valid(const int_c_feedback& c)
{
    return c.direction <= 1 && c.sequence != 0 && c.bits != 0;
}
bool fields_valid(const int_round& d) { return d.direction <= 1; }
bool fields_valid(const int_fragment& f) { return f.count != 0 && f.index < f.count; }
bool fields_valid(const int_ack&) { return true; }

void write_payload(be_writer& w, const int_c_feedback& c)
{
    w.u8(c.direction);
    w.u16(c.sequence);
    w.u16(c.bits);
    w.bytes(c.c);
}
void write_payload(be_writer& w, const int_round& d)
{
    w.u8(d.direction);
    w.u16(d.send_seq);
    w.u16(d.response_seq);
}
void write_payload(be_writer& w, const int_fragment& f)
{
    w.u8(f.stream);
    w.u16(f.message_seq);
    w.u8(f.index);
    w.u8(f.count);
    w.bytes(f.data);
}
void write_payload(be_writer& w, const int_ack& a)
{
    w.u8(a.stream);
    w.u16(a.message_seq);
}

std::size_t payload_size(const int_record& r)
{
    return std::visit([](const auto& x) { return payload_size(x); }, r);
}

bool fields_valid(const int_record& r)
{
    return std::visit([](const auto& x) { return fields_valid(x); }, r);
}

void serialize(const int_record& r, std::uint8_t* out)
{
    be_writer w;
    std::visit(
        [&w](const auto& x) {
            w.u8(static_cast<std::uint8_t>(type_of(x)));
            w.u8(payload_size(x));
            write_payload(w, x);
        },
        r);
    std::copy(w.out().begin(), w.out().end(), out);
}

//! Reads one record's payload; the caller has checked its type and that \p length bytes
//! are there.
int_error read_record(std::uint8_t type,
                      const std::uint8_t* payload,
                      std::size_t length,
                      int_record& out)
{
    be_reader in(std::span<const std::uint8_t>(payload, length));
    switch (static_cast<int_record_type>(type)) {
    case int_record_type::c_feedback: {
        if (length < c_feedback_fields_bytes)
            return int_error::bad_length;
        int_c_feedback c;
        c.direction = static_cast<std::uint8_t>(in.u8());
        c.sequence = static_cast<std::uint16_t>(in.u16());
        c.bits = static_cast<std::uint16_t>(in.u16());
        if (length != c_feedback_fields_bytes + c_bytes(c.bits))
            return int_error::bad_length;
        const auto bytes = in.bytes(c_bytes(c.bits));
        c.c.assign(bytes.begin(), bytes.end());
        out = std::move(c);
        break;
    }
    case int_record_type::round: {
        if (length != round_bytes)
            return int_error::bad_length;
        int_round d;
        d.direction = static_cast<std::uint8_t>(in.u8());
        d.send_seq = static_cast<std::uint16_t>(in.u16());
        d.response_seq = static_cast<std::uint16_t>(in.u16());
        out = d;
        break;
    }
    case int_record_type::fragment: {
        if (length < int_writer::fragment_fields_bytes)
            return int_error::bad_length;
        int_fragment f;
        f.stream = static_cast<std::uint8_t>(in.u8());
        f.message_seq = static_cast<std::uint16_t>(in.u16());
        f.index = static_cast<std::uint8_t>(in.u8());
        f.count = static_cast<std::uint8_t>(in.u8());
        const auto data = in.bytes(length - int_writer::fragment_fields_bytes);
        f.data.assign(data.begin(), data.end());
        out = std::move(f);
        break;
    }
    case int_record_type::ack: {
        if (length != ack_bytes)
            return int_error::bad_length;
        int_ack a;
        a.stream = static_cast<std::uint8_t>(in.u8());
        a.message_seq = static_cast<std::uint16_t>(in.u16());
        out = a;
        break;
    }
    default:
        return int_error::unknown_type;
    }
    return fields_valid(out) ? int_error::none : int_error::bad_field;
}
} // namespace

std::size_t int_writer::encoded_size(const int_record& r)
{
    return header_bytes + payload_size(r);
}

int_writer::int_writer(std::size_t capacity) : d_capacity(capacity)
{
    if (capacity > fl::int_info_bytes)
        throw std::invalid_argument(
            "int_writer: an INT block holds 239 information bytes");
}

bool int_writer::add(const int_record& r)
{
    const auto* c = std::get_if<int_c_feedback>(&r);
    if (!fields_valid(r) || (c && c->c.size() != c_bytes(c->bits)) ||
        encoded_size(r) > fl::int_info_bytes)
        throw std::invalid_argument("int_writer: malformed record");
    if (encoded_size(r) > space_left())
        return false;
    serialize(r, d_info.data() + d_used);
    d_used += encoded_size(r);
    return true;
}

void int_writer::finish(std::span<std::uint8_t, fl::block_bytes> block) const
{
    // Bytes past d_used are zero: the padding.
    std::copy(d_info.begin(), d_info.end(), block.begin());
    rs255::encode(block.first<rs255::k>(), block.last<rs255::parity_bytes>());
}

void int_writer::clear()
{
    d_info.fill(0);
    d_used = 0;
}

const char* to_string(int_error e)
{
    switch (e) {
    case int_error::none:
        return "ok";
    case int_error::uncorrectable:
        return "uncorrectable";
    case int_error::unknown_type:
        return "unknown record type";
    case int_error::length_overrun:
        return "record runs past the information bytes";
    case int_error::bad_length:
        return "record length does not fit its type";
    case int_error::bad_field:
        return "record field out of range";
    case int_error::padding_not_zero:
        return "padding not zero";
    }
    return "?";
}

int_parse_result parse_int_info(std::span<const std::uint8_t, fl::int_info_bytes> info)
{
    int_parse_result result;
    auto reject = [&](int_error e, std::size_t offset) {
        result.error = e;
        result.error_offset = offset;
        result.records.clear();
        return result;
    };
    constexpr std::size_t end = fl::int_info_bytes;
    std::size_t pos = 0;
    while (pos < end) {
        const std::uint8_t type = info[pos];
        if (type == static_cast<std::uint8_t>(int_record_type::padding)) {
            if (!std::all_of(
                    info.begin() + pos, info.end(), [](auto b) { return b == 0; }))
                return reject(int_error::padding_not_zero, pos);
            break;
        }
        // The type first, so that an unknown type is named as such.
        if (!known_type(type))
            return reject(int_error::unknown_type, pos);
        if (pos + int_writer::header_bytes > end ||
            pos + int_writer::header_bytes + info[pos + 1] > end)
            return reject(int_error::length_overrun, pos);
        const std::size_t length = info[pos + 1];
        int_record record;
        const int_error e =
            read_record(type, &info[pos + int_writer::header_bytes], length, record);
        if (e != int_error::none)
            return reject(e, pos);
        result.records.push_back(std::move(record));
        pos += int_writer::header_bytes + length;
    }
    return result;
}

int_parse_result parse_int_block(std::span<const std::uint8_t, fl::block_bytes> block)
{
    std::array<std::uint8_t, rs255::n> cw;
    std::copy(block.begin(), block.end(), cw.begin());
    const int corrected = rs255::decode(cw);
    if (corrected < 0) {
        int_parse_result result;
        result.error = int_error::uncorrectable;
        return result;
    }
    auto result = parse_int_info(
        std::span<const std::uint8_t, fl::int_info_bytes>(cw.data(), fl::int_info_bytes));
    result.corrected_symbols = corrected;
    return result;
}

void int_block_counters::count(const int_parse_result& r)
{
    if (r.ok())
        ++accepted;
    else if (r.error == int_error::uncorrectable)
        ++uncorrectable;
    else
        ++rejected;
    corrected_symbols += static_cast<std::uint64_t>(r.corrected_symbols);
}

} // namespace fiberkey
