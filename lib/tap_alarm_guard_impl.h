/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_TAP_ALARM_GUARD_IMPL_H
#define INCLUDED_FIBERKEY_TAP_ALARM_GUARD_IMPL_H

#include "message_inputs.h"
#include <fiberkey/alarm_hold.h>
#include <gnuradio/fiberkey/tap_alarm_guard.h>

#include <atomic>

namespace gr {
namespace fiberkey {

class tap_alarm_guard_impl : public message_input_block<tap_alarm_guard>
{
public:
    tap_alarm_guard_impl();

    bool held() const override { return d_held; }
    bool local_alarm() const override { return d_local; }
    bool peer_alarm() const override { return d_peer; }
    uint64_t holds() const override { return d_holds; }

private:
    void on_alarm(const pmt::pmt_t& msg);
    void on_recv(const pmt::pmt_t& msg);
    void apply(const ::fiberkey::alarm_hold::outcome& o, const char* why);

    ::fiberkey::alarm_hold d_policy; // the block thread only
    std::atomic<bool> d_held{ false }, d_local{ false }, d_peer{ false };
    std::atomic<uint64_t> d_holds{ 0 };
    const pmt::pmt_t d_send_port, d_hold_port, d_event_key, d_cause_key, d_stream_key;
};

} // namespace fiberkey
} // namespace gr

#endif
