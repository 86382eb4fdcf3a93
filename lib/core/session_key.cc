/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/session_key.h>
#include <fiberkey/zuc.h>

#include <stdexcept>

namespace fiberkey::session_key {

std::array<std::uint8_t, 25> iv(unsigned direction, std::uint32_t epoch)
{
    if (direction > 1)
        throw std::invalid_argument("session_key: direction must be 0 or 1");
    std::array<std::uint8_t, 25> v{};
    v[0] = 'F';
    v[1] = 'K';
    v[2] = 'S';
    v[3] = 'K';
    v[4] = static_cast<std::uint8_t>(direction);
    for (int i = 0; i < 4; ++i)
        v[5 + i] = static_cast<std::uint8_t>(epoch >> (24 - 8 * i));
    return v;
}

std::array<std::uint8_t, key_bytes> derive(std::span<const std::uint8_t, seed_bytes> seed,
                                           unsigned direction,
                                           std::uint32_t epoch)
{
    const auto v = iv(direction, epoch);
    auto generator = zuc::zuc256(seed, v);
    std::array<std::uint8_t, key_bytes> k{};
    generator.generate_bytes(k);
    return k;
}

} // namespace fiberkey::session_key
