/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/negotiator.h>
#include <fiberkey/round_model.h>
#include <fiberkey/statistics.h>

#include <gtest/gtest.h>

#include "negotiator_link.h"

#include <cmath>
#include <cstdio>
#include <random>
#include <set>

using namespace fiberkey;
using namespace fiberkey::test;
namespace fl = fiberkey::frame_layout;

namespace {
// The rounds whose messages a frame from node `from` carries: losing the frame, or
// garbling all of its numbering, may lose these and no others.
std::set<round_id> carried_rounds(uint8_t from, const negotiator_frame& f)
{
    std::set<round_id> r;
    if (f.neg.nd1_present)
        r.insert({ from, f.neg.send_seq });
    if (f.neg.nd2_present)
        r.insert({ static_cast<uint8_t>(from ^ 1), f.neg.response_seq });
    for (const auto& rec : f.int_records)
        if (const auto* c = std::get_if<int_c_feedback>(&rec))
            r.insert({ c->direction, c->sequence });
    return r;
}

std::set<round_id> all_rounds(uint8_t direction, uint16_t last)
{
    std::set<round_id> s;
    for (uint16_t q = 1; q <= last; ++q)
        s.insert({ direction, q });
    return s;
}

// Both nodes finished exactly `expected` rounds of each direction up to `last`.
void expect_agreement(const back_to_back& r,
                      uint16_t last,
                      const std::set<round_id>& lost)
{
    for (uint8_t d = 0; d < 2; ++d) {
        std::set<round_id> expected;
        for (const auto& id : all_rounds(d, last))
            if (!lost.count(id))
                expected.insert(id);
        EXPECT_EQ(r.finished(d, d, last), expected) << "leader of direction " << int(d);
        EXPECT_EQ(r.finished(d ^ 1, d, last), expected)
            << "follower of direction " << int(d);
    }
}

} // namespace

TEST(negotiator, noiseless_link_counts_zero_and_both_sides_agree)
{
    for (std::size_t delay : { 0u, 1u, 7u }) {
        back_to_back r;
        r.delay = delay;
        r.run(2000);
        expect_agreement(r, 1950, {}); // 4 x (delay + 1) frames for a round to settle
        for (int i = 0; i < 2; ++i) {
            for (const auto& [id, f] : r.counts[i])
                ASSERT_EQ(f, 0) << "delay " << delay << " node " << i;
            const auto& c = r.node[i].counters();
            EXPECT_EQ(c.leader.no_response + c.leader.follower_lost +
                          c.leader.verdict_missed + c.follower.missing_c1 +
                          c.follower.numbering_mismatch,
                      0u);
        }
    }
}

TEST(negotiator, local_noise_makes_f1_and_f2_strongly_correlated)
{
    back_to_back r;
    local_noise noise(77);
    noise.on(r);
    r.run(1100);
    for (uint8_t d = 0; d < 2; ++d) {
        std::vector<double> f1, f2;
        paired_counts(r, d, f1, f2);
        ASSERT_GE(f1.size(), 1000u);
        const double rho = pearson_correlation(f1, f2);
        std::printf("direction %d: %zu rounds, corr(F1, F2) = %.4f\n", d, f1.size(), rho);
        EXPECT_GE(rho, 0.9);
    }
    expect_agreement(r, 1090, {});
}

TEST(negotiator, lost_frames_lose_only_their_rounds_and_both_sides_agree)
{
    back_to_back r;
    r.delay = 3;
    std::mt19937_64 rng(3);
    std::set<round_id> hit;
    bool impair = true;
    r.channel = [&](uint8_t from, const negotiator_frame& sent, wire_frame&) {
        if (!impair || rng() % 100 >= 3)
            return true;
        hit.merge(carried_rounds(from, sent));
        return false;
    };
    r.run(4000);
    impair = false;
    r.run(50);
    EXPECT_GT(hit.size(), 300u);
    expect_agreement(r, 4000, hit);
}

TEST(negotiator, lost_int_blocks_lose_only_their_rounds_and_both_sides_agree)
{
    back_to_back r;
    r.delay = 2;
    std::mt19937_64 rng(4);
    std::set<round_id> hit;
    bool impair = true;
    r.channel = [&](uint8_t from, const negotiator_frame& sent, wire_frame& w) {
        if (impair && rng() % 100 < 3) {
            hit.merge(carried_rounds(from, sent));
            w.records.clear(); // uncorrectable INT: the block is dropped whole
        }
        return true;
    };
    r.run(4000);
    impair = false;
    r.run(50);
    EXPECT_GT(hit.size(), 300u);
    expect_agreement(r, 4000, hit);
    EXPECT_GT(r.node[0].counters().frames_without_bookkeeping, 0u);
}

// Channel errors on NEG numbering: the INT copy disagrees, so only the round that the
// garbled number belongs to is lost.
TEST(negotiator, rounds_with_garbled_neg_numbering_are_dropped_on_both_sides)
{
    back_to_back r;
    r.delay = 1;
    std::mt19937_64 rng(5);
    std::set<round_id> hit;
    bool impair = true;
    r.channel = [&](uint8_t from, const negotiator_frame& sent, wire_frame& w) {
        if (!impair)
            return true;
        auto& f = w.neg.fields;
        switch (rng() % 50) {
        case 0: // send sequence hit
            f.send_seq ^= static_cast<uint16_t>(1u << (rng() % 16));
            hit.insert({ from, sent.neg.send_seq });
            break;
        case 1: // status bit 0 hit
            f.nd1_present = false;
            w.neg.nd1_consistent = false;
            hit.insert({ from, sent.neg.send_seq });
            break;
        case 2: // response sequence hit
            if (sent.neg.nd2_present) {
                f.response_seq ^= static_cast<uint16_t>(1u << (rng() % 16));
                hit.insert({ static_cast<uint8_t>(from ^ 1), sent.neg.response_seq });
            }
            break;
        }
        return true;
    };
    r.run(4000);
    impair = false;
    r.run(50);
    EXPECT_GT(hit.size(), 300u);
    expect_agreement(r, 4000, hit);
    EXPECT_GT(r.node[0].counters().leader.numbering_mismatch, 0u);
    EXPECT_GT(r.node[0].counters().follower.numbering_mismatch, 0u);
}

TEST(negotiator, send_sequence_wraps_from_65535_to_1)
{
    auto a = config_for(0), b = config_for(1);
    a.first_send_seq = 65500;
    b.first_send_seq = 65530;
    back_to_back r(a, b);
    r.delay = 2;
    std::vector<uint16_t> sent_by_b;
    r.channel = [&](uint8_t from, const negotiator_frame& sent, wire_frame&) {
        if (from == 1)
            sent_by_b.push_back(sent.neg.send_seq);
        return true;
    };
    r.run(120);
    ASSERT_EQ(sent_by_b[5], 65535);
    EXPECT_EQ(sent_by_b[6], 1);
    EXPECT_EQ(sent_by_b[7], 2);

    for (uint8_t d = 0; d < 2; ++d) {
        const uint16_t first = d == 0 ? 65500 : 65530;
        std::set<round_id> expected;
        for (uint32_t k = 0; k < 90; ++k)
            expected.insert({ d, static_cast<uint16_t>((first - 1 + k) % 65535 + 1) });
        for (int at = 0; at < 2; ++at) {
            std::set<round_id> got;
            for (const auto& [id, f] : r.counts[at]) {
                EXPECT_EQ(f, 0);
                if (id.first == d && expected.count(id))
                    got.insert(id);
            }
            EXPECT_EQ(got, expected) << "direction " << int(d) << " at node " << at;
        }
    }
}

TEST(negotiator, queues_stay_within_their_bounds_and_count_what_overflows)
{
    auto a = config_for(0), b = config_for(1);
    a.max_rounds_in_flight = 32;
    b.max_responses_to_send = 16;
    negotiator na(a, std::make_unique<test_only_seeded_random_source>(1));
    negotiator nb(b, std::make_unique<test_only_seeded_random_source>(2));

    // B receives 100 frames and sends none: only 16 answers can wait.
    for (int i = 0; i < 100; ++i) {
        const auto f = na.transmit();
        nb.receive(neg_decoded{ f.neg }, f.int_records);
    }
    EXPECT_EQ(nb.queue_sizes().responses_to_send, 16u);
    EXPECT_EQ(nb.counters().follower.queue_full, 84u);
    // A heard nothing back: 32 rounds stay in flight.
    EXPECT_EQ(na.queue_sizes().awaiting_response, 32u);
    EXPECT_EQ(na.counters().leader.queue_full, 68u);

    // B answers its 16 newest; A gives up on the older rounds it still holds.
    for (int i = 0; i < 16; ++i) {
        const auto f = nb.transmit();
        na.receive(neg_decoded{ f.neg }, f.int_records);
    }
    EXPECT_EQ(nb.queue_sizes().responses_to_send, 0u);
    EXPECT_EQ(na.counters().leader.no_response, 32u - 16u);
    EXPECT_EQ(na.queue_sizes().c1_to_send, 16u);
}

TEST(negotiator, rounds_waiting_for_a_silent_peer_time_out)
{
    auto a = config_for(0);
    a.round_timeout_frames = 50;
    negotiator na(a, std::make_unique<test_only_seeded_random_source>(1));
    for (int i = 0; i < 120; ++i)
        na.transmit();
    EXPECT_EQ(na.queue_sizes().awaiting_response, 50u);
    EXPECT_EQ(na.counters().leader.no_response, 70u);
}

// The one documented way to disagree: the leader never sees a verdict covering a round.
// It counts each such round as verdict_missed, and nothing else differs.
TEST(negotiator, missed_verdicts_are_the_only_disagreement_and_are_counted)
{
    back_to_back r;
    r.delay = 1;
    std::size_t frame = 0;
    r.channel = [&](uint8_t from, const negotiator_frame&, wire_frame& w) {
        frame += from; // counts B's frames
        if (from == 1 && frame > 500 && frame <= 700)
            std::erase_if(w.records, [](const int_record& rec) {
                const auto* f = std::get_if<int_fragment>(&rec);
                return f && f->stream == negotiator::verdict_stream;
            });
        return true;
    };
    r.run(1000);
    const auto at_leader = r.finished(0, 0, 980), at_follower = r.finished(1, 0, 980);
    const auto missed = r.node[0].counters().leader.verdict_missed;
    EXPECT_GT(missed, 100u);
    EXPECT_EQ(at_follower.size(), 980u);
    EXPECT_EQ(at_follower.size() - at_leader.size(), missed);
    for (const auto& id : at_leader)
        EXPECT_TRUE(at_follower.count(id));
}

// Through the real NEG and INT codecs, with channel errors over the whole NEG block
// (numbering included) and over INT (RS corrects most): the records fit in one INT
// block, and both sides still agree.
TEST(negotiator, works_through_the_neg_and_int_codecs)
{
    back_to_back r;
    r.delay = 2;
    std::mt19937_64 rng(9);
    std::bernoulli_distribution channel_error(2e-3);
    bool impair = true;
    std::size_t numbering_hits = 0, int_lost = 0;
    std::set<round_id> hit;
    r.channel = [&](uint8_t from, const negotiator_frame& sent, wire_frame& w) {
        std::array<uint8_t, fl::block_bytes> neg, intb;
        neg_block::encode(sent.neg, neg);
        int_writer writer;
        for (const auto& rec : sent.int_records)
            EXPECT_TRUE(writer.add(rec));
        writer.finish(intb);
        if (impair) {
            for (auto* block : { &neg, &intb })
                for (std::size_t i = 0; i < block->size() * 8; ++i)
                    if (channel_error(rng))
                        (*block)[i / 8] ^= static_cast<uint8_t>(0x80u >> (i % 8));
            const auto got = neg_block::decode(neg).fields;
            if (got.nd1_present != sent.neg.nd1_present ||
                got.nd2_present != sent.neg.nd2_present ||
                got.send_seq != sent.neg.send_seq ||
                got.response_seq != sent.neg.response_seq) {
                ++numbering_hits;
                hit.merge(carried_rounds(from, sent)); // at most these
            }
        }
        w.neg = neg_block::decode(neg);
        const auto parsed = parse_int_block(intb);
        if (!parsed.ok()) {
            ++int_lost;
            hit.merge(carried_rounds(from, sent));
        }
        w.records = parsed.records;
        return true;
    };
    r.run(3000);
    impair = false;
    r.run(50);
    EXPECT_GT(numbering_hits, 20u);
    std::printf("%zu frames with NEG numbering hit, %zu INT blocks lost\n",
                numbering_hits,
                int_lost);
    for (uint8_t d = 0; d < 2; ++d) {
        const auto leader = r.finished(d, d, 3000), follower = r.finished(d ^ 1, d, 3000);
        EXPECT_EQ(leader, follower);
        for (const auto& id : all_rounds(d, 3000))
            EXPECT_TRUE(hit.count(id) || leader.count(id)) << int(d) << " " << id.second;
        // About 7 % lost to 34 numbering bits per round, 6 % to 2 % of INT blocks lost.
        EXPECT_GT(leader.size(), 2500u);
    }
}

// The round model against the real chain of this file (arrays, noise per frame and
// field, XOR feedback): m = 496, local BER log-uniform in [1e-3, 0.2], no link errors.
// 20,000 negotiated rounds set the tolerances, about 4 standard errors each: mean F
// (sigma ~ 32): SE 0.23 -> 1.0; sigma (a wide mixture): SE ~ 0.3 -> 1.2; correlation:
// SE ~ 0.0015 -> 0.006.
TEST(negotiator_vs_round_model, mean_sigma_and_correlation_agree)
{
    back_to_back r;
    local_noise noise(101);
    noise.on(r);
    r.run(10000);
    std::vector<double> f1, f2;
    for (uint8_t d = 0; d < 2; ++d)
        paired_counts(r, d, f1, f2);
    ASSERT_GE(f1.size(), 19900u);

    round_model model(round_model_config{},
                      std::make_unique<test_only_seeded_random_source>(102));
    std::vector<model_round> rounds(1000000);
    model.generate(0, rounds);
    std::vector<double> g1, g2;
    for (const auto& x : rounds) {
        g1.push_back(x.f1);
        g2.push_back(x.f2);
    }

    const auto chain1 = mean_sigma(f1), chain2 = mean_sigma(f2);
    const auto model1 = mean_sigma(g1), model2 = mean_sigma(g2);
    const double chain_rho = pearson_correlation(f1, f2);
    const double model_rho = pearson_correlation(g1, g2);
    std::printf("chain: mean %.3f/%.3f sigma %.3f/%.3f corr %.4f (%zu rounds)\n",
                chain1.mean,
                chain2.mean,
                chain1.sigma,
                chain2.sigma,
                chain_rho,
                f1.size());
    std::printf("model: mean %.3f/%.3f sigma %.3f/%.3f corr %.4f (%zu rounds)\n",
                model1.mean,
                model2.mean,
                model1.sigma,
                model2.sigma,
                model_rho,
                g1.size());
    EXPECT_NEAR(chain1.mean, model1.mean, 1.0);
    EXPECT_NEAR(chain2.mean, model2.mean, 1.0);
    EXPECT_NEAR(chain1.sigma, model1.sigma, 1.2);
    EXPECT_NEAR(chain2.sigma, model2.sigma, 1.2);
    EXPECT_NEAR(chain_rho, model_rho, 0.006);
}
