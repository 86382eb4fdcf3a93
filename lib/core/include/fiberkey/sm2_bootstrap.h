/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SM2_BOOTSTRAP_H
#define FIBERKEY_CORE_SM2_BOOTSTRAP_H

#include <fiberkey/key_schedule.h>
#include <fiberkey/sm2_kex.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

//! The two initial session keys of a link.
struct initial_keys {
    session_key k_ab; //!< encrypts what A sends
    session_key k_ba; //!< encrypts what B sends
};

/*!
 * \brief The link-start exchange that gives both nodes their initial session keys
 * (protocol.md section 2): GB/T 32918.3 SM2 key exchange with key confirmation, carried
 * in three messages.
 *
 *   1. A -> B: type 1, R_A (65 bytes)
 *   2. B -> A: type 2, R_B (65 bytes) || S_B (32 bytes)
 *   3. A -> B: type 3, S_A (32 bytes)
 *
 * Node A is the initiator. K is 256 bits; K_AB is its first 16 bytes and K_BA its last
 * 16 (the KDF output is pseudorandom throughout, so the halves are independent). A has
 * its keys once S_B verifies and it sends message 3; B once S_A verifies. Any malformed
 * message, off-curve point or wrong tag fails the exchange for good: no key comes out,
 * the secrets are wiped and reason() says why. Identities: each node's ID string and
 * static key pair; the peer's static public key must be known in advance (it is what
 * authenticates the exchange).
 */
class sm2_bootstrap
{
public:
    enum class node { a, b };
    enum class state { running, done, failed };

    sm2_bootstrap(node role,
                  const sm2_keypair& own,
                  const std::string& own_id,
                  std::span<const std::uint8_t> peer_public,
                  const std::string& peer_id);
    ~sm2_bootstrap();

    //! A's first message; nothing on B.
    std::optional<std::vector<std::uint8_t>> start();

    //! Handles one message from the peer; returns the reply to send, if any. Never
    //! throws for bad input: the exchange fails instead.
    std::optional<std::vector<std::uint8_t>>
    on_message(std::span<const std::uint8_t> msg);

    state current() const { return d_state; }
    const std::string& reason() const { return d_reason; }

    //! The keys, once done; handed out once (the copy here is wiped).
    std::optional<initial_keys> take_keys();

    /*!
     * B only, once it has answered message 1: K_AB, so that B can decrypt A's frames
     * before S_A arrives. A encrypts as soon as S_B verifies, so message 3 itself reaches
     * B encrypted. B must not encrypt with anything before done(); if the exchange then
     * fails, the caller must revoke this key. Handed out once.
     */
    std::optional<session_key> take_early_receive_key();

    static constexpr std::uint8_t msg_ra = 1, msg_rb_sb = 2, msg_sa = 3;
    //! The INT transport stream that carries the bootstrap messages.
    static constexpr std::uint8_t int_stream = 1;

private:
    void fail(const std::string& why);
    void finish();

    node d_role;
    state d_state = state::running;
    std::string d_reason;
    std::unique_ptr<sm2_key_exchange> d_exchange;
    std::optional<initial_keys> d_keys;
    std::optional<session_key> d_early_rx;
    bool d_started = false;
};

} // namespace fiberkey

#endif
