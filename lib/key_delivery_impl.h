/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_DELIVERY_IMPL_H
#define INCLUDED_FIBERKEY_KEY_DELIVERY_IMPL_H

#include "message_inputs.h"
#include <fiberkey/key_store.h>
#include <fiberkey/kme.h>
#include <fiberkey/kme_server.h>
#include <gnuradio/fiberkey/key_delivery.h>

#include <memory>

namespace gr {
namespace fiberkey {

class key_delivery_impl : public message_input_block<key_delivery>
{
public:
    key_delivery_impl(const ::fiberkey::kme_config& config,
                      const std::string& listen_address,
                      const ::fiberkey::kme_tls_files& tls,
                      const ::fiberkey::key_store::options& store);
    ~key_delivery_impl() override;

    bool start() override;
    bool stop() override;
    int port() const override { return d_port; }
    uint64_t keys_available(int direction) const override;
    uint64_t keys_delivered_as_master() const override;
    uint64_t keys_delivered_as_slave() const override;
    uint64_t requests() const override;
    uint64_t requests_refused() const override;
    uint64_t notices_received() const override;
    uint64_t reservations_refused() const override;
    uint64_t keys_dropped_full() const override;

private:
    void on_keys(const pmt::pmt_t& msg);
    void on_recv(const pmt::pmt_t& msg);
    void bind();

    const pmt::pmt_t d_send_port, d_stream_key, d_direction_key, d_index_key, d_id_key;
    ::fiberkey::key_store d_store;
    ::fiberkey::kme d_kme; // thread-safe: the HTTP threads and the block thread share it
    // Serves only while the flowgraph runs, when its notices reach the peer. Bound from
    // construction (a busy port or bad file fails there), bound again after a stop.
    std::unique_ptr<::fiberkey::kme_server> d_server;
    const ::fiberkey::kme_tls_files d_tls;
    std::string d_host;
    int d_port = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
