/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/secure_memory.h>
#include <fiberkey/sm2_bootstrap.h>

#include <algorithm>
#include <stdexcept>

namespace fiberkey {

namespace {
constexpr std::size_t point_bytes = 65;
constexpr std::size_t tag_bytes = 32;
constexpr std::size_t key_bits = 256;

std::span<const std::uint8_t> as_bytes(const std::string& s)
{
    return { reinterpret_cast<const std::uint8_t*>(s.data()), s.size() };
}
} // namespace

sm2_bootstrap::sm2_bootstrap(node role,
                             const sm2_keypair& own,
                             const std::string& own_id,
                             std::span<const std::uint8_t> peer_public,
                             const std::string& peer_id)
    : d_role(role),
      d_exchange(std::make_unique<sm2_key_exchange>(role == node::a ? sm2_role::initiator
                                                                    : sm2_role::responder,
                                                    own,
                                                    as_bytes(own_id),
                                                    peer_public,
                                                    as_bytes(peer_id),
                                                    key_bits))
{
}

sm2_bootstrap::~sm2_bootstrap()
{
    if (d_early_rx)
        secure_wipe(*d_early_rx);
    if (d_keys) {
        secure_wipe(d_keys->k_ab);
        secure_wipe(d_keys->k_ba);
    }
}

void sm2_bootstrap::fail(const std::string& why)
{
    d_state = state::failed;
    d_reason = why;
    d_exchange.reset(); // its destructor wipes the secrets
    if (d_early_rx) {
        secure_wipe(*d_early_rx);
        d_early_rx.reset();
    }
    if (d_keys) {
        secure_wipe(d_keys->k_ab);
        secure_wipe(d_keys->k_ba);
        d_keys.reset();
    }
}

void sm2_bootstrap::finish()
{
    const auto k = d_exchange->key();
    initial_keys keys;
    std::copy_n(k.begin(), 16, keys.k_ab.begin());
    std::copy_n(k.begin() + 16, 16, keys.k_ba.begin());
    d_keys = keys;
    secure_wipe(keys.k_ab);
    secure_wipe(keys.k_ba);
    d_exchange.reset();
    d_state = state::done;
}

std::optional<std::vector<std::uint8_t>> sm2_bootstrap::start()
{
    if (d_role != node::a || d_started || d_state != state::running)
        return std::nullopt;
    d_started = true;
    std::vector<std::uint8_t> msg{ msg_ra };
    const auto& r = d_exchange->ephemeral_public();
    msg.insert(msg.end(), r.begin(), r.end());
    return msg;
}

std::optional<std::vector<std::uint8_t>>
sm2_bootstrap::on_message(std::span<const std::uint8_t> msg)
{
    if (d_state != state::running)
        return std::nullopt;
    if (msg.empty()) {
        fail("empty bootstrap message");
        return std::nullopt;
    }
    const std::uint8_t type = msg[0];
    const auto body = msg.subspan(1);
    try {
        if (d_role == node::b && type == msg_ra && !d_started) {
            if (body.size() != point_bytes)
                throw std::invalid_argument("R_A must be 65 bytes");
            d_started = true;
            d_exchange->process_peer_ephemeral(body);
            std::vector<std::uint8_t> reply{ msg_rb_sb };
            const auto& r = d_exchange->ephemeral_public();
            reply.insert(reply.end(), r.begin(), r.end());
            const auto& s = d_exchange->confirmation_tag();
            reply.insert(reply.end(), s.begin(), s.end());
            session_key k_ab;
            std::copy_n(d_exchange->key().begin(), k_ab.size(), k_ab.begin());
            d_early_rx = k_ab;
            secure_wipe(k_ab);
            return reply;
        }
        if (d_role == node::a && type == msg_rb_sb && d_started) {
            if (body.size() != point_bytes + tag_bytes)
                throw std::invalid_argument("R_B || S_B must be 97 bytes");
            d_exchange->process_peer_ephemeral(body.first(point_bytes));
            if (!d_exchange->verify_peer_confirmation(body.subspan(point_bytes))) {
                fail(
                    "S_B does not verify: wrong peer key, identity or a tampered message");
                return std::nullopt;
            }
            std::vector<std::uint8_t> reply{ msg_sa };
            const auto& s = d_exchange->confirmation_tag();
            reply.insert(reply.end(), s.begin(), s.end());
            finish();
            return reply;
        }
        if (d_role == node::b && type == msg_sa && d_started) {
            if (body.size() != tag_bytes)
                throw std::invalid_argument("S_A must be 32 bytes");
            if (!d_exchange->verify_peer_confirmation(body)) {
                fail(
                    "S_A does not verify: wrong peer key, identity or a tampered message");
                return std::nullopt;
            }
            finish();
            return std::nullopt;
        }
        fail("unexpected bootstrap message of type " + std::to_string(type));
    } catch (const std::exception& e) {
        fail(e.what());
    }
    return std::nullopt;
}

std::optional<session_key> sm2_bootstrap::take_early_receive_key()
{
    auto k = d_early_rx;
    if (d_early_rx) {
        secure_wipe(*d_early_rx);
        d_early_rx.reset();
    }
    return k;
}

std::optional<initial_keys> sm2_bootstrap::take_keys()
{
    if (!d_keys)
        return std::nullopt;
    auto keys = d_keys;
    secure_wipe(d_keys->k_ab);
    secure_wipe(d_keys->k_ba);
    d_keys.reset();
    return keys;
}

} // namespace fiberkey
