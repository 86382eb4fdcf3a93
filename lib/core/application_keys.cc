/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/application_keys.h>
#include <fiberkey/hex.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/sm2_kex.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>
#include <string_view>
#include <vector>

namespace fiberkey {

key_split::key_split(std::uint32_t period) : d_period(period)
{
    if (period < 1 || period > 1024)
        throw std::invalid_argument("the link key period must be 1..1024 seed keys");
}

key_namer::key_namer(std::span<const std::uint8_t, 32> link_key, std::uint32_t link_index)
    : d_link_index(link_index)
{
    constexpr std::string_view label = "fiberkey application key ID";
    std::vector<std::uint8_t> input(label.begin(), label.end());
    input.insert(input.end(), link_key.begin(), link_key.end());
    d_naming_key = sm3(input);
    secure_wipe(input);
}

key_namer::~key_namer() { secure_wipe(d_naming_key); }

uuid_bytes key_namer::id(std::uint8_t direction,
                         std::uint32_t key_index,
                         std::uint64_t stream_position) const
{
    std::array<std::uint8_t, 45> input;
    std::copy(d_naming_key.begin(), d_naming_key.end(), input.begin());
    input[32] = direction;
    for (int i = 0; i < 4; ++i)
        input[33 + i] = static_cast<std::uint8_t>(key_index >> (24 - 8 * i));
    for (int i = 0; i < 8; ++i)
        input[37 + i] = static_cast<std::uint8_t>(stream_position >> (56 - 8 * i));
    auto digest = sm3(input);
    secure_wipe(input);
    uuid_bytes id;
    std::copy(digest.begin(), digest.begin() + 16, id.begin());
    secure_wipe(digest);
    id[6] = static_cast<std::uint8_t>((id[6] & 0x0f) | 0x80); // version 8
    id[8] = static_cast<std::uint8_t>((id[8] & 0x3f) | 0x80); // variant 10
    return id;
}

uuid_bytes application_key_id(std::span<const std::uint8_t, 32> link_key,
                              std::uint8_t direction,
                              std::uint32_t key_index,
                              std::uint64_t stream_position)
{
    return key_namer(link_key, 0).id(direction, key_index, stream_position);
}

// The dashes of 8-4-4-4-12 text.
constexpr std::size_t dashes[] = { 8, 13, 18, 23 };

std::string uuid_text(const uuid_bytes& id)
{
    std::string text = to_hex(id);
    for (auto at : dashes)
        text.insert(at, 1, '-');
    return text;
}

std::optional<uuid_bytes> parse_uuid(std::string_view text)
{
    if (text.size() != 36)
        return std::nullopt;
    std::string digits(text);
    for (auto it = std::rbegin(dashes); it != std::rend(dashes); ++it) {
        if (digits[*it] != '-')
            return std::nullopt;
        digits.erase(*it, 1);
    }
    uuid_bytes id;
    try {
        const auto bytes = from_hex(digits);
        std::copy(bytes.begin(), bytes.end(), id.begin());
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    return id;
}

} // namespace fiberkey
