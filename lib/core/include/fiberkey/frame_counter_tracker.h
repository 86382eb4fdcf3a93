/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_FRAME_COUNTER_TRACKER_H
#define FIBERKEY_CORE_FRAME_COUNTER_TRACKER_H

#include <cstdint>
#include <optional>

namespace fiberkey {

/*!
 * \brief The receiver's view of the 32-bit frame counter and the key epoch that travel in
 * the clear OTU overhead (protocol.md section 3).
 *
 * Channel errors can hit the clear counter, so: after (re)acquisition the received
 * counter is taken only once \p confirmations consecutive frames carry consecutive
 * counters; once locked, the receiver trusts its own count and only checks the received
 * one, and it gives up its lock after \p mismatches_to_unlock consecutive disagreements
 * (a real jump of the transmitter's counter, e.g. after a restart). The epoch may only
 * stay or step to the next value modulo 4; any other change is taken as a channel error
 * while locked.
 */
class frame_counter_tracker
{
public:
    struct config {
        unsigned confirmations = 2;
        unsigned mismatches_to_unlock = 3;
    };

    struct frame_view {
        std::uint32_t counter;
        unsigned epoch;
    };

    struct counters {
        std::uint64_t unconfirmed = 0;        //!< frames dropped before lock
        std::uint64_t counter_mismatches = 0; //!< received counter disagreed with ours
        std::uint64_t epoch_rejected = 0;     //!< received epoch jumped, ours kept
        std::uint64_t relocks = 0;            //!< locks given up
    };

    frame_counter_tracker() : frame_counter_tracker(config{}) {}
    explicit frame_counter_tracker(const config& c);

    /*!
     * One received frame with its clear counter and epoch. Returns the counter and epoch
     * to use, or nothing while the counter is not confirmed (drop the frame).
     */
    std::optional<frame_view> on_frame(std::uint32_t received_counter, unsigned received_epoch);

    //! After a loss of frame alignment: acquire again.
    void reset();

    bool locked() const { return d_locked; }
    const counters& stats() const { return d_stats; }

    //! The counter carried in a frame's clear overhead (MFAS and columns 10-12 of row 0).
    static std::uint32_t read_counter(const std::uint8_t* frame);
    static void write_counter(std::uint8_t* frame, std::uint32_t counter);
    static unsigned read_epoch(const std::uint8_t* frame);

private:
    config d_config;
    counters d_stats;
    bool d_locked = false;
    bool d_have_last = false;
    std::uint32_t d_last = 0;     // last received counter while acquiring
    unsigned d_run = 0;           // consecutive counters seen while acquiring
    std::uint32_t d_expected = 0; // next counter while locked
    unsigned d_epoch = 0;
    unsigned d_mismatches = 0;
};

} // namespace fiberkey

#endif
