/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_OTU_MUX_H
#define INCLUDED_FIBERKEY_OTU_MUX_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Builds extended OTU2 frames (transmit side, before encryption).
 * \ingroup fiberkey
 *
 * \details
 * Client bytes in (15,232 per frame, the OPU payload columns 16..3823 of the four rows);
 * frames out, one 16,830-byte item each, tagged "frame_counter" (uint64) and "key_epoch"
 * (0: the transmitting zuc_crypt writes the epoch). The mux writes FAS, MFAS and the
 * 32-bit frame counter (MFAS and row 0 columns 10-12), leaves the rest of the overhead
 * zero, and fills NEG and INT from its message ports:
 *  - "neg": a PDU whose data is one encoded 255-byte NEG block; one per frame, in order.
 *    Its metadata may hold "int" (u8vector): INT records that must go in the same frame
 *    (the negotiator's bookkeeping); they come first in that frame's INT. With none queued the frame carries an empty NEG (status 0, sequences 0), unless
 *    wait_for_neg is set, in which case the mux waits for one (lock step with a negotiator).
 *  - "int": a PDU whose data is one or more encoded INT records (at most 239 bytes). The
 *    mux packs as many queued PDUs as fit into each frame's 239 information bytes, in
 *    order, pads with zeros (the padding record) and adds the RS(255,239) parity.
 * Both queues hold at most queue_depth PDUs; what overflows is dropped and counted.
 *  - "rx_status" and "line_periods": this node's line_decoder "status" and
 *    "line_periods" ports. The lock step with a negotiator takes one frame out per frame
 *    in; with nothing coming in (an outage of both directions) both nodes would stop for
 *    good. So while the node's own receiver is out of frame (from out_of_frame or
 *    loss_of_frame until in_frame) the mux sends one frame per frame period of line bits
 *    the receiver took instead of waiting for NEG (queued NEG blocks ride along, else
 *    empty ones; counted in unpaced_frames()).
 */
class FIBERKEY_API otu_mux : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<otu_mux> sptr;

    /*!
     * \brief Makes an otu_mux: bytes in (client payload, 15,232 per frame), one
     * 16,830-byte vector out per frame; message ports "neg", "int", "rx_status" and
     * "line_periods" in. Frames are built by the core codec (fiberkey/otu_frame.h).
     *
     * \param first_counter frame counter of the first frame, 0..2^32 - 1 (the counter is
     *        32 bits and wraps)
     * \param queue_depth PDUs held in each of the "neg" and "int" queues before new ones
     *        are dropped and counted, 1..65536
     * \param wait_for_neg true: each frame waits for a NEG block (lock step with a
     *        negotiator, paced by line periods while the receiver is out of frame);
     *        false: a frame with none queued carries an empty NEG. Settable with
     *        set_wait_for_neg().
     */
    static sptr
    make(uint64_t first_counter = 0, int queue_depth = 64, bool wait_for_neg = false);

    virtual uint64_t frames() const = 0;
    //! Well-formed NEG and INT PDUs dropped because their queue was full (malformed ones
    //! are refused: messages_refused()).
    virtual uint64_t neg_dropped() const = 0;
    virtual uint64_t int_dropped() const = 0;
    virtual uint64_t empty_neg_frames() const = 0;
    virtual void set_wait_for_neg(bool wait) = 0;
    //! Frames sent per line period, without waiting for NEG, while out of frame.
    virtual uint64_t unpaced_frames() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
