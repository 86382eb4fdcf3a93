/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_POST_PROCESSOR_H
#define FIBERKEY_CORE_POST_PROCESSOR_H

#include <fiberkey/quantizer.h>
#include <fiberkey/reconciliation.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

/*
 * Key post-processing for one direction at one node (protocol.md section 6): counts in,
 * protocol messages in and out as byte vectors, 256-bit seed keys out.
 *
 * A batch, led by the leader L (the node whose arrays lead the direction), follower F:
 *   L: n rounds collected -> BITMAP(first sequence, span, L's kept rounds)
 *   F: quantizes its own counts over the span -> BITMAP_REPLY(F's kept rounds)
 *      Both now use the rounds kept by both, in sequence order.
 *   L: chooses the LDPC codes from its disagreement estimate (from the errors that F
 *      reported for earlier batches), computes the PA length from the leftover hash bound
 *      -> SYNDROME(codes, estimate, syndrome, nonce, tag, PA seed, output length)
 *   F: decodes, checks the tag, hashes -> RESULT(ok + errors per bit plane, or failure);
 *      keeps the hash output pending
 *   L: on ok commits the output to its key pool -> COMMIT; on failure drops the batch.
 *   F: commits the pending output when a leader message says the batch was committed
 *      (COMMIT, or the next BITMAP if COMMIT is lost), cuts 256-bit keys from its pool,
 *      emits them and reports them -> KEY_ACK(index, position in the committed stream)
 *   L: emits each acknowledged key.
 * So F emits only what L committed, and L only what F acknowledged holding: a key is
 * emitted on both sides or (after a message loss that no retransmission repairs, or a
 * restart) on one side only, never with different contents.
 *
 * Committed stream: the concatenation of the hash outputs of committed batches; both
 * pools index bits by their position in it. Every leader message states (last committed
 * batch, committed stream length, next key index); a follower whose own length differs
 * (it missed a commit, or restarted) drops its pool and adopts the leader's figures. One
 * batch is in flight at a time; the leader drops it when abandon_after_rounds more rounds
 * arrive without an answer. Duplicates and stale messages are recognised by the leader's
 * instance id (random per leader object) and increasing batch ids.
 *
 * The messages and their wire format are in pp_messages.h. Anything malformed, of the
 * other direction, for the other role or inconsistent with this end's settings (mode,
 * bit planes, soft reference) is rejected whole with a reason.
 *
 * Rates: the leader sizes the codes per bit plane for the disagreement pooled over the
 * last batches (RESULT's errors); in soft mode for the binary symmetric channel whose
 * capacity matches the follower's reported cross-entropy of that plane under its model.
 */

enum class pp_role : std::uint8_t { leader = 0, follower = 1 };

//! The longest batch: its span fits a bitmap (pp_messages::max_span) with room for
//! as many rounds again missing among its rounds.
inline constexpr std::size_t max_batch_rounds = 131072;

struct post_processor_config {
    pp_role role = pp_role::leader;
    std::uint8_t direction = 0; //!< 0 = A to B, 1 = B to A
    quantizer_config quantizer;
    //! n, rounds with a count at the leader: 64..max_batch_rounds, and at most 255 code
    //! blocks of key bits (a batch may span more than the 65,535 round sequences: both
    //! ends extend them).
    std::size_t batch_rounds = 1000;
    std::size_t abandon_after_rounds = 3000; //!< leader: give up an unanswered batch
    std::size_t min_used_rounds = 64; //!< fewer rounds kept by both: drop the batch
    double eps_total = 0x1p-64;       //!< per batch: half to PA, half to the tag
    /*! Cap on the min-entropy credited per symbol bit (every level of a round's symbol,
     *  disclosed ones too; see exchangeable_min_entropy for the estimate itself): lower
     *  it to model an adversary who knows part of F. */
    double min_entropy_per_bit = 1.0;
    double initial_disagreement = 0.05; //!< leader's estimate before any batch
    //! Frame error rate the codes are chosen for, per block (reconciliation.h,
    //! choose_codes_for_fer): the leak then follows the finite-length bound.
    double target_fer = 1e-2;
    double estimate_margin = 1.0; //!< hard modes: estimate + margin x std error
    //! LDPC iterations per decoding attempt (ldpc.h: a failed one gets a second). The
    //! long low-rate codes of multilevel q = 5 converge slowly: with 100, 1 - 3 blocks
    //! of 400 at n = 100,000 ran out of iterations (0.842 - 0.851 of I(F1;F2)); with
    //! 200, none (0.856).
    unsigned max_iterations = 200;
    //! Soft mode: the follower's model correlation before its first confirmed batch
    //! (then fitted on the batches it confirms). Low values only cost key.
    double initial_correlation = 0.9;
    /*! Fills its argument with random bytes (nonces, PA seeds, the instance id).
     *  Empty = OpenSSL's CSPRNG; anything else is for reproducible tests only. */
    std::function<void(std::span<std::uint8_t>)> random;

    //! Throws std::invalid_argument on an out-of-range field.
    void validate() const;

    /*!
     * The most bytes that a SYNDROME of this configuration can take, every round of a
     * batch used: the one message whose length grows with batch_rounds beyond what a
     * transport of 59,160 bytes carries (at most 57,368 bytes for the others,
     * whatever the batch). The Toeplitz seed and the syndrome together take at most
     * twice the key bits, since the hash output is the min-entropy, at most the
     * symbols' bits, less the syndrome and the disclosed levels.
     */
    std::size_t largest_message_bytes() const;
};

struct seed_key {
    std::uint8_t direction = 0;
    std::uint32_t key_index = 0; //!< counts keys of this direction: the key epoch
    std::array<std::uint8_t, 32> key{};
    std::uint64_t stream_position = 0; //!< first bit in the committed stream
    // Summed over the batches whose output the key contains:
    std::uint64_t rounds_used = 0;
    double disagreement = 0.0;     //!< before correction, over their key bits
    std::uint64_t bits_leaked = 0; //!< syndrome + tag bits
    double epsilon = 0.0;
    //! The last round (the leader's send sequence, 1..65535) of the newest of them: no
    //! round after it went into the key.
    std::uint16_t last_round_sequence = 0;

    seed_key() = default;
    seed_key(const seed_key&) = default;
    seed_key& operator=(const seed_key&) = default;
    ~seed_key();
};

struct batch_report {
    std::uint32_t batch = 0;
    bool reconciled = false;     //!< the tag matched after decoding
    std::string reason;          //!< why no key bits came out; empty when some did
    std::size_t rounds_used = 0; //!< kept by both
    std::size_t key_bits = 0;
    std::uint64_t errors = 0; //!< corrected bits (known once reconciled)
    reconciliation::leak_account leak;
    //! Of the used rounds' symbols; at a follower that dropped blocks, of the kept
    //! rounds' only (the dropped ones it does not know).
    double min_entropy = 0.0;
    std::size_t secret_bits = 0;    //!< hash output length
    unsigned iterations = 0;        //!< follower: decoder iterations, most of any block
    std::size_t blocks_dropped = 0; //!< failed blocks whose rounds were left out
};

struct message_verdict {
    bool accepted = true;
    std::string reason; //!< why a message was rejected or ignored
};

struct post_processor_stats {
    std::uint64_t rounds_in = 0;
    std::uint64_t rounds_dropped = 0; //!< not usable in any batch (overflow, reordering)
    std::uint64_t rounds_held = 0;    //!< refused while key agreement was held
    std::uint64_t batches_started = 0;
    std::uint64_t batches_reconciled = 0;
    std::uint64_t batches_failed = 0; //!< decoding or tag failures, unknown batches
    //! Failed blocks of reconciled batches, their rounds left out of the key.
    std::uint64_t blocks_dropped = 0;
    std::uint64_t batches_abandoned = 0;
    std::uint64_t batches_too_small = 0;
    std::uint64_t messages_rejected = 0;
    std::uint64_t messages_ignored = 0; //!< well-formed duplicates and stale messages
    std::uint64_t resyncs = 0;          //!< follower pools dropped to match the leader
    std::uint64_t keys_emitted = 0;
    std::uint64_t secret_bits = 0;
};

class post_processor
{
public:
    explicit post_processor(post_processor_config config);
    ~post_processor();
    post_processor(const post_processor&) = delete;
    post_processor& operator=(const post_processor&) = delete;

    //! One round's count F, by the leader's send sequence (1..65535).
    void add_round(std::uint16_t sequence, std::uint32_t count);

    /*!
     * Holds key agreement (a tap alarm at either end) or releases it. While held, rounds
     * are refused (counted in rounds_held). Holding discards what a batch could still be
     * made of: the leader wipes its rounds not yet in a batch and drops the batch in
     * flight (COMMIT dropped, so the follower drops its side); the follower wipes its
     * stored rounds and drops its batch in progress (decided or not), so that no batch
     * of the leader's can use a round that reached the follower after it held, and the
     * batch in progress gives no key.
     */
    void set_hold(bool hold);
    bool held() const;
    //! The sequence of the newest round given to add_round (0 before the first).
    std::uint16_t latest_round_sequence() const;

    //! A message from the peer; malformed or unexpected ones are rejected, never thrown.
    message_verdict handle_message(std::span<const std::uint8_t> message);

    //! Messages for the peer, in order.
    std::vector<std::vector<std::uint8_t>> take_messages();
    std::vector<seed_key> take_keys();
    std::vector<batch_report> take_reports();
    const post_processor_stats& stats() const;

private:
    struct impl;
    std::unique_ptr<impl> d;
};

} // namespace fiberkey

#endif
