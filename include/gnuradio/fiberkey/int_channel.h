/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_INT_CHANNEL_H
#define INCLUDED_FIBERKEY_INT_CHANNEL_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Reliable messages over the lossy INT blocks of a node's frames.
 * \ingroup fiberkey
 *
 * \details
 * Messages (up to 59,160 bytes) on numbered streams are cut into INT fragment records,
 * acknowledged, retransmitted until acknowledged, reassembled and delivered exactly once
 * (the int_transport core class). Wiring per node:
 *  - "rx_int" <- the demux's "int" port (the INT blocks the peer sent);
 *  - "tx_int" -> the mux's "int" port: after every received INT block, one PDU of at most
 *    budget bytes of records (acks first, then fragments);
 *  - "send" <- messages to send: PDU with meta "stream" (0..239) and a u8vector;
 *  - "recv" -> delivered messages, same form.
 * The budget leaves the rest of each INT block to the negotiator (about 161 bytes).
 * Streams 240-255 are reserved (the negotiator's verdicts use 240).
 * The retransmission timeout follows the measured round trip in frames (int_transport);
 * retransmit_after_frames is its ceiling and its value before the first measurement.
 */
class FIBERKEY_API int_channel : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<int_channel> sptr;

    /*!
     * \brief Makes an int_channel: message ports "rx_int", "send" in, "tx_int", "recv"
     * out (no stream ports).
     *
     * \param budget_bytes most bytes of records put in one INT block, 16..239 (the 239
     *        information bytes of a block; the default 78 leaves the rest to the
     *        negotiator)
     * \param retransmit_after_frames ceiling of the retransmission timeout, in frames
     *        received, and the timeout before the first round-trip measurement; >= 1
     * \param window messages in flight per stream, 1..1024
     */
    static sptr
    make(int budget_bytes = 78, int retransmit_after_frames = 1024, int window = 4);

    virtual uint64_t messages_sent() const = 0;
    virtual uint64_t messages_delivered() const = 0;
    virtual uint64_t fragments_retransmitted() const = 0;
    //! The smoothed round trip in frames (0 before the first ack) and the timeout now.
    virtual double round_trip_frames() const = 0;
    virtual unsigned retransmit_timeout_frames() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
