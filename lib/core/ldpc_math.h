/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LDPC_MATH_H
#define FIBERKEY_CORE_LDPC_MATH_H

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace fiberkey::ldpc_math {

// The LDPC decoder's two functions per edge, tanh(q / 2) and 2 atanh(p), are built on
// these, in loops GCC vectorises (glibc's expm1 and log1p are scalar, and were most of
// decoding's time): e^-a and ln y by range reduction and polynomials, without branches,
// within 1e-15 of the standard functions (e^-a relative, ln y absolute), which test_ldpc
// checks.
constexpr double ln2_high = 0x1.62e42fefa3800p-1, ln2_low = 0x1.ef35793c76730p-45;

// A polynomial by Horner's rule, its coefficients highest power first.
template <std::size_t N>
constexpr double horner(double x, const std::array<double, N>& c)
{
    double p = c[0];
    // Unrolled, so that the decoder's loops around it vectorise as straight-line code
    // (left as a loop, the n = 100,000 batch took 30 % longer).
#pragma GCC unroll 32
    for (std::size_t i = 1; i < N; ++i)
        p = p * x + c[i];
    return p;
}

// 1 / n!, n = 12 down to 0: e^r to r^12.
constexpr auto exp_series = [] {
    std::array<double, 13> c{};
    double factorial = 1.0;
    for (std::size_t n = 0; n < c.size(); ++n) {
        factorial *= n > 0 ? double(n) : 1.0;
        c[c.size() - 1 - n] = 1.0 / factorial;
    }
    return c;
}();

// 1 / (2 j + 1), j = 9 down to 0: atanh(s) / s in powers of s^2, to s^18.
constexpr auto atanh_series = [] {
    std::array<double, 10> c{};
    for (std::size_t j = 0; j < c.size(); ++j)
        c[c.size() - 1 - j] = 1.0 / double(2 * j + 1);
    return c;
}();

// e^-a for a in [0, 700]: -a = k ln 2 + r, |r| <= ln 2 / 2, e^r by its Taylor series to
// r^12 / 12! (the rest below 2e-16), times 2^k made in the exponent field.
inline double exp_of_negative(double a)
{
    // Adding 1.5 2^52 rounds to an integer and leaves it in the low mantissa bits.
    constexpr double round_to_integer = 0x1.8p52;
    const double shifted = -a * 0x1.71547652b82fep0 + round_to_integer;
    const double k = shifted - round_to_integer;
    const double r = (-a - k * ln2_high) - k * ln2_low;
    const double p = horner(r, exp_series);
    const auto two_to_k =
        std::bit_cast<double>((std::bit_cast<std::uint64_t>(shifted) + 1023) << 52);
    return p * two_to_k;
}

// ln y for normal y > 0: y = 2^k m, m in [1, 2), ln m = ln sqrt(2) + 2 atanh(s) with
// s = (m - sqrt(2)) / (m + sqrt(2)), |s| < 0.172, by its series to s^19 (the rest below
// 1e-17). No branch, so that it vectorises without masks; the price is that ln 1 comes
// out as a rounding error (about 1e-16) rather than 0: accurate in absolute terms, which
// is what a sum of messages needs.
inline double log_of_positive(double y)
{
    const auto bits = std::bit_cast<std::uint64_t>(y);
    const double m =
        std::bit_cast<double>((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    // k + 1/2 from the exponent field, exactly: 2^52 + field, less 2^52 and the bias.
    const double k_half = (std::bit_cast<double>((bits >> 52) | 0x4330000000000000ULL) -
                           (0x1p52 + 1023.0)) +
                          0.5;
    const double s = (m - 0x1.6a09e667f3bcdp0) / (m + 0x1.6a09e667f3bcdp0), z = s * s;
    const double p = horner(z, atanh_series);
    return k_half * ln2_high + (k_half * ln2_low + 2.0 * s * p);
}

} // namespace fiberkey::ldpc_math

#endif
