/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_EVE_OBSERVER_H
#define FIBERKEY_CORE_EVE_OBSERVER_H

#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>

#include <array>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

struct eve_observer_config {
    unsigned bits = 496; //!< m: a multiple of 8, at most 496, as the nodes use
    /*!
     * BER of Eve's own receiver on each fiber: [0] A to B, [1] B to A, each below 0.5.
     * The default, 1e-3 as in round_model, is what fiber_link.expected_ber gives her
     * behind a 10 % tap at 5 km of the default link with a 4.6 pA/sqrt(Hz) receiver
     * (-14.9 dBm launched, extinction 10 dB; the default 20 pA/sqrt(Hz) gives her 0.24).
     */
    std::array<double, 2> her_ber{ 1e-3, 1e-3 };
    /*!
     * Rounds of one direction held while their parts come in: a round more than this
     * many sequences behind the newest one seen is given up. It bounds memory (about
     * 140 bytes a round and direction) and must exceed the frames between a round's ND1
     * and its C1 (about twice the frames in flight each way).
     */
    std::size_t window = 1024;
};

//! One round of one direction as Eve reconstructs it.
struct eve_round {
    std::uint8_t direction = 0;             //!< 0: AB, led by A; 1: BA, led by B
    std::uint16_t sequence = 0;             //!< the leader's send sequence
    std::uint16_t seen_leader_errors = 0;   //!< w_L = |C2 ^ X1' ^ Y2'|
    std::uint16_t seen_follower_errors = 0; //!< w_F = |C1 ^ Y1' ^ X2'|
    double estimate = 0.0;                  //!< her estimate of F1 (= of F2)

    bool operator==(const eve_round&) const = default;
};

struct eve_observer_counters {
    std::uint64_t frames = 0; //!< frames passed in
    std::uint64_t rounds = 0; //!< rounds reconstructed
    // Frames, or parts of them, that could not be used.
    std::uint64_t frames_without_bookkeeping = 0; //!< INT lost, or no round record
    std::uint64_t bad_records = 0; //!< C feedback not of m bits, or of no direction
    std::uint64_t late_parts = 0;  //!< behind the window, or a part seen twice
    // Rounds given up, each counted once, by cause.
    std::uint64_t numbering_mismatch = 0; //!< NEG numbering differs from the INT copy
    std::uint64_t missing_c2 = 0;         //!< an ND2 answer without its C2
    std::uint64_t expired = 0;            //!< a part never came within the window

    std::uint64_t rounds_dropped() const
    {
        return numbering_mismatch + missing_c2 + expired;
    }
    //! Everything that could not be used, frames and rounds.
    std::uint64_t drops() const
    {
        return frames_without_bookkeeping + bad_records + late_parts + rounds_dropped();
    }
};

/*!
 * \brief An eavesdropper holding the session keys, at the count level (protocol.md
 * section 8; round_model documents the arithmetic): from the decrypted frames she taps
 * on both fibers she rebuilds each round's error patterns as the nodes' INT records
 * reveal them, and estimates F1 and F2.
 *
 * Round s of direction d (leader L = node d, follower F) comes in three parts, in any
 * order, since her two taps run independently:
 *  - L's frame (fiber d) with ND1 numbered s: her copies X1', X2';
 *  - F's frame (fiber d ^ 1) answering s: ND2 (her Y1', Y2') and, in its INT, C2;
 *  - a later frame of L with C1 of s in its INT.
 * Then w_L = |C2 ^ X1' ^ Y2'| and w_F = |C1 ^ Y1' ^ X2'| (her errors on top of e(X1)
 * and e(Y1)) and the estimate is eve_estimate(w_L, w_F, m, g), g from her two BERs.
 * As at the nodes, NEG numbering is used only where the frame's INT round record
 * confirms it. The patterns are XORed together as the parts come in, so a round waiting
 * holds two arrays, not six.
 *
 * Memory is bounded: per direction a ring of `window` rounds, indexed by sequence
 * (16-bit numbers cycling 1..65535, unwrapped against the newest seen); rounds that fall
 * out of it unfinished are counted as expired. Every size and field from the wire is
 * checked; what does not fit is counted, never trusted.
 */
class eve_observer
{
public:
    explicit eve_observer(const eve_observer_config& config);

    /*!
     * One frame Eve decoded on the fiber from node \p from (0: A, 1: B): \p neg as
     * decoded, \p int_records as parsed (empty when the INT block failed).
     */
    void receive(std::uint8_t from,
                 const neg_decoded& neg,
                 std::span<const int_record> int_records);

    //! Rounds reconstructed since the last call, in the order they were completed.
    std::vector<eve_round> take_completed();

    //! Changes her receivers' BERs for the rounds completed from now on.
    void set_her_ber(const std::array<double, 2>& her_ber);

    const eve_observer_counters& counters() const { return d_counters; }
    const eve_observer_config& config() const { return d_config; }
    //! Rounds with a part still missing.
    std::size_t pending() const;

private:
    enum class slot_state : std::uint8_t { empty, open, done, lost };
    static constexpr std::uint8_t has_nd1 = 1, has_nd2 = 2, has_c1 = 4;
    struct slot { // of the round whose unwrapped sequence is its place modulo window
        slot_state state = slot_state::empty;
        std::uint8_t parts = 0;
        nd_array leader_pattern{};   // C2 ^ X1' ^ Y2' as far as known
        nd_array follower_pattern{}; // C1 ^ Y1' ^ X2' as far as known
    };
    struct direction_state {
        bool started = false;
        std::uint16_t newest_seq = 0;
        std::uint64_t newest_index = 0;
        std::vector<slot> ring;
    };

    //! The slot of round (d, s), advancing the window; nullptr when behind it.
    slot* round(std::uint8_t d, std::uint16_t s);
    //! The slot to add \p part of round (d, s) to; nullptr when the round is given up,
    //! or (counted as a late part) done, behind the window or already has the part.
    slot* accept(std::uint8_t d, std::uint16_t s, std::uint8_t part);
    void complete_if_ready(std::uint8_t d, std::uint16_t s, slot& r);
    void lose(std::uint8_t d, std::uint16_t s, std::uint64_t& cause);
    bool valid_c(const int_c_feedback& c) const;

    eve_observer_config d_config;
    double d_g; // her error rate on a pattern: one array from each fiber
    std::array<direction_state, 2> d_dirs;
    std::vector<eve_round> d_completed;
    eve_observer_counters d_counters;
};

} // namespace fiberkey

#endif
