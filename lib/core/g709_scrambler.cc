/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_scrambler.h>

#include <stdexcept>
#include <vector>

namespace fiberkey::g709_scrambler {

namespace {
constexpr std::size_t scrambled_bytes =
    frame_layout::frame_bytes - frame_layout::fas.length;

std::vector<std::uint8_t> make_sequence()
{
    // Fibonacci form: s[n] = s[n-1] ^ s[n-3] ^ s[n-12] ^ s[n-16], the first 16 bits are
    // the all-ones reset state. reg holds s[n-16..n-1], s[n-1] in bit 0.
    std::vector<std::uint8_t> seq(scrambled_bytes);
    std::uint16_t reg = 0xffff;
    for (auto& byte : seq) {
        unsigned v = 0;
        for (int b = 0; b < 8; ++b) {
            const unsigned out = (reg >> 15) & 1;
            const unsigned feedback = (reg ^ (reg >> 2) ^ (reg >> 11) ^ (reg >> 15)) & 1;
            reg = static_cast<std::uint16_t>((reg << 1) | feedback);
            v = (v << 1) | out;
        }
        byte = static_cast<std::uint8_t>(v);
    }
    return seq;
}
} // namespace

std::span<const std::uint8_t> sequence()
{
    static const std::vector<std::uint8_t> seq = make_sequence();
    return seq;
}

void apply(std::span<std::uint8_t> frame)
{
    if (frame.size() != frame_layout::frame_bytes)
        throw std::invalid_argument("g709_scrambler: a frame is 16,830 bytes");
    const std::uint8_t* s = sequence().data();
    std::uint8_t* p = frame.data() + frame_layout::fas.end();
    for (std::size_t i = 0; i < scrambled_bytes; ++i)
        p[i] ^= s[i];
}

} // namespace fiberkey::g709_scrambler
