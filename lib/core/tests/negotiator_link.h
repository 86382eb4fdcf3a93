/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_TESTS_NEGOTIATOR_LINK_H
#define FIBERKEY_TESTS_NEGOTIATOR_LINK_H

// Two negotiators run against each other frame by frame, with the channel and the local
// noise of the tests, from FIXED SEEDS (reproducible test data, not secret).

#include <fiberkey/negotiator.h>

#include <cmath>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <utility>
#include <vector>

namespace fiberkey::test {

using round_id = std::pair<uint8_t, uint16_t>; // direction, sequence

struct wire_frame {
    neg_decoded neg;
    std::vector<int_record> records;
};

inline negotiator_config config_for(uint8_t direction)
{
    negotiator_config c;
    c.direction = direction;
    return c;
}

// Two nodes back to back: node 0 is A, node 1 is B. Every frame goes through `channel`,
// which may change it or lose it whole, then through a delay line of `delay` frames.
struct back_to_back {
    explicit back_to_back(negotiator_config a = config_for(0),
                          negotiator_config b = config_for(1),
                          uint64_t seed = 1)
        : node{ negotiator(a, std::make_unique<test_only_seeded_random_source>(seed)),
                negotiator(b,
                           std::make_unique<test_only_seeded_random_source>(seed + 1)) }
    {
    }

    void run(std::size_t frames)
    {
        for (std::size_t n = 0; n < frames; ++n) {
            for (uint8_t from = 0; from < 2; ++from) {
                const auto sent = node[from].transmit();
                wire_frame w{ neg_decoded{ sent.neg }, sent.int_records };
                const bool arrives = channel(from, sent, w);
                line[from].push_back(arrives ? std::optional(std::move(w))
                                             : std::nullopt);
            }
            for (uint8_t from = 0; from < 2; ++from) {
                while (line[from].size() > delay) {
                    if (line[from].front())
                        node[from ^ 1].receive(line[from].front()->neg,
                                               line[from].front()->records);
                    line[from].pop_front();
                }
            }
            for (int i = 0; i < 2; ++i)
                for (const auto& c : node[i].take_completed())
                    counts[i][{ c.direction, c.sequence }] = c.count;
        }
    }

    // Rounds of `direction` finished at `at`, up to sequence `last` (no wrap).
    std::set<round_id> finished(int at, uint8_t direction, uint16_t last) const
    {
        std::set<round_id> s;
        for (const auto& [id, f] : counts[at])
            if (id.first == direction && id.second <= last)
                s.insert(id);
        return s;
    }

    negotiator node[2];
    std::size_t delay = 0;
    std::function<bool(uint8_t, const negotiator_frame&, wire_frame&)> channel =
        [](uint8_t, const negotiator_frame&, wire_frame&) { return true; };
    std::deque<std::optional<wire_frame>> line[2];
    std::map<round_id, uint16_t> counts[2]; // per node: round -> F1 or F2
};

// Local noise as protocol.md section 7 has it: one BER per NEG field of each received
// frame, log-uniform in [lo, hi], shared by the two arrays of the field.
struct local_noise {
    explicit local_noise(uint64_t seed, double lo = 1e-3, double hi = 0.2)
        : rng(seed), log_ber(std::log(lo), std::log(hi))
    {
    }

    void flip(nd_array& a, double p)
    {
        std::bernoulli_distribution bit(p);
        for (auto& byte : a)
            for (int b = 0; b < 8; ++b)
                if (bit(rng))
                    byte ^= static_cast<uint8_t>(1u << b);
    }

    void apply(neg_fields& f)
    {
        const double p1 = std::exp(log_ber(rng)), p2 = std::exp(log_ber(rng));
        flip(f.x1, p1);
        flip(f.x2, p1);
        flip(f.y1, p2);
        flip(f.y2, p2);
    }

    //! Puts this noise on every NEG block that \p r carries, as the receivers would.
    void on(back_to_back& r)
    {
        r.channel = [this](uint8_t, const negotiator_frame&, wire_frame& w) {
            apply(w.neg.fields);
            return true;
        };
    }

    std::mt19937_64 rng;
    std::uniform_real_distribution<double> log_ber;
};

// F1 at the leader and F2 at the follower of the rounds both finished.
inline void paired_counts(const back_to_back& r,
                          uint8_t d,
                          std::vector<double>& f1,
                          std::vector<double>& f2)
{
    for (const auto& [id, f] : r.counts[d])
        if (id.first == d)
            if (const auto it = r.counts[d ^ 1].find(id); it != r.counts[d ^ 1].end()) {
                f1.push_back(f);
                f2.push_back(it->second);
            }
}

} // namespace fiberkey::test

#endif
