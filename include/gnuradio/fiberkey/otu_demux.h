/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OTU_DEMUX_H
#define INCLUDED_FIBERKEY_OTU_DEMUX_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Takes decrypted extended OTU2 frames apart (receive side).
 * \ingroup fiberkey
 *
 * \details
 * Frames in (16,830-byte items with "frame_counter" and "key_epoch" tags); the 15,232
 * payload bytes of each frame out as a byte stream, the first tagged "frame_counter" and,
 * when the line FEC left codewords uncorrected, "fec_uncorrectable" (their number; such
 * payload may hold errors); and two message outputs:
 *  - "neg": PDU (meta: frame_counter, key_epoch; data: the 255 NEG bytes as received).
 *    NEG has no FEC: its bytes may carry channel errors, which is the point.
 *  - "int": PDU (meta: frame_counter, key_epoch, corrected_symbols; data: the 239
 *    information bytes) for every INT block that RS(255,239) corrects and whose records
 *    all parse. Other blocks are dropped whole and counted, never half-parsed.
 *  - "blocks": both of one frame in a single PDU (meta: frame_counter, key_epoch,
 *    int_ok; data: the 255 NEG bytes, then the 239 INT information bytes, zeros unless
 *    int_ok), for the negotiator, which needs them together.
 */
class FIBERKEY_API otu_demux : virtual public gr::block
{
public:
    typedef std::shared_ptr<otu_demux> sptr;

    /*!
     * \brief Makes an otu_demux: one 16,830-byte vector (a decrypted frame) in, bytes out
     * (the 15,232 payload bytes of each frame); message ports "neg", "int" and "blocks"
     * out. No parameters. Frames are taken apart by the core codec (fiberkey/otu_frame.h).
     */
    static sptr make();

    virtual uint64_t frames() const = 0;
    virtual uint64_t int_accepted() const = 0;
    virtual uint64_t int_uncorrectable() const = 0;
    virtual uint64_t int_rejected() const = 0;
    //! Frames whose payload went out tagged "fec_uncorrectable".
    virtual uint64_t frames_with_uncorrectable_codewords() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
