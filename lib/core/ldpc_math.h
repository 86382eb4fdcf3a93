/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LDPC_MATH_H
#define FIBERKEY_CORE_LDPC_MATH_H

#include <bit>
#include <cstdint>
#include <initializer_list>

namespace fiberkey::ldpc_math {

// The LDPC decoder's two functions per edge, tanh(q / 2) and 2 atanh(p), are built on
// these, in loops GCC vectorises (glibc's expm1 and log1p are scalar, and were most of
// decoding's time): e^-a and ln y by range reduction and polynomials, without branches.
// test_ldpc compares them with the standard functions.
constexpr double ln2_high = 0x1.62e42fefa3800p-1, ln2_low = 0x1.ef35793c76730p-45;

// e^-a for a in [0, 700]: -a = k ln 2 + r, |r| <= ln 2 / 2, e^r by its Taylor series to
// r^11 / 11!, times 2^k made in the exponent field.
inline double exp_of_negative(double a)
{
    // Adding 1.5 2^52 rounds to an integer and leaves it in the low mantissa bits.
    constexpr double round_to_integer = 0x1.8p52;
    const double shifted = -a * 0x1.71547652b82fep0 + round_to_integer;
    const double k = shifted - round_to_integer;
    const double r = (-a - k * ln2_high) - k * ln2_low;
    double p = 1.0 / 39916800.0;
    for (double c : { 1.0 / 3628800.0,
                      1.0 / 362880.0,
                      1.0 / 40320.0,
                      1.0 / 5040.0,
                      1.0 / 720.0,
                      1.0 / 120.0,
                      1.0 / 24.0,
                      1.0 / 6.0,
                      0.5,
                      1.0,
                      1.0 })
        p = p * r + c;
    const auto two_to_k =
        std::bit_cast<double>((std::bit_cast<std::uint64_t>(shifted) + 1023) << 52);
    return p * two_to_k;
}

// ln y for normal y > 0: y = 2^k m, m in [1, 2), ln m = ln sqrt(2) + 2 atanh(s) with
// s = (m - sqrt(2)) / (m + sqrt(2)), |s| < 0.172, by its series to s^15 (no branch:
// it vectorises without masks).
inline double log_of_positive(double y)
{
    const auto bits = std::bit_cast<std::uint64_t>(y);
    const double m =
        std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    // k + 1/2 from the exponent field, exactly: 2^52 + field, less 2^52 and the bias.
    const double k_half =
        (std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) - (0x1p52 + 1023.0)) +
        0.5;
    const double s = (m - 0x1.6a09e667f3bcdp0) / (m + 0x1.6a09e667f3bcdp0), z = s * s;
    double p = 1.0 / 15.0;
    for (double c : { 1.0 / 13.0, 1.0 / 11.0, 1.0 / 9.0, 1.0 / 7.0, 1.0 / 5.0, 1.0 / 3.0, 1.0 })
        p = p * z + c;
    return k_half * ln2_high + (k_half * ln2_low + 2.0 * s * p);
}

} // namespace fiberkey::ldpc_math

#endif
