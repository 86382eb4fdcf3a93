/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_INT_CHANNEL_IMPL_H
#define INCLUDED_FIBERKEY_INT_CHANNEL_IMPL_H

#include "message_inputs.h"
#include <fiberkey/int_transport.h>
#include <gnuradio/fiberkey/int_channel.h>

#include <atomic>

namespace gr {
namespace fiberkey {

class int_channel_impl : public message_input_block<int_channel>
{
public:
    int_channel_impl(int budget_bytes, int retransmit_after_frames, int window);

    uint64_t messages_sent() const override;
    uint64_t messages_delivered() const override;
    uint64_t fragments_retransmitted() const override;
    double round_trip_frames() const override;
    unsigned retransmit_timeout_frames() const override;

private:
    void on_rx_int(const pmt::pmt_t& msg);
    void on_send(const pmt::pmt_t& msg);

    const std::size_t d_budget;
    ::fiberkey::int_transport d_transport; // guarded by d_setlock
    const pmt::pmt_t d_tx_port, d_recv_port, d_stream_key;
};

} // namespace fiberkey
} // namespace gr

#endif
