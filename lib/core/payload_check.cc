/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/payload_check.h>

#include <algorithm>
#include <bit>
#include <stdexcept>

namespace fiberkey {

payload_check::payload_check(std::vector<std::uint8_t> pattern)
    : d_pattern(std::move(pattern))
{
    if (d_pattern.empty())
        throw std::invalid_argument("payload_check: the pattern is empty");
    if (d_pattern.front() == 0)
        throw std::invalid_argument(
            "payload_check: the pattern must start with a non-zero byte (zeros before "
            "it are taken as idle)");
}

void payload_check::process(std::span<const std::uint8_t> received)
{
    std::size_t done = 0;
    if (!d_counts.started) {
        const auto first = std::find_if(
            received.begin(), received.end(), [](std::uint8_t b) { return b != 0; });
        done = static_cast<std::size_t>(first - received.begin());
        d_counts.idle_bytes += done;
        d_counts.started = done < received.size();
    }
    while (done < received.size()) {
        const std::size_t take =
            std::min(received.size() - done, d_pattern.size() - d_offset);
        const std::uint8_t* in = received.data() + done;
        const std::uint8_t* ref = d_pattern.data() + d_offset;
        std::uint64_t bytes_wrong = 0, bits_wrong = 0;
        for (std::size_t i = 0; i < take; ++i) {
            const auto diff = static_cast<unsigned>(in[i] ^ ref[i]);
            bytes_wrong += diff != 0;
            bits_wrong += static_cast<unsigned>(std::popcount(diff));
        }
        d_counts.bytes += take;
        d_counts.bytes_wrong += bytes_wrong;
        d_counts.bits_wrong += bits_wrong;
        d_offset = (d_offset + take) % d_pattern.size();
        done += take;
    }
}

} // namespace fiberkey
