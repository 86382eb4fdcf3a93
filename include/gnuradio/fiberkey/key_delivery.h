/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef INCLUDED_FIBERKEY_KEY_DELIVERY_H
#define INCLUDED_FIBERKEY_KEY_DELIVERY_H

#include <gnuradio/block.h>
#include <gnuradio/fiberkey/api.h>
#include <gnuradio/fiberkey/message_counters.h>

#include <cstdint>
#include <string>

namespace gr {
namespace fiberkey {

/*!
 * \brief Key Delivery (ETSI GS QKD 014): serves a node's application keys to secure
 * applications (SAEs) over HTTPS with mutual TLS (docs/key-service.md).
 * \ingroup fiberkey
 *
 * \details
 * A key management entity (KME) per node. "keys" <- both key post-processors'
 * "app_keys": the application keys of both directions go into a persistent key store
 * (SQLite, one file per node, mode 0600, each key sealed with AES-256-GCM under the
 * key-encryption key read from kek_file; bounded by store_capacity, the oldest
 * undelivered keys dropped first). The REST API of ETSI GS QKD 014 V1.1.1 listens on
 * listen_address: Get status, Get key (enc_keys) and Get key with key IDs (dec_keys),
 * for the SAE sae_id (identified by the CN of its client certificate, which ca_file
 * must have signed) towards the SAE peer_sae_id of the peer KME. As master, the KME hands
 * out only keys of master_direction, the one its node leads (0 on A, 1 on B), so the two
 * KMEs never hand out the same key; it tells its peer which keys went to which SAEs on
 * "send" (INT stream 5, encrypted and tagged like all INT traffic), and the peer delivers
 * each of them once, to that slave SAE only. "recv" <- the int_channel's "recv" (stream
 * 5 only). A key of more than 256 bits takes several seed keys, consumed together at
 * both ends.
 */
class FIBERKEY_API key_delivery : virtual public gr::block, public message_counters
{
public:
    typedef std::shared_ptr<key_delivery> sptr;

    /*!
     * \brief Makes a key_delivery: message ports "keys", "recv" in, "send" out. Opens the
     * store and the TLS files and starts listening at once (port 0: a free port, see
     * port()); a bad setting or file throws with a message naming it.
     *
     * \param kme_id, peer_kme_id this KME's ID and its peer's (1..64 of A-Za-z0-9_.-)
     * \param sae_id the SAE this KME serves; peer_sae_id the one its peer serves
     * \param master_direction 0 (AB) on node A, 1 (BA) on node B
     * \param listen_address HOST:PORT (or [IPv6]:PORT)
     * \param ca_file, cert_file, key_file PEM: the CA of the SAEs' certificates, this
     *        KME's certificate and its private key (a file only its owner may read)
     * \param store_path the SQLite key store (created 0600 when missing)
     * \param kek_file the key-encryption key: 32 bytes, or 64 hex digits (mode 0600)
     * \param store_capacity seed keys the store holds, 1..10,000,000
     * \param key_size default key size in bits (a multiple of 8, 8..max_key_size)
     * \param max_key_size largest key in bits, a multiple of 8 up to 16,384
     * \param max_keys_per_request 1..1024
     */
    static sptr make(const std::string& kme_id,
                     const std::string& peer_kme_id,
                     const std::string& sae_id,
                     const std::string& peer_sae_id,
                     int master_direction,
                     const std::string& listen_address,
                     const std::string& ca_file,
                     const std::string& cert_file,
                     const std::string& key_file,
                     const std::string& store_path,
                     const std::string& kek_file,
                     int store_capacity = 65536,
                     int key_size = 256,
                     int max_key_size = 4096,
                     int max_keys_per_request = 128);

    //! The port the API listens on.
    virtual int port() const = 0;
    //! Seed keys in the store not yet handed out or reserved, of \p direction.
    virtual uint64_t keys_available(int direction) const = 0;
    //! Keys delivered to SAEs, as master and as slave.
    virtual uint64_t keys_delivered_as_master() const = 0;
    virtual uint64_t keys_delivered_as_slave() const = 0;
    //! Requests answered, and those refused (status 400, 401, 503).
    virtual uint64_t requests() const = 0;
    virtual uint64_t requests_refused() const = 0;
    //! The peer's notices taken, and those refused (malformed, or naming keys this store
    //! lacks: counted per key).
    virtual uint64_t notices_received() const = 0;
    virtual uint64_t reservations_refused() const = 0;
    //! Application keys dropped because the store was full.
    virtual uint64_t keys_dropped_full() const = 0;
};

} // namespace fiberkey
} // namespace gr

#endif
