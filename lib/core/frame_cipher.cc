/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_cipher.h>
#include <fiberkey/secure_memory.h>

#include <cstring>
#include <stdexcept>

namespace fiberkey {

namespace {

namespace fl = frame_layout;

// A stretch of one lane inside the frame.
struct piece {
    std::size_t frame_offset;
    std::size_t length;
};

// Where each lane lies in the frame: one piece, or two when it straddles a gap.
struct lane_map {
    std::array<std::uint32_t, frame_cipher::lanes> bytes{};
    std::array<std::array<piece, 2>, frame_cipher::lanes> pieces{};
    std::array<unsigned, frame_cipher::lanes> npieces{};
    std::array<std::size_t, frame_cipher::lanes> bounce_offset{}; // for straddling lanes
    std::size_t bounce_bytes = 0;
    // The bytes outside the encrypted region, copied when encrypting out of place.
    std::vector<fl::span> clear;
};

lane_map make_lane_map()
{
    lane_map m;
    constexpr std::size_t total = fl::encrypted_bytes();
    std::size_t span_index = 0, within = 0;
    for (unsigned i = 0; i < frame_cipher::lanes; ++i) {
        m.bytes[i] = static_cast<std::uint32_t>(
            total / frame_cipher::lanes + (i < total % frame_cipher::lanes ? 1 : 0));
        std::size_t left = m.bytes[i];
        while (left > 0) {
            const auto& s = fl::encrypted_spans[span_index];
            const std::size_t take = std::min(left, s.length - within);
            if (m.npieces[i] == m.pieces[i].size())
                throw std::logic_error(
                    "frame_cipher: a lane spans more than two stretches");
            m.pieces[i][m.npieces[i]++] = { s.offset + within, take };
            within += take;
            left -= take;
            if (within == s.length) {
                ++span_index;
                within = 0;
            }
        }
        if (m.npieces[i] > 1) {
            m.bounce_offset[i] = m.bounce_bytes;
            m.bounce_bytes += m.bytes[i];
        }
    }
    std::size_t pos = 0;
    for (const auto& s : fl::encrypted_spans) {
        if (s.offset > pos)
            m.clear.push_back({ pos, s.offset - pos });
        pos = s.end();
    }
    return m;
}

const lane_map& lanes_in_frame()
{
    static const lane_map m = make_lane_map();
    return m;
}

} // namespace

const std::array<std::uint32_t, frame_cipher::lanes>& frame_cipher::lane_bytes()
{
    return lanes_in_frame().bytes;
}

frame_cipher::frame_cipher(zuc_backend backend)
    : d_lanes(eea3_lanes::make(backend)), d_bounce(lanes_in_frame().bounce_bytes)
{
}

frame_cipher::~frame_cipher() { secure_wipe(d_bounce); }

void frame_cipher::crypt(std::span<const std::uint8_t> in,
                         std::span<std::uint8_t> out,
                         std::span<const std::uint8_t, 16> key,
                         std::uint32_t count,
                         unsigned direction)
{
    if (in.size() != fl::frame_bytes || out.size() != fl::frame_bytes)
        throw std::invalid_argument("frame_cipher: a frame is 16,830 bytes");
    const lane_map& m = lanes_in_frame();
    std::array<eea3_lanes::lane, lanes> io;
    for (unsigned i = 0; i < lanes; ++i) {
        if (m.npieces[i] == 1) {
            const std::size_t off = m.pieces[i][0].frame_offset;
            io[i] = { in.data() + off, out.data() + off, m.bytes[i] };
        } else {
            std::uint8_t* b = d_bounce.data() + m.bounce_offset[i];
            for (unsigned p = 0; p < m.npieces[i]; ++p) {
                std::memcpy(
                    b, in.data() + m.pieces[i][p].frame_offset, m.pieces[i][p].length);
                b += m.pieces[i][p].length;
            }
            io[i] = { d_bounce.data() + m.bounce_offset[i],
                      d_bounce.data() + m.bounce_offset[i],
                      m.bytes[i] };
        }
    }
    d_lanes->crypt(key, count, direction, io);
    for (unsigned i = 0; i < lanes; ++i) {
        if (m.npieces[i] == 1)
            continue;
        const std::uint8_t* b = d_bounce.data() + m.bounce_offset[i];
        for (unsigned p = 0; p < m.npieces[i]; ++p) {
            std::memcpy(
                out.data() + m.pieces[i][p].frame_offset, b, m.pieces[i][p].length);
            b += m.pieces[i][p].length;
        }
    }
    if (in.data() != out.data())
        for (const auto& c : m.clear)
            std::memcpy(out.data() + c.offset, in.data() + c.offset, c.length);
}

} // namespace fiberkey
