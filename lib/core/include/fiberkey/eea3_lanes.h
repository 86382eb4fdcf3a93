/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_EEA3_LANES_H
#define FIBERKEY_CORE_EEA3_LANES_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

//! Which implementation runs 128-EEA3.
enum class zuc_backend {
    automatic, //!< the fastest one built in
    portable,  //!< the project's own C++ ZUC
    ipsec_mb,  //!< Intel's multi-buffer library, where it was found at build time
};

std::string to_string(zuc_backend b);
//! Parses "auto", "portable" or "ipsec-mb"; throws std::invalid_argument otherwise.
zuc_backend parse_zuc_backend(const std::string& name);
//! The backends this build has, "automatic" first.
std::vector<zuc_backend> available_zuc_backends();

/*!
 * \brief 128-EEA3 encryption of several lanes that share key, COUNT and DIRECTION and
 * differ in BEARER (lane i uses BEARER = i).
 *
 * Lanes are generated in parallel where the backend can (multi-buffer SIMD). The
 * ipsec-mb backend uses only entry points that pass the LFSR-initialisation corner case
 * of the vectors file (see docs/protocol-choices.md); everything else falls back to
 * the portable code.
 */
class eea3_lanes
{
public:
    static constexpr std::size_t max_lanes = 32;        // BEARER is 5 bits
    static constexpr std::size_t max_lane_bytes = 8188; // one EEA3 message (65,504 bits)

    static std::unique_ptr<eea3_lanes> make(zuc_backend backend = zuc_backend::automatic);
    virtual ~eea3_lanes() = default;

    //! One lane: \p bytes bytes read from \p in, encrypted, written to \p out
    //! (\p in == \p out encrypts in place).
    struct lane {
        const std::uint8_t* in;
        std::uint8_t* out;
        std::uint32_t bytes;
    };

    //! XORs the keystream of lane i (BEARER = i) into lanes[i].
    virtual void crypt(std::span<const std::uint8_t, 16> key,
                       std::uint32_t count,
                       unsigned direction,
                       std::span<const lane> lanes) = 0;

    virtual zuc_backend backend() const = 0;

protected:
    static void check_arguments(unsigned direction, std::span<const lane> lanes);
};

} // namespace fiberkey

#endif
