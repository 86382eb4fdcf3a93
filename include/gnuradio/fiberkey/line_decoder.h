/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_LINE_DECODER_H
#define INCLUDED_FIBERKEY_LINE_DECODER_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Frame alignment, descrambling and G.709 FEC decoding (receive side).
 * \ingroup fiberkey
 *
 * \details
 * Hard bits in (one bit per byte, or packed eight to a byte MSB first, at any bit
 * offset); aligned frames out (16,896-byte items: the frame, then 66 zero bytes). Alignment follows G.798: search the FAS, confirm it one frame later to go in
 * frame, out of frame after 5 consecutive missed FAS, loss of frame after lof_frames
 * frame periods out of frame (246, about 3 ms). Each frame is descrambled and, with fec
 * set, RS(255,239)-corrected (corrected symbols and uncorrectable codewords counted).
 * The clear frame counter and epoch are then checked (frame_counter_tracker). Fields whose
 * G.709 codewords decoded are trusted: such a counter is taken at once (so a lost frame
 * costs only itself), such an epoch too. Without FEC, or when those codewords failed,
 * the decoder needs consecutive frames to confirm a counter after acquisition (frames
 * before are dropped and counted), trusts its own count while locked (relocking after 3
 * disagreements), and takes a new epoch only once two consecutive frames carry it: a
 * garbled epoch byte must not switch the receiver's key early. Each output frame is tagged
 * "frame_counter" and "key_epoch", and a frame with uncorrectable codewords also
 * "fec_uncorrectable" (their number, a uint64); alignment changes are logged, tagged "lock" (a
 * symbol: in_frame, out_of_frame, loss_of_frame, loss_of_frame_cleared) on the next
 * frame, and published on the "status" message port (a dict: "lock", the same symbol;
 * "outage", a uint64 counting the out-of-frame spells; "bit_position", the uint64 count
 * of bits taken). While out of frame the "line_periods" port gets a message (a uint64,
 * the outage count) per frame period of bits taken: the clock an otu_mux in lock step
 * uses when no frame comes in. Each aligned frame, when "frame_status" has a subscriber
 * (a link_monitor), is published there as a u64vector: FEC on (1) or off (0), corrected
 * symbols, uncorrectable codewords, the MFAS byte.
 */
class FIBERKEY_API line_decoder : virtual public gr::block
{
public:
    typedef std::shared_ptr<line_decoder> sptr;

    /*!
     * \brief Makes a line_decoder: byte in (one hard bit per byte, 0 or 1, or eight
     * packed), one 16,896-byte vector out per aligned frame; message ports "status",
     * "line_periods" and "frame_status" out.
     *
     * \param fec correct each frame with the G.709 RS(255,239) FEC (the encoder must have
     *        added it); false: the parity columns are ignored. Settable with set_fec().
     * \param lof_frames frame periods out of frame before loss of frame, and frames in
     *        frame before it clears; >= 1 (246: about 3 ms at OTU2 rate, G.798)
     * \param packed false: one bit per input byte in its LSB (a slicer's output); true:
     *        eight bits per input byte, MSB first (a packed line encoder's output), which
     *        in frame is copied rather than packed bit by bit
     */
    static sptr make(bool fec = true, int lof_frames = 246, bool packed = false);

    virtual void set_fec(bool fec) = 0;
    virtual bool fec() const = 0;
    virtual bool in_frame() const = 0;
    virtual bool packed() const = 0;
    virtual uint64_t frames() const = 0;
    virtual uint64_t corrected_symbols() const = 0;
    virtual uint64_t uncorrectable_codewords() const = 0;
    //! Frames dropped while the counter or a new epoch awaited confirmation.
    virtual uint64_t unconfirmed_frames() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
