/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/gaussian_source.h>
#include <fiberkey/secure_memory.h>

#include "simd_clones.h"

#include <openssl/evp.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstring>
#include <numbers>
#include <stdexcept>
#include <string>
#include <sys/random.h>
#include <utility>

namespace fiberkey {

namespace {

// The helpers below avoid libm on purpose: std::log and std::sqrt keep errno
// semantics, which stops GCC from vectorising the Box-Muller loop.

//! Natural logarithm for normal positive floats, relative error about 1e-7.
inline float ln_positive(float x)
{
    // Split x = 2^k * m with m in [sqrt(1/2), sqrt(2)) by integer arithmetic on the bits.
    constexpr std::uint32_t sqrt_half_bits = 0x3f3504f3;
    const std::uint32_t shifted = std::bit_cast<std::uint32_t>(x) - sqrt_half_bits;
    const std::int32_t k = static_cast<std::int32_t>(shifted) >> 23;
    const float m = std::bit_cast<float>((shifted & 0x007fffffu) + sqrt_half_bits);
    // ln m = 2 atanh(s) with |s| < 0.172: five odd terms leave an error below 4e-10.
    const float s = (m - 1.0f) / (m + 1.0f);
    const float s2 = s * s;
    const float series =
        1.0f + s2 * (1.0f / 3 + s2 * (1.0f / 5 + s2 * (1.0f / 7 + s2 * (1.0f / 9))));
    return static_cast<float>(k) * std::numbers::ln2_v<float> + 2.0f * s * series;
}

//! Square root of x >= 0 by two Newton steps on the reciprocal root.
inline float sqrt_nonnegative(float x)
{
    x += 1e-30f; // keeps the reciprocal finite at 0 and vanishes in every other rounding
    float y = std::bit_cast<float>(0x5f3759dfu - (std::bit_cast<std::uint32_t>(x) >> 1));
    y = y * (1.5f - 0.5f * x * y * y);
    y = y * (1.5f - 0.5f * x * y * y);
    return x * y;
}

inline float with_sign_bit(float v, std::uint32_t word)
{
    return std::bit_cast<float>(std::bit_cast<std::uint32_t>(v) ^ (word << 31));
}

/*!
 * Box-Muller on half radius words and half angle words. The angle is pi/4 + y with y
 * uniform in [-pi/4, pi/4): a quarter turn where short Taylor series are accurate to
 * 3e-7; two independent random signs then spread the point over the whole circle.
 */
template <std::size_t half>
FIBERKEY_SIMD_CLONES void box_muller(const std::uint32_t* words, float* out)
{
    constexpr float two_pow_m31 = 0x1p-31f;
    constexpr float quarter_pi = std::numbers::pi_v<float> / 4;
    const std::uint32_t* radius_words = words;
    const std::uint32_t* angle_words = words + half;
    for (std::size_t i = 0; i < half; ++i) {
        const std::uint32_t rw = radius_words[i];
        const std::uint32_t aw = angle_words[i];
        // u in (0, 1]: never 0, so the logarithm stays finite.
        const float u =
            static_cast<float>(static_cast<std::int32_t>(rw >> 1)) * two_pow_m31 +
            0.5f * two_pow_m31;
        const float r = sqrt_nonnegative(-2.0f * ln_positive(u)) *
                        (1.0f / std::numbers::sqrt2_v<float>);
        const float y =
            (static_cast<float>(static_cast<std::int32_t>(aw >> 1)) * two_pow_m31 * 2.0f -
             1.0f) *
            quarter_pi;
        const float y2 = y * y;
        const float sin_y =
            y * (1.0f + y2 * (-1.0f / 6 + y2 * (1.0f / 120 + y2 * (-1.0f / 5040))));
        const float cos_y =
            1.0f +
            y2 * (-0.5f + y2 * (1.0f / 24 + y2 * (-1.0f / 720 + y2 * (1.0f / 40320))));
        // cos(pi/4 + y) and sin(pi/4 + y), each times sqrt(2).
        out[i] = with_sign_bit(r * (cos_y - sin_y), rw);
        out[half + i] = with_sign_bit(r * (cos_y + sin_y), aw);
    }
}

template <std::size_t N>
std::array<std::uint8_t, N> os_entropy()
{
    std::array<std::uint8_t, N> buf{};
    std::size_t got = 0;
    while (got < buf.size()) {
        const ssize_t r = getrandom(buf.data() + got, buf.size() - got, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            throw std::runtime_error(std::string("gaussian_source: getrandom failed: ") +
                                     std::strerror(errno));
        }
        got += static_cast<std::size_t>(r);
    }
    return buf;
}

std::uint64_t splitmix64(std::uint64_t& x)
{
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

constexpr std::uint32_t rotl(std::uint32_t x, int k)
{
    return (x << k) | (x >> (32 - k));
}

} // namespace

//! xoshiro128++ (Blackman and Vigna) in 16 independent lanes, one vector register wide.
struct gaussian_source::xoshiro_lanes {
    static constexpr std::size_t lanes = 16;
    std::array<std::uint32_t, lanes> s0{}, s1{}, s2{}, s3{};

    explicit xoshiro_lanes(std::uint64_t seed)
    {
        for (std::size_t l = 0; l < lanes; ++l) {
            const std::uint64_t a = splitmix64(seed), b = splitmix64(seed);
            s0[l] = static_cast<std::uint32_t>(a);
            s1[l] = static_cast<std::uint32_t>(a >> 32);
            s2[l] = static_cast<std::uint32_t>(b);
            s3[l] = static_cast<std::uint32_t>(b >> 32) | 1u; // never the all-zero state
        }
    }

    FIBERKEY_SIMD_CLONES void generate(std::uint32_t* out, std::size_t blocks)
    {
        // The state in locals: stores to out cannot alias it, so it stays in registers.
        auto a = s0, b = s1, c = s2, d = s3;
        for (std::size_t k = 0; k < blocks; ++k, out += lanes)
            for (std::size_t l = 0; l < lanes; ++l) {
                out[l] = rotl(a[l] + d[l], 7) + a[l];
                const std::uint32_t t = b[l] << 9;
                c[l] ^= a[l];
                d[l] ^= b[l];
                b[l] ^= c[l];
                a[l] ^= d[l];
                c[l] ^= t;
                d[l] = rotl(d[l], 11);
            }
        s0 = a;
        s1 = b;
        s2 = c;
        s3 = d;
    }
};

gaussian_source::gaussian_source() : gaussian_source(os_entropy<32>(), false) {}

gaussian_source gaussian_source::physical()
{
    auto seed = os_entropy<8>();
    std::uint64_t v = 0;
    std::memcpy(&v, seed.data(), sizeof v);
    return gaussian_source(v, false);
}

gaussian_source gaussian_source::physical_from_test_seed(std::uint64_t seed)
{
    return gaussian_source(seed ^ 0x5048595349434c53ULL, true); // "PHYSICLS"
}

gaussian_source::gaussian_source(std::uint64_t seed, bool test_seeded)
    : d_lanes(std::make_unique<xoshiro_lanes>(seed)), d_test_seeded(test_seeded)
{
}

gaussian_source gaussian_source::from_test_seed(std::uint64_t seed)
{
    // Key = the seed and a fixed label; counter block zero.
    std::array<std::uint8_t, 32> key_and_iv{};
    for (int i = 0; i < 8; ++i)
        key_and_iv[i] = static_cast<std::uint8_t>(seed >> (8 * i));
    std::memcpy(key_and_iv.data() + 8, "TESTONLY", 8);
    return gaussian_source(key_and_iv, true);
}

gaussian_source::gaussian_source(const std::array<std::uint8_t, 32>& key_and_iv,
                                 bool test_seeded)
    : d_test_seeded(test_seeded)
{
    auto material = key_and_iv;
    d_ctx = EVP_CIPHER_CTX_new();
    const bool ok = d_ctx != nullptr && EVP_EncryptInit_ex(d_ctx,
                                                           EVP_aes_128_ctr(),
                                                           nullptr,
                                                           material.data(),
                                                           material.data() + 16) == 1;
    secure_wipe(material);
    if (!ok) {
        EVP_CIPHER_CTX_free(d_ctx);
        throw std::runtime_error("gaussian_source: cannot set up AES-128-CTR");
    }
}

gaussian_source::gaussian_source(gaussian_source&& other) noexcept
{
    *this = std::move(other);
}

gaussian_source& gaussian_source::operator=(gaussian_source&& other) noexcept
{
    if (this != &other) {
        EVP_CIPHER_CTX_free(d_ctx);
        d_ctx = std::exchange(other.d_ctx, nullptr);
        d_lanes = std::move(other.d_lanes);
        d_test_seeded = other.d_test_seeded;
        d_spare = other.d_spare;
        d_spare_pos = other.d_spare_pos;
        d_bytes = other.d_bytes;
        d_bytes_pos = other.d_bytes_pos;
        secure_wipe(other.d_spare);
        secure_wipe(other.d_bytes);
        other.d_spare_pos = block_words;
        other.d_bytes_pos = other.d_bytes.size();
    }
    return *this;
}

gaussian_source::~gaussian_source()
{
    EVP_CIPHER_CTX_free(d_ctx); // wipes the expanded key
    secure_wipe(d_words);
    secure_wipe(d_spare);
    secure_wipe(d_bytes);
}

void gaussian_source::keystream(std::uint8_t* out, std::size_t n)
{
    if (d_lanes) {
        constexpr std::size_t block = xoshiro_lanes::lanes * sizeof(std::uint32_t);
        const std::size_t whole = n / block;
        // Words are written through memcpy: out need not be aligned for uint32_t.
        std::array<std::uint32_t, xoshiro_lanes::lanes> words{};
        for (std::size_t k = 0; k < whole; ++k) {
            d_lanes->generate(words.data(), 1);
            std::memcpy(out + k * block, words.data(), block);
        }
        if (n % block != 0) {
            d_lanes->generate(words.data(), 1);
            std::memcpy(out + whole * block, words.data(), n % block);
        }
        return;
    }
    if (d_ctx == nullptr)
        throw std::logic_error("gaussian_source: used after move");
    // CTR keystream = encryption of zeros; EVP takes int lengths.
    std::memset(out, 0, n);
    while (n > 0) {
        const int len = static_cast<int>(std::min<std::size_t>(n, 1 << 30));
        int written = 0;
        if (EVP_EncryptUpdate(d_ctx, out, &written, out, len) != 1 || written != len)
            throw std::runtime_error("gaussian_source: AES-128-CTR failed");
        out += len;
        n -= static_cast<std::size_t>(len);
    }
}

void gaussian_source::next_words()
{
    if (d_lanes)
        d_lanes->generate(d_words.data(), block_words / xoshiro_lanes::lanes);
    else
        keystream(reinterpret_cast<std::uint8_t*>(d_words.data()), sizeof d_words);
}

void gaussian_source::refill_spare()
{
    next_words();
    box_muller<block_words / 2>(d_words.data(), d_spare.data());
    d_spare_pos = 0;
}

void gaussian_source::fill(float* out, std::size_t n)
{
    while (n > 0) {
        if (d_spare_pos == block_words && n >= block_words) {
            // Whole blocks go straight to the caller.
            next_words();
            box_muller<block_words / 2>(d_words.data(), out);
            out += block_words;
            n -= block_words;
            continue;
        }
        if (d_spare_pos == block_words)
            refill_spare();
        const std::size_t take = std::min(n, block_words - d_spare_pos);
        std::memcpy(out, d_spare.data() + d_spare_pos, take * sizeof(float));
        d_spare_pos += take;
        out += take;
        n -= take;
    }
}

void gaussian_source::random_bytes(std::uint8_t* out, std::size_t n)
{
    while (n > 0) {
        if (d_bytes_pos == d_bytes.size()) {
            keystream(d_bytes.data(), d_bytes.size());
            d_bytes_pos = 0;
        }
        const std::size_t take = std::min(n, d_bytes.size() - d_bytes_pos);
        std::memcpy(out, d_bytes.data() + d_bytes_pos, take);
        secure_wipe(d_bytes.data() + d_bytes_pos, take); // each byte is handed out once
        d_bytes_pos += take;
        out += take;
        n -= take;
    }
}

double gaussian_source::uniform()
{
    std::array<std::uint8_t, 8> b{};
    random_bytes(b.data(), b.size());
    std::uint64_t v = 0;
    for (auto x : b)
        v = (v << 8) | x;
    secure_wipe(b);
    return static_cast<double>(v >> 11) * 0x1p-53;
}

} // namespace fiberkey
