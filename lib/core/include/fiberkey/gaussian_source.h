/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_GAUSSIAN_SOURCE_H
#define FIBERKEY_CORE_GAUSSIAN_SOURCE_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace fiberkey {

/*!
 * \brief Standard normal floats and uniform doubles from a cryptographically secure
 * generator (protocol.md section 7: local noise and its variances come from OS entropy).
 *
 * The uniform source is the AES-128-CTR keystream (OpenSSL EVP, AES-NI where present)
 * under a key and counter block taken from getrandom(2). Normals come from Box-Muller
 * in blocks, written as plain loops that the compiler vectorises: one 32-bit keystream
 * word gives the radius (31 bits) and one sign, another gives the angle inside a quarter
 * turn (31 bits) and the other sign. The sample range is about +-6.5 sigma.
 *
 * Not thread-safe: give every thread its own source. Move-only; the key is wiped.
 */
class gaussian_source
{
public:
    //! Keyed from OS entropy. Throws std::runtime_error when that fails.
    gaussian_source();

    /*!
     * FOR TESTS ONLY: a reproducible stream from a 64-bit seed. The output is as
     * predictable as the seed; never use it for local noise or variances of a real link.
     * test_seeded() stays true so that callers can refuse or warn.
     */
    static gaussian_source from_test_seed(std::uint64_t seed);

    gaussian_source(gaussian_source&& other) noexcept;
    gaussian_source& operator=(gaussian_source&& other) noexcept;
    gaussian_source(const gaussian_source&) = delete;
    gaussian_source& operator=(const gaussian_source&) = delete;
    ~gaussian_source();

    //! Writes n independent N(0,1) samples.
    void fill(float* out, std::size_t n);
    void fill(std::span<float> out) { fill(out.data(), out.size()); }

    //! Uniform on [0, 1) with 53 random bits.
    double uniform();

    //! Raw keystream bytes.
    void random_bytes(std::uint8_t* out, std::size_t n);

    bool test_seeded() const { return d_test_seeded; }

private:
    // Keystream words per Box-Muller block; half give radii, half give angles.
    static constexpr std::size_t block_words = 2048;

    gaussian_source(const std::array<std::uint8_t, 32>& key_and_iv, bool test_seeded);
    void keystream(std::uint8_t* out, std::size_t n);
    void refill_spare();

    EVP_CIPHER_CTX* d_ctx = nullptr;
    bool d_test_seeded = false;
    std::array<std::uint32_t, block_words> d_words{};
    std::array<float, block_words> d_spare{}; // normals made but not yet handed out
    std::size_t d_spare_pos = block_words;
    std::array<std::uint8_t, 256> d_bytes{}; // keystream for uniform() and random_bytes()
    std::size_t d_bytes_pos = 256;
};

} // namespace fiberkey

#endif
