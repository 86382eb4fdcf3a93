/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_EXCHANGE_IMPL_H
#define INCLUDED_FIBERKEY_KEY_EXCHANGE_IMPL_H

#include "message_inputs.h"
#include <fiberkey/sm2_bootstrap.h>
#include <gnuradio/fiberkey/key_exchange.h>

#include <memory>
#include <optional>

namespace gr {
namespace fiberkey {

class key_exchange_impl : public message_input_block<key_exchange>
{
public:
    key_exchange_impl(const std::string& node,
                      const std::string& mode,
                      const std::string& own_key_file,
                      const std::string& peer_public_file,
                      const std::string& own_id,
                      const std::string& peer_id,
                      const std::string& psk_hex);
    ~key_exchange_impl() override;

    bool start() override;
    std::string state() const override;
    std::string fingerprint() const override;

private:
    void on_recv(const pmt::pmt_t& msg);
    void send(const std::vector<uint8_t>& message);
    void publish_key(const pmt::pmt_t& port, const ::fiberkey::session_key& key);
    void revoke(const pmt::pmt_t& port);
    void finish(const ::fiberkey::initial_keys& keys);
    void fail(const std::string& reason);
    void publish_status();

    const bool d_node_a;
    std::unique_ptr<::fiberkey::sm2_bootstrap>
        d_bootstrap;                               // SM2 mode; guarded by d_setlock
    std::optional<::fiberkey::initial_keys> d_psk; // PSK mode, until start()
    bool d_early_rx_installed = false;
    std::string d_state = "running";
    std::string d_fingerprint;
    const pmt::pmt_t d_send_port, d_tx_key_port, d_rx_key_port, d_status_port;
    const pmt::pmt_t d_stream_key, d_state_key, d_fingerprint_key;
};

} // namespace fiberkey
} // namespace gr

#endif
