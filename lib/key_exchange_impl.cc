/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "key_exchange_impl.h"

#include "blocks_pdu.h"

#include <fiberkey/hex.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/sm2_kex.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/io_signature.h>

#include <stdexcept>

namespace gr {
namespace fiberkey {

using ::fiberkey::sm2_bootstrap;

key_exchange::sptr key_exchange::make(const std::string& node,
                                      const std::string& mode,
                                      const std::string& own_key_file,
                                      const std::string& peer_public_file,
                                      const std::string& own_id,
                                      const std::string& peer_id,
                                      const std::string& psk_hex)
{
    return gnuradio::make_block_sptr<key_exchange_impl>(
        node, mode, own_key_file, peer_public_file, own_id, peer_id, psk_hex);
}

namespace {
bool parse_node(const std::string& node)
{
    if (node != "A" && node != "B")
        throw std::invalid_argument("key_exchange: node must be \"A\" or \"B\"");
    return node == "A";
}

std::string fingerprint_of(const ::fiberkey::initial_keys& k)
{
    std::vector<uint8_t> both(k.k_ab.begin(), k.k_ab.end());
    both.insert(both.end(), k.k_ba.begin(), k.k_ba.end());
    const auto digest = ::fiberkey::sm3(both);
    ::fiberkey::secure_wipe(both);
    return ::fiberkey::to_hex(std::span<const uint8_t>(digest.data(), 8));
}
} // namespace

key_exchange_impl::key_exchange_impl(const std::string& node,
                                     const std::string& mode,
                                     const std::string& own_key_file,
                                     const std::string& peer_public_file,
                                     const std::string& own_id,
                                     const std::string& peer_id,
                                     const std::string& psk_hex)
    : gr::block("key_exchange",
                gr::io_signature::make(0, 0, 0),
                gr::io_signature::make(0, 0, 0)),
      d_node_a(parse_node(node)),
      d_send_port(pmt::mp("send")),
      d_tx_key_port(pmt::mp("tx_key")),
      d_rx_key_port(pmt::mp("rx_key")),
      d_status_port(pmt::mp("status")),
      d_stream_key(pmt::mp("stream")),
      d_state_key(pmt::mp("state")),
      d_fingerprint_key(pmt::mp("fingerprint"))
{
    if (mode == "sm2") {
        if (own_key_file.empty() || peer_public_file.empty())
            throw std::invalid_argument(
                "key_exchange: SM2 mode needs own_key_file and peer_public_file");
        // Both files are read now, so that a missing or wrong one stops the flowgraph
        // before the link comes up.
        const auto own = ::fiberkey::sm2_keypair::load_pem(own_key_file);
        const auto peer = ::fiberkey::sm2_load_public_pem(peer_public_file);
        d_bootstrap = std::make_unique<sm2_bootstrap>(d_node_a ? sm2_bootstrap::node::a
                                                               : sm2_bootstrap::node::b,
                                                      own,
                                                      own_id,
                                                      peer,
                                                      peer_id);
    } else if (mode == "psk") {
        std::vector<uint8_t> bytes;
        try {
            bytes = ::fiberkey::from_hex(psk_hex);
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(std::string("key_exchange: psk_hex: ") +
                                        e.what());
        }
        if (bytes.size() != 32) {
            ::fiberkey::secure_wipe(bytes);
            throw std::invalid_argument(
                "key_exchange: psk_hex must be K_AB || K_BA, 64 hex digits");
        }
        ::fiberkey::initial_keys k;
        std::copy_n(bytes.begin(), 16, k.k_ab.begin());
        std::copy_n(bytes.begin() + 16, 16, k.k_ba.begin());
        ::fiberkey::secure_wipe(bytes);
        d_psk = k;
        ::fiberkey::secure_wipe(k.k_ab);
        ::fiberkey::secure_wipe(k.k_ba);
    } else {
        throw std::invalid_argument("key_exchange: mode must be \"sm2\" or \"psk\"");
    }
    d_inputs.add("recv", [this](const pmt::pmt_t& m) { on_recv(m); });
    message_port_register_out(d_send_port);
    message_port_register_out(d_tx_key_port);
    message_port_register_out(d_rx_key_port);
    message_port_register_out(d_status_port);
}

key_exchange_impl::~key_exchange_impl()
{
    if (d_psk) {
        ::fiberkey::secure_wipe(d_psk->k_ab);
        ::fiberkey::secure_wipe(d_psk->k_ba);
    }
}

bool key_exchange_impl::start()
{
    gr::thread::scoped_lock guard(d_setlock);
    if (d_psk) {
        finish(*d_psk);
        ::fiberkey::secure_wipe(d_psk->k_ab);
        ::fiberkey::secure_wipe(d_psk->k_ba);
        d_psk.reset();
    } else if (d_bootstrap) {
        if (auto m = d_bootstrap->start())
            send(*m);
    }
    return block::start();
}

std::string key_exchange_impl::state() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_state;
}

std::string key_exchange_impl::fingerprint() const
{
    gr::thread::scoped_lock guard(const_cast<gr::thread::mutex&>(d_setlock));
    return d_fingerprint;
}

void key_exchange_impl::send(const std::vector<uint8_t>& message)
{
    pmt::pmt_t meta = pmt::dict_add(
        pmt::make_dict(), d_stream_key, pmt::from_long(sm2_bootstrap::int_stream));
    message_port_pub(d_send_port,
                     pmt::cons(meta, pmt::init_u8vector(message.size(), message)));
}

void key_exchange_impl::publish_key(const pmt::pmt_t& port,
                                    const ::fiberkey::session_key& key)
{
    // Epoch 0, no start counter: in effect from the next frame.
    pmt::pmt_t meta =
        pmt::dict_add(pmt::make_dict(), frame_tags::epoch(), pmt::from_long(0));
    message_port_pub(port, pmt::cons(meta, pmt::init_u8vector(key.size(), key.data())));
}

void key_exchange_impl::revoke(const pmt::pmt_t& port)
{
    pmt::pmt_t meta =
        pmt::dict_add(pmt::make_dict(), frame_tags::epoch(), pmt::from_long(0));
    message_port_pub(port, pmt::cons(meta, pmt::make_u8vector(0, 0)));
}

void key_exchange_impl::finish(const ::fiberkey::initial_keys& keys)
{
    publish_key(d_tx_key_port, d_node_a ? keys.k_ab : keys.k_ba);
    if (!d_early_rx_installed) // B already has K_AB for receiving
        publish_key(d_rx_key_port, d_node_a ? keys.k_ba : keys.k_ab);
    d_fingerprint = fingerprint_of(keys);
    d_state = "done";
    d_logger->info("initial session keys agreed (fingerprint {})", d_fingerprint);
    publish_status();
}

void key_exchange_impl::fail(const std::string& reason)
{
    if (d_early_rx_installed)
        revoke(d_rx_key_port);
    d_state = "failed: " + reason;
    d_logger->error("key exchange failed: {}", reason);
    publish_status();
}

void key_exchange_impl::publish_status()
{
    pmt::pmt_t d = pmt::dict_add(pmt::make_dict(), d_state_key, pmt::mp(d_state));
    if (!d_fingerprint.empty())
        d = pmt::dict_add(d, d_fingerprint_key, pmt::mp(d_fingerprint));
    message_port_pub(d_status_port, d);
}

void key_exchange_impl::on_recv(const pmt::pmt_t& msg)
{
    const auto data = int_stream_message(msg, d_stream_key, sm2_bootstrap::int_stream);
    if (!data)
        return; // another user of the channel
    gr::thread::scoped_lock guard(d_setlock);
    if (!d_bootstrap || d_state != "running")
        return;
    const auto reply = d_bootstrap->on_message(*data);
    if (auto early = d_bootstrap->take_early_receive_key()) {
        publish_key(d_rx_key_port, *early);
        ::fiberkey::secure_wipe(*early);
        d_early_rx_installed = true;
    }
    if (reply)
        send(*reply);
    switch (d_bootstrap->current()) {
    case sm2_bootstrap::state::done:
        if (auto keys = d_bootstrap->take_keys()) {
            finish(*keys);
            ::fiberkey::secure_wipe(keys->k_ab);
            ::fiberkey::secure_wipe(keys->k_ba);
        }
        d_bootstrap.reset();
        break;
    case sm2_bootstrap::state::failed:
        fail(d_bootstrap->reason());
        d_bootstrap.reset();
        break;
    case sm2_bootstrap::state::running:
        break;
    }
}

} // namespace fiberkey
} // namespace gr
