/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ALARM_HOLD_H
#define FIBERKEY_CORE_ALARM_HOLD_H

#include <fiberkey/tap_detector.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * \brief The policy of a node on tap alarms: key agreement is held while its own
 * receiver's alarm or its peer's stands, and each end tells the other over INT.
 *
 * The notices (INT stream int_stream, two bytes: kind, cause) are encrypted and tagged as
 * all INT traffic, so a third party can neither forge a "cleared" nor read them; she can
 * delay them by dropping frames, which changes nothing for the end that raised the alarm:
 * it holds at once, and the peer cannot complete a batch without it.
 */
class alarm_hold
{
public:
    //! The INT stream of the notices (0, 1: link start; 2, 3: post-processing).
    static constexpr std::uint8_t int_stream = 4;

    enum class notice_kind : std::uint8_t { alarm = 1, cleared = 2 };

    struct outcome {
        bool hold_changed = false;
        bool hold = false;
        //! A notice for the peer, when there is one to send.
        std::optional<std::vector<std::uint8_t>> to_peer;
    };

    //! This node's receiver raised a tap alarm.
    outcome local_alarm(tap_alarm_cause cause);
    //! This node's alarm ended (the operator cleared it, or the baseline was relearned).
    outcome local_cleared();
    //! A notice from the peer. Throws std::invalid_argument when it is not one.
    outcome peer_notice(std::span<const std::uint8_t> notice);

    bool hold() const { return d_local || d_peer; }
    bool local_alarm_standing() const { return d_local; }
    bool peer_alarm_standing() const { return d_peer; }

private:
    outcome
    change(bool local, bool peer, std::optional<std::vector<std::uint8_t>> notice);

    bool d_local = false;
    bool d_peer = false;
};

} // namespace fiberkey

#endif
