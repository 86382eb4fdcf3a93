/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The SSSE3 kernel: 16 lanes (one row), multiplication by PSHUFB nibble tables.
#include "g709_fec_kernels.h"

#ifdef FIBERKEY_G709_X86
#include <immintrin.h>

namespace fiberkey::g709_fec::kernels {

namespace {

// Vectors go by reference: see lfsr_lanes in g709_fec_kernels.h.
struct ssse3_lanes {
    using vec = __m128i;
    struct operand {
        vec low, high;
    };

    [[gnu::target("ssse3")]] static void load(vec& v, const std::uint8_t* p)
    {
        v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    }
    [[gnu::target("ssse3")]] static void store(std::uint8_t* p, const vec& v)
    {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v);
    }
    [[gnu::target("ssse3")]] static vec wide(const wide_bytes& w)
    {
        return _mm_load_si128(reinterpret_cast<const __m128i*>(w.bytes.data()));
    }
    [[gnu::target("ssse3")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm_set1_epi8(0x0f);
        o = { _mm_and_si128(x, mask), _mm_and_si128(_mm_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("ssse3")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm_xor_si128(_mm_xor_si128(_mm_shuffle_epi8(wide(c.low_nibble), x.low),
                                          _mm_shuffle_epi8(wide(c.high_nibble), x.high)),
                            addend);
    }
    [[gnu::target("ssse3")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        const int zero = _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
        return ~static_cast<unsigned>(zero) & 0xffffu;
    }
};

} // namespace

[[gnu::target("ssse3"), gnu::flatten]] void encode_ssse3(std::uint8_t* first_row)
{
    encode_lanes<ssse3_lanes>(first_row);
}

[[gnu::target("ssse3"), gnu::flatten]] std::uint64_t
dirty_ssse3(const std::uint8_t* first_row)
{
    return dirty_by_remainder<ssse3_lanes>(first_row);
}

} // namespace fiberkey::g709_fec::kernels

#endif // FIBERKEY_G709_X86
