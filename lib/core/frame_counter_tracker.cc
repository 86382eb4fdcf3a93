/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_counter_tracker.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <stdexcept>

namespace fiberkey {

namespace fl = frame_layout;

frame_counter_tracker::frame_counter_tracker(const config& c) : d_config(c)
{
    if (c.confirmations < 1 || c.mismatches_to_unlock < 1 || c.epoch_confirmations < 1)
        throw std::invalid_argument(
            "frame_counter_tracker: confirmations, "
            "mismatches_to_unlock and epoch_confirmations must be "
            ">= 1");
}

void frame_counter_tracker::reset()
{
    if (d_locked)
        ++d_stats.relocks;
    d_locked = false;
    d_have_last = false;
    d_run = 0;
    d_epoch_run = 0;
    d_mismatches = 0;
}

std::optional<frame_counter_tracker::frame_view> frame_counter_tracker::on_frame(
    std::uint32_t received, unsigned received_epoch, trust trusted)
{
    received_epoch &= fl::epoch_mask;
    if (!d_locked) {
        const bool continues = d_have_last && received == d_last + 1 &&
                               (trusted.epoch || received_epoch == d_last_epoch);
        d_run = continues ? d_run + 1 : 1;
        d_have_last = true;
        d_last = received;
        d_last_epoch = received_epoch;
        if (d_run < d_config.confirmations && !(trusted.counter && trusted.epoch)) {
            ++d_stats.unconfirmed;
            return std::nullopt;
        }
        d_locked = true;
        d_expected = received + 1;
        d_epoch = received_epoch;
        d_mismatches = 0;
        return frame_view{ received, received_epoch };
    }

    std::uint32_t ours = d_expected++;
    if (received != ours && trusted.counter) {
        ++d_stats.counter_jumps;
        ours = received;
        d_expected = received + 1;
        d_mismatches = 0;
    } else if (received != ours) {
        ++d_stats.counter_mismatches;
        if (++d_mismatches >= d_config.mismatches_to_unlock) {
            reset();
            return on_frame(received, received_epoch, trusted);
        }
    } else {
        d_mismatches = 0;
    }
    // A new epoch counts only from a frame whose counter is right: the frames a
    // receiver still takes in frame while the line turns to noise carry random ones.
    if (received_epoch == d_epoch || received != ours) {
        d_epoch_run = 0;
        return frame_view{ ours, d_epoch };
    }
    d_epoch_run =
        (d_epoch_run > 0 && received_epoch == d_epoch_candidate) ? d_epoch_run + 1 : 1;
    d_epoch_candidate = received_epoch;
    if (!trusted.epoch && d_epoch_run < d_config.epoch_confirmations) {
        ++d_stats.epoch_unconfirmed;
        return std::nullopt;
    }
    d_epoch = received_epoch;
    d_epoch_run = 0;
    ++d_stats.epoch_changes;
    return frame_view{ ours, d_epoch };
}

frame_counter_tracker::trust frame_counter_tracker::trust_from_fec(std::uint64_t mask)
{
    // Row 0 only: column c lies in codeword c mod 16 (g709_fec::column).
    auto clean = [mask](std::size_t column) {
        return !((mask >> (column % g709_fec::codewords_per_row)) & 1);
    };
    const std::size_t hi = fl::counter_high.offset;
    return trust{ clean(fl::mfas) && clean(hi) && clean(hi + 1) && clean(hi + 2),
                  clean(fl::epoch_flags) };
}

} // namespace fiberkey
