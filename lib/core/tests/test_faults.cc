/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Faults across core classes (docs/faults.md): a post-processor restarted mid-batch, and
// re-keying through lost frames with the receiver's counter tracking and key schedule.
#include "correlated_counts.h"

#include <fiberkey/frame_counter_tracker.h>
#include <fiberkey/key_schedule.h>
#include <fiberkey/post_processor.h>

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <random>
#include <set>

using namespace fiberkey;

namespace {

// Reproducible nonces and seeds: tests only, never for real keys.
std::function<void(std::span<std::uint8_t>)> insecure_test_rng(std::uint64_t seed)
{
    auto rng = std::make_shared<std::mt19937_64>(seed);
    return [rng](std::span<std::uint8_t> out) {
        for (auto& b : out)
            b = static_cast<std::uint8_t>((*rng)());
    };
}

constexpr std::uint8_t syndrome_type = 3, result_type = 4; // post_processor.h wire format

// One direction's two post-processors, messages delivered at once and in order; either
// side can be replaced by a fresh object (a restart) while the other keeps its state.
class restart_link
{
public:
    explicit restart_link(std::uint64_t seed)
        : d_gen(seed, 12.0, test::noise_for_disagreement(12.0, 0.02))
    {
        d_cfg.quantizer.mode = quantizer_mode::equiprobable;
        d_cfg.quantizer.bits_per_round = 2;
        d_cfg.batch_rounds = 256;
        d_cfg.abandon_after_rounds = 512;
        d_cfg.random = insecure_test_rng(seed + 1);
        d_leader = make(pp_role::leader);
        d_follower = make(pp_role::follower);
    }

    //! Rounds until a message of \p type is about to be delivered, which is then handed to
    //! \p on_intercept instead; or \p rounds rounds when type is 0.
    void run(std::size_t rounds,
             std::uint8_t type = 0,
             std::function<void(std::vector<std::uint8_t>&)> on_intercept = {})
    {
        for (std::size_t i = 0; i < rounds; ++i) {
            d_sequence = static_cast<std::uint16_t>(d_sequence % 65535 + 1);
            const auto [f1, f2] = d_gen.next();
            d_leader->add_round(d_sequence, f1);
            d_follower->add_round(d_sequence, f2);
            if (exchange(type, on_intercept))
                return;
        }
        ASSERT_EQ(type, 0) << "the message to intercept never came";
    }

    std::unique_ptr<post_processor>& side(pp_role r)
    {
        return r == pp_role::leader ? d_leader : d_follower;
    }

    void restart(pp_role r)
    {
        collect();
        side(r) = make(r);
    }

    void deliver(std::vector<std::uint8_t>& msg, pp_role to)
    {
        side(to)->handle_message(msg);
        exchange(0, {});
    }

    // Keys emitted so far by either side, every object of it, by key index.
    std::multimap<std::uint32_t, seed_key>& keys(pp_role r)
    {
        collect();
        return r == pp_role::leader ? d_leader_keys : d_follower_keys;
    }

    //! Key indexes both sides emitted, with the same contents; fails on any disagreement.
    std::size_t paired_since(std::uint32_t first_index)
    {
        collect();
        std::size_t paired = 0;
        for (const auto& [index, k] : d_leader_keys) {
            if (index < first_index)
                continue;
            const auto [lo, hi] = d_follower_keys.equal_range(index);
            EXPECT_NE(lo, hi) << "leader key " << index << " has no follower key";
            bool same = false;
            for (auto it = lo; it != hi; ++it)
                same = same || (it->second.key == k.key &&
                                it->second.stream_position == k.stream_position);
            EXPECT_TRUE(same) << "key " << index << " differs between the sides";
            paired += same;
        }
        // A follower key whose index the leader also used must be that same key.
        for (const auto& [index, k] : d_follower_keys) {
            const auto [lo, hi] = d_leader_keys.equal_range(index);
            for (auto it = lo; it != hi; ++it) {
                if (it->second.stream_position == k.stream_position) {
                    EXPECT_EQ(it->second.key, k.key) << "key " << index;
                }
            }
        }
        return paired;
    }

private:
    std::unique_ptr<post_processor> make(pp_role r)
    {
        auto c = d_cfg;
        c.role = r;
        return std::make_unique<post_processor>(c);
    }

    // Delivers messages both ways until none are left; true once one was intercepted.
    bool exchange(std::uint8_t type,
                  const std::function<void(std::vector<std::uint8_t>&)>& f)
    {
        for (bool busy = true; busy;) {
            busy = false;
            for (auto from : { pp_role::leader, pp_role::follower }) {
                const auto to =
                    from == pp_role::leader ? pp_role::follower : pp_role::leader;
                auto msgs = side(from)->take_messages();
                for (std::size_t i = 0; i < msgs.size(); ++i) {
                    busy = true;
                    if (type != 0 && msgs[i][0] == type) {
                        // Whatever followed it is lost with the restart that comes now.
                        f(msgs[i]);
                        return true;
                    }
                    EXPECT_TRUE(side(to)->handle_message(msgs[i]).accepted);
                }
            }
        }
        return false;
    }

    void collect()
    {
        for (auto& k : d_leader->take_keys())
            d_leader_keys.emplace(k.key_index, k);
        for (auto& k : d_follower->take_keys())
            d_follower_keys.emplace(k.key_index, k);
        d_leader->take_reports();
        d_follower->take_reports();
    }

    post_processor_config d_cfg;
    test::correlated_counts d_gen;
    std::unique_ptr<post_processor> d_leader, d_follower;
    std::uint16_t d_sequence = 0;
    std::multimap<std::uint32_t, seed_key> d_leader_keys, d_follower_keys;
};

std::uint32_t next_index(const std::multimap<std::uint32_t, seed_key>& keys)
{
    return keys.empty() ? 0 : keys.rbegin()->first + 1;
}

} // namespace

// The follower restarts while the leader's SYNDROME is on its way: the new follower
// answers that it does not know the batch, the leader counts the batch failed, and the
// keys of the batches after it agree on both sides, their numbering carried on.
TEST(faults, follower_restarted_mid_batch)
{
    restart_link link(101);
    link.run(16 * 256);
    const auto before = next_index(link.keys(pp_role::leader));
    ASSERT_GE(before, 2u);
    const auto failed = link.side(pp_role::leader)->stats().batches_failed;
    link.run(2 * 256, syndrome_type, [&](std::vector<std::uint8_t>& syndrome) {
        link.restart(pp_role::follower);
        link.deliver(syndrome, pp_role::follower);
    });
    EXPECT_EQ(link.side(pp_role::leader)->stats().batches_failed, failed + 1);
    link.run(16 * 256);
    EXPECT_GE(link.side(pp_role::follower)->stats().resyncs, 1u);
    EXPECT_GE(link.paired_since(before), 2u);
    EXPECT_EQ(link.paired_since(0), link.keys(pp_role::leader).size());
}

// The leader restarts while the follower's RESULT is on its way: the new leader ignores
// it (an earlier instance's), the follower drops the output it held for that batch and
// adopts the new leader's stream; keys agree again, their numbering carried on.
TEST(faults, leader_restarted_mid_batch)
{
    restart_link link(202);
    link.run(16 * 256);
    const auto before = next_index(link.keys(pp_role::leader));
    ASSERT_GE(before, 2u);
    link.run(2 * 256, result_type, [&](std::vector<std::uint8_t>& result) {
        const auto& old = link.side(pp_role::leader)->stats();
        // The batch in flight dies with the old object: started, never ended.
        EXPECT_EQ(old.batches_started,
                  old.batches_reconciled + old.batches_failed + old.batches_abandoned +
                      old.batches_too_small + 1);
        link.restart(pp_role::leader);
        link.deliver(result, pp_role::leader);
        EXPECT_EQ(link.side(pp_role::leader)->stats().messages_ignored, 1u);
    });
    const auto resyncs = link.side(pp_role::follower)->stats().resyncs;
    link.run(16 * 256);
    EXPECT_GT(link.side(pp_role::follower)->stats().resyncs, resyncs);
    EXPECT_GE(link.paired_since(before), 2u);
    EXPECT_EQ(link.paired_since(0), link.keys(pp_role::leader).size());
}

namespace {

struct rekey_run {
    std::size_t sent = 0, received = 0, decrypted_right = 0, decrypted_wrong = 0;
    std::size_t refused = 0, keys_activated = 0;
    std::size_t last_wrong = 0; //!< frame time of the last wrong decryption
};

/*
 * One direction of the link at the level of keys and counters: the transmitter's key
 * schedule, a line that loses frames, the receiver's counter tracker and key schedule.
 * Keys are installed as the post-processors do: the follower's receive side first, the
 * leader's transmit side once the acknowledgement arrives, one to three at a time, after
 * a delay; frames are lost at random and in long runs while re-keys are under way; the
 * transmitter's counter once steps back (its frame source restarted). Returns figures;
 * every (key, counter) pair used to encrypt is checked to be new.
 */
rekey_run run_rekeys(std::uint64_t seed, std::size_t frames, std::size_t quiet_tail)
{
    std::mt19937_64 rng(seed);
    key_schedule tx(key_schedule::role::transmit), rx(key_schedule::role::receive);
    frame_counter_tracker tracker;
    auto random_key = [&] {
        session_key k;
        for (auto& b : k)
            b = static_cast<std::uint8_t>(rng());
        return k;
    };
    const session_key first = random_key();
    tx.install(first, 0, 0);
    rx.install(first, 0, 0);

    std::set<std::pair<session_key, std::uint32_t>> used;
    std::multimap<std::size_t, std::pair<session_key, unsigned>> acks; // due frame -> key
    unsigned next_epoch = 1;
    std::uint32_t counter = 0;
    std::size_t lose_until = 0, last_due = 0;
    rekey_run r;
    const std::size_t faulty_until = frames - quiet_tail;
    for (std::size_t t = 0; t < frames; ++t, ++counter) {
        // New keys: the receive side holds them before the transmit side.
        if (rng() % 400 == 0) {
            const auto n = 1 + rng() % 3;
            // Acknowledged in key order: the leader emits keys by increasing index.
            last_due = std::max(last_due, t + rng() % 60);
            const std::size_t due = last_due;
            for (unsigned i = 0; i < n; ++i) {
                const auto k = random_key();
                rx.install(k, next_epoch, std::nullopt);
                acks.emplace(due, std::pair{ k, next_epoch });
                next_epoch = (next_epoch + 1) % key_schedule::epochs;
            }
        }
        for (auto it = acks.begin(); it != acks.end() && it->first <= t;) {
            tx.install(it->second.first, it->second.second, std::nullopt);
            it = acks.erase(it);
        }
        if (t == frames / 3)
            counter -= 50; // the frame source restarted: these counters were used

        const auto active = tx.active_epoch();
        const auto sel = tx.for_transmit(counter);
        if (sel.result != key_schedule::verdict::ok) {
            ++r.refused;
            continue;
        }
        r.keys_activated += tx.active_epoch() != active;
        EXPECT_TRUE(used.insert({ *sel.key, counter }).second)
            << "keystream reused: counter " << counter;
        ++r.sent;

        // The line: random losses and, now and then, a run of lost frames.
        if (t < faulty_until) {
            if (rng() % 300 == 0)
                lose_until = t + 1 + rng() % 40;
            if (t < lose_until || rng() % 50 == 0)
                continue;
        }
        ++r.received;
        const auto view = tracker.on_frame(counter, sel.epoch);
        if (!view)
            continue;
        const auto got = rx.for_receive(view->counter, view->epoch);
        if (got.result != key_schedule::verdict::ok)
            continue;
        if (*got.key == *sel.key && view->counter == counter) {
            ++r.decrypted_right;
        } else {
            ++r.decrypted_wrong;
            r.last_wrong = t;
        }
    }
    return r;
}

} // namespace

// Re-keys announced while frames are lost, and a transmitter whose frame counter steps
// back: no (key, counter) pair ever encrypts twice, and once the losses stop every frame
// decrypts under the transmitter's key and counter again. While a receiver relocks its
// counter after lost frames it decrypts a few frames under a wrong counter (garbage, and
// no keystream reuse: it only decrypts); that stops with the faults.
TEST(faults, rekeys_through_lost_frames_never_reuse_keystream)
{
    const std::size_t frames = 60'000, quiet = 3'000;
    std::size_t refused = 0;
    for (std::uint64_t seed : { 1, 2, 3 }) {
        const auto r = run_rekeys(seed, frames, quiet);
        std::printf("  seed %llu: %zu sent, %zu refused, %zu keys, %zu received, "
                    "%zu right, %zu wrong (last at frame %zu)\n",
                    (unsigned long long)seed,
                    r.sent,
                    r.refused,
                    r.keys_activated,
                    r.received,
                    r.decrypted_right,
                    r.decrypted_wrong,
                    r.last_wrong);
        refused += r.refused;
        EXPECT_GT(r.keys_activated, 100u);
        EXPECT_LT(r.last_wrong, frames - quiet + 16) << "decryption recovers";
        EXPECT_GT(r.decrypted_right, r.received * 9 / 10);
    }
    // Unless a new key was waiting, the counters that stepped back are refused.
    EXPECT_GE(refused, 50u);
}
