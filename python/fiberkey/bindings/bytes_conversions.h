/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_BINDINGS_BYTES_CONVERSIONS_H
#define INCLUDED_FIBERKEY_BINDINGS_BYTES_CONVERSIONS_H

#include <pybind11/pybind11.h>

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace fiberkey_bindings {

//! Python bytes as a byte vector (pybind's stl caster refuses bytes for a vector).
inline std::vector<uint8_t> as_vector(const pybind11::bytes& b)
{
    const std::string_view v(b);
    return std::vector<uint8_t>(v.begin(), v.end());
}

//! A 32-byte seed key given as Python bytes, viewed in place (valid while \p b lives).
inline std::span<const uint8_t, 32> seed_key_view(const pybind11::bytes& b)
{
    const std::string_view v(b);
    if (v.size() != 32)
        throw std::invalid_argument("a seed key is 32 bytes");
    return std::span<const uint8_t, 32>(reinterpret_cast<const uint8_t*>(v.data()), 32);
}

} // namespace fiberkey_bindings

#endif
