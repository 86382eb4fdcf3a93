/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_TAG_H
#define FIBERKEY_CORE_FRAME_TAG_H

#include <fiberkey/frame_layout.h>
#include <fiberkey/otu_frame.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * \brief The integrity tag of one extended OTU2 frame (docs/protocol-choices.md, "Frame
 * integrity").
 *
 * The tag is the 64-bit ZUC-256 MAC of the frame's plaintext authenticated bytes
 * (frame_layout::authenticated_spans: the encrypted OTU rows without the tag field,
 * then the 239 INT information bytes; never NEG), with
 *  - key: 32 bytes of ZUC-128 keystream under the session key, with the 128-EEA3 IV of
 *    COUNT 0, BEARER 31 (mac_bearer) and the frame's DIRECTION. The frame cipher's lanes
 *    use bearers 0..15 only, so the MAC key is independent of every keystream that
 *    encrypts, and it changes with the session key;
 *  - IV: the 32-bit frame counter, the direction and the label "FKTG", so a tag belongs
 *    to one frame of one direction and cannot be replayed onto another.
 * The transmitter seals the frame (writes the tag into frame_layout::tag) before it is
 * encrypted, so the tag travels encrypted, as 3GPP's MAC-I does. The receiver decrypts,
 * RS-checks INT, and verifies before anything of the frame goes on.
 * Key material (the MAC key, the gathered plaintext) is wiped after each use.
 */
class frame_tag
{
public:
    static constexpr std::size_t tag_bytes = frame_layout::tag.length;
    static constexpr unsigned tag_bits = tag_bytes * 8;
    static constexpr unsigned mac_bearer = 31;
    static constexpr std::size_t mac_key_bytes = 32;
    static constexpr std::size_t iv_bytes = 25;

    using tag = std::array<std::uint8_t, tag_bytes>;
    using int_info_ref = std::span<const std::uint8_t, frame_layout::int_info_bytes>;

    frame_tag();
    ~frame_tag();
    frame_tag(const frame_tag&) = delete;
    frame_tag& operator=(const frame_tag&) = delete;

    //! The MAC key of a session key and direction (0 or 1).
    static std::array<std::uint8_t, mac_key_bytes>
    mac_key(std::span<const std::uint8_t, 16> session_key, unsigned direction);

    //! The ZUC-256 IV of a frame.
    static std::array<std::uint8_t, iv_bytes> iv(std::uint32_t counter,
                                                 unsigned direction);

    /*!
     * The tag of plaintext \p frame whose INT information bytes are \p int_information
     * (the tag field itself is not covered). Throws std::invalid_argument on a direction
     * other than 0 or 1.
     */
    tag compute(otu_frame::const_frame_ref frame,
                int_info_ref int_information,
                std::span<const std::uint8_t, 16> session_key,
                std::uint32_t counter,
                unsigned direction);

    //! Transmit side: writes the tag of plaintext \p frame (INT encoded) into its field.
    void seal(otu_frame::frame_ref frame,
              std::span<const std::uint8_t, 16> session_key,
              std::uint32_t counter,
              unsigned direction);

    /*!
     * Receive side: whether the tag field of decrypted \p frame holds the tag of its
     * bytes, with \p int_information the RS-corrected INT information. Compared in
     * constant time; the field is zeroed either way, as the transmitter's plaintext had it.
     */
    bool verify(otu_frame::frame_ref frame,
                int_info_ref int_information,
                std::span<const std::uint8_t, 16> session_key,
                std::uint32_t counter,
                unsigned direction);

private:
    std::vector<std::uint8_t> d_message; // the gathered authenticated bytes
};

} // namespace fiberkey

#endif
