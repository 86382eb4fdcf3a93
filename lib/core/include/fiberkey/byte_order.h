/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_BYTE_ORDER_H
#define FIBERKEY_CORE_BYTE_ORDER_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

//! The \p n low bytes of \p x at \p p, most significant first (every wire integer).
inline void store_be(std::uint8_t* p, std::uint64_t x, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        p[i] = static_cast<std::uint8_t>(x >> (8 * (n - 1 - i)));
}

inline std::uint64_t load_be(const std::uint8_t* p, std::size_t n)
{
    std::uint64_t x = 0;
    for (std::size_t i = 0; i < n; ++i)
        x = (x << 8) | p[i];
    return x;
}

//! Appends big-endian integers and bytes to a message.
class be_writer
{
public:
    void u8(std::uint64_t x) { be(x, 1); }
    void u16(std::uint64_t x) { be(x, 2); }
    void u32(std::uint64_t x) { be(x, 4); }
    void u64(std::uint64_t x) { be(x, 8); }
    void bytes(std::span<const std::uint8_t> b)
    {
        d_out.insert(d_out.end(), b.begin(), b.end());
    }
    std::vector<std::uint8_t>& out() { return d_out; }

private:
    void be(std::uint64_t x, std::size_t n)
    {
        d_out.resize(d_out.size() + n);
        store_be(d_out.data() + d_out.size() - n, x, n);
    }
    std::vector<std::uint8_t> d_out;
};

//! Bounds-checked big-endian reading of input from the wire: the first read past the end
//! fails, the failure sticks, and every later read returns 0 (or no bytes).
class be_reader
{
public:
    explicit be_reader(std::span<const std::uint8_t> in) : d_in(in) {}
    std::uint64_t u8() { return be(1); }
    std::uint64_t u16() { return be(2); }
    std::uint64_t u32() { return be(4); }
    std::uint64_t u64() { return be(8); }
    std::span<const std::uint8_t> bytes(std::size_t n)
    {
        if (!d_ok || d_in.size() - d_at < n) {
            d_ok = false;
            return {};
        }
        const auto s = d_in.subspan(d_at, n);
        d_at += n;
        return s;
    }
    bool ok() const { return d_ok; }
    bool at_end() const { return d_ok && d_at == d_in.size(); }

private:
    std::uint64_t be(std::size_t n)
    {
        const auto b = bytes(n);
        return b.empty() ? 0 : load_be(b.data(), n);
    }
    std::span<const std::uint8_t> d_in;
    std::size_t d_at = 0;
    bool d_ok = true;
};

} // namespace fiberkey

#endif
