/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_TESTS_RANDOM_BITS_H
#define FIBERKEY_TESTS_RANDOM_BITS_H

#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

namespace fiberkey::test {

//! n bits, one per byte, from a FIXED SEED (reproducible test data, not secret).
inline std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::uint8_t> bits(n);
    for (auto& b : bits)
        b = rng() & 1;
    return bits;
}

} // namespace fiberkey::test

#endif
