/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_ROUND_COUNTS_H
#define INCLUDED_FIBERKEY_ROUND_COUNTS_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief The per-round error counts of a node as float streams, for GUI sinks.
 * \ingroup fiberkey
 *
 * \details
 * "rounds" <- a negotiator's "rounds" port (or model_rounds': a message of several
 * rounds gives each in turn). Output 0 carries the counts of direction AB,
 * output 1 those of direction BA, one item per kept round (F1 at the leader of the
 * direction, F2 at its follower), tagged "sequence". Each output holds at most
 * queue_depth waiting rounds; older ones are dropped and counted.
 */
class FIBERKEY_API round_counts : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<round_counts> sptr;

    /*!
     * \brief Makes a round_counts block: message port "rounds" in, two float outputs
     * (0: direction AB, 1: direction BA).
     *
     * \param queue_depth rounds waiting per output before the oldest is dropped, >= 1
     */
    static sptr make(int queue_depth = 4096);

    virtual uint64_t rounds_dropped() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
