/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "int_channel_impl.h"

#include "blocks_pdu.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/negotiator.h>
#include <gnuradio/io_signature.h>

#include <stdexcept>

namespace gr {
namespace fiberkey {

namespace fl = ::fiberkey::frame_layout;

namespace {
constexpr long first_reserved_stream = 240;

::fiberkey::int_transport::config transport_config(int retransmit_after_frames,
                                                   int window)
{
    if (retransmit_after_frames < 1)
        throw std::invalid_argument("int_channel: retransmit_after_frames must be >= 1");
    if (window < 1)
        throw std::invalid_argument("int_channel: window must be >= 1");
    ::fiberkey::int_transport::config c;
    c.retransmit_after_frames = static_cast<unsigned>(retransmit_after_frames);
    c.window = static_cast<unsigned>(window);
    return c; // the transport checks the ranges
}
} // namespace

int_channel::sptr
int_channel::make(int budget_bytes, int retransmit_after_frames, int window)
{
    return gnuradio::make_block_sptr<int_channel_impl>(
        budget_bytes, retransmit_after_frames, window);
}

int_channel_impl::int_channel_impl(int budget_bytes,
                                   int retransmit_after_frames,
                                   int window)
    : gr::block("int_channel",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_budget(static_cast<std::size_t>(budget_bytes)),
      d_transport(transport_config(retransmit_after_frames, window)),
      d_tx_port(pmt::mp("tx_int")),
      d_recv_port(pmt::mp("recv")),
      d_stream_key(pmt::mp("stream"))
{
    // The smallest useful budget holds one ack or one small fragment.
    if (budget_bytes < 16 || budget_bytes > static_cast<int>(fl::int_info_bytes))
        throw std::invalid_argument("int_channel: budget_bytes must be 16..239");
    message_port_register_out(d_tx_port);
    message_port_register_out(d_recv_port);
    d_inputs.add("rx_int", [this](const pmt::pmt_t& m) { on_rx_int(m); });
    d_inputs.add("send", [this](const pmt::pmt_t& m) { on_send(m); });
}

uint64_t int_channel_impl::messages_sent() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_transport.stats().messages_sent;
}

uint64_t int_channel_impl::messages_delivered() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_transport.stats().messages_delivered;
}

uint64_t int_channel_impl::fragments_retransmitted() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_transport.stats().fragments_retransmitted;
}

double int_channel_impl::round_trip_frames() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_transport.round_trip_frames();
}

unsigned int_channel_impl::retransmit_timeout_frames() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_transport.retransmit_timeout();
}

void int_channel_impl::on_send(const pmt::pmt_t& msg)
{
    if (!is_byte_pdu(msg))
        throw message_refused("expected a PDU (meta with 'stream', u8vector)");
    // Absent, not an integer or out of range: refused alike.
    const auto stream = meta_long(pmt::car(msg), d_stream_key);
    if (!stream.ok() || stream.value < 0 || stream.value >= first_reserved_stream)
        throw message_refused("meta 'stream' must be an integer 0..239");
    auto data = pmt::u8vector_elements(pmt::cdr(msg));
    gr::thread::scoped_lock guard(d_setlock);
    // The transport throws std::invalid_argument for a message it cannot carry.
    if (!d_transport.send(static_cast<uint8_t>(stream.value), std::move(data)))
        throw message_refused("too many messages are waiting to be sent");
}

void int_channel_impl::on_rx_int(const pmt::pmt_t& msg)
{
    if (!is_byte_pdu(msg) || pmt::length(pmt::cdr(msg)) != fl::int_info_bytes)
        throw message_refused("expected the demux's \"int\" PDU (an INT block's 239 "
                              "information bytes)");
    size_t len = 0;
    const uint8_t* info = pmt::u8vector_elements(pmt::cdr(msg), len);
    const auto parsed = ::fiberkey::parse_int_info(
        std::span<const uint8_t, fl::int_info_bytes>(info, len));

    std::vector<::fiberkey::int_message> delivered;
    ::fiberkey::int_writer writer(d_budget);
    {
        gr::thread::scoped_lock guard(d_setlock);
        for (const auto& r : parsed.records) {
            // The negotiator's verdicts share the fragment record type; they are not ours.
            if (const auto* f = std::get_if<::fiberkey::int_fragment>(&r);
                f && f->stream == ::fiberkey::negotiator::verdict_stream)
                continue;
            d_transport.receive(r);
        }
        delivered = d_transport.poll_delivered();
        // One received frame, one frame to send: the INT budget of the next frame.
        d_transport.fill(writer);
    }
    for (auto& m : delivered) {
        pmt::pmt_t meta =
            pmt::dict_add(pmt::make_dict(), d_stream_key, pmt::from_long(m.stream));
        message_port_pub(d_recv_port,
                         pmt::cons(meta, pmt::init_u8vector(m.data.size(), m.data)));
    }
    if (writer.used() > 0) {
        const auto records = writer.records();
        message_port_pub(d_tx_port,
                         pmt::cons(pmt::make_dict(),
                                   pmt::init_u8vector(records.size(), records.data())));
    }
}

} // namespace fiberkey
} // namespace gr
