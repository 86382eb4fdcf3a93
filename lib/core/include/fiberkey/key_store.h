/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The KME's persistent store of seed keys: an SQLite file in which every key is sealed
// (AES-256-GCM) under a key-encryption key kept in a file of its own.
#ifndef FIBERKEY_CORE_KEY_STORE_H
#define FIBERKEY_CORE_KEY_STORE_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace fiberkey {

//! A failure of the store's files, of SQLite or of a key's authentication. The messages
//! name files and key IDs, never key material.
class key_store_error : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

//! A seed key taken out of the store: wiped when destroyed.
struct stored_key {
    std::string key_id;         //!< UUID text, lowercase 8-4-4-4-12
    std::uint8_t direction = 0; //!< 0 AB, 1 BA
    std::uint32_t key_index = 0;
    std::array<std::uint8_t, 32> key{};

    stored_key() = default;
    stored_key(const stored_key&) = default;
    stored_key(stored_key&&) = default;
    stored_key& operator=(const stored_key&) = default;
    stored_key& operator=(stored_key&&) = default;
    ~stored_key();
};

//! The slave KME's record of keys the master KME delivered (ETSI GS QKD 014): which seed
//! keys form the delivered key, and who may fetch it.
struct key_reservation {
    std::string key_id;                //!< the delivered key's ID (= seed_ids[0])
    std::vector<std::string> seed_ids; //!< 1..64 seed key IDs, in key order
    std::uint32_t size_bits = 0;       //!< 8..seed_ids.size()*256, multiple of 8
    std::string master_sae, slave_sae;
    std::uint8_t direction = 0; //!< of every seed key: the master KME's node leads it
};

/*!
 * \brief Seed keys on disk, each sealed under a key-encryption key (KEK), and the slave
 * side's reservations of them.
 *
 * The store file must be its owner's alone (mode 0600; a new one is created so); the KEK
 * file likewise. Every operation that changes the store is one SQLite transaction, synced
 * before it returns (synchronous=FULL), so a crash never loses or duplicates a key.
 * Deleted rows are overwritten (secure_delete). Keys, reservations and insertion order
 * survive reopening; the counters are the process's own.
 *
 * Not thread-safe: the KME serializes its calls.
 */
class key_store
{
public:
    struct options {
        std::string path;     //!< the SQLite file
        std::string kek_path; //!< key-encryption key file: 32 bytes or 64 hex digits
        std::size_t capacity = 65536; //!< seed keys held, available + reserved; >= 1
    };
    //! Counts of seed keys, since this object was made.
    struct counters {
        std::uint64_t added = 0, duplicates = 0, dropped_full = 0, delivered = 0,
                      reserved = 0;
    };

    //! Opens (or creates) the store; throws key_store_error, e.g. on a KEK other than
    //! the one the store was created with.
    explicit key_store(const options& o);
    ~key_store(); //!< wipes the KEK copy
    key_store(const key_store&) = delete;
    key_store& operator=(const key_store&) = delete;

    //! Stores an available seed key. False (nothing changed, counted as duplicate) when
    //! the ID is held already. When the store is full, the oldest AVAILABLE keys (never
    //! reserved ones) are deleted first, counted in dropped_full; if the available keys
    //! cannot make room (all held keys are reserved), the new key is dropped and counted
    //! (return false). Throws std::invalid_argument on a malformed ID or direction.
    bool add(const std::string& key_id,
             std::uint8_t direction,
             std::uint32_t key_index,
             std::span<const std::uint8_t, 32> key);
    std::size_t
    available(std::uint8_t direction) const; //!< unreserved keys of a direction
    std::size_t size() const;                //!< all keys held

    //! Master side: deletes and returns the \p count oldest available keys of \p
    //! direction, in insertion order; all or nothing (empty when fewer are held). One
    //! transaction.
    std::vector<stored_key> take_oldest(std::uint8_t direction, std::size_t count);

    enum class reserve_result { ok, missing, taken, duplicate };
    //! Slave side: marks the seed keys of \p r as reserved for it (one transaction).
    //! duplicate: r.key_id has a reservation; else missing: a seed ID is not held (as a
    //! key of r.direction); else
    //! taken: one is reserved already. Nothing changes unless ok. Throws
    //! std::invalid_argument on a malformed \p r (sizes above, empty SAE IDs, IDs not
    //! lowercase UUIDs or repeated, key_id not seed_ids[0]).
    reserve_result reserve(const key_reservation& r);
    //! The reservation of \p key_id, without key material.
    std::optional<key_reservation> reservation(const std::string& key_id) const;
    //! Deletes the reservation and its seed keys and returns them in key order; empty if
    //! there is none. One transaction.
    std::vector<stored_key> take_reserved(const std::string& key_id);

    /*!
     * Several operations as one transaction, synced once at commit() (a KME's whole
     * request or notice: one disk sync instead of one per key). Each operation inside
     * keeps its own all or nothing; left without commit() (an exception), none of them
     * takes effect. One batch at a time.
     */
    class batch
    {
    public:
        explicit batch(key_store& store);
        ~batch();
        batch(const batch&) = delete;
        batch& operator=(const batch&) = delete;
        void commit();

    private:
        key_store& d_store;
        bool d_open = true;
    };

    counters stats() const;
    std::size_t capacity() const; //!< options::capacity
    const std::string& path() const;

private:
    struct impl;
    std::unique_ptr<impl> d; // keeps SQLite and the KEK out of this header
};

} // namespace fiberkey

#endif
