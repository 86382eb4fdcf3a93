/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// 128-EIA3 (3GPP, ETSI/SAGE specification of 128-EEA3 & 128-EIA3, Document 1) and the
// ZUC-256 MAC ("The ZUC-256 Stream Cipher", 2018).
//
// Both MACs are one sum. With S the keystream as a bit string (the ZUC-256 MAC's S starts
// after its first t bits, which open the tag), m the message and L its length in bits:
//
//     acc = XOR over i <= L with m'_i = 1 of S[i .. i + t)
//
// where m' is m cut to L bits with a 1 appended at position L: that last term is the
// "XOR the window at L" step both algorithms end with. 128-EIA3 (t = 32) then XORs
// keystream word ceil(L / 32) + 1 (the specification's z_{32(L'-1)}, L' = ceil((L + 64) /
// 32)); the ZUC-256 MAC XORs its opening t bits.
//
// The sum runs over 64-bit message chunks against the keystream in 64-bit words
// Kw_n = z_{2n} || z_{2n+1}. With m'_c the bits of chunk c reversed (bit j is message bit
// 64c + j), bit e of the carry-less product m'_c * Kw_{c+d} weighs keystream offset
// 64d + 63 - e from the chunk's first bit; so, with Acc_d the XOR over c of those
// products, the tag's first 64 bits are lo(Acc_0) ^ hi(Acc_1) and its next 64 bits
// lo(Acc_1) ^ hi(Acc_2). The PCLMULQDQ path computes exactly that; the portable path
// takes one 32-bit message word at a time against 64-bit keystream windows, four message
// bits per table look-up. The keystream is made in blocks of 256 words (zuc::generate),
// used once and wiped.
#include <fiberkey/secure_memory.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include "clmul.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>


namespace fiberkey {
namespace {

// 64-bit message chunks per keystream block; a block also holds the look-ahead words the
// last chunks of the block need (at most 4 for a 128-bit tag).
constexpr std::size_t block_chunks = 128;
constexpr std::size_t max_lookahead = 4;

inline std::uint32_t load_be32(const std::uint8_t* p)
{
    return (std::uint32_t(p[0]) << 24) | (std::uint32_t(p[1]) << 16) |
           (std::uint32_t(p[2]) << 8) | std::uint32_t(p[3]);
}

inline void store_be32(std::uint8_t* p, std::uint32_t w)
{
    p[0] = static_cast<std::uint8_t>(w >> 24);
    p[1] = static_cast<std::uint8_t>(w >> 16);
    p[2] = static_cast<std::uint8_t>(w >> 8);
    p[3] = static_cast<std::uint8_t>(w);
}

// Message bits [64 * (L / 64), L) followed by a 1 at bit L, zeros after: the last chunk,
// big-endian (bit 63 is the chunk's first bit).
std::uint64_t last_chunk(const std::uint8_t* message, std::uint64_t length_bits)
{
    const std::uint64_t start = length_bits / 64 * 8;
    const unsigned bits = static_cast<unsigned>(length_bits % 64);
    std::uint64_t v = 0;
    for (unsigned b = 0; b < (bits + 7) / 8; ++b)
        v |= std::uint64_t(message[start + b]) << (56 - 8 * b);
    if (bits != 0)
        v &= ~std::uint64_t(0) << (64 - bits);
    return v | (std::uint64_t(1) << (63 - bits));
}

// Keystream words each chunk reads past its own two: 2 * lag + 2 with lag the highest d of
// the Acc_d above (1 up to a 64-bit tag, 2 for a 128-bit one).
constexpr std::size_t lookahead(unsigned tag_words) { return tag_words == 4 ? 4 : 2; }

// The portable sum: one 64-bit accumulator per tag word q, a_q ^= W_{p+q} << j for every
// set bit j of message word p, W_r the two keystream words from word r. The top half of
// a_q is tag word q (a bit shifted out never reaches it). Four message bits go at a time,
// through a 16-entry table of the XORs of W_r << 0..3; each table serves the TW message
// words that meet its window.
template <unsigned TW>
class portable_sum
{
public:
    void full_chunks(const std::uint8_t* m, const std::uint32_t* ks, std::size_t n)
    {
        run(2 * n, ks, [m](std::size_t p) { return load_be32(m + 4 * p); });
    }

    void one_chunk(std::uint64_t chunk, const std::uint32_t* ks)
    {
        run(2, ks, [chunk](std::size_t p) {
            return static_cast<std::uint32_t>(p == 0 ? chunk >> 32 : chunk);
        });
    }

    void result(std::uint32_t* out) const
    {
        for (unsigned q = 0; q < TW; ++q)
            out[q] = static_cast<std::uint32_t>(d_a[q] >> 32);
    }

    ~portable_sum() { secure_wipe(d_a, sizeof d_a); }

private:
    // t[n]: the XOR of W << b over the set bits of nibble n, b = 0 for its MSB.
    static void table(std::uint64_t* t, const std::uint32_t* ks)
    {
        const std::uint64_t x = (std::uint64_t(ks[0]) << 32) | ks[1];
        t[0] = 0;
        t[8] = x;
        t[4] = x << 1;
        t[2] = x << 2;
        t[1] = x << 3;
        t[3] = t[2] ^ t[1];
        t[5] = t[4] ^ t[1];
        t[6] = t[4] ^ t[2];
        t[7] = t[6] ^ t[1];
        for (unsigned n = 9; n < 16; ++n)
            t[n] = t[8] ^ t[n - 8];
    }

    // Message words 0 .. count-1 (word_at(p), MSB first) against the keystream from ks.
    template <class Words>
    void run(std::size_t count, const std::uint32_t* ks, Words word_at)
    {
        std::uint64_t t[TW][16]; // t[r % TW]: the table of the window at ks + r
        for (unsigned r = 0; r + 1 < TW; ++r)
            table(t[r], ks + r);
        std::uint64_t a[TW];
        std::copy_n(d_a, TW, a);
        for (std::size_t p = 0; p < count; ++p) {
            table(t[(p + TW - 1) % TW], ks + p + TW - 1);
            const std::uint32_t w = word_at(p);
            for (unsigned k = 0; k < 8; ++k) {
                const unsigned n = (w >> (28 - 4 * k)) & 0xf;
                for (unsigned q = 0; q < TW; ++q)
                    a[q] ^= t[(p + q) % TW][n] << (4 * k);
            }
        }
        std::copy_n(a, TW, d_a);
        secure_wipe(t, sizeof t);
        secure_wipe(a, sizeof a);
    }

    std::uint64_t d_a[TW] = {};
};

#ifdef FIBERKEY_HAVE_CLMUL

inline std::uint64_t reverse_bits(std::uint64_t x)
{
    x = ((x >> 1) & 0x5555555555555555) | ((x & 0x5555555555555555) << 1);
    x = ((x >> 2) & 0x3333333333333333) | ((x & 0x3333333333333333) << 2);
    x = ((x >> 4) & 0x0f0f0f0f0f0f0f0f) | ((x & 0x0f0f0f0f0f0f0f0f) << 4);
    x = ((x >> 8) & 0x00ff00ff00ff00ff) | ((x & 0x00ff00ff00ff00ff) << 8);
    x = ((x >> 16) & 0x0000ffff0000ffff) | ((x & 0x0000ffff0000ffff) << 16);
    return (x >> 32) | (x << 32);
}

// The carry-less sum: Acc_d for d = 0..lag, kept in memory between blocks.
template <unsigned TW>
class clmul_sum
{
public:
    static constexpr unsigned lag = TW == 4 ? 2 : 1;

    FIBERKEY_CLMUL_TARGET void
    full_chunks(const std::uint8_t* m, const std::uint32_t* ks, std::size_t n)
    {
        // Bit reversal within each byte, a nibble at a time: a little-endian load of
        // reversed bytes is m'_c (bit j = message bit 64c + j).
        // rev_low[n]: n reversed into the high nibble; rev_high[n]: into the low one.
        const __m128i rev_low = _mm_set_epi64x(std::int64_t(0xf070b030d0509010),
                                               std::int64_t(0xe060a020c0408000));
        const __m128i rev_high = _mm_set_epi64x(std::int64_t(0x0f070b030d050901),
                                                std::int64_t(0x0e060a020c040800));
        const __m128i nibble = _mm_set1_epi8(0x0f);
        __m128i acc0 = load(0), acc1 = load(1), acc2 = load(2);
        std::size_t i = 0;
        for (; i + 2 <= n; i += 2, m += 16, ks += 4) {
            const __m128i raw = _mm_loadu_si128(reinterpret_cast<const __m128i*>(m));
            const __m128i mm = _mm_or_si128(
                _mm_shuffle_epi8(rev_low, _mm_and_si128(raw, nibble)),
                _mm_shuffle_epi8(rev_high,
                                 _mm_and_si128(_mm_srli_epi16(raw, 4), nibble)));
            // (Kw_c, Kw_{c+1}) from z_{2c} .. z_{2c+3}: swap the words of each half.
            const __m128i k01 = keystream_pair(ks);
            const __m128i k12 = keystream_pair(ks + 2);
            acc0 = _mm_xor_si128(acc0,
                                 _mm_xor_si128(_mm_clmulepi64_si128(mm, k01, 0x00),
                                               _mm_clmulepi64_si128(mm, k01, 0x11)));
            acc1 = _mm_xor_si128(acc1,
                                 _mm_xor_si128(_mm_clmulepi64_si128(mm, k12, 0x00),
                                               _mm_clmulepi64_si128(mm, k12, 0x11)));
            if constexpr (lag == 2) {
                const __m128i k23 = keystream_pair(ks + 4);
                acc2 = _mm_xor_si128(acc2,
                                     _mm_xor_si128(_mm_clmulepi64_si128(mm, k23, 0x00),
                                                   _mm_clmulepi64_si128(mm, k23, 0x11)));
            }
        }
        store(0, acc0);
        store(1, acc1);
        store(2, acc2);
        if (i < n) {
            std::uint64_t be = 0;
            for (unsigned b = 0; b < 8; ++b)
                be = (be << 8) | m[b];
            one_chunk(be, ks);
        }
    }

    // One chunk, given big-endian (bit 63 first).
    FIBERKEY_CLMUL_TARGET void one_chunk(std::uint64_t chunk, const std::uint32_t* ks)
    {
        const __m128i mm = _mm_cvtsi64_si128(static_cast<long long>(reverse_bits(chunk)));
        store(0, _mm_xor_si128(load(0), _mm_clmulepi64_si128(mm, keystream_word(ks), 0)));
        store(
            1,
            _mm_xor_si128(load(1), _mm_clmulepi64_si128(mm, keystream_word(ks + 2), 0)));
        if constexpr (lag == 2)
            store(2,
                  _mm_xor_si128(load(2),
                                _mm_clmulepi64_si128(mm, keystream_word(ks + 4), 0)));
    }

    void result(std::uint32_t* out) const
    {
        const std::uint64_t first = d_acc[0][0] ^ d_acc[1][1];
        out[0] = static_cast<std::uint32_t>(first >> 32);
        if constexpr (TW >= 2)
            out[1] = static_cast<std::uint32_t>(first);
        if constexpr (TW == 4) {
            const std::uint64_t second = d_acc[1][0] ^ d_acc[2][1];
            out[2] = static_cast<std::uint32_t>(second >> 32);
            out[3] = static_cast<std::uint32_t>(second);
        }
    }

    ~clmul_sum() { secure_wipe(d_acc, sizeof d_acc); }

private:
    FIBERKEY_CLMUL_TARGET static __m128i keystream_pair(const std::uint32_t* ks)
    {
        return _mm_shuffle_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i*>(ks)),
                                 0xb1);
    }

    FIBERKEY_CLMUL_TARGET static __m128i keystream_word(const std::uint32_t* ks)
    {
        return _mm_shuffle_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(ks)),
                                 0xb1);
    }

    FIBERKEY_CLMUL_TARGET __m128i load(unsigned d) const
    {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(d_acc[d]));
    }

    FIBERKEY_CLMUL_TARGET void store(unsigned d, __m128i v)
    {
        _mm_storeu_si128(reinterpret_cast<__m128i*>(d_acc[d]), v);
    }

    std::uint64_t d_acc[3][2] = {}; // [d][0] = low half, [d][1] = high half
};

#endif // FIBERKEY_HAVE_CLMUL

/*
 * The sum over the message (with its appended 1 at L) of the keystream that \p z makes
 * from here on. Writes the TW tag words to \p out and, for 128-EIA3, keystream word
 * \p extra_index of the same stream to \p extra.
 */
template <unsigned TW, class Sum>
void sum_windows(zuc& z,
                 const std::uint8_t* message,
                 std::uint64_t length_bits,
                 std::uint32_t* out,
                 std::uint64_t extra_index,
                 std::uint32_t* extra)
{
    constexpr std::size_t ahead = lookahead(TW);
    static_assert(ahead <= max_lookahead);
    alignas(16) std::uint32_t ks[2 * block_chunks + max_lookahead];
    Sum sum;
    const std::uint64_t full = length_bits / 64;
    const std::uint64_t chunks = full + 1;
    std::size_t have = 0;
    for (std::uint64_t c0 = 0; c0 < chunks;) {
        const std::size_t n =
            static_cast<std::size_t>(std::min<std::uint64_t>(block_chunks, chunks - c0));
        const std::size_t need = 2 * n + ahead;
        z.generate(std::span<std::uint32_t>(ks + have, need - have));
        const std::size_t n_full =
            static_cast<std::size_t>(std::min<std::uint64_t>(c0 + n, full) - c0);
        sum.full_chunks(message + 8 * c0, ks, n_full);
        if (c0 + n == chunks) {
            sum.one_chunk(last_chunk(message, length_bits), ks + 2 * (n - 1));
            if (extra != nullptr)
                *extra = ks[extra_index - 2 * c0];
        }
        std::memmove(ks, ks + 2 * n, ahead * sizeof ks[0]);
        have = ahead;
        c0 += n;
    }
    sum.result(out);
    secure_wipe(ks, sizeof ks);
}

bool use_clmul(zuc_mac_path path, const char* who)
{
    switch (path) {
    case zuc_mac_path::automatic:
        return zuc_mac_clmul_supported();
    case zuc_mac_path::portable:
        return false;
    case zuc_mac_path::clmul:
        if (!zuc_mac_clmul_supported())
            throw std::invalid_argument(std::string(who) +
                                        ": the PCLMULQDQ path is not available on this "
                                        "build or CPU");
        return true;
    }
    throw std::invalid_argument(std::string(who) + ": unknown path");
}

template <unsigned TW>
void sum_with(bool clmul,
              zuc& z,
              const std::uint8_t* message,
              std::uint64_t length_bits,
              std::uint32_t* out,
              std::uint64_t extra_index = 0,
              std::uint32_t* extra = nullptr)
{
#ifdef FIBERKEY_HAVE_CLMUL
    if (clmul) {
        sum_windows<TW, clmul_sum<TW>>(z, message, length_bits, out, extra_index, extra);
        return;
    }
#else
    (void)clmul;
#endif
    sum_windows<TW, portable_sum<TW>>(z, message, length_bits, out, extra_index, extra);
}

void check_length(std::span<const std::uint8_t> message,
                  std::uint64_t length_bits,
                  const char* who)
{
    const std::uint64_t bytes = length_bits / 8 + (length_bits % 8 != 0 ? 1 : 0);
    if (bytes > message.size())
        throw std::invalid_argument(std::string(who) + ": LENGTH of " +
                                    std::to_string(length_bits) + " bits needs " +
                                    std::to_string(bytes) + " message bytes, got " +
                                    std::to_string(message.size()));
}

} // namespace

bool zuc_mac_clmul_supported()
{
#ifdef FIBERKEY_HAVE_CLMUL
    return cpu_has_clmul();
#else
    return false;
#endif
}

std::array<std::uint8_t, 16>
eia3::iv(std::uint32_t count, unsigned bearer, unsigned direction)
{
    if (bearer > max_bearer || direction > 1)
        throw std::invalid_argument("eia3: BEARER must be 0..31 and DIRECTION 0 or 1");
    std::array<std::uint8_t, 16> v{};
    store_be32(v.data(), count);
    v[4] = static_cast<std::uint8_t>(bearer << 3);
    v[8] = static_cast<std::uint8_t>(v[0] ^ (direction << 7));
    v[9] = v[1];
    v[10] = v[2];
    v[11] = v[3];
    v[12] = v[4];
    v[14] = static_cast<std::uint8_t>(v[6] ^ (direction << 7));
    v[15] = v[7];
    return v;
}

std::uint32_t eia3::mac(std::span<const std::uint8_t, 16> key,
                        std::uint32_t count,
                        unsigned bearer,
                        unsigned direction,
                        std::span<const std::uint8_t> message,
                        std::uint64_t length_bits)
{
    return mac(
        key, count, bearer, direction, message, length_bits, zuc_mac_path::automatic);
}

std::uint32_t eia3::mac(std::span<const std::uint8_t, 16> key,
                        std::uint32_t count,
                        unsigned bearer,
                        unsigned direction,
                        std::span<const std::uint8_t> message,
                        std::uint64_t length_bits,
                        zuc_mac_path path)
{
    check_length(message, length_bits, "eia3");
    const bool clmul = use_clmul(path, "eia3");
    auto v = iv(count, bearer, direction);
    zuc z = zuc::zuc128(key, v);
    secure_wipe(v);
    std::uint32_t t = 0, last = 0;
    // The specification's z_{32(L' - 1)}, L' = ceil((LENGTH + 64) / 32): keystream word
    // ceil(LENGTH / 32) + 1.
    const std::uint64_t last_index = (length_bits + 31) / 32 + 1;
    sum_with<1>(clmul, z, message.data(), length_bits, &t, last_index, &last);
    const std::uint32_t mac = t ^ last;
    secure_wipe(&t, sizeof t);
    secure_wipe(&last, sizeof last);
    return mac;
}

void zuc256_mac::compute(std::span<const std::uint8_t, key_bytes> key,
                         std::span<const std::uint8_t, iv_bytes> iv,
                         std::span<const std::uint8_t> message,
                         std::uint64_t length_bits,
                         unsigned tag_bits,
                         std::span<std::uint8_t> tag)
{
    compute(key, iv, message, length_bits, tag_bits, tag, zuc_mac_path::automatic);
}

void zuc256_mac::compute(std::span<const std::uint8_t, key_bytes> key,
                         std::span<const std::uint8_t, iv_bytes> iv,
                         std::span<const std::uint8_t> message,
                         std::uint64_t length_bits,
                         unsigned tag_bits,
                         std::span<std::uint8_t> tag,
                         zuc_mac_path path)
{
    zuc256_variant variant;
    switch (tag_bits) {
    case 32:
        variant = zuc256_variant::mac32;
        break;
    case 64:
        variant = zuc256_variant::mac64;
        break;
    case 128:
        variant = zuc256_variant::mac128;
        break;
    default:
        throw std::invalid_argument("zuc256_mac: the tag is 32, 64 or 128 bits, not " +
                                    std::to_string(tag_bits));
    }
    const std::size_t tag_bytes = tag_bits / 8;
    if (tag.size() < tag_bytes)
        throw std::invalid_argument("zuc256_mac: a " + std::to_string(tag_bits) +
                                    "-bit tag needs " + std::to_string(tag_bytes) +
                                    " output bytes, got " + std::to_string(tag.size()));
    check_length(message, length_bits, "zuc256_mac");
    for (std::size_t i = 17; i < iv_bytes; ++i)
        if (iv[i] > 0x3f)
            throw std::invalid_argument("zuc256_mac: IV bytes 17..24 carry 6 bits each; "
                                        "byte " +
                                        std::to_string(i) + " is out of range");
    const bool clmul = use_clmul(path, "zuc256_mac");

    zuc z = zuc::zuc256(key, iv, variant);
    // The tag opens with the first t keystream bits; the message's windows start after
    // them.
    std::uint32_t t[4] = {}, acc[4] = {};
    const unsigned words = tag_bits / 32;
    z.generate(std::span<std::uint32_t>(t, words));
    switch (words) {
    case 1:
        sum_with<1>(clmul, z, message.data(), length_bits, acc);
        break;
    case 2:
        sum_with<2>(clmul, z, message.data(), length_bits, acc);
        break;
    default:
        sum_with<4>(clmul, z, message.data(), length_bits, acc);
        break;
    }
    for (unsigned q = 0; q < words; ++q)
        store_be32(tag.data() + 4 * q, t[q] ^ acc[q]);
    secure_wipe(t, sizeof t);
    secure_wipe(acc, sizeof acc);
}

} // namespace fiberkey
