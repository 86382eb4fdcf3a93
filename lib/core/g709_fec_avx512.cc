/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The AVX-512 kernels: 64 lanes (four rows), multiplication by PSHUFB nibble tables or,
// with GFNI, by GF2P8AFFINEQB bit matrices.
#include "g709_fec_kernels.h"

#ifdef FIBERKEY_G709_X86
#include <cstring>
#include <immintrin.h>

namespace fiberkey::g709_fec::kernels {

namespace {

// Vectors go by reference: see lfsr_lanes in g709_fec_kernels.h.
struct avx512_lanes {
    using vec = __m512i;
    struct operand {
        vec low, high;
    };

    [[gnu::target("avx512bw")]] static __m128i row(const std::uint8_t* p, std::size_t r)
    {
        return _mm_loadu_si128(
            reinterpret_cast<const __m128i*>(p + r * frame_layout::columns));
    }
    [[gnu::target("avx512bw")]] static void load(vec& v, const std::uint8_t* p)
    {
        v = _mm512_castsi128_si512(row(p, 0));
        v = _mm512_inserti32x4(v, row(p, 1), 1);
        v = _mm512_inserti32x4(v, row(p, 2), 2);
        v = _mm512_inserti32x4(v, row(p, 3), 3);
    }
    [[gnu::target("avx512bw")]] static void store(std::uint8_t* p, const vec& v)
    {
        // Through memory: GCC 12's _mm512_extracti32x4_epi32 trips -Wuninitialized.
        alignas(64) std::uint8_t lanes[64];
        _mm512_store_si512(lanes, v);
        for (std::size_t r = 0; r < avx512_rows; ++r)
            std::memcpy(p + r * frame_layout::columns, lanes + 16 * r, 16);
    }
    [[gnu::target("avx512bw")]] static vec wide(const wide_bytes& w)
    {
        return _mm512_load_si512(w.bytes.data());
    }
    [[gnu::target("avx512bw")]] static void to_operand(operand& o, const vec& x)
    {
        const auto mask = _mm512_set1_epi8(0x0f);
        o = { _mm512_and_si512(x, mask),
              _mm512_and_si512(_mm512_srli_epi16(x, 4), mask) };
    }
    [[gnu::target("avx512bw")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm512_xor_si512(
            _mm512_xor_si512(_mm512_shuffle_epi8(wide(c.low_nibble), x.low),
                             _mm512_shuffle_epi8(wide(c.high_nibble), x.high)),
            addend);
    }
    [[gnu::target("avx512bw")]] static std::uint64_t nonzero_lanes(const vec& v)
    {
        return _mm512_test_epi8_mask(v, v);
    }
};

struct gfni_avx512_lanes : avx512_lanes {
    using operand = vec;

    [[gnu::target("gfni,avx512bw")]] static void to_operand(operand& o, const vec& x)
    {
        o = x;
    }
    [[gnu::target("gfni,avx512bw")]] static void
    mul_xor(vec& out, const operand& x, const constant_multiplier& c, const vec& addend)
    {
        out = _mm512_xor_si512(_mm512_gf2p8affine_epi64_epi8(x, wide(c.bit_matrix), 0),
                               addend);
    }
};

} // namespace

[[gnu::target("avx512bw"), gnu::flatten]] void encode_avx512(std::uint8_t* first_row)
{
    encode_lanes<avx512_lanes>(first_row);
}

[[gnu::target("avx512bw"), gnu::flatten]] std::uint64_t
dirty_avx512(const std::uint8_t* first_row)
{
    return dirty_by_remainder<avx512_lanes>(first_row);
}

[[gnu::target("gfni,avx512bw"), gnu::flatten]] void
encode_gfni_avx512(std::uint8_t* first_row)
{
    encode_lanes<gfni_avx512_lanes>(first_row);
}

[[gnu::target("gfni,avx512bw"), gnu::flatten]] std::uint64_t
dirty_gfni_avx512(const std::uint8_t* first_row)
{
    return dirty_by_syndromes<gfni_avx512_lanes>(first_row);
}

} // namespace fiberkey::g709_fec::kernels

#endif // FIBERKEY_G709_X86
