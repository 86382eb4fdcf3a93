/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_EXCHANGE_H
#define INCLUDED_FIBERKEY_KEY_EXCHANGE_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief The initial session keys of a node: SM2 key exchange over the link, or
 * pre-shared keys (protocol.md section 2).
 * \ingroup fiberkey
 *
 * \details
 * SM2 mode: at start node A sends R_A; B answers R_B || S_B; A verifies S_B and answers
 * S_A; B verifies S_A (GB/T 32918.3 with key confirmation, 256-bit K; K_AB = its first
 * 16 bytes, K_BA the last 16). The messages travel on INT stream 1 through an int_channel
 * ("send" -> int_channel "send", int_channel "recv" -> "recv"), in frames that the
 * zuc_crypt blocks send in the clear until keyed (allow_clear). Keys go out on "tx_key"
 * (to the node's transmitting zuc_crypt: K_AB on A, K_BA on B) and "rx_key" (to its
 * receiving zuc_crypt), epoch 0, in effect from the next frame. B gets K_AB for receiving
 * as soon as it has answered R_A, because A encrypts from S_A on; if S_A then fails, B
 * revokes it. A node never encrypts before its exchange has confirmed the peer.
 *
 * Identities: own_key_file (PKCS#8 PEM, as fiberkey-tool sm2-keygen writes), the peer's
 * public key (PEM) and both ID strings (GB/T 32918: at most 8,191 bytes). A missing or
 * unreadable file or a bad key throws at construction; a malformed message, an off-curve
 * point or a wrong confirmation fails the exchange: no key, "status" says why.
 *
 * PSK mode (labs and tests): psk_hex holds K_AB || K_BA (64 hex digits); both keys go out
 * at start.
 */
class FIBERKEY_API key_exchange : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<key_exchange> sptr;

    /*!
     * \brief Makes a key_exchange: message port "recv" in, "send", "tx_key", "rx_key" and
     * "status" out (no stream ports).
     *
     * "status" publishes a dict when the exchange ends: {"state": "done" or "failed:
     * <reason>", "fingerprint" (when done)}. Bad parameters, and in SM2 mode a missing or
     * unreadable key file, throw at construction.
     *
     * \param node "A" (starts the exchange; transmits with K_AB) or "B" (transmits with
     *        K_BA)
     * \param mode "sm2" (key exchange over the link) or "psk" (pre-shared keys)
     * \param own_key_file sm2: this node's SM2 private key, PKCS#8 PEM (required); psk:
     *        ignored
     * \param peer_public_file sm2: the peer's SM2 public key, PEM (required); psk:
     *        ignored
     * \param own_id sm2: this node's ID string (GB/T 32918: at most 8,191 bytes); psk:
     *        ignored
     * \param peer_id sm2: the peer's ID string, as the peer uses for own_id; psk: ignored
     * \param psk_hex psk: K_AB || K_BA, 64 hex digits (32 bytes); sm2: ignored
     */
    static sptr make(const std::string& node,
                     const std::string& mode,
                     const std::string& own_key_file,
                     const std::string& peer_public_file,
                     const std::string& own_id,
                     const std::string& peer_id,
                     const std::string& psk_hex = "");

    //! "running", "done" or "failed: <reason>".
    virtual std::string state() const = 0;
    //! The first 8 bytes of SM3(K_AB || K_BA) in hex, once done: both ends must match.
    virtual std::string fingerprint() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
