/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Key post-processing time per batch and per seed key (n = 1000 rounds per batch unless
// named), one core: the leader's and the follower's work for whole batches
// (quantization, bitmaps, codes, syndrome, decoding, tag, hashing, keys), with every
// message delivered at once, on rounds of the round-level model at its defaults. The
// codes are built before timing starts (they are cached per process).
#include <fiberkey/post_processor.h>
#include <fiberkey/round_model.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <random>
#include <vector>

namespace {

using namespace fiberkey;

// Fixed seeds: reproducible figures, no real keys.
std::function<void(std::span<std::uint8_t>)> bench_rng()
{
    auto rng = std::make_shared<std::mt19937_64>(1);
    return [rng](std::span<std::uint8_t> out) {
        for (auto& b : out)
            b = static_cast<std::uint8_t>((*rng)());
    };
}

void post_processing(benchmark::State& state,
                     quantizer_mode mode,
                     unsigned q,
                     std::size_t batch = 1000,
                     std::size_t warm_up_batches = 400)
{
    // Rounds drawn once and replayed: 64 batches' worth, at least 4 batches.
    const std::size_t batches = std::clamp<std::size_t>(256000 / batch, 4, 64);
    std::vector<model_round> rounds(batch * batches);
    round_model model(round_model_config{},
                      std::make_unique<test_only_seeded_random_source>(3));
    model.generate(0, rounds);

    post_processor_config cfg;
    cfg.quantizer.mode = mode;
    cfg.quantizer.bits_per_round = q;
    cfg.batch_rounds = batch;
    cfg.abandon_after_rounds = std::max(cfg.abandon_after_rounds, 2 * batch);
    cfg.random = bench_rng();
    post_processor leader(cfg);
    cfg.role = pp_role::follower;
    post_processor follower(cfg);

    std::size_t at = 0;
    std::uint16_t sequence = 0;
    std::uint64_t keys = 0;
    auto one_batch = [&] {
        for (std::size_t i = 0; i < batch; ++i, at = (at + 1) % rounds.size()) {
            sequence = static_cast<std::uint16_t>(sequence % 65535 + 1);
            leader.add_round(sequence, rounds[at].f1);
            follower.add_round(sequence, rounds[at].f2);
        }
        for (bool moved = true; moved;) {
            moved = false;
            for (auto& m : leader.take_messages()) {
                follower.handle_message(m);
                moved = true;
            }
            for (auto& m : follower.take_messages()) {
                leader.handle_message(m);
                moved = true;
            }
        }
        keys += leader.take_keys().size();
        follower.take_keys();
        leader.take_reports();
        follower.take_reports();
    };
    // Codes built (a link meets a few dozen (n, m) pairs, 0.01 - 0.13 s each, once per
    // process; the multilevel mode's finer syndrome step meets new ones for a few
    // hundred batches), rates settled.
    for (std::size_t i = 0; i < warm_up_batches; ++i)
        one_batch();
    keys = 0;
    const auto failed_before = leader.stats().batches_failed;
    for (auto _ : state)
        one_batch();
    // A failed batch costs two decoding attempts of max_iterations each: a few of them
    // weigh in the mean.
    state.counters["failed_per_batch"] =
        benchmark::Counter(double(leader.stats().batches_failed - failed_before),
                           benchmark::Counter::kAvgIterations);
    state.counters["keys_per_batch"] =
        benchmark::Counter(double(keys), benchmark::Counter::kAvgIterations);
    state.counters["s_per_key"] = benchmark::Counter(
        double(keys), benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

BENCHMARK_CAPTURE(post_processing, patent, quantizer_mode::patent, 1u)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(post_processing, equiprobable_q2, quantizer_mode::equiprobable, 2u)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(post_processing, soft_q2, quantizer_mode::soft, 2u)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(post_processing, soft_q3, quantizer_mode::soft, 3u)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(post_processing, soft_q4, quantizer_mode::soft, 4u)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(post_processing, multilevel_q4, quantizer_mode::multilevel, 4u)
    ->Unit(benchmark::kMillisecond);
// Its long codes: one lifted code of 8,192 bits per batch.
BENCHMARK_CAPTURE(
    post_processing, multilevel_q4_n4000, quantizer_mode::multilevel, 4u, 4000)
    ->Unit(benchmark::kMillisecond);
// The longest batches (1.2 s of rounds at the line rate), blocks of 28,571 - 28,572
// bits, 7 a batch; 12 warm-up batches (each is 100 times the work of one of n = 1,000).
BENCHMARK_CAPTURE(
    post_processing, multilevel_q4_n100000, quantizer_mode::multilevel, 4u, 100000, 12)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(16);
// q = 5 reconciles 3 levels with codes of rate about 0.55 (more edges per key bit): the
// most key from n = 4,000 on.
BENCHMARK_CAPTURE(
    post_processing, multilevel_q5_n4000, quantizer_mode::multilevel, 5u, 4000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(
    post_processing, multilevel_q5_n100000, quantizer_mode::multilevel, 5u, 100000, 12)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(16);

} // namespace

BENCHMARK_MAIN();
