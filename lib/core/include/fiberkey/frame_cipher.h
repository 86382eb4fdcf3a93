/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_CIPHER_H
#define FIBERKEY_CORE_FRAME_CIPHER_H

#include <fiberkey/eea3_lanes.h>
#include <fiberkey/frame_layout.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * \brief Encrypts (or decrypts) the covered bytes of one extended OTU2 frame
 * (protocol.md section 4).
 *
 * The encrypted region (frame_layout::encrypted_spans, 15,792 bytes) is cut into
 * 16 lanes of nearly equal size (987 bytes); lane i is 128-EEA3 with BEARER = i,
 * COUNT = the 32-bit frame counter and DIRECTION as given. Bytes outside the region
 * (FAS, MFAS, the clear OTU overhead, the FEC columns) are copied unchanged.
 * Lanes that lie in one stretch of the frame are encrypted straight from input to
 * output; the four that straddle the FEC columns go through small bounce buffers.
 * Key reuse is the caller's concern (see key_schedule).
 */
class frame_cipher
{
public:
    static constexpr unsigned lanes = 16;

    explicit frame_cipher(zuc_backend backend = zuc_backend::automatic);
    ~frame_cipher();
    frame_cipher(const frame_cipher&) = delete;
    frame_cipher& operator=(const frame_cipher&) = delete;

    //! Encrypts frame \p in into \p out (16,830 bytes each; they may be the same).
    void crypt(std::span<const std::uint8_t> in,
               std::span<std::uint8_t> out,
               std::span<const std::uint8_t, 16> key,
               std::uint32_t count,
               unsigned direction);

    //! Encrypts \p frame in place.
    void crypt(std::span<std::uint8_t> frame,
               std::span<const std::uint8_t, 16> key,
               std::uint32_t count,
               unsigned direction)
    {
        crypt(frame, frame, key, count, direction);
    }

    //! Lane lengths in bytes: 987 each for the default layout.
    static const std::array<std::uint32_t, lanes>& lane_bytes();

    zuc_backend backend() const { return d_lanes->backend(); }

private:
    std::unique_ptr<eea3_lanes> d_lanes;
    std::vector<std::uint8_t> d_bounce; // straddling lanes, wiped on destruction
};

} // namespace fiberkey

#endif
