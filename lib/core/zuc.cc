/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/secure_memory.h>
#include <fiberkey/zuc.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <utility>

namespace fiberkey {
namespace {

// S-boxes S0 and S1 of the ZUC specification (ETSI/SAGE, version 1.6), section 3.4.
// clang-format off: the S-boxes 16 to a row, as the specification prints them
alignas(64) constexpr std::uint8_t kS0[256] = {
    0x3e, 0x72, 0x5b, 0x47, 0xca, 0xe0, 0x00, 0x33, 0x04, 0xd1, 0x54, 0x98, 0x09, 0xb9,
    0x6d, 0xcb, 0x7b, 0x1b, 0xf9, 0x32, 0xaf, 0x9d, 0x6a, 0xa5, 0xb8, 0x2d, 0xfc, 0x1d,
    0x08, 0x53, 0x03, 0x90, 0x4d, 0x4e, 0x84, 0x99, 0xe4, 0xce, 0xd9, 0x91, 0xdd, 0xb6,
    0x85, 0x48, 0x8b, 0x29, 0x6e, 0xac, 0xcd, 0xc1, 0xf8, 0x1e, 0x73, 0x43, 0x69, 0xc6,
    0xb5, 0xbd, 0xfd, 0x39, 0x63, 0x20, 0xd4, 0x38, 0x76, 0x7d, 0xb2, 0xa7, 0xcf, 0xed,
    0x57, 0xc5, 0xf3, 0x2c, 0xbb, 0x14, 0x21, 0x06, 0x55, 0x9b, 0xe3, 0xef, 0x5e, 0x31,
    0x4f, 0x7f, 0x5a, 0xa4, 0x0d, 0x82, 0x51, 0x49, 0x5f, 0xba, 0x58, 0x1c, 0x4a, 0x16,
    0xd5, 0x17, 0xa8, 0x92, 0x24, 0x1f, 0x8c, 0xff, 0xd8, 0xae, 0x2e, 0x01, 0xd3, 0xad,
    0x3b, 0x4b, 0xda, 0x46, 0xeb, 0xc9, 0xde, 0x9a, 0x8f, 0x87, 0xd7, 0x3a, 0x80, 0x6f,
    0x2f, 0xc8, 0xb1, 0xb4, 0x37, 0xf7, 0x0a, 0x22, 0x13, 0x28, 0x7c, 0xcc, 0x3c, 0x89,
    0xc7, 0xc3, 0x96, 0x56, 0x07, 0xbf, 0x7e, 0xf0, 0x0b, 0x2b, 0x97, 0x52, 0x35, 0x41,
    0x79, 0x61, 0xa6, 0x4c, 0x10, 0xfe, 0xbc, 0x26, 0x95, 0x88, 0x8a, 0xb0, 0xa3, 0xfb,
    0xc0, 0x18, 0x94, 0xf2, 0xe1, 0xe5, 0xe9, 0x5d, 0xd0, 0xdc, 0x11, 0x66, 0x64, 0x5c,
    0xec, 0x59, 0x42, 0x75, 0x12, 0xf5, 0x74, 0x9c, 0xaa, 0x23, 0x0e, 0x86, 0xab, 0xbe,
    0x2a, 0x02, 0xe7, 0x67, 0xe6, 0x44, 0xa2, 0x6c, 0xc2, 0x93, 0x9f, 0xf1, 0xf6, 0xfa,
    0x36, 0xd2, 0x50, 0x68, 0x9e, 0x62, 0x71, 0x15, 0x3d, 0xd6, 0x40, 0xc4, 0xe2, 0x0f,
    0x8e, 0x83, 0x77, 0x6b, 0x25, 0x05, 0x3f, 0x0c, 0x30, 0xea, 0x70, 0xb7, 0xa1, 0xe8,
    0xa9, 0x65, 0x8d, 0x27, 0x1a, 0xdb, 0x81, 0xb3, 0xa0, 0xf4, 0x45, 0x7a, 0x19, 0xdf,
    0xee, 0x78, 0x34, 0x60,
};

alignas(64) constexpr std::uint8_t kS1[256] = {
    0x55, 0xc2, 0x63, 0x71, 0x3b, 0xc8, 0x47, 0x86, 0x9f, 0x3c, 0xda, 0x5b, 0x29, 0xaa,
    0xfd, 0x77, 0x8c, 0xc5, 0x94, 0x0c, 0xa6, 0x1a, 0x13, 0x00, 0xe3, 0xa8, 0x16, 0x72,
    0x40, 0xf9, 0xf8, 0x42, 0x44, 0x26, 0x68, 0x96, 0x81, 0xd9, 0x45, 0x3e, 0x10, 0x76,
    0xc6, 0xa7, 0x8b, 0x39, 0x43, 0xe1, 0x3a, 0xb5, 0x56, 0x2a, 0xc0, 0x6d, 0xb3, 0x05,
    0x22, 0x66, 0xbf, 0xdc, 0x0b, 0xfa, 0x62, 0x48, 0xdd, 0x20, 0x11, 0x06, 0x36, 0xc9,
    0xc1, 0xcf, 0xf6, 0x27, 0x52, 0xbb, 0x69, 0xf5, 0xd4, 0x87, 0x7f, 0x84, 0x4c, 0xd2,
    0x9c, 0x57, 0xa4, 0xbc, 0x4f, 0x9a, 0xdf, 0xfe, 0xd6, 0x8d, 0x7a, 0xeb, 0x2b, 0x53,
    0xd8, 0x5c, 0xa1, 0x14, 0x17, 0xfb, 0x23, 0xd5, 0x7d, 0x30, 0x67, 0x73, 0x08, 0x09,
    0xee, 0xb7, 0x70, 0x3f, 0x61, 0xb2, 0x19, 0x8e, 0x4e, 0xe5, 0x4b, 0x93, 0x8f, 0x5d,
    0xdb, 0xa9, 0xad, 0xf1, 0xae, 0x2e, 0xcb, 0x0d, 0xfc, 0xf4, 0x2d, 0x46, 0x6e, 0x1d,
    0x97, 0xe8, 0xd1, 0xe9, 0x4d, 0x37, 0xa5, 0x75, 0x5e, 0x83, 0x9e, 0xab, 0x82, 0x9d,
    0xb9, 0x1c, 0xe0, 0xcd, 0x49, 0x89, 0x01, 0xb6, 0xbd, 0x58, 0x24, 0xa2, 0x5f, 0x38,
    0x78, 0x99, 0x15, 0x90, 0x50, 0xb8, 0x95, 0xe4, 0xd0, 0x91, 0xc7, 0xce, 0xed, 0x0f,
    0xb4, 0x6f, 0xa0, 0xcc, 0xf0, 0x02, 0x4a, 0x79, 0xc3, 0xde, 0xa3, 0xef, 0xea, 0x51,
    0xe6, 0x6b, 0x18, 0xec, 0x1b, 0x2c, 0x80, 0xf7, 0x74, 0xe7, 0xff, 0x21, 0x5a, 0x6a,
    0x54, 0x1e, 0x41, 0x31, 0x92, 0x35, 0xc4, 0x33, 0x07, 0x0a, 0xba, 0x7e, 0x0e, 0x34,
    0x88, 0xb1, 0x98, 0x7c, 0xf3, 0x3d, 0x60, 0x6c, 0x7b, 0xca, 0xd3, 0x1f, 0x32, 0x65,
    0x04, 0x28, 0x64, 0xbe, 0x85, 0x9b, 0x2f, 0x59, 0x8a, 0xd7, 0xb0, 0x25, 0xac, 0xaf,
    0x12, 0x03, 0xe2, 0xf2,
};
// clang-format on

// 15-bit constants d_i of the ZUC-128 key loading.
constexpr std::uint16_t kD128[16] = { 0x44d7, 0x26bc, 0x626b, 0x135e, 0x5789, 0x35e2,
                                      0x7135, 0x09af, 0x4d78, 0x2f13, 0x6bc4, 0x1af1,
                                      0x5e26, 0x3c4d, 0x789a, 0x47ac };

// 7-bit constants d_i of the ZUC-256 key loading for keystream generation (2018 paper).
constexpr std::uint8_t kD256[16] = { 0x22, 0x2f, 0x24, 0x2a, 0x6d, 0x40, 0x40, 0x40,
                                     0x40, 0x40, 0x40, 0x40, 0x40, 0x52, 0x10, 0x30 };

// The MAC sets of the same paper: they differ from the keystream set only in d_0 and d_2
// (32-bit tag: 0x22, 0x25; 64-bit: 0x23, 0x24; 128-bit: 0x23, 0x25).
constexpr std::uint8_t kD256Mac32[16] = {
    0x22, 0x2f, 0x25, 0x2a, 0x6d, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x52, 0x10, 0x30
};
constexpr std::uint8_t kD256Mac64[16] = {
    0x23, 0x2f, 0x24, 0x2a, 0x6d, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x52, 0x10, 0x30
};
constexpr std::uint8_t kD256Mac128[16] = {
    0x23, 0x2f, 0x25, 0x2a, 0x6d, 0x40, 0x40, 0x40,
    0x40, 0x40, 0x40, 0x40, 0x40, 0x52, 0x10, 0x30
};

const std::uint8_t* d256_constants(zuc256_variant variant)
{
    switch (variant) {
    case zuc256_variant::keystream:
        return kD256;
    case zuc256_variant::mac32:
        return kD256Mac32;
    case zuc256_variant::mac64:
        return kD256Mac64;
    case zuc256_variant::mac128:
        return kD256Mac128;
    }
    throw std::invalid_argument("zuc256: unknown constant set");
}

constexpr std::uint32_t kMod31 = 0x7fffffff;

inline std::uint32_t rotl(std::uint32_t x, unsigned k)
{
    return (x << k) | (x >> (32 - k));
}

inline std::uint32_t l1(std::uint32_t x)
{
    return x ^ rotl(x, 2) ^ rotl(x, 10) ^ rotl(x, 18) ^ rotl(x, 24);
}

inline std::uint32_t l2(std::uint32_t x)
{
    return x ^ rotl(x, 8) ^ rotl(x, 14) ^ rotl(x, 22) ^ rotl(x, 30);
}

// S0 and S1 widened to 32 bits and placed at their bytes: S is then four loads and three
// ORs, without shifts, on the chain from R1 and R2 to their next values (7 % faster).
struct sbox_tables {
    std::uint32_t t[4][256];
};

constexpr sbox_tables make_sbox_tables()
{
    sbox_tables s{};
    for (unsigned i = 0; i < 256; ++i) {
        s.t[0][i] = std::uint32_t(kS0[i]) << 24;
        s.t[1][i] = std::uint32_t(kS1[i]) << 16;
        s.t[2][i] = std::uint32_t(kS0[i]) << 8;
        s.t[3][i] = kS1[i];
    }
    return s;
}

alignas(64) constexpr sbox_tables kSbox = make_sbox_tables();

inline std::uint32_t sbox(std::uint32_t x)
{
    return kSbox.t[0][x >> 24] | kSbox.t[1][(x >> 16) & 0xff] |
           kSbox.t[2][(x >> 8) & 0xff] | kSbox.t[3][x & 0xff];
}

// s16 = 2^15 s15 + 2^17 s13 + 2^21 s10 + 2^20 s4 + (1 + 2^8) s0 (+ u) mod 2^31 - 1.
// Summed in 64 bits and folded twice; a non-zero sum never folds to 0, so the
// specification's "0 becomes 2^31 - 1" rule holds by construction.
inline std::uint32_t lfsr_feedback(std::uint64_t s0,
                                   std::uint64_t s4,
                                   std::uint64_t s10,
                                   std::uint64_t s13,
                                   std::uint64_t s15,
                                   std::uint64_t u)
{
    std::uint64_t v =
        s0 + (s0 << 8) + (s4 << 20) + (s10 << 21) + (s13 << 17) + (s15 << 15) + u;
    v = (v & kMod31) + (v >> 31);
    v = (v & kMod31) + (v >> 31);
    return static_cast<std::uint32_t>(v);
}

// One clock of the generator with the LFSR head at h: returns W of F and updates the
// registers. In work mode the keystream word is W ^ X3; in init mode W >> 1 enters the
// feedback. Inlined with a constant h the index arithmetic folds away.
template <bool InitMode>
[[gnu::always_inline]] inline std::uint32_t
clock(std::uint32_t* s, std::uint32_t& r1, std::uint32_t& r2, unsigned h)
{
    auto at = [s, h](unsigned i) { return s[(h + i) & 15]; };
    const std::uint32_t x0 = ((at(15) & 0x7fff8000) << 1) | (at(14) & 0xffff);
    const std::uint32_t x1 = (at(11) << 16) | (at(9) >> 15);
    const std::uint32_t x2 = (at(7) << 16) | (at(5) >> 15);
    const std::uint32_t x3 = (at(2) << 16) | (at(0) >> 15);

    const std::uint32_t w = (x0 ^ r1) + r2;
    const std::uint32_t w1 = r1 + x1;
    const std::uint32_t w2 = r2 ^ x2;
    r1 = sbox(l1((w1 << 16) | (w2 >> 16)));
    r2 = sbox(l2((w2 << 16) | (w1 >> 16)));

    s[h & 15] =
        lfsr_feedback(at(0), at(4), at(10), at(13), at(15), InitMode ? (w >> 1) : 0);
    return InitMode ? w : (w ^ x3);
}

inline std::uint32_t
cell(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d)
{
    // 8-bit a, 7-bit b, 8-bit c, 8-bit d: 31 bits.
    return (a << 23) | (b << 16) | (c << 8) | d;
}

inline void store_be(std::uint8_t* p, std::uint32_t w)
{
    p[0] = static_cast<std::uint8_t>(w >> 24);
    p[1] = static_cast<std::uint8_t>(w >> 16);
    p[2] = static_cast<std::uint8_t>(w >> 8);
    p[3] = static_cast<std::uint8_t>(w);
}

} // namespace

zuc zuc::zuc128(std::span<const std::uint8_t, key128_bytes> key,
                std::span<const std::uint8_t, iv128_bytes> iv)
{
    zuc z;
    for (unsigned i = 0; i < 16; ++i)
        z.d_lfsr[i] =
            (std::uint32_t(key[i]) << 23) | (std::uint32_t(kD128[i]) << 8) | iv[i];
    z.initialise();
    return z;
}

zuc zuc::zuc256(std::span<const std::uint8_t, key256_bytes> k,
                std::span<const std::uint8_t, iv256_bytes> iv,
                zuc256_variant variant)
{
    for (std::size_t i = 17; i < iv256_bytes; ++i) {
        if (iv[i] > 0x3f)
            throw std::invalid_argument(
                "zuc256: IV bytes 17..24 carry 6 bits each; byte " + std::to_string(i) +
                " is out of range");
    }
    const std::uint8_t* d = d256_constants(variant);
    zuc z;
    auto& s = z.d_lfsr;
    s[0] = cell(k[0], d[0], k[21], k[16]);
    s[1] = cell(k[1], d[1], k[22], k[17]);
    s[2] = cell(k[2], d[2], k[23], k[18]);
    s[3] = cell(k[3], d[3], k[24], k[19]);
    s[4] = cell(k[4], d[4], k[25], k[20]);
    s[5] = cell(iv[0], d[5] | iv[17], k[5], k[26]);
    s[6] = cell(iv[1], d[6] | iv[18], k[6], k[27]);
    s[7] = cell(iv[10], d[7] | iv[19], k[7], iv[2]);
    s[8] = cell(k[8], d[8] | iv[20], iv[3], iv[11]);
    s[9] = cell(k[9], d[9] | iv[21], iv[12], iv[4]);
    s[10] = cell(iv[5], d[10] | iv[22], k[10], k[28]);
    s[11] = cell(k[11], d[11] | iv[23], iv[6], iv[13]);
    s[12] = cell(k[12], d[12] | iv[24], iv[7], iv[14]);
    s[13] = cell(k[13], d[13], iv[15], iv[8]);
    s[14] = cell(k[14], d[14] | (k[31] >> 4), iv[16], iv[9]);
    s[15] = cell(k[15], d[15] | (k[31] & 0x0f), k[30], k[29]);
    z.initialise();
    return z;
}

void zuc::initialise()
{
    d_r1 = d_r2 = 0;
    d_head = 0;
    for (unsigned i = 0; i < 32; ++i)
        clock<true>(d_lfsr.data(), d_r1, d_r2, i);
    // The first work-mode clock's output is discarded.
    clock<false>(d_lfsr.data(), d_r1, d_r2, 0);
    d_head = 1;
}

zuc::zuc(zuc&& other) noexcept
    : d_lfsr(other.d_lfsr), d_r1(other.d_r1), d_r2(other.d_r2), d_head(other.d_head)
{
    other.wipe();
}

zuc& zuc::operator=(zuc&& other) noexcept
{
    if (this != &other) {
        d_lfsr = other.d_lfsr;
        d_r1 = other.d_r1;
        d_r2 = other.d_r2;
        d_head = other.d_head;
        other.wipe();
    }
    return *this;
}

zuc::~zuc() { wipe(); }

void zuc::wipe() noexcept
{
    secure_wipe(d_lfsr);
    secure_wipe(&d_r1, sizeof d_r1);
    secure_wipe(&d_r2, sizeof d_r2);
}

std::uint32_t zuc::next_word()
{
    const std::uint32_t z = clock<false>(d_lfsr.data(), d_r1, d_r2, d_head);
    d_head = (d_head + 1) & 15;
    return z;
}

void zuc::generate(std::span<std::uint32_t> out)
{
    std::size_t i = 0;
    const std::size_t n = out.size();
    if (n >= 16 && d_head != 0) {
        // Turn the cells so that s_0 sits at index 0: the unrolled clocks below then
        // start at once, instead of after up to 15 slower single clocks.
        std::rotate(d_lfsr.begin(), d_lfsr.begin() + d_head, d_lfsr.end());
        d_head = 0;
    }
    std::uint32_t* s = d_lfsr.data();
    std::uint32_t r1 = d_r1, r2 = d_r2;
    for (; i + 16 <= n; i += 16) {
        std::uint32_t* o = out.data() + i;
        o[0] = clock<false>(s, r1, r2, 0);
        o[1] = clock<false>(s, r1, r2, 1);
        o[2] = clock<false>(s, r1, r2, 2);
        o[3] = clock<false>(s, r1, r2, 3);
        o[4] = clock<false>(s, r1, r2, 4);
        o[5] = clock<false>(s, r1, r2, 5);
        o[6] = clock<false>(s, r1, r2, 6);
        o[7] = clock<false>(s, r1, r2, 7);
        o[8] = clock<false>(s, r1, r2, 8);
        o[9] = clock<false>(s, r1, r2, 9);
        o[10] = clock<false>(s, r1, r2, 10);
        o[11] = clock<false>(s, r1, r2, 11);
        o[12] = clock<false>(s, r1, r2, 12);
        o[13] = clock<false>(s, r1, r2, 13);
        o[14] = clock<false>(s, r1, r2, 14);
        o[15] = clock<false>(s, r1, r2, 15);
    }
    d_r1 = r1;
    d_r2 = r2;
    while (i < n)
        out[i++] = next_word();
}

void zuc::generate_bytes(std::span<std::uint8_t> out)
{
    constexpr std::size_t chunk_words = 64;
    std::uint32_t ks[chunk_words];
    std::size_t pos = 0;
    while (pos < out.size()) {
        const std::size_t bytes = std::min(out.size() - pos, chunk_words * 4);
        const std::size_t words = (bytes + 3) / 4;
        generate(std::span<std::uint32_t>(ks, words));
        std::size_t b = 0;
        for (std::size_t w = 0; w < words; ++w) {
            std::uint8_t be[4];
            store_be(be, ks[w]);
            for (unsigned j = 0; j < 4 && b < bytes; ++j, ++b)
                out[pos + b] = be[j];
        }
        pos += bytes;
    }
    secure_wipe(ks, sizeof ks);
}

void zuc::apply(std::span<std::uint8_t> data)
{
    std::uint8_t ks[256];
    for (std::size_t pos = 0; pos < data.size(); pos += sizeof ks) {
        const std::size_t n = std::min(data.size() - pos, sizeof ks);
        generate_bytes(std::span<std::uint8_t>(ks, n));
        for (std::size_t i = 0; i < n; ++i)
            data[pos + i] ^= ks[i];
    }
    secure_wipe(ks, sizeof ks);
}

std::array<std::uint8_t, 16>
eea3::iv(std::uint32_t count, unsigned bearer, unsigned direction)
{
    if (bearer > max_bearer || direction > 1)
        throw std::invalid_argument("eea3: BEARER must be 0..31 and DIRECTION 0 or 1");
    std::array<std::uint8_t, 16> v{};
    store_be(v.data(), count);
    v[4] = static_cast<std::uint8_t>((bearer << 3) | (direction << 2));
    for (unsigned i = 0; i < 8; ++i)
        v[8 + i] = v[i];
    return v;
}

void eea3::crypt(std::span<const std::uint8_t, 16> key,
                 std::uint32_t count,
                 unsigned bearer,
                 unsigned direction,
                 std::span<std::uint8_t> data,
                 std::uint64_t length_bits)
{
    const std::uint64_t bytes = (length_bits + 7) / 8;
    if (bytes > data.size())
        throw std::invalid_argument("eea3: LENGTH exceeds the buffer");
    const auto v = iv(count, bearer, direction);
    zuc z = zuc::zuc128(key, v);
    z.apply(data.first(bytes));
    if (length_bits % 8 != 0)
        data[bytes - 1] &= static_cast<std::uint8_t>(0xff << (8 - length_bits % 8));
}

} // namespace fiberkey
