/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_OTU_FRAME_H
#define FIBERKEY_CORE_OTU_FRAME_H

#include <fiberkey/frame_layout.h>

#include <array>
#include <cstdint>
#include <span>

namespace fiberkey {

/*!
 * \brief The extended OTU2 frame codec (protocol.md section 3): builds a frame from its
 * parts and takes one apart again. frame_layout says where each field sits; this is the
 * one place that writes and reads them.
 *
 * A frame is plaintext here (ZUC applies to the covered bytes afterwards, frame_cipher)
 * and has no G.709 FEC yet (g709_fec, line encoder). Row 0 carries FAS, the 32-bit frame
 * counter (MFAS = bits 7..0, columns 10-12 = bits 31..8) and the epoch/flags byte; the
 * other overhead columns are zero. The INT block is 239 information bytes protected by
 * RS(255,239).
 *
 * Link start (docs/protocol-choices.md): until a node holds its first session key it may
 * send clear frames, marked by flag_clear, that carry the overhead and the INT block only
 * (payload and NEG zeroed, nothing of the client or the negotiation leaks); a receiver
 * accepts them only until its first key is in use (link_start_policy).
 */
namespace otu_frame {

using frame_ref = std::span<std::uint8_t, frame_layout::frame_bytes>;
using const_frame_ref = std::span<const std::uint8_t, frame_layout::frame_bytes>;
using payload_ref = std::span<std::uint8_t, frame_layout::payload_bytes>;
using const_payload_ref = std::span<const std::uint8_t, frame_layout::payload_bytes>;
using block = std::array<std::uint8_t, frame_layout::block_bytes>;
using int_info = std::array<std::uint8_t, frame_layout::int_info_bytes>;

//! What the clear overhead of row 0 says.
struct header {
    std::uint32_t counter = 0;
    unsigned epoch = 0; //!< key epoch 0..3
    bool clear = false; //!< sent unencrypted, at link start
};

/*!
 * Writes a whole frame: FAS, \p h, the payload (15,232 bytes, or empty: zeros), the NEG
 * block (255 bytes, or empty: an empty block, status 0 and sequences 0) and the INT
 * information bytes (at most 239, zero padded) with their RS parity.
 * Throws std::invalid_argument on a part of the wrong size or an epoch above 3.
 */
void build(frame_ref frame,
           const header& h,
           std::span<const std::uint8_t> payload,
           std::span<const std::uint8_t> neg,
           std::span<const std::uint8_t> int_information);

header read_header(const std::uint8_t* frame);
void write_header(std::uint8_t* frame, const header& h);
std::uint32_t read_counter(const std::uint8_t* frame);
void write_counter(std::uint8_t* frame, std::uint32_t counter);

//! The payload columns of the four rows, in order.
void read_payload(const_frame_ref frame, payload_ref out);
void write_payload(frame_ref frame, const_payload_ref payload);

inline std::span<const std::uint8_t, frame_layout::block_bytes>
neg_block(const_frame_ref frame)
{
    return frame.subspan<frame_layout::neg.offset, frame_layout::block_bytes>();
}

//! The INT block after its RS(255,239) check.
struct int_decoded {
    int corrected = -1; //!< symbols corrected; -1: uncorrectable, info untouched
    int_info info{};    //!< the (corrected) information bytes
    bool ok() const { return corrected >= 0; }
};
int_decoded decode_int(const_frame_ref frame);

//! Writes the INT information bytes (at most 239, zero padded) and their parity.
void write_int(frame_ref frame, std::span<const std::uint8_t> int_information);

/*!
 * Turns a plaintext frame into a link-start clear frame: the covered bytes other than
 * the INT block zeroed, epoch 0, flag_clear set.
 */
void make_clear(frame_ref frame);

//! After encryption: the epoch bits of the clear overhead, flag_clear off.
void mark_epoch(std::uint8_t* frame, unsigned epoch);

/*!
 * \brief The link-start rule at one crypt block: clear frames are sent (when there is no
 * key yet) and accepted only while allowed and before the first key has been used.
 */
class link_start_policy
{
public:
    explicit link_start_policy(bool allow_clear) : d_allow(allow_clear) {}
    bool clear_allowed() const { return d_allow && !d_keyed; }
    //! A frame went out or came in under a session key: clear frames end here.
    void keyed() { d_keyed = true; }

private:
    bool d_allow;
    bool d_keyed = false;
};

} // namespace otu_frame
} // namespace fiberkey

#endif
