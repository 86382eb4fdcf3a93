/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "eve_observer_impl.h"
#include "blocks_pdu.h"

#include <fiberkey/frame_layout.h>
#include <gnuradio/io_signature.h>

#include <cmath>
#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

namespace {
::fiberkey::eve_observer_config core_config(int bits, double her_ber, int window)
{
    if (bits < 8 || bits > static_cast<int>(fl::nd_array_bytes * 8) || bits % 8 != 0)
        throw std::invalid_argument(
            "eve_observer: bits (m) must be a multiple of 8 in 8..496");
    if (window < 1)
        throw std::invalid_argument("eve_observer: window must be 1..32767 rounds");
    ::fiberkey::eve_observer_config c;
    c.bits = static_cast<unsigned>(bits);
    c.her_ber = { her_ber, her_ber };
    c.window = static_cast<std::size_t>(window);
    return c;
}
} // namespace

eve_observer::sptr eve_observer::make(int bits, double her_ber, int window)
{
    return gnuradio::make_block_sptr<eve_observer_impl>(bits, her_ber, window);
}

eve_observer_impl::eve_observer_impl(int bits, double her_ber, int window)
    : gr::block("eve_observer",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_core(core_config(bits, her_ber, window)),
      d_rounds_port(pmt::mp("rounds")),
      d_int_ok_key(pmt::mp("int_ok")),
      d_direction_key(pmt::mp("direction")),
      d_sequence_key(pmt::mp("sequence")),
      d_count_key(pmt::mp("count")),
      d_leader_errors_key(pmt::mp("seen_leader_errors")),
      d_follower_errors_key(pmt::mp("seen_follower_errors")),
      d_estimate_key(pmt::mp("estimate"))
{
    d_inputs.add("from_a", [this](const pmt::pmt_t& m) { on_blocks(0, m); });
    d_inputs.add("from_b", [this](const pmt::pmt_t& m) { on_blocks(1, m); });
    message_port_register_out(d_rounds_port);
}

uint64_t eve_observer_impl::rounds_emitted() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.counters().rounds;
}

uint64_t eve_observer_impl::drops() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return messages_refused() + d_core.counters().drops();
}

uint64_t eve_observer_impl::rounds_dropped() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.counters().rounds_dropped();
}

double eve_observer_impl::her_ber() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_core.config().her_ber[0];
}

void eve_observer_impl::set_her_ber(double her_ber)
{
    gr::thread::scoped_lock guard(d_setlock);
    d_core.set_her_ber({ her_ber, her_ber });
}

void eve_observer_impl::on_blocks(uint8_t from, const pmt::pmt_t& msg)
{
    // No INT records (a failed INT block): the frame counts as a drop.
    const auto frame = parse_blocks_pdu(msg, d_int_ok_key);
    if (!frame)
        throw message_refused(blocks_pdu_expected);

    std::vector<::fiberkey::eve_round> done;
    {
        gr::thread::scoped_lock guard(d_setlock);
        d_core.receive(from, frame->neg, frame->records.records);
        done = d_core.take_completed();
    }
    for (const auto& r : done) {
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, d_direction_key, pmt::from_long(r.direction));
        d = pmt::dict_add(d, d_sequence_key, pmt::from_long(r.sequence));
        d = pmt::dict_add(d, d_count_key, pmt::from_long(std::lround(r.estimate)));
        d = pmt::dict_add(d, d_leader_errors_key, pmt::from_long(r.seen_leader_errors));
        d = pmt::dict_add(
            d, d_follower_errors_key, pmt::from_long(r.seen_follower_errors));
        d = pmt::dict_add(d, d_estimate_key, pmt::from_double(r.estimate));
        message_port_pub(d_rounds_port, d);
    }
}

} // namespace fiberkey
} // namespace gr
