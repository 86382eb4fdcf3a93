/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_EVE_OBSERVER_BLOCK_H
#define INCLUDED_FIBERKEY_EVE_OBSERVER_BLOCK_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief An eavesdropper holding the session keys: her estimate of F1 and F2 of every
 * round she can rebuild from taps on both fibers (protocol.md section 8).
 * \ingroup fiberkey
 *
 * \details
 * Message-only. "from_a" and "from_b" take the "blocks" PDUs of the otu_demux at the end
 * of Eve's receive chain on the fiber from A and the fiber from B (her tap -> soft frame
 * sync -> slicer -> line decoder -> zuc_crypt keyed with K_AB, resp. K_BA -> otu_demux):
 * meta with int_ok, data the 255 NEG bytes then the 239 INT information bytes. Per round
 * she pairs the leader's ND1 (her X1', X2'), the follower's ND2 answer with C2, and the
 * leader's C1, and publishes on "rounds" one dict per rebuilt round:
 *   direction (0 AB, 1 BA), sequence, count (her estimate, rounded),
 *   seen_leader_errors (|C2 ^ X1' ^ Y2'|), seen_follower_errors (|C1 ^ Y1' ^ X2'|),
 *   estimate (double),
 * the keys of the negotiator's "rounds" port, so that a key post-processor in the
 * follower role can take them. her_ber is her receiver's BER on each fiber, used to
 * unbias what she sees (see fiberkey::eve_estimate); the default 1e-3 is what a
 * fiber_link tap of 10 % at 5 km gives a 4.6 pA/sqrt(Hz) receiver. Without the right
 * keys her INT blocks fail: every frame is a counted drop and no round comes out.
 * Memory is bounded by `window` rounds per direction.
 */
class FIBERKEY_API eve_observer : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<eve_observer> sptr;

    /*!
     * \brief Makes an eve_observer: message ports "from_a", "from_b" in, "rounds" out.
     *
     * \param bits m, as the nodes' negotiators use: a multiple of 8, at most 496
     * \param her_ber BER of her receiver on both fibers, in [0, 0.5)
     * \param window rounds per direction held while their parts come in, 1..32767
     */
    static sptr make(int bits = 496, double her_ber = 1e-3, int window = 1024);

    //! Rounds published on "rounds".
    virtual uint64_t rounds_emitted() const = 0;
    //! Frames and rounds that could not be used: malformed PDUs, frames without their
    //! INT bookkeeping, bad records, late parts, and rounds given up.
    virtual uint64_t drops() const = 0;
    //! The rounds among those drops (each counted once).
    virtual uint64_t rounds_dropped() const = 0;

    virtual double her_ber() const = 0;
    virtual void set_her_ber(double her_ber) = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
