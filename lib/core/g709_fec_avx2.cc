/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The AVX2 kernels: 32 lanes (two rows), multiplication by PSHUFB nibble tables or, with
// GFNI, by GF2P8AFFINEQB bit matrices.
#include "g709_fec_kernels.h"

#ifdef FIBERKEY_G709_X86
#include <immintrin.h>

namespace fiberkey::g709_fec::kernels {

namespace {

// Vectors go by reference: see lfsr_lanes in g709_fec_kernels.h.
struct avx2_lanes {
    using vec = __m256i;
    struct operand {
        vec low, high;
    };

    [[gnu::target("avx2")]] static void load(vec& v, const std::uint8_t* p)
    {
        const auto row0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const auto row1 =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + frame_layout::columns));
        v = _mm256_inserti128_si256(_mm256_castsi128_si256(row0), row1, 1);
    }
    [[gnu::target("avx2")]] static void store(std::uint8_t* p, const vec& v)
    {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(v));
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p + frame_layout::columns),
                         _mm256_extracti128_si256(v, 1));
    }
    [[gnu::target("avx2")]] static vec wide(const wide_bytes& w)
    {
        return _mm256_load_si256(reinterpret_cast<const __m256i*>(w.bytes.data()));
    }
    [[gnu::target("avx2")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm256_set1_epi8(0x0f);
        o = { _mm256_and_si256(x, mask),
              _mm256_and_si256(_mm256_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("avx2")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm256_xor_si256(
            _mm256_xor_si256(_mm256_shuffle_epi8(wide(c.low_nibble), x.low),
                             _mm256_shuffle_epi8(wide(c.high_nibble), x.high)),
            addend);
    }
    [[gnu::target("avx2")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        const int zero =
            _mm256_movemask_epi8(_mm256_cmpeq_epi8(v, _mm256_setzero_si256()));
        return ~static_cast<std::uint32_t>(zero);
    }
};

struct gfni_avx2_lanes : avx2_lanes {
    using operand = vec;

    [[gnu::target("gfni,avx2")]] static void to_operand(operand& o, const vec& x)
    {
        o = x;
    }
    [[gnu::target("gfni,avx2")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm256_xor_si256(_mm256_gf2p8affine_epi64_epi8(x, wide(c.bit_matrix), 0),
                               addend);
    }
};

} // namespace

[[gnu::target("avx2"), gnu::flatten]] void encode_avx2(std::uint8_t* first_row)
{
    encode_lanes<avx2_lanes>(first_row);
}

[[gnu::target("avx2"), gnu::flatten]] std::uint64_t
dirty_avx2(const std::uint8_t* first_row)
{
    return dirty_by_remainder<avx2_lanes>(first_row);
}

[[gnu::target("gfni,avx2"), gnu::flatten]] void encode_gfni_avx2(std::uint8_t* first_row)
{
    encode_lanes<gfni_avx2_lanes>(first_row);
}

[[gnu::target("gfni,avx2"), gnu::flatten]] std::uint64_t
dirty_gfni_avx2(const std::uint8_t* first_row)
{
    return dirty_by_syndromes<gfni_avx2_lanes>(first_row);
}

} // namespace fiberkey::g709_fec::kernels

#endif // FIBERKEY_G709_X86
