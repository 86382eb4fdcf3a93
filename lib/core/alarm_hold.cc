/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/alarm_hold.h>

#include <stdexcept>

namespace fiberkey {

alarm_hold::outcome
alarm_hold::change(bool local, bool peer, std::optional<std::vector<std::uint8_t>> notice)
{
    const bool before = hold();
    d_local = local;
    d_peer = peer;
    return { hold() != before, hold(), std::move(notice) };
}

alarm_hold::outcome alarm_hold::local_alarm(tap_alarm_cause cause)
{
    return change(
        true,
        d_peer,
        std::vector<std::uint8_t>{ static_cast<std::uint8_t>(notice_kind::alarm),
                                   static_cast<std::uint8_t>(cause) });
}

alarm_hold::outcome alarm_hold::local_cleared()
{
    if (!d_local)
        return change(d_local, d_peer, std::nullopt);
    return change(
        false,
        d_peer,
        std::vector<std::uint8_t>{ static_cast<std::uint8_t>(notice_kind::cleared), 0 });
}

alarm_hold::outcome alarm_hold::peer_notice(std::span<const std::uint8_t> notice)
{
    if (notice.size() != 2 ||
        static_cast<std::uint8_t>(tap_alarm_cause::outage) < notice[1])
        throw std::invalid_argument("alarm notice: expected 2 bytes, kind and cause");
    switch (static_cast<notice_kind>(notice[0])) {
    case notice_kind::alarm:
        return change(d_local, true, std::nullopt);
    case notice_kind::cleared:
        return change(d_local, false, std::nullopt);
    }
    throw std::invalid_argument("alarm notice: unknown kind");
}

} // namespace fiberkey
