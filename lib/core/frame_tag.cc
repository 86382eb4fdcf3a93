/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <algorithm>
#include <stdexcept>

namespace fiberkey {

namespace fl = frame_layout;

namespace {
void check_direction(unsigned direction)
{
    if (direction > 1)
        throw std::invalid_argument("frame_tag: direction must be 0 or 1");
}
} // namespace

frame_tag::frame_tag() : d_message(fl::authenticated_bytes()) {}

frame_tag::~frame_tag() { secure_wipe(d_message); }

std::array<std::uint8_t, frame_tag::mac_key_bytes>
frame_tag::mac_key(std::span<const std::uint8_t, 16> session_key, unsigned direction)
{
    check_direction(direction);
    const auto v = eea3::iv(0, mac_bearer, direction);
    auto generator = zuc::zuc128(session_key, v);
    std::array<std::uint8_t, mac_key_bytes> k{};
    generator.generate_bytes(k);
    return k;
}

std::array<std::uint8_t, frame_tag::iv_bytes> frame_tag::iv(std::uint32_t counter,
                                                            unsigned direction)
{
    check_direction(direction);
    std::array<std::uint8_t, iv_bytes> v{}; // IV17..IV24 (6-bit) stay zero
    store_be(v.data(), counter, 4);
    v[4] = static_cast<std::uint8_t>(direction);
    v[5] = 'F';
    v[6] = 'K';
    v[7] = 'T';
    v[8] = 'G';
    return v;
}

frame_tag::tag frame_tag::compute(otu_frame::const_frame_ref frame,
                                  int_info_ref int_information,
                                  std::span<const std::uint8_t, 16> session_key,
                                  std::uint32_t counter,
                                  unsigned direction)
{
    auto key = mac_key(session_key, direction);
    auto out = d_message.begin();
    for (const auto& s : fl::authenticated_spans) {
        if (s.offset == fl::intb.offset) // the RS-checked bytes, not the received ones
            out = std::copy(int_information.begin(), int_information.end(), out);
        else
            out = std::copy_n(frame.begin() + s.offset, s.length, out);
    }
    tag t{};
    zuc256_mac::compute(
        key, iv(counter, direction), d_message, d_message.size() * 8, tag_bits, t);
    secure_wipe(key);
    secure_wipe(d_message);
    return t;
}

void frame_tag::seal(otu_frame::frame_ref frame,
                     std::span<const std::uint8_t, 16> session_key,
                     std::uint32_t counter,
                     unsigned direction)
{
    const auto info = frame.subspan<fl::intb.offset, fl::int_info_bytes>();
    const tag t = compute(frame, info, session_key, counter, direction);
    std::copy(t.begin(), t.end(), frame.begin() + fl::tag.offset);
}

bool frame_tag::verify(otu_frame::frame_ref frame,
                       int_info_ref int_information,
                       std::span<const std::uint8_t, 16> session_key,
                       std::uint32_t counter,
                       unsigned direction)
{
    tag t = compute(frame, int_information, session_key, counter, direction);
    std::uint8_t difference = 0;
    for (std::size_t i = 0; i < tag_bytes; ++i)
        difference |= static_cast<std::uint8_t>(t[i] ^ frame[fl::tag.offset + i]);
    std::fill_n(frame.begin() + fl::tag.offset, tag_bytes, 0);
    secure_wipe(t);
    return difference == 0;
}

} // namespace fiberkey
