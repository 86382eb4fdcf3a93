/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_PATTERN_ROUNDS_H
#define INCLUDED_FIBERKEY_PATTERN_ROUNDS_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief The rounds of a lab run: both nodes' transmit patterns (fiberkey-lab pattern)
 * and the NEG blocks each receiver decided from its capture, as Key Post-Processors take
 * them.
 * \ingroup fiberkey
 *
 * \details
 * Message ports "neg_at_a" and "neg_at_b" take the "neg" PDUs of the OTU Frame Demux of
 * node A's receiver (B's frames, decided at A) and of B's (meta frame_counter, data: the
 * 255-byte NEG block). Round i of both directions forms once frame i of A's pattern was
 * decided at B and frame i of B's at A, with the C1 and C2 feedback that INT would carry
 * on a live link computed from those decisions and the patterns' arrays
 * (::fiberkey::lab_rounds). Port "a" then gets F1 of AB and F2 of BA, port "b" F2 of AB
 * and F1 of BA, as the Negotiator's "rounds" messages. At start, "key_a" and "key_b"
 * send each pattern's session key (epoch 0) to the receiving ZUC Frame Crypt of its
 * frames (A's to node B's receiver), so that no key has to be typed. A frame decided again (a
 * generator looping its pattern) counts once; frames outside the patterns are counted
 * and ignored; anything that is not such a PDU is refused and counted.
 *
 * The block does not end when its inputs do (GNU Radio would end a message-only block at
 * the first receiver's end, and the post-processors after it in the middle of their last
 * exchange): a flowgraph that replays captures stops once they are read and the rounds
 * settled (fiberkey.wait_for_captures, as examples/lab_keys_from_captures.grc does).
 */
class FIBERKEY_API pattern_rounds : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<pattern_rounds> sptr;

    /*!
     * \param pattern_a node A's pattern: PREFIX (or PREFIX.json) as fiberkey-lab pattern
     *        wrote it, with its arrays file beside it
     * \param pattern_b node B's pattern
     * Throws std::invalid_argument naming the file when a pattern cannot be read, does
     * not match its manifest (SHA-256) or is of the wrong node.
     */
    static sptr make(const std::string& pattern_a, const std::string& pattern_b);

    //! Rounds formed (of each direction).
    virtual uint64_t rounds() const = 0;
    //! Round indices both patterns have.
    virtual uint64_t frames() const = 0;
    //! Decided frames seen before, and frames outside the patterns, ignored.
    virtual uint64_t repeated() const = 0;
    virtual uint64_t outside_pattern() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
