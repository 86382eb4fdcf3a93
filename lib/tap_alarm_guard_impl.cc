/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "tap_alarm_guard_impl.h"
#include "blocks_pdu.h"

#include <gnuradio/io_signature.h>

#include <stdexcept>
#include <string>

namespace gr {
namespace fiberkey {

namespace fk = ::fiberkey;

namespace {
std::optional<fk::tap_alarm_cause> cause_named(const std::string& name)
{
    for (auto c : { fk::tap_alarm_cause::power_step,
                    fk::tap_alarm_cause::q_step,
                    fk::tap_alarm_cause::power_level,
                    fk::tap_alarm_cause::outage })
        if (fk::to_string(c) == name)
            return c;
    return std::nullopt;
}
} // namespace

tap_alarm_guard::sptr tap_alarm_guard::make()
{
    return gnuradio::make_block_sptr<tap_alarm_guard_impl>();
}

tap_alarm_guard_impl::tap_alarm_guard_impl()
    : gr::block("tap_alarm_guard",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_send_port(pmt::mp("send")),
      d_hold_port(pmt::mp("hold")),
      d_event_key(pmt::mp("event")),
      d_cause_key(pmt::mp("cause")),
      d_stream_key(pmt::mp("stream"))
{
    d_inputs.add("alarm", [this](const pmt::pmt_t& m) { on_alarm(m); });
    d_inputs.add("recv", [this](const pmt::pmt_t& m) { on_recv(m); });
    message_port_register_out(d_send_port);
    message_port_register_out(d_hold_port);
}

void tap_alarm_guard_impl::apply(const fk::alarm_hold::outcome& o, const char* why)
{
    d_local = d_policy.local_alarm_standing();
    d_peer = d_policy.peer_alarm_standing();
    if (o.to_peer) {
        const pmt::pmt_t meta = pmt::dict_add(
            pmt::make_dict(), d_stream_key, pmt::from_long(fk::alarm_hold::int_stream));
        message_port_pub(
            d_send_port,
            pmt::cons(meta, pmt::init_u8vector(o.to_peer->size(), *o.to_peer)));
    }
    if (!o.hold_changed)
        return;
    d_held = o.hold;
    if (o.hold) {
        ++d_holds;
        d_logger->warn("key agreement HELD: {}", why);
    } else {
        d_logger->info("key agreement released: {}", why);
    }
    message_port_pub(d_hold_port, pmt::from_bool(o.hold));
}

void tap_alarm_guard_impl::on_alarm(const pmt::pmt_t& msg)
{
    if (!pmt::is_dict(msg))
        throw message_refused("alarm: expected a Link Monitor's alarm dict");
    const pmt::pmt_t event = pmt::dict_ref(msg, d_event_key, pmt::PMT_NIL);
    if (!pmt::is_symbol(event))
        throw message_refused("alarm: no 'event' symbol");
    const std::string name = pmt::symbol_to_string(event);
    if (name == "tap_alarm") {
        const pmt::pmt_t cause = pmt::dict_ref(msg, d_cause_key, pmt::PMT_NIL);
        const auto c = pmt::is_symbol(cause) ? cause_named(pmt::symbol_to_string(cause))
                                             : std::nullopt;
        if (!c)
            throw message_refused("alarm: tap_alarm without a known 'cause'");
        apply(d_policy.local_alarm(*c), "this node's receiver raised a tap alarm");
    } else if (name == "cleared" || name == "learned") {
        apply(d_policy.local_cleared(),
              name == "cleared" ? "this node's alarm was cleared"
                                : "this node's receiver has a new baseline");
    } else if (name != "relearning") {
        throw message_refused("alarm: unknown event '" + name + "'");
    }
}

void tap_alarm_guard_impl::on_recv(const pmt::pmt_t& msg)
{
    const auto data = int_stream_message(msg, d_stream_key, fk::alarm_hold::int_stream);
    if (!data)
        return; // another user of the channel
    try {
        apply(d_policy.peer_notice(*data), "the peer's tap alarm changed");
    } catch (const std::invalid_argument& e) {
        throw message_refused(e.what());
    }
}

} // namespace fiberkey
} // namespace gr
