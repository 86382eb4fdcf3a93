/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_FUZZ_INPUT_H
#define FIBERKEY_FUZZ_INPUT_H

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

namespace fiberkey::fuzz {

/*!
 * Reads a fuzzer input as a script of fields. Past the end every field reads as 0 and
 * bytes() returns fewer bytes, so any input is a whole script.
 */
class input
{
public:
    input(const std::uint8_t* data, std::size_t size) : d_data(data, size) {}

    bool empty() const { return d_pos == d_data.size(); }

    std::uint8_t u8() { return empty() ? 0 : d_data[d_pos++]; }
    std::uint16_t u16()
    {
        const unsigned hi = u8();
        return static_cast<std::uint16_t>(hi << 8 | u8());
    }
    std::uint32_t u32()
    {
        const std::uint32_t hi = u16();
        return hi << 16 | u16();
    }

    //! Up to \p n bytes.
    std::span<const std::uint8_t> bytes(std::size_t n)
    {
        n = std::min(n, d_data.size() - d_pos);
        const auto out = d_data.subspan(d_pos, n);
        d_pos += n;
        return out;
    }

    std::span<const std::uint8_t> rest() { return bytes(d_data.size() - d_pos); }

private:
    std::span<const std::uint8_t> d_data;
    std::size_t d_pos = 0;
};

//! A broken invariant: a finding, reported like a sanitizer's.
[[noreturn]] inline void fail(const char* what, const char* file, int line)
{
    std::fprintf(stderr, "fuzz check failed: %s at %s:%d\n", what, file, line);
    std::abort();
}

} // namespace fiberkey::fuzz

#define FUZZ_CHECK(cond)                                       \
    do {                                                       \
        if (!(cond))                                           \
            ::fiberkey::fuzz::fail(#cond, __FILE__, __LINE__); \
    } while (0)

#endif
