/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_BINDINGS_BYTES_CONVERSIONS_H
#define INCLUDED_FIBERKEY_BINDINGS_BYTES_CONVERSIONS_H

#include <pybind11/pybind11.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace fiberkey_bindings {

//! Python bytes as a byte vector (pybind's stl caster refuses bytes for a vector).
inline std::vector<uint8_t> as_vector(const pybind11::bytes& b)
{
    const std::string_view v(b);
    return std::vector<uint8_t>(v.begin(), v.end());
}

} // namespace fiberkey_bindings

#endif
