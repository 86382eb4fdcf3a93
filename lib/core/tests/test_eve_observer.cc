/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/eve_observer.h>
#include <fiberkey/round_model.h>
#include <fiberkey/statistics.h>

#include <gtest/gtest.h>

#include "negotiator_link.h"

#include <bit>
#include <cstdio>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

using namespace fiberkey;
using namespace fiberkey::test;

namespace {
constexpr std::size_t array_bytes = 496 / 8;

unsigned weight_of_difference(const nd_array& a, const nd_array& b)
{
    unsigned w = 0;
    for (std::size_t i = 0; i < array_bytes; ++i)
        w += std::popcount(static_cast<uint8_t>(a[i] ^ b[i]));
    return w;
}

// Eve on both fibers of a back_to_back link: each frame as sent, with her own receiver's
// bit errors on the NEG arrays (the INT records she decodes intact: RS corrects them).
struct tapped_link {
    explicit tapped_link(std::array<double, 2> her_ber = { 0.0, 0.0 },
                         negotiator_config a = config_for(0),
                         negotiator_config b = config_for(1))
        : r(a, b), eve(config(her_ber)), her_ber(her_ber)
    {
        r.channel = [this](uint8_t from, const negotiator_frame& sent, wire_frame& w) {
            noise.apply(w.neg.fields);
            // The true error weights: e(X1) as the follower decides ND1, e(Y1) as the
            // leader decides ND2.
            if (sent.neg.nd1_present)
                true_leader[{ from, sent.neg.send_seq }] =
                    weight_of_difference(sent.neg.x1, w.neg.fields.x1);
            if (sent.neg.nd2_present)
                true_follower[{ static_cast<uint8_t>(from ^ 1), sent.neg.response_seq }] =
                    weight_of_difference(sent.neg.y1, w.neg.fields.y1);
            if (tap(from, sent))
                see(from, sent);
            return true;
        };
    }

    static eve_observer_config config(std::array<double, 2> her_ber)
    {
        eve_observer_config c;
        c.her_ber = her_ber;
        return c;
    }

    void see(uint8_t from, const negotiator_frame& sent)
    {
        neg_fields f = sent.neg;
        for (auto* a : { &f.x1, &f.x2, &f.y1, &f.y2 })
            her_noise.flip(*a, her_ber[from]);
        eve.receive(from, neg_decoded{ f }, sent.int_records);
        for (const auto& e : eve.take_completed())
            EXPECT_TRUE(seen.emplace(round_id{ e.direction, e.sequence }, e).second)
                << "round reconstructed twice";
    }

    // Rounds of `direction` finished at node `at` (or by Eve, at = 2) up to `last`.
    std::set<round_id> finished(int at, uint8_t direction, uint16_t last) const
    {
        if (at < 2)
            return r.finished(at, direction, last);
        std::set<round_id> s;
        for (const auto& [id, e] : seen)
            if (id.first == direction && id.second <= last)
                s.insert(id);
        return s;
    }

    back_to_back r;
    local_noise noise{ 41 };
    local_noise her_noise{ 42 };
    eve_observer eve;
    std::array<double, 2> her_ber;
    std::function<bool(uint8_t, const negotiator_frame&)> tap =
        [](uint8_t, const negotiator_frame&) { return true; };
    std::map<round_id, unsigned> true_leader, true_follower;
    std::map<round_id, eve_round> seen;
};
} // namespace

TEST(eve_observer, without_her_own_errors_she_sees_the_true_error_weights)
{
    tapped_link t;
    t.r.delay = 2;
    t.r.run(1100);
    for (uint8_t d = 0; d < 2; ++d) {
        const auto eve = t.finished(2, d, 1050);
        ASSERT_EQ(eve.size(), 1050u) << "direction " << int(d);
        EXPECT_EQ(eve, t.finished(d, d, 1050)) << "leader of direction " << int(d);
        EXPECT_EQ(eve, t.finished(d ^ 1, d, 1050)) << "follower of direction " << int(d);
    }
    const unsigned m = 496;
    for (const auto& [id, e] : t.seen) {
        ASSERT_EQ(e.seen_leader_errors, t.true_leader.at(id));
        ASSERT_EQ(e.seen_follower_errors, t.true_follower.at(id));
        ASSERT_DOUBLE_EQ(e.estimate,
                         e.seen_leader_errors + double(e.seen_follower_errors) / m *
                                                    (m - 2.0 * e.seen_leader_errors));
    }
    const auto& c = t.eve.counters();
    EXPECT_EQ(c.frames, 2 * 1100u);
    EXPECT_EQ(c.drops(), 0u);
    EXPECT_LE(t.eve.pending(), 2 * 4 * 3u); // the rounds in flight at the end
}

// Sequences cycle 1..65535: rounds on both sides of the wrap are paired as at the nodes.
// With no delay line Eve and the followers see the same frames, so the same rounds.
TEST(eve_observer, pairs_rounds_across_the_sequence_wrap)
{
    auto a = config_for(0), b = config_for(1);
    a.first_send_seq = 65400;
    b.first_send_seq = 65530;
    tapped_link t({ 0.0, 0.0 }, a, b);
    t.r.run(400);
    for (uint8_t d = 0; d < 2; ++d) {
        std::set<round_id> eve, follower;
        for (const auto& [id, e] : t.seen)
            if (id.first == d)
                eve.insert(id);
        for (const auto& [id, f] : t.r.counts[d ^ 1])
            if (id.first == d)
                follower.insert(id);
        EXPECT_EQ(eve, follower) << "direction " << int(d);
        EXPECT_GT(eve.size(), 390u);
        EXPECT_TRUE(eve.count({ d, 65535 }) && eve.count({ d, 1 }));
    }
    for (const auto& [id, e] : t.seen)
        ASSERT_EQ(e.seen_leader_errors, t.true_leader.at(id));
    EXPECT_EQ(t.eve.counters().drops(), 0u);
}

// Her estimate against F1 and F2 of the real chain, and both against the round model
// with the same settings (local BER log-uniform in [1e-3, 0.2], no link errors, her BER
// 1 % from A and 2 % from B). About 4,000 rounds: the SE of a correlation near 0.9 is
// about 0.003, and the tolerance 0.015 is 5 of them.
TEST(eve_observer, her_estimate_correlates_with_f1_and_f2_as_the_model_says)
{
    const std::array<double, 2> her_ber{ 0.01, 0.02 };
    tapped_link t(her_ber);
    t.r.run(2100);
    std::vector<double> f1, f2, est;
    for (uint8_t d = 0; d < 2; ++d)
        for (const auto& [id, f] : t.r.counts[d])
            if (id.first == d)
                if (const auto e = t.seen.find(id); e != t.seen.end()) {
                    f1.push_back(f);
                    f2.push_back(t.r.counts[d ^ 1].at(id));
                    est.push_back(e->second.estimate);
                }
    ASSERT_GE(f1.size(), 4000u);

    round_model_config mc;
    mc.simulate_eve = true;
    mc.eve_ber = her_ber;
    round_model model(mc, std::make_unique<test_only_seeded_random_source>(43));
    std::vector<model_round> rounds(400000);
    model.generate(0, rounds);
    std::vector<double> g1, g2, gest;
    for (const auto& x : rounds) {
        g1.push_back(x.f1);
        g2.push_back(x.f2);
        gest.push_back(x.eve_estimate);
    }

    const double rho1 = pearson_correlation(est, f1), rho2 = pearson_correlation(est, f2);
    const double model1 = pearson_correlation(gest, g1),
                 model2 = pearson_correlation(gest, g2);
    const double rho12 = pearson_correlation(f1, f2);
    std::printf("chain: corr(eve, F1) %.4f corr(eve, F2) %.4f corr(F1, F2) %.4f "
                "mean eve %.2f F1 %.2f (%zu rounds)\n",
                rho1,
                rho2,
                rho12,
                mean_sigma(est).mean,
                mean_sigma(f1).mean,
                f1.size());
    std::printf("model: corr(eve, F1) %.4f corr(eve, F2) %.4f mean eve %.2f F1 %.2f\n",
                model1,
                model2,
                mean_sigma(gest).mean,
                mean_sigma(g1).mean);
    EXPECT_NEAR(rho1, model1, 0.015);
    EXPECT_NEAR(rho2, model2, 0.015);
    EXPECT_NEAR(mean_sigma(est).mean, mean_sigma(gest).mean, 1.5);
    EXPECT_GT(rho1, rho12); // what C1 and C2 reveal beats being the other node
}

TEST(eve_observer, garbled_and_missing_frames_are_counted_drops)
{
    tapped_link t;
    t.r.delay = 1;
    std::mt19937_64 rng(44);
    std::size_t fed = 0;
    bool tapping = true;
    t.tap = [&](uint8_t from, const negotiator_frame& sent) {
        if (!tapping)
            return false;
        ++fed;
        switch (rng() % 40) {
        case 0: // the frame lost whole
            --fed;
            return false;
        case 1: // INT uncorrectable
            t.eve.receive(from, neg_decoded{ sent.neg }, {});
            return false;
        case 2: { // NEG numbering hit
            auto f = sent.neg;
            f.send_seq ^= static_cast<uint16_t>(1u << (rng() % 16));
            f.response_seq ^= static_cast<uint16_t>(1u << (rng() % 16));
            t.eve.receive(from, neg_decoded{ f }, sent.int_records);
            return false;
        }
        case 3: { // C records of the wrong size, and of no direction
            auto records = sent.int_records;
            for (auto& rec : records)
                if (auto* c = std::get_if<int_c_feedback>(&rec)) {
                    if (rng() % 2)
                        c->c.resize(rng() % 100);
                    else
                        c->direction = static_cast<uint8_t>(2 + rng() % 254);
                }
            t.eve.receive(from, neg_decoded{ sent.neg }, records);
            return false;
        }
        case 4: // on the wrong fiber: no round record of that sender
            t.eve.receive(from ^ 1, neg_decoded{ sent.neg }, sent.int_records);
            return false;
        case 5: // seen twice
            ++fed;
            t.see(from, sent);
            return true;
        }
        return true;
    };
    t.r.run(3000);
    tapping = false;
    t.r.run(10); // the nodes take in the frames still on the line

    const auto& c = t.eve.counters();
    EXPECT_EQ(c.frames, fed);
    EXPECT_GT(c.frames_without_bookkeeping, 100u);
    EXPECT_GT(c.numbering_mismatch, 50u);
    EXPECT_GT(c.bad_records, 20u);
    EXPECT_GT(c.late_parts, 50u);
    EXPECT_GT(c.expired, 100u);
    EXPECT_GT(c.missing_c2, 0u);
    // What she does reconstruct is exact, and a round the nodes finished.
    EXPECT_GT(t.seen.size(), 4000u);
    for (const auto& [id, e] : t.seen) {
        ASSERT_EQ(e.seen_leader_errors, t.true_leader.at(id));
        ASSERT_EQ(e.seen_follower_errors, t.true_follower.at(id));
        ASSERT_TRUE(t.r.counts[id.first ^ 1].count(id));
    }
}

TEST(eve_observer, random_input_is_counted_never_trusted)
{
    eve_observer eve(eve_observer_config{});
    std::mt19937_64 rng(45);
    for (int i = 0; i < 20000; ++i) {
        neg_decoded neg;
        auto& f = neg.fields;
        f.nd1_present = rng() % 2;
        f.nd2_present = rng() % 2;
        f.send_seq = static_cast<uint16_t>(rng() % 8);
        f.response_seq = static_cast<uint16_t>(rng() % 8);
        std::vector<int_record> records;
        for (int k = rng() % 5; k > 0; --k) {
            const auto dir = static_cast<uint8_t>(rng() % 3);
            const auto seq = static_cast<uint16_t>(rng() % 8);
            if (rng() % 2)
                records.emplace_back(
                    int_round{ dir, seq, static_cast<uint16_t>(rng() % 8) });
            else
                records.emplace_back(int_c_feedback{ dir,
                                                     seq,
                                                     static_cast<uint16_t>(rng() % 600),
                                                     std::vector<uint8_t>(rng() % 70) });
        }
        eve.receive(static_cast<uint8_t>(rng() % 2), neg, records);
    }
    for (const auto& r : eve.take_completed())
        EXPECT_LE(r.seen_leader_errors + r.seen_follower_errors, 2 * 496);
    EXPECT_EQ(eve.counters().frames, 20000u);
    EXPECT_GT(eve.counters().drops(), 0u);
    EXPECT_THROW(eve.receive(2, neg_decoded{}, {}), std::invalid_argument);
}

// A leader whose rounds are never answered: the window holds the newest ones, across
// the wrap, and every older one is counted once as expired.
TEST(eve_observer, memory_is_bounded_by_the_window)
{
    auto a = config_for(0);
    a.first_send_seq = 64000;
    negotiator leader(a, std::make_unique<test_only_seeded_random_source>(46));
    eve_observer_config c;
    c.window = 64;
    eve_observer eve(c);
    for (int i = 0; i < 5000; ++i) {
        const auto f = leader.transmit();
        eve.receive(0, neg_decoded{ f.neg }, f.int_records);
    }
    EXPECT_EQ(eve.pending(), 64u);
    EXPECT_EQ(eve.counters().expired, 5000u - 64u);
    EXPECT_EQ(eve.counters().rounds, 0u);
}

TEST(eve_observer, bad_configuration_is_refused)
{
    eve_observer_config c;
    c.bits = 500;
    EXPECT_THROW(eve_observer{ c }, std::invalid_argument);
    c = {};
    c.window = 0;
    EXPECT_THROW(eve_observer{ c }, std::invalid_argument);
    c = {};
    c.her_ber = { 0.5, 0.0 };
    EXPECT_THROW(eve_observer{ c }, std::invalid_argument);
    eve_observer eve(eve_observer_config{});
    EXPECT_THROW(eve.set_her_ber({ 0.0, -0.1 }), std::invalid_argument);
}

// The model and the observer share one estimate: spot values of the formula.
TEST(eve_observer, estimate_unbiases_her_errors_and_clamps)
{
    EXPECT_DOUBLE_EQ(eve_estimate(0, 0, 496, 0.0), 0.0);
    EXPECT_DOUBLE_EQ(eve_estimate(10, 20, 100, 0.0), 10 + 0.2 * 80);
    // With g = 0.1: k^ = (w - 10) / 0.8.
    EXPECT_DOUBLE_EQ(eve_estimate(18, 26, 100, 0.1), 10 + 0.2 * 80);
    EXPECT_DOUBLE_EQ(eve_estimate(5, 5, 100, 0.1), 0.0); // below her own error rate
    EXPECT_DOUBLE_EQ(either_flips(0.1, 0.2), 0.1 + 0.2 - 2 * 0.02);
}
