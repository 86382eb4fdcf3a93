/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_SM2_KEX_H
#define FIBERKEY_CORE_SM2_KEX_H

#include <fiberkey/key_files.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

namespace fiberkey {

using sm3_digest = std::array<std::uint8_t, 32>;

//! A point of the SM2 curve, uncompressed: 04 || x || y.
using sm2_point = std::array<std::uint8_t, 65>;

//! SM3 hash (GB/T 32905) of \p data.
sm3_digest sm3(std::span<const std::uint8_t> data);

/*!
 * \brief A static SM2 key pair: private key d in [1, n-2] (GB/T 32918.1) and P = [d]G.
 *
 * The private key is wiped when the object is destroyed.
 */
class sm2_keypair
{
public:
    static constexpr std::size_t private_key_bytes = 32;

    //! A new key pair, d drawn from OpenSSL's CSPRNG (seeded from OS entropy).
    static sm2_keypair generate();

    //! The key pair of \p private_key (big-endian). Throws std::invalid_argument if
    //! d is not in [1, n-2].
    static sm2_keypair
    from_private_key(std::span<const std::uint8_t, private_key_bytes> private_key);

    /*!
     * Reads a PKCS#8 "PRIVATE KEY" PEM file holding a key on the SM2 curve. Throws
     * std::runtime_error if the file cannot be read, is not a regular file, is open to
     * its group or others (any of mode 077: a private key must be its owner's alone, as
     * OpenSSH requires), or holds another kind of key.
     */
    static sm2_keypair load_pem(const std::filesystem::path& private_key_file);

    using existing_file = ::fiberkey::existing_file; //!< key_files.h

    /*!
     * Writes the private key as unencrypted PKCS#8 PEM, mode 0600. The key goes to a new
     * temporary file in the same directory (created exclusively, never through a link),
     * which is then renamed into place: an existing file is never opened, truncated or
     * half-written, and with existing_file::refuse it is left alone.
     */
    void save_private_pem(const std::filesystem::path& private_key_file,
                          existing_file existing = existing_file::refuse) const;

    //! Writes the public key as SubjectPublicKeyInfo ("PUBLIC KEY") PEM, mode 0644, the
    //! same way.
    void save_public_pem(const std::filesystem::path& public_key_file,
                         existing_file existing = existing_file::refuse) const;

    const std::array<std::uint8_t, private_key_bytes>& private_key() const
    {
        return d_private;
    }
    const sm2_point& public_key() const { return d_public; }

    sm2_keypair(const sm2_keypair&) = default;
    sm2_keypair& operator=(const sm2_keypair&) = default;
    ~sm2_keypair();

private:
    sm2_keypair() = default;

    std::array<std::uint8_t, private_key_bytes> d_private{};
    sm2_point d_public{};
};

//! Reads a SubjectPublicKeyInfo ("PUBLIC KEY") PEM file holding a point on the SM2
//! curve and returns it validated and uncompressed.
sm2_point sm2_load_public_pem(const std::filesystem::path& public_key_file);

//! Z = SM3(ENTL || ID || a || b || xG || yG || x || y) of GB/T 32918.2/3, binding an
//! identity to a public key. Throws std::invalid_argument if \p id is 8192 bytes or
//! longer (ENTL is a 16-bit bit count) or \p public_key is not a valid point.
sm3_digest sm2_za(std::span<const std::uint8_t> id,
                  std::span<const std::uint8_t> public_key);

enum class sm2_role {
    initiator, //!< user A of GB/T 32918.3: sends R_A first, confirms with S_A
    responder, //!< user B: answers with R_B and S_B
};

/*!
 * \brief One side of the SM2 key exchange with key confirmation (GB/T 32918.3, 6.1).
 *
 * Usage: send ephemeral_public() to the peer; pass the peer's R to
 * process_peer_ephemeral(), which derives the shared key. The responder then sends
 * confirmation_tag() (S_B); the initiator verifies it with verify_peer_confirmation()
 * and only then may send its own confirmation_tag() (S_A), which the responder
 * verifies in turn.
 *
 * Any failure (invalid peer point, failed confirmation) wipes the secrets and leaves
 * the object unusable: later calls throw std::logic_error, as do calls out of order.
 */
class sm2_key_exchange
{
public:
    /*!
     * \param role        which side of the exchange this object plays
     * \param own         this side's static key pair
     * \param own_id      this side's distinguishing identifier
     * \param peer_public the peer's static public key (validated here)
     * \param peer_id     the peer's distinguishing identifier
     * \param key_bits    length of the agreed key K; a positive multiple of 8
     *
     * Draws the ephemeral r from OpenSSL's CSPRNG. Throws std::invalid_argument on a
     * bad \p peer_public, identifier or key length.
     */
    sm2_key_exchange(sm2_role role,
                     const sm2_keypair& own,
                     std::span<const std::uint8_t> own_id,
                     std::span<const std::uint8_t> peer_public,
                     std::span<const std::uint8_t> peer_id,
                     std::size_t key_bits);

    //! As the constructor, but with the ephemeral r given (big-endian, in [1, n-1]).
    //! For known-answer tests against published vectors only: a reused r leaks the key.
    static sm2_key_exchange
    with_fixed_ephemeral(sm2_role role,
                         const sm2_keypair& own,
                         std::span<const std::uint8_t> own_id,
                         std::span<const std::uint8_t> peer_public,
                         std::span<const std::uint8_t> peer_id,
                         std::size_t key_bits,
                         std::span<const std::uint8_t, 32> ephemeral_private);

    sm2_key_exchange(const sm2_key_exchange&) = delete;
    sm2_key_exchange& operator=(const sm2_key_exchange&) = delete;
    sm2_key_exchange(sm2_key_exchange&&) = default;
    // Deleted because assigning would free the target's key without wiping it.
    sm2_key_exchange& operator=(sm2_key_exchange&&) = delete;
    ~sm2_key_exchange();

    sm2_role role() const { return d_role; }

    //! The ephemeral point R = [r]G this side sends (R_A or R_B).
    const sm2_point& ephemeral_public() const { return d_own_ephemeral; }

    /*!
     * Validates the peer's ephemeral point (65 bytes, prefix 04, coordinates below p,
     * on the curve) and derives the shared point U (V on the responder), K and both
     * confirmation tags. Throws std::invalid_argument on a bad point and
     * std::runtime_error if the shared point is at infinity; both wipe this object.
     */
    void process_peer_ephemeral(std::span<const std::uint8_t> peer_ephemeral);

    /*!
     * The tag to send: S_B (prefix 02) on the responder, available once the peer's R
     * is processed; S_A (prefix 03) on the initiator, available only after S_B has
     * been verified, as the standard orders it.
     */
    const sm3_digest& confirmation_tag() const;

    //! Compares \p tag in constant time with the expected S_B (on the initiator, S1)
    //! or S_A (on the responder, S2). A mismatch wipes this object and returns false.
    bool verify_peer_confirmation(std::span<const std::uint8_t> tag);

    //! The agreed key K (key_bits / 8 bytes), once the peer's R is processed.
    std::span<const std::uint8_t> key() const;

    //! \name Intermediate values of the standard, for tests
    //! @{
    const sm3_digest& za() const { return d_za; }           //!< Z of the initiator
    const sm3_digest& zb() const { return d_zb; }           //!< Z of the responder
    std::span<const std::uint8_t, 64> shared_point() const; //!< xU || yU (xV || yV)
    const sm3_digest& responder_tag() const;                //!< S_B = S1, prefix 02
    const sm3_digest& initiator_tag() const;                //!< S_A = S2, prefix 03
    //! @}

private:
    enum class state { awaiting_peer, keyed, confirmed, failed };

    sm2_key_exchange(sm2_role role,
                     const sm2_keypair& own,
                     std::span<const std::uint8_t> own_id,
                     std::span<const std::uint8_t> peer_public,
                     std::span<const std::uint8_t> peer_id,
                     std::size_t key_bits,
                     std::span<const std::uint8_t> ephemeral_private);

    void require_keyed() const;
    void wipe() noexcept;
    void fail() noexcept;

    sm2_role d_role;
    state d_state = state::awaiting_peer;
    std::size_t d_key_bytes;
    sm2_point d_peer_public{};
    sm2_point d_own_ephemeral{};
    sm2_point d_peer_ephemeral{};
    std::array<std::uint8_t, 32> d_t{}; // t = (d + x̄·r) mod n; r itself is not kept
    sm3_digest d_za{};
    sm3_digest d_zb{};
    std::array<std::uint8_t, 64> d_shared{};
    std::vector<std::uint8_t> d_key;
    sm3_digest d_responder_tag{};
    sm3_digest d_initiator_tag{};
};

} // namespace fiberkey

#endif
