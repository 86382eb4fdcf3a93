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
 * The ID of application key \p key_index of \p direction: a UUID (RFC 9562 version 8)
 * made of SM3("fiberkey application key ID" || L || direction || index) with L the link
 * seed key it is named after. Key indices start again with the link, so L makes the IDs
 * of one link session differ from every earlier one's; L is only ever a ZUC key, whose
 * secrecy is computational already, and the hash does not reveal it.
 */
uuid_bytes application_key_id(std::span<const std::uint8_t, 32> link_key,
                              std::uint8_t direction,
                              std::uint32_t key_index);

//! Lowercase 8-4-4-4-12 text.
std::string uuid_text(const uuid_bytes& id);
//! The bytes of a UUID in 8-4-4-4-12 text (either case); nothing when it is not one.
std::optional<uuid_bytes> parse_uuid(std::string_view text);

} // namespace fiberkey

#endif
