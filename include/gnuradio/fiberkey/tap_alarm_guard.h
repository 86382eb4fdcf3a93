/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_TAP_ALARM_GUARD_H
#define INCLUDED_FIBERKEY_TAP_ALARM_GUARD_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <cstdint>

namespace gr {
namespace fiberkey {

/*!
 * \brief A node's policy on tap alarms: holds its key post-processors while its own
 * receiver's alarm or its peer's stands, and tells the peer over INT.
 * \ingroup fiberkey
 *
 * \details
 * "alarm" <- the node's Link Monitor's "alarm": event tap_alarm holds key agreement and
 * sends the peer a notice; cleared (the operator) or learned (a relearned baseline)
 * releases this node's alarm and tells the peer. "recv" <- the node's int_channel "recv"
 * (INT stream 4 only; the other streams are other blocks'): the peer's notices.
 * "send" -> the int_channel's "send". "hold" -> both key post-processors' "hold": #t when
 * either end's alarm stands, #f when neither does (on each change). Every change is
 * logged. The notices travel encrypted and tagged like all INT traffic.
 */
class FIBERKEY_API tap_alarm_guard : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<tap_alarm_guard> sptr;

    //! \brief Makes a tap_alarm_guard: message ports "alarm", "recv" in, "send", "hold"
    //! out (no stream ports).
    static sptr make();

    virtual bool held() const = 0;
    virtual bool local_alarm() const = 0;
    virtual bool peer_alarm() const = 0;
    //! Holds so far (each a change from released to held).
    virtual uint64_t holds() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
