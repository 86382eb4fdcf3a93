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
#include <memory>
#include <span>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;

namespace fiberkey {

/*!
 * \brief Standard normal floats and uniform doubles from a cryptographically secure
 * generator (protocol.md section 7: local noise and its variances come from OS entropy),
 * or for physical noise only from a fast one.
 *
 * The secure uniform source is the AES-128-CTR keystream (OpenSSL EVP, AES-NI where
 * present) under a key and counter block taken from getrandom(2). physical() instead
 * runs xoshiro128++ in 16 interleaved lanes seeded from getrandom(2): statistically
 * sound and about twice as fast, but its state can be worked out from enough of its
 * output, so it serves noise that nobody may need to be unable to predict (a fiber's
 * thermal and shot noise, an eavesdropper's receiver), never the local noise.
 *
 * Normals come from Box-Muller in blocks, written as plain loops that the compiler
 * vectorises: one 32-bit word gives the radius (31 bits) and one sign, another gives the
 * angle inside a quarter turn (31 bits) and the other sign. The sample range is about
 * +-6.5 sigma.
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

    //! The fast generator, seeded from OS entropy: for physical noise only (see above).
    static gaussian_source physical();

    //! FOR TESTS ONLY: the fast generator from a 64-bit seed (test_seeded() is true).
    static gaussian_source physical_from_test_seed(std::uint64_t seed);

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
    //! True for the CSPRNG, false for physical().
    bool secure() const { return d_lanes == nullptr; }

private:
    // Keystream words per Box-Muller block; half give radii, half give angles.
    static constexpr std::size_t block_words = 2048;

    struct xoshiro_lanes;

    gaussian_source(const std::array<std::uint8_t, 32>& key_and_iv, bool test_seeded);
    gaussian_source(std::uint64_t seed, bool test_seeded); // physical()
    void keystream(std::uint8_t* out, std::size_t n);
    void next_words(); // d_words from the keystream or the lanes
    void refill_spare();

    EVP_CIPHER_CTX* d_ctx = nullptr;
    std::unique_ptr<xoshiro_lanes> d_lanes; // physical() only
    bool d_test_seeded = false;
    std::array<std::uint32_t, block_words> d_words{};
    std::array<float, block_words> d_spare{}; // normals made but not yet handed out
    std::size_t d_spare_pos = block_words;
    std::array<std::uint8_t, 256> d_bytes{}; // keystream for uniform() and random_bytes()
    std::size_t d_bytes_pos = 256;
};

} // namespace fiberkey

#endif
