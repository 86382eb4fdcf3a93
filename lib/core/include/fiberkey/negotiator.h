/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_NEGOTIATOR_H
#define FIBERKEY_CORE_NEGOTIATOR_H

#include <fiberkey/int_block.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/random_source.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <vector>

namespace fiberkey {

//! One finished round as one node sees it (protocol.md section 5).
struct completed_round {
    std::uint8_t direction = 0; //!< 0: AB, led by A; 1: BA, led by B
    std::uint16_t sequence = 0; //!< the leader's send sequence of the round
    std::uint16_t count = 0;    //!< F1 when this node leads the direction, else F2

    bool operator==(const completed_round&) const = default;
};

//! Rounds this node lost while leading its own direction, by cause.
struct leader_drops {
    std::uint64_t queue_full = 0;         //!< more rounds in flight than the bound
    std::uint64_t no_response = 0;        //!< the follower answered later rounds, or none
    std::uint64_t numbering_mismatch = 0; //!< ND2 numbering differs from the INT copy
    std::uint64_t missing_c2 = 0;         //!< ND2 confirmed, but no C2 came with it
    std::uint64_t follower_lost = 0;      //!< the follower's verdict: not finished there
    //! No verdict seen while the round was in the verdict window: the only cause under
    //! which the follower may have kept a round that this side dropped.
    std::uint64_t verdict_missed = 0;
};

//! Rounds this node lost while following the peer's direction, by cause.
struct follower_drops {
    std::uint64_t queue_full = 0;         //!< more rounds waiting than the bound
    std::uint64_t numbering_mismatch = 0; //!< ND1 numbering not confirmed by INT
    std::uint64_t missing_c1 = 0;         //!< C1 never came (later ones did, or timeout)
};

struct negotiator_counters {
    std::uint64_t frames_sent = 0;
    std::uint64_t frames_received = 0;
    std::uint64_t frames_without_bookkeeping = 0; //!< INT lost or without a round record
    std::uint64_t rounds_completed_as_leader = 0;
    std::uint64_t rounds_completed_as_follower = 0;
    leader_drops leader;
    follower_drops follower;
};

//! What waits inside the negotiator; every queue is bounded by the configuration.
struct negotiator_queue_sizes {
    std::size_t awaiting_response = 0; //!< leader: rounds sent, no ND2 yet
    std::size_t c1_to_send = 0;        //!< leader: C1 computed, not yet sent
    std::size_t awaiting_verdict = 0;  //!< leader: F1 known, follower's verdict not yet
    std::size_t responses_to_send = 0; //!< follower: peer rounds not yet answered
    std::size_t awaiting_c1 = 0;       //!< follower: answered, C1 not yet received
};

struct negotiator_config {
    std::uint8_t direction = 0; //!< the direction this node leads: 0 for A, 1 for B
    unsigned bits = 496;        //!< m: a multiple of 8, at most 496 (the NEG layout)
    std::size_t max_responses_to_send = 16;
    std::size_t max_rounds_in_flight = 512; //!< bound of each of the other queues
    std::size_t max_c1_per_frame = 2; //!< lets a backlog drain; one per frame is usual
    //! Frames sent before a round that waits for the peer is dropped.
    std::uint32_t round_timeout_frames = 2048;
    std::uint16_t first_send_seq = 1; //!< 1..65535; tests start near the wrap
};

//! The NEG fields and INT records of one transmitted frame.
struct negotiator_frame {
    neg_fields neg;
    std::vector<int_record> int_records;
};

/*!
 * \brief One node's negotiation (protocol.md section 5): it leads its own direction and
 * follows the peer's, both in every frame. Pure logic: no threads, no clock but the
 * count of transmitted frames.
 *
 * Per transmitted frame (transmit()): ND1 with fresh X1, X2 and the next send sequence
 * (a new round every frame); ND2 answering the oldest unanswered peer round, with C2 in
 * INT; the C1 of rounds whose answer came in; and the INT records below.
 *
 * Per received frame (receive()): the decoded NEG and the INT records (none when the INT
 * block failed). NEG has no FEC, so its numbering is used only when the INT round record
 * confirms it; a round whose numbering disagrees is dropped on both sides.
 *
 * Agreement on the surviving rounds. Messages of one direction stay in sequence order
 * (each queue is first in, first out), so a round is missing for good as soon as a later
 * one arrives. The follower is the first to know that both counts exist: C1[s] comes only
 * after the leader has F1[s]. So the follower decides: it emits F2[s] when C1[s] arrives
 * and reports, in every frame, a verdict over the last 64 sequences it decided. The
 * leader holds F1[s] until a verdict covers s, then emits it or drops it. Both sides
 * thus emit the same rounds, except when the leader misses every verdict that covers
 * a round (64 consecutive INT blocks lost): it then drops the round as verdict_missed,
 * and the kept-round bitmaps exchanged in post-processing (protocol.md section 6) settle
 * it.
 *
 * INT records per frame, in this order (at most 7 + 69 + 2 x 69 + 16 = 230 of the 239
 * bytes with m = 496; 161 with one C1, the usual case):
 *   int_round        {own direction, send sequence, response sequence}, always
 *   int_c_feedback   C2 {peer direction, answered sequence}, with an ND2
 *   int_c_feedback   C1 {own direction, sequence}, up to max_c1_per_frame
 *   int_fragment     the verdict, once the follower has decided a round: stream
 *                    verdict_stream, message_seq = newest decided sequence s, index 0,
 *                    count 1, data = [peer direction][64-bit mask, big-endian], where
 *                    bit i set means sequence s - i (cyclic) finished at the follower.
 */
class negotiator
{
public:
    //! INT fragment stream of the follower's verdicts; post-processing uses others.
    static constexpr std::uint8_t verdict_stream = 0xf0;
    static constexpr unsigned verdict_window = 64;

    //! \p random draws the arrays: the CSPRNG unless a test passes its own.
    explicit negotiator(
        const negotiator_config& config,
        std::unique_ptr<random_source> random = std::make_unique<csprng_random_source>());
    ~negotiator();
    negotiator(const negotiator&) = delete;
    negotiator& operator=(const negotiator&) = delete;

    //! The content of the next frame this node sends.
    negotiator_frame transmit();

    /*!
     * One frame from the peer: \p neg as decoded, \p int_records as parsed (empty when
     * the INT block was uncorrectable or rejected). A frame lost whole is simply never
     * passed in.
     */
    void receive(const neg_decoded& neg, std::span<const int_record> int_records);

    //! Rounds finished since the last call, in the order they finished.
    std::vector<completed_round> take_completed();

    const negotiator_counters& counters() const { return d_counters; }
    negotiator_queue_sizes queue_sizes() const;
    const negotiator_config& config() const { return d_config; }

private:
    struct led_round { // leader, before the answer
        std::uint16_t seq;
        std::uint64_t sent_at;
        nd_array x1, x2;
    };
    struct c1_out { // leader, C1 not yet sent
        std::uint16_t seq;
        std::vector<std::uint8_t> c1;
    };
    struct counted_round { // leader, F1 known, verdict not yet
        std::uint16_t seq;
        std::uint64_t counted_at;
        std::uint16_t f1;
    };
    struct peer_round { // follower, before the answer
        std::uint16_t seq;
        nd_array x3, x4;
    };
    struct answered_round { // follower, before C1
        std::uint16_t seq;
        std::uint64_t answered_at;
        nd_array x4, y1;
    };

    std::uint8_t peer_direction() const { return d_config.direction ^ 1u; }
    std::size_t array_bytes() const { return d_config.bits / 8; }
    std::span<const std::uint8_t> used(const nd_array& a) const;
    std::span<std::uint8_t> used(nd_array& a) const;
    void draw(nd_array& a);

    void expire_old_rounds();
    void take_verdict(const int_fragment& verdict);
    void take_c1(const int_c_feedback& c1);
    void take_response(const neg_fields& neg,
                       const int_round& book,
                       std::span<const int_record> int_records);
    void take_peer_round(const neg_fields& neg, const int_round& book);
    void decide(std::uint16_t seq, bool finished);
    void drop_follower_rounds_before(std::uint16_t seq);

    negotiator_config d_config;
    std::unique_ptr<random_source> d_random;
    std::uint64_t d_frame = 0; // frames sent: the only clock
    std::uint16_t d_next_send_seq;

    std::deque<led_round> d_awaiting_response;
    std::deque<c1_out> d_c1_to_send;
    std::deque<counted_round> d_awaiting_verdict;
    std::deque<peer_round> d_responses_to_send;
    std::deque<answered_round> d_awaiting_c1;

    // The follower's verdict: newest decided sequence and who of the last 64 finished.
    bool d_have_verdict = false;
    std::uint16_t d_verdict_newest = 0;
    std::uint64_t d_verdict_mask = 0;

    std::vector<completed_round> d_completed;
    negotiator_counters d_counters;
};

} // namespace fiberkey

#endif
