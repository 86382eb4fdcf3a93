/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_HEX_H
#define FIBERKEY_CORE_HEX_H

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fiberkey {

//! Parses hex digits (either case, no separators); throws std::invalid_argument.
std::vector<std::uint8_t> from_hex(std::string_view hex);
//! Lowercase hex.
std::string to_hex(std::span<const std::uint8_t> bytes);

} // namespace fiberkey

#endif
