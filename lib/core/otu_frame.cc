/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/otu_frame.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace fiberkey {
namespace otu_frame {

namespace fl = frame_layout;

namespace {
void check_size(std::span<const std::uint8_t> part,
                std::size_t size,
                bool up_to,
                const char* what)
{
    if (up_to ? part.size() > size : (!part.empty() && part.size() != size))
        throw std::invalid_argument(std::string("otu_frame: ") + what + " is " +
                                    (up_to ? "at most " : "") + std::to_string(size) +
                                    " bytes, got " + std::to_string(part.size()));
}
} // namespace

void build(frame_ref frame,
           const header& h,
           std::span<const std::uint8_t> payload,
           std::span<const std::uint8_t> neg,
           std::span<const std::uint8_t> int_information)
{
    check_size(payload, fl::payload_bytes, false, "a payload");
    check_size(neg, fl::block_bytes, false, "a NEG block");
    check_size(int_information, fl::int_info_bytes, true, "the INT information");
    if (h.epoch > fl::epoch_mask)
        throw std::invalid_argument("otu_frame: the key epoch is 0..3");
    std::fill(frame.begin(), frame.end(), 0);
    std::copy(fl::fas_pattern.begin(), fl::fas_pattern.end(), frame.begin());
    write_header(frame.data(), h);
    if (!payload.empty())
        write_payload(frame, const_payload_ref(payload.data(), fl::payload_bytes));
    std::copy(neg.begin(), neg.end(), frame.begin() + fl::neg.offset);
    write_int(frame, int_information);
}

// Bits 31..8 in columns 10-12, bits 7..0 in MFAS.
std::uint32_t read_counter(const std::uint8_t* frame)
{
    return static_cast<std::uint32_t>(
        (load_be(frame + fl::counter_high.offset, fl::counter_high.length) << 8) |
        frame[fl::mfas]);
}

void write_counter(std::uint8_t* frame, std::uint32_t counter)
{
    store_be(frame + fl::counter_high.offset, counter >> 8, fl::counter_high.length);
    frame[fl::mfas] = static_cast<std::uint8_t>(counter);
}

header read_header(const std::uint8_t* frame)
{
    const std::uint8_t flags = frame[fl::epoch_flags];
    return { read_counter(frame),
             unsigned(flags & fl::epoch_mask),
             (flags & fl::flag_clear) != 0 };
}

void write_header(std::uint8_t* frame, const header& h)
{
    write_counter(frame, h.counter);
    frame[fl::epoch_flags] = static_cast<std::uint8_t>((h.epoch & fl::epoch_mask) |
                                                       (h.clear ? fl::flag_clear : 0));
}

void read_payload(const_frame_ref frame, payload_ref out)
{
    for (std::size_t r = 0; r < fl::rows; ++r)
        std::copy_n(frame.begin() + fl::at(r, fl::payload_columns.offset),
                    fl::payload_columns.length,
                    out.begin() + r * fl::payload_columns.length);
}

void write_payload(frame_ref frame, const_payload_ref payload)
{
    for (std::size_t r = 0; r < fl::rows; ++r)
        std::copy_n(payload.begin() + r * fl::payload_columns.length,
                    fl::payload_columns.length,
                    frame.begin() + fl::at(r, fl::payload_columns.offset));
}

int_decoded decode_int(const_frame_ref frame)
{
    std::array<std::uint8_t, rs255::n> codeword;
    std::copy_n(frame.begin() + fl::intb.offset, rs255::n, codeword.begin());
    int_decoded d;
    d.corrected = rs255::decode(codeword);
    std::copy_n(codeword.begin(), fl::int_info_bytes, d.info.begin());
    return d;
}

void write_int(frame_ref frame, std::span<const std::uint8_t> int_information)
{
    check_size(int_information, fl::int_info_bytes, true, "the INT information");
    const auto info = frame.subspan<fl::intb.offset, fl::int_info_bytes>();
    std::fill(std::copy(int_information.begin(), int_information.end(), info.begin()),
              info.end(),
              0);
    rs255::encode(
        info, frame.subspan<fl::intb.offset + fl::int_info_bytes, rs255::parity_bytes>());
}

void make_clear(frame_ref frame)
{
    for (const auto& span : fl::encrypted_spans) {
        const std::size_t end = std::min(span.end(), fl::intb.offset); // INT stays
        if (span.offset < end)
            std::fill(frame.begin() + span.offset, frame.begin() + end, 0);
    }
    frame[fl::epoch_flags] = fl::flag_clear;
}

void mark_epoch(std::uint8_t* frame, unsigned epoch)
{
    frame[fl::epoch_flags] = static_cast<std::uint8_t>(
        (frame[fl::epoch_flags] & ~(fl::epoch_mask | fl::flag_clear)) |
        (epoch & fl::epoch_mask));
}

} // namespace otu_frame
} // namespace fiberkey
