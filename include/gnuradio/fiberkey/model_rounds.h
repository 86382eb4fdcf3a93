/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_MODEL_ROUNDS_H
#define INCLUDED_FIBERKEY_MODEL_ROUNDS_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

namespace gr {
namespace fiberkey {

/*!
 * \brief Rounds from the round-level model, in place of two negotiators: the key
 * post-processing and re-keying of a link at scale, without the physical layer.
 * \ingroup fiberkey
 *
 * \details
 * Every message on "tick" (for example each frame a node receives: a demux's "blocks"
 * port) makes one round of each direction, drawn from the round-level model (m bits,
 * link BER, local-noise BER log-uniform in [noise_low, noise_high]). Node A's port "a"
 * gets F1 of AB (A leads it) and F2 of BA; node B's port "b" gets F2 of AB and F1 of BA,
 * in the form of the negotiator's "rounds" messages. seed 0 draws from the CSPRNG; any
 * other value is a test seed.
 *
 * With rounds_per_message n > 1 the rounds go out n at a time: each message holds n
 * consecutive rounds of one direction ("counts", a u32vector, in place of "count";
 * "sequence" numbers the first), which the key post-processor and round_counts take as n
 * single rounds. A message costs GNU Radio a thread wake-up at each receiver: at
 * thousands of frames per second, sending rounds one at a time costs more CPU than
 * modelling them. Rounds of an incomplete group are not sent.
 */
class FIBERKEY_API model_rounds : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<model_rounds> sptr;

    static constexpr int max_rounds_per_message = 4096;

    /*!
     * \brief Makes a model_rounds block: message port "tick" in, "a" and "b" out (no
     * stream ports).
     *
     * \param bits m, the length of each array: a multiple of 8, 8..496
     * \param noise_low lowest BER of the receivers' local noise, 0 < noise_low <=
     *        noise_high
     * \param noise_high highest BER of the local noise, noise_high < 0.5 (the BER is
     *        drawn log-uniform between the two)
     * \param link_ber BER of each fiber link alone, in [0, 0.5)
     * \param seed 0: rounds drawn from the CSPRNG; any other value: reproducible rounds
     *        FOR TESTS ONLY (a warning is logged)
     * \param rounds_per_message rounds of a direction per message, 1..4096 (1: the
     *        negotiator's one-round messages)
     */
    static sptr make(int bits = 496,
                     double noise_low = 1e-3,
                     double noise_high = 0.2,
                     double link_ber = 1e-5,
                     uint64_t seed = 0,
                     int rounds_per_message = 1);

    virtual uint64_t rounds() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
