/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/random_source.h>

#include <openssl/rand.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

namespace fiberkey {

void csprng_random_source::fill(std::span<std::uint8_t> out)
{
    // RAND_bytes takes an int length.
    constexpr std::size_t chunk = 1u << 20;
    for (std::size_t done = 0; done < out.size(); done += chunk) {
        const auto n = std::min(chunk, out.size() - done);
        if (RAND_bytes(out.data() + done, static_cast<int>(n)) != 1)
            throw std::runtime_error("csprng_random_source: RAND_bytes failed");
    }
}

test_only_seeded_random_source::test_only_seeded_random_source(std::uint64_t seed)
{
    // SplitMix64 spreads the seed so that nearby seeds give unrelated states and the
    // state is never all zero.
    for (auto& s : d_state) {
        seed += 0x9e3779b97f4a7c15ull;
        std::uint64_t z = seed;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        s = z ^ (z >> 31);
    }
}

std::uint64_t test_only_seeded_random_source::next_word()
{
    const std::uint64_t result = std::rotl(d_state[1] * 5, 7) * 9;
    const std::uint64_t t = d_state[1] << 17;
    d_state[2] ^= d_state[0];
    d_state[3] ^= d_state[1];
    d_state[1] ^= d_state[2];
    d_state[0] ^= d_state[3];
    d_state[2] ^= t;
    d_state[3] = std::rotl(d_state[3], 45);
    return result;
}

void test_only_seeded_random_source::fill(std::span<std::uint8_t> out)
{
    std::size_t i = 0;
    for (; i + 8 <= out.size(); i += 8) {
        const auto w = next_word();
        std::memcpy(out.data() + i, &w, 8);
    }
    if (i < out.size()) {
        const auto w = next_word();
        std::memcpy(out.data() + i, &w, out.size() - i);
    }
}

} // namespace fiberkey
