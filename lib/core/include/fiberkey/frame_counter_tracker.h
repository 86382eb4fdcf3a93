/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_COUNTER_TRACKER_H
#define FIBERKEY_CORE_FRAME_COUNTER_TRACKER_H

#include <fiberkey/frame_layout.h>

#include <cstdint>
#include <optional>

namespace fiberkey {

/*!
 * \brief The receiver's view of the 32-bit frame counter and the key epoch that travel in
 * the clear OTU overhead (protocol.md section 3).
 *
 * Channel errors can hit the clear overhead, so the caller says which of its fields came
 * through an error-correcting code that decoded (trust: the G.709 FEC codewords that
 * carry them were not uncorrectable); without FEC nothing is trusted.
 *
 * Counter: after (re)acquisition an untrusted received counter is taken only once
 * \p confirmations consecutive frames carry consecutive counters (and, unless the epoch
 * is trusted, the same epoch); once locked, the receiver trusts its own count and only
 * checks the received one, and it gives up its lock after \p mismatches_to_unlock
 * consecutive disagreements (a real jump of the transmitter's counter, e.g. after a
 * restart). A trusted counter is taken at once, when acquiring and when it disagrees
 * while locked: after lost frames the receiver then decrypts the next frame under the
 * right counter instead of garbling frames until it relocks.
 *
 * Epoch: it may change to any other value (a receiver that lost every frame of an epoch
 * sees a step of 2 or 3; key_schedule skips the keys in between). A wrong epoch would
 * switch the receiver to the next key before its transmitter does, and with that key
 * missing the receiver would drop every frame, among them the INT messages that agree the
 * keys: so a new epoch counts only from a frame whose counter is right, is taken at once
 * only when trusted, and otherwise only once \p epoch_confirmations consecutive frames
 * carry it; frames before that are dropped.
 */
class frame_counter_tracker
{
public:
    struct config {
        unsigned confirmations = 2;
        unsigned mismatches_to_unlock = 3;
        unsigned epoch_confirmations = 2;
    };

    //! Which fields of a frame's clear overhead came through an error-correcting code
    //! (trust{}: none).
    struct trust {
        bool counter;
        bool epoch;
    };

    struct frame_view {
        std::uint32_t counter;
        unsigned epoch;
    };

    struct counters {
        std::uint64_t unconfirmed = 0;        //!< frames dropped before lock
        std::uint64_t counter_mismatches = 0; //!< untrusted counter disagreed with ours
        std::uint64_t counter_jumps = 0;      //!< trusted counter disagreed: taken
        std::uint64_t epoch_unconfirmed =
            0; //!< frames dropped with a new, untrusted epoch
        std::uint64_t epoch_changes = 0;
        std::uint64_t relocks = 0; //!< locks given up
    };

    frame_counter_tracker() : frame_counter_tracker(config{}) {}
    explicit frame_counter_tracker(const config& c);

    /*!
     * One received frame with its clear counter and epoch. Returns the counter and epoch
     * to use, or nothing while the counter or a new epoch is not confirmed (drop the
     * frame).
     */
    std::optional<frame_view>
    on_frame(std::uint32_t received_counter, unsigned received_epoch, trust trusted = {});

    //! After a loss of frame alignment: acquire again.
    void reset();

    bool locked() const { return d_locked; }
    const counters& stats() const { return d_stats; }

    /*!
     * What a frame's G.709 FEC decoding says of its clear overhead: \p uncorrectable_mask
     * as g709_fec::decode reports it (bit 16 * row + codeword; the overhead is in row 0,
     * column c in codeword c mod 16).
     */
    static trust trust_from_fec(std::uint64_t uncorrectable_mask);

private:
    config d_config;
    counters d_stats;
    bool d_locked = false;
    bool d_have_last = false;
    std::uint32_t d_last = 0;     // last received counter while acquiring
    unsigned d_run = 0;           // consecutive counters seen while acquiring
    unsigned d_last_epoch = 0;    // epoch of the last frame while acquiring
    std::uint32_t d_expected = 0; // next counter while locked
    unsigned d_epoch = 0;
    unsigned d_epoch_candidate = 0; // a new epoch awaiting confirmation
    unsigned d_epoch_run = 0;       // consecutive frames that carried it
    unsigned d_mismatches = 0;
};

} // namespace fiberkey

#endif
