/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_POST_PROCESSOR_H
#define INCLUDED_FIBERKEY_KEY_POST_PROCESSOR_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Seed keys from the per-round counts of one direction, and the re-keying of that
 * direction's encryption (protocol.md sections 2 and 6).
 * \ingroup fiberkey
 *
 * \details
 * One block per node and direction: the leader of the direction (node A for AB, node B
 * for BA) and the follower. It collects n rounds (its own counts F1 or F2, from the
 * negotiator's "rounds" port, or model_rounds' one or many rounds a message; rounds of
 * the other direction are ignored), quantizes them
 * (the patent's mode: guard band alpha, bit = F > mean; or equiprobable Gray-coded
 * multi-bit), exchanges kept-round bitmaps, reconciles with one-way LDPC syndromes,
 * confirms with a tag before success, accounts every disclosed bit and hashes (Toeplitz)
 * to what the leftover-hash bound allows for epsilon; 256-bit seed keys come from the key
 * pool. Its messages to the peer go out on "send" (INT stream 2 for AB, 3 for BA) through
 * the node's int_channel, and come back on "recv".
 *
 * Every seed key is published on "seed_keys": PDU (meta: direction, epoch, key_index,
 * rounds_used, disagreement, bits_leaked, epsilon, last_round_sequence: the newest round
 * in it, use: "link" or "application", key_id for an application key; data: the 32-byte
 * key). Every link_key_period-th key (key index divisible by it) is a link key: with
 * rekey set it becomes the direction's next session key, K' = ZUC-256(S) (docs/
 * protocol-choices.md), for epoch (key index / period + 1) mod 4, on "session_key" (to the node's
 * transmitting zuc_crypt on the leader, its receiving one on the follower). The follower
 * installs it as soon as its key is confirmed; the leader only once the follower has
 * acknowledged the key, so the receiver always holds the key before the first frame of
 * its epoch arrives, and the switch is hitless. Key material is wiped after use.
 * The other keys are application keys, published once more on "app_keys" (the same PDU)
 * for a Key Delivery block: both ends name each with the same UUID, key_id, made from the
 * link key before it (fiberkey/application_keys.h); one whose link key this end never
 * formed cannot be named and is dropped (app_keys_dropped()).
 * "hold" (#t / #f, from a Tap Alarm Guard) holds key agreement while a tap alarm stands.
 * When a batch yields no key, "status" says why.
 */
class FIBERKEY_API key_post_processor : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<key_post_processor> sptr;

    /*!
     * \brief Makes a key_post_processor: message ports "rounds", "recv" and "hold" in, "send",
     * "seed_keys", "app_keys", "session_key" and "status" out (no stream ports). The settings go
     * through the core's one factory (fiberkey/post_processing_settings.h); a bad value
     * throws std::invalid_argument.
     *
     * \param direction 0 (AB) or 1 (BA)
     * \param leader true on the direction's leader (A for AB, B for BA)
     * \param mode "patent" (protocol.md section 6, faithful), "equiprobable" (q-bit
     *        equiprobable Gray-coded bins, hard-decision decoding), "soft" (the same
     *        bins, the follower decodes with LLRs from its own counts) or "multilevel"
     *        (2^q bins, the low levels disclosed, q - 2 at q = 3 and 4, 2 at q = 5,
     *        the others decoded with LLRs given them: the most key)
     * \param bits_per_round q, key bits per kept round in the equiprobable and soft
     *        modes, 1..4, levels in the multilevel mode, 3..5 (checked in every mode; the
     *        patent mode takes one bit per round); 0 (the default): the mode's own,
     *        fiberkey::default_bits_per_round (multilevel 4, soft 3, equiprobable 2)
     * \param batch_rounds n, rounds per batch, 64..131072 and at most what the INT
     *        channel carries in the mode (78,676 rounds at multilevel q = 4, 58,938 at
     *        q = 5; the error names the limit)
     * \param alpha patent mode's guard band in standard deviations, in [0, 10)
     * \param log2_epsilon total epsilon per batch (half to privacy amplification, half to
     *        the confirmation tag) as a power of 2, -256..-10 (-64: 2^-64; the
     *        configuration needs epsilon below 1e-3)
     * \param rekey whether link keys become session keys (published on "session_key")
     * \param link_key_period every how many seed keys one re-keys the link, 1..1024 (1:
     *        all, none for applications; the default 4 is about one per batch of 1,000
     *        rounds, docs/key-service.md); both ends need the same
     */
    static sptr make(int direction,
                     bool leader,
                     const std::string& mode = "multilevel",
                     int bits_per_round = 0,
                     int batch_rounds = 1000,
                     double alpha = 0.5,
                     double log2_epsilon = -64,
                     bool rekey = true,
                     int link_key_period = 4);

    virtual uint64_t keys() const = 0;
    virtual uint64_t batches_failed() const = 0;
    virtual uint64_t secret_bits() const = 0;
    virtual uint64_t rounds_in() const = 0;
    //! Application keys published on "app_keys", and those dropped unnamed.
    virtual uint64_t app_keys() const = 0;
    virtual uint64_t app_keys_dropped() const = 0;

    /*!
     * Holds key agreement (true) or releases it; also the "hold" message port (#t, #f),
     * where a Tap Alarm Guard sends it. Held, the block refuses rounds (rounds_held())
     * and discards what a batch could still be made of (fiberkey/post_processor.h).
     */
    virtual void set_hold(bool hold) = 0;
    virtual bool held() const = 0;
    virtual uint64_t rounds_held() const = 0;
    //! The sequence of the newest round given to the block (1..65535, held or not; 0
    //! before the first). Read when something happens (a tap alarm), it dates that event
    //! in rounds: a seed key whose last_round_sequence comes after it (in serial order)
    //! holds a round from after the event.
    virtual int latest_round_sequence() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
