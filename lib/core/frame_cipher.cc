/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_cipher.h>
#include <fiberkey/secure_memory.h>

#include <stdexcept>

namespace fiberkey {

namespace {
std::array<std::uint32_t, frame_cipher::lanes> split_lanes()
{
    constexpr std::size_t total = frame_layout::encrypted_bytes();
    std::array<std::uint32_t, frame_cipher::lanes> n{};
    for (unsigned i = 0; i < frame_cipher::lanes; ++i)
        n[i] = static_cast<std::uint32_t>(total / frame_cipher::lanes +
                                          (i < total % frame_cipher::lanes ? 1 : 0));
    return n;
}
} // namespace

const std::array<std::uint32_t, frame_cipher::lanes>& frame_cipher::lane_bytes()
{
    static const auto n = split_lanes();
    return n;
}

frame_cipher::frame_cipher(zuc_backend backend)
    : d_lanes(eea3_lanes::make(backend)), d_keystream(frame_layout::encrypted_bytes())
{
}

frame_cipher::~frame_cipher() { secure_wipe(d_keystream); }

void frame_cipher::crypt(std::span<std::uint8_t> frame,
                         std::span<const std::uint8_t, 16> key,
                         std::uint32_t count,
                         unsigned direction)
{
    if (frame.size() != frame_layout::frame_bytes)
        throw std::invalid_argument("frame_cipher: a frame is 16,830 bytes");
    d_lanes->keystream(key, count, direction, lane_bytes(), d_keystream);
    const std::uint8_t* ks = d_keystream.data();
    for (const auto& s : frame_layout::encrypted_spans) {
        std::uint8_t* p = frame.data() + s.offset;
        for (std::size_t i = 0; i < s.length; ++i)
            p[i] ^= ks[i];
        ks += s.length;
    }
}

} // namespace fiberkey
