/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/round_arithmetic.h>

#include <bit>
#include <cstring>
#include <stdexcept>

namespace fiberkey::round_arithmetic {

namespace {
using bytes = std::span<const std::uint8_t>;

void check_sizes(std::size_t a, std::size_t b, std::size_t c)
{
    if (a != b || a != c)
        throw std::invalid_argument("round_arithmetic: arrays of different sizes");
}

// memcpy keeps the loads legal for any alignment; the compiler turns it into one load.
std::uint64_t load(const std::uint8_t* p)
{
    std::uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
}

void store(std::uint8_t* p, std::uint64_t w) { std::memcpy(p, &w, sizeof w); }

// out = a ^ b ^ c; c may be empty (then out = a ^ b).
void xor_arrays(bytes a, bytes b, bytes c, std::span<std::uint8_t> out)
{
    const bool three = !c.empty();
    std::size_t i = 0;
    for (; i + 8 <= out.size(); i += 8)
        store(&out[i], load(&a[i]) ^ load(&b[i]) ^ (three ? load(&c[i]) : 0));
    for (; i < out.size(); ++i)
        out[i] = a[i] ^ b[i] ^ (three ? c[i] : 0);
}

std::size_t xor3_popcount(bytes a, bytes b, bytes c)
{
    check_sizes(a.size(), b.size(), c.size());
    std::size_t n = 0;
    std::size_t i = 0;
    for (; i + 8 <= a.size(); i += 8)
        n += std::popcount(load(&a[i]) ^ load(&b[i]) ^ load(&c[i]));
    for (; i < a.size(); ++i)
        n += std::popcount(static_cast<std::uint8_t>(a[i] ^ b[i] ^ c[i]));
    return n;
}

void feedback(bytes noisy_peer, bytes own, std::span<std::uint8_t> c)
{
    check_sizes(noisy_peer.size(), own.size(), c.size());
    xor_arrays(noisy_peer, own, {}, c);
}

void error_pattern(bytes noisy_peer, bytes own, bytes c, std::span<std::uint8_t> e)
{
    check_sizes(noisy_peer.size(), own.size(), c.size());
    check_sizes(noisy_peer.size(), e.size(), e.size());
    xor_arrays(noisy_peer, own, c, e);
}
} // namespace

void follower_feedback(bytes xa3, bytes xb2, std::span<std::uint8_t> c2)
{
    feedback(xa3, xb2, c2);
}

void leader_feedback(bytes xb3, bytes xa2, std::span<std::uint8_t> c1)
{
    feedback(xb3, xa2, c1);
}

void leader_error_pattern(bytes xb4, bytes xa1, bytes c4, std::span<std::uint8_t> e1)
{
    error_pattern(xb4, xa1, c4, e1);
}

void follower_error_pattern(bytes xa4, bytes xb1, bytes c3, std::span<std::uint8_t> e2)
{
    error_pattern(xa4, xb1, c3, e2);
}

std::size_t leader_error_count(bytes xb4, bytes xa1, bytes c4)
{
    return xor3_popcount(xb4, xa1, c4);
}

std::size_t follower_error_count(bytes xa4, bytes xb1, bytes c3)
{
    return xor3_popcount(xa4, xb1, c3);
}

} // namespace fiberkey::round_arithmetic
