/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// How a direction's seed keys are shared between the link's re-keying and the
// applications (docs/key-service.md), and how both ends name an application key.
#ifndef FIBERKEY_CORE_APPLICATION_KEYS_H
#define FIBERKEY_CORE_APPLICATION_KEYS_H

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace fiberkey {

/*!
 * Every period-th seed key (key index divisible by the period) re-keys the link; the
 * others go to the application pool. Both ends number keys alike, so they split alike
 * without a message, and a gap in the numbering (a key one end never formed) moves
 * nothing. Link keys take the epochs 1, 2, 3, 0, 1, ... in order, as the frame's 2-bit
 * epoch needs. Period 1: every key re-keys the link, none goes to applications.
 */
class key_split
{
public:
    //! Throws std::invalid_argument unless 1 <= period <= 1024.
    explicit key_split(std::uint32_t period);
    std::uint32_t period() const { return d_period; }
    bool for_link(std::uint32_t key_index) const { return key_index % d_period == 0; }
    //! The link key an application key is named after: the newest before it.
    std::uint32_t link_key_of(std::uint32_t key_index) const
    {
        return key_index - key_index % d_period;
    }
    //! The frame epoch (0..3) of link key \p key_index.
    unsigned link_epoch(std::uint32_t key_index) const
    {
        return (key_index / d_period + 1) % 4;
    }

private:
    std::uint32_t d_period;
};

using uuid_bytes = std::array<std::uint8_t, 16>;

/*!
 * Names the application keys after a link key L: application key k of direction d, whose
 * bits start at position p of the committed stream, is the UUID (RFC 9562 version 8) made
 * of SM3(N || d || k as 32 bits || p as 64 bits), with the naming key
 * N = SM3("fiberkey application key ID" || L). Key indices start again with the link, so
 * L makes the IDs of one link session differ from every earlier one's. A follower
 * restarted with key k unacknowledged forms index k again, from other bits at another
 * position: p gives that key another ID, so no ID ever names two different keys. Only N
 * is kept (wiped when destroyed), never L, which is a ZUC key's seed; neither hash
 * reveals it.
 */
class key_namer
{
public:
    key_namer(std::span<const std::uint8_t, 32> link_key, std::uint32_t link_index);
    ~key_namer();
    key_namer(const key_namer&) = default;
    key_namer& operator=(const key_namer&) = default;

    //! The index of the link key it names after.
    std::uint32_t link_index() const { return d_link_index; }
    uuid_bytes id(std::uint8_t direction,
                  std::uint32_t key_index,
                  std::uint64_t stream_position) const;

private:
    std::array<std::uint8_t, 32> d_naming_key;
    std::uint32_t d_link_index;
};

//! key_namer(link_key, any).id(direction, key_index, stream_position).
uuid_bytes application_key_id(std::span<const std::uint8_t, 32> link_key,
                              std::uint8_t direction,
                              std::uint32_t key_index,
                              std::uint64_t stream_position);

//! Lowercase 8-4-4-4-12 text.
std::string uuid_text(const uuid_bytes& id);
//! The bytes of a UUID in 8-4-4-4-12 text (either case); nothing when it is not one.
std::optional<uuid_bytes> parse_uuid(std::string_view text);

} // namespace fiberkey

#endif
