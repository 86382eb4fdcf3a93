/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ROUND_SEQUENCE_H
#define FIBERKEY_CORE_ROUND_SEQUENCE_H

#include <cstdint>

/*!
 * \brief Arithmetic on round sequence numbers (protocol.md section 5): they run
 * 1..65535, then 1 again (0 means "none" on the wire), so they count modulo 65535.
 */
namespace fiberkey::round_sequence {

inline constexpr std::uint32_t cycle = 65535;
inline constexpr std::uint32_t half_cycle = cycle / 2 + 1;

constexpr std::uint16_t next(std::uint16_t s)
{
    return s == cycle ? 1 : static_cast<std::uint16_t>(s + 1);
}

//! Steps from \p from forward to \p to (65535 = 0 modulo 65535).
constexpr std::uint32_t ahead(std::uint16_t from, std::uint16_t to)
{
    return (to + cycle - from) % cycle;
}

//! \p a comes before \p b: less than half a cycle behind it.
constexpr bool is_before(std::uint16_t a, std::uint16_t b)
{
    const auto d = ahead(a, b);
    return d != 0 && d < half_cycle;
}

} // namespace fiberkey::round_sequence

#endif
