/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_RANDOM_SOURCE_H
#define FIBERKEY_CORE_RANDOM_SOURCE_H

#include <array>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief Where the negotiator and the round model take their random bits from, so that
 * tests can inject a reproducible stream.
 */
class random_source
{
public:
    virtual ~random_source() = default;

    //! Fills \p out with random bytes.
    virtual void fill(std::span<std::uint8_t> out) = 0;
};

//! OpenSSL's RAND_bytes (its DRBG, seeded from OS entropy). Throws std::runtime_error
//! when OpenSSL reports a failure.
class csprng_random_source final : public random_source
{
public:
    void fill(std::span<std::uint8_t> out) override;
};

/*!
 * \brief FOR TESTS ONLY: xoshiro256** from a 64-bit seed. Anyone who knows or guesses the
 * seed predicts every byte; never use it for the arrays or the noise of a real link.
 */
class test_only_seeded_random_source final : public random_source
{
public:
    explicit test_only_seeded_random_source(std::uint64_t seed);

    void fill(std::span<std::uint8_t> out) override;

private:
    std::uint64_t next_word();

    std::array<std::uint64_t, 4> d_state{};
};

} // namespace fiberkey

#endif
