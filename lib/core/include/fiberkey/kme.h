/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// A key management entity (KME) of ETSI GS QKD 014 V1.1.1, without its HTTP transport
// (kme_server.h): the Get status, Get key and Get key with key IDs methods over a
// key_store, and the notices that tell the peer KME which keys went to which SAEs.
#ifndef FIBERKEY_CORE_KME_H
#define FIBERKEY_CORE_KME_H

#include <fiberkey/application_keys.h>
#include <fiberkey/int_transport.h>
#include <fiberkey/key_store.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace fiberkey {

struct kme_config {
    std::string kme_id = "KME_A", peer_kme_id = "KME_B";
    //! The SAE this KME serves, and the one its peer serves.
    std::string sae_id = "SAE_A", peer_sae_id = "SAE_B";
    //! The direction whose keys this KME hands out as master: the one its node leads
    //! (0 AB on node A, 1 BA on node B). The peer hands out the other, so two KMEs
    //! never hand out the same key.
    std::uint8_t master_direction = 0;
    unsigned key_size = 256;      //!< bits, when a request names none
    unsigned min_key_size = 8;    //!< bits, a multiple of 8
    unsigned max_key_size = 4096; //!< bits, a multiple of 8, at most 64 seed keys
    unsigned max_keys_per_request = 128;
    //! The largest notice the link carries in one message (int_transport's limit).
    std::size_t max_notice_bytes = int_transport::max_message_bytes_limit;
    //! How long Get key with key IDs waits for the master's notice of a key it names.
    std::chrono::milliseconds notice_wait{ 2000 };
};

//! Throws std::invalid_argument naming the bad setting.
void validate(const kme_config& c);
//! An SAE or KME ID: 1..64 of [A-Za-z0-9_.-] (it stands in URL paths).
bool valid_entity_id(std::string_view id);

//! A response of the API: the HTTP status and the JSON body.
struct kme_reply {
    int status = 200;
    std::string body;
};

//! A Key request (number and size of keys); empty fields take the defaults.
struct key_request {
    std::optional<long long> number, size;
};

class kme
{
public:
    //! Sends a notice to the peer KME over the link (INT stream 5).
    using notice_sender = std::function<void(std::vector<std::uint8_t>)>;

    struct counters {
        std::uint64_t keys_added = 0, keys_unstored = 0;
        std::uint64_t keys_delivered_as_master = 0, keys_delivered_as_slave = 0;
        std::uint64_t notices_sent = 0, notices_received = 0, notices_refused = 0;
        std::uint64_t reservations_refused = 0; //!< noticed keys this store lacks
        std::uint64_t requests = 0, requests_refused = 0;
    };

    //! Throws std::invalid_argument for a bad configuration.
    kme(kme_config config, key_store& store, notice_sender send);

    //! An application key from a key post-processor (any thread). Keys of either
    //! direction: the master direction's to hand out, the other's to deliver.
    void add_key(const uuid_bytes& id,
                 std::uint8_t direction,
                 std::uint32_t key_index,
                 std::span<const std::uint8_t, 32> key);

    //! A notice from the peer KME; false (counted, nothing changed) when malformed.
    bool on_notice(std::span<const std::uint8_t> notice);

    /*!
     * The three methods. \p caller is the SAE_ID the client's verified certificate
     * names, empty when it showed none (401). Bodies are the spec's Status, Key
     * container and Error objects.
     */
    kme_reply status(const std::string& caller, const std::string& slave_sae);
    kme_reply enc_keys(const std::string& caller,
                       const std::string& slave_sae,
                       const key_request& r);
    kme_reply dec_keys(const std::string& caller,
                       const std::string& master_sae,
                       const std::vector<std::string>& key_ids);

    //! The JSON bodies of the POST methods; the error reply for a malformed one.
    static std::optional<kme_reply> parse_key_request(std::string_view json,
                                                      key_request& out);
    static std::optional<kme_reply> parse_key_ids(std::string_view json,
                                                  std::vector<std::string>& out);
    //! Counts a request that the transport refused before it reached a method (a
    //! malformed body or query), and returns its reply.
    kme_reply refused(kme_reply reply);
    //! An Error object.
    static kme_reply error(int status,
                           const std::string& message,
                           const std::vector<std::string>& details = {});

    counters stats() const;
    //! The store's figures, read under the KME's lock (the store is not thread-safe).
    std::size_t keys_available(std::uint8_t direction) const;
    key_store::counters store_stats() const;
    const kme_config& config() const { return d_config; }

private:
    std::optional<kme_reply> check_caller(const std::string& caller,
                                          const std::string& peer_in_path,
                                          const char* role) const;
    kme_reply refuse_locked(kme_reply reply); // counts it; d_mutex held
    unsigned seeds_per_key(unsigned size_bits) const { return (size_bits + 255) / 256; }

    const kme_config d_config;
    key_store& d_store;
    const notice_sender d_send;
    mutable std::mutex d_mutex;
    std::condition_variable d_noticed;
    counters d_stats;
};

/*!
 * The notice format (docs/key-service.md): version 1, kind 1 (delivered), the direction of
 * the keys, the master and slave SAE_IDs (a length byte each), a 16-bit key count, then
 * per key its size in bits (32-bit), its seed key count (a byte) and the seed keys'
 * 16-byte IDs (each in one key only). Big-endian.
 */
std::vector<std::uint8_t> encode_notice(const std::vector<key_reservation>& keys);
//! Nothing when malformed: lengths, counts, IDs or sizes out of range, bytes left over.
std::optional<std::vector<key_reservation>>
decode_notice(std::span<const std::uint8_t> n);

} // namespace fiberkey

#endif
