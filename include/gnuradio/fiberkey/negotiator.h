/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_NEGOTIATOR_BLOCK_H
#define INCLUDED_FIBERKEY_NEGOTIATOR_BLOCK_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief The rounds of protocol.md section 5 at one node, both roles at once.
 * \ingroup fiberkey
 *
 * \details
 * Leader of its own direction (A leads AB, B leads BA): draws X1, X2 (m bits each) from
 * the CSPRNG and sends them in ND1 with a new send sequence every frame; when the peer's
 * response arrives (ND2 and C2 via INT) it sends C1 and computes F1 = |XB4 ^ XA1 ^ C4|.
 * Responder of the peer's direction: keeps the noisy arrays of the peer's ND1, draws
 * Y1, Y2, answers in ND2 with the response sequence and C2 in INT, and computes
 * F2 = |XA4 ^ XB1 ^ C3| when C1 arrives. The XOR/popcount is the core's round
 * arithmetic, word by word.
 *
 * Wiring on one node: "rx" <- the demux's "blocks" port (each received frame's NEG and
 * INT); "neg" -> the mux's "neg" port: per received frame one NEG block, with the INT
 * records that must travel in the same frame in its metadata ("int"), so that the peer
 * can check the NEG numbering against them: a new round every frame. "rounds" publishes every round
 * that both sides keep: dict {direction (0 AB, 1 BA), sequence, count, role ("leader":
 * the count is F1; "follower": F2)}. Queues are bounded and drops are counted by cause;
 * a round whose NEG numbering disagrees with the INT bookkeeping is dropped on both
 * sides. seed 0 draws from the CSPRNG (OS entropy); any other value is a test seed,
 * logged as such. With the mux waiting for NEG blocks, pipeline_frames frames are primed
 * at start so that both ends run in lock step, a round every frame; a received frame
 * whose counter skipped k <= pipeline_frames frames (lost on the line, or dropped by the
 * receiver) sends k more, so losses do not drain the pipeline (a longer gap is an outage
 * or a restart). Connect the node's line_decoder "status" and "line_periods" to the
 * mux's "rx_status" and "line_periods" too (out of frame nothing comes in to pace the
 * mux, which then keeps time by line periods), and "status" to this block's "rx_status":
 * a gap across an out-of-frame spell is not made up, those periods were.
 */
class FIBERKEY_API negotiator : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<negotiator> sptr;

    /*!
     * \brief Makes a negotiator: message ports "rx" and "rx_status" in, "neg" and
     * "rounds" out (no stream ports).
     *
     * \param node "A" (leads AB) or "B" (leads BA)
     * \param bits m, the length of each array: a multiple of 8, 8..496
     * \param seed 0 for the CSPRNG; anything else is a test seed
     * \param pipeline_frames NEG blocks sent at start, before any frame is received: the
     *        frames in flight when the mux waits for NEG (lock step); 0 when it does not;
     *        0..4096
     */
    static sptr make(const std::string& node,
                     int bits = 496,
                     uint64_t seed = 0,
                     int pipeline_frames = 0);

    virtual uint64_t rounds_completed() const = 0;
    virtual uint64_t frames_received() const = 0;
    virtual uint64_t rounds_dropped() const = 0;
    //! NEG blocks sent for frames lost on the way (lock step, from the peer's counter).
    virtual uint64_t frames_made_up() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
