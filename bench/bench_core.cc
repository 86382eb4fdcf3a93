/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Throughput of core classes on one core, for the figures that the unit tests used to
// print: the production CSPRNG Gaussian source, the PIN receiver alone, the OOK
// modulator, the slicer with a fixed and an adaptive threshold, the soft frame sync
// while hunting, and the round-level model (test source, CSPRNG, with Eve). bench_phy
// has the test-seeded Gaussian source, the whole link model and the locked frame sync.
#include <fiberkey/fiber_link.h>
#include <fiberkey/gaussian_source.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/random_source.h>
#include <fiberkey/round_model.h>
#include <fiberkey/slicer.h>
#include <fiberkey/soft_frame_sync.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <vector>

namespace {

using namespace fiberkey;

constexpr std::size_t block = 1 << 20;

void set_rate(benchmark::State& state, const char* name, double items)
{
    state.counters[name] = benchmark::Counter(items, benchmark::Counter::kIsRate);
}

// Fixed seeds: benchmark data, not secret.
std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::uint8_t> bits(n);
    for (auto& b : bits)
        b = static_cast<std::uint8_t>(rng() & 1);
    return bits;
}

// The production source (AES-128-CTR keyed from the system's CSPRNG).
void gaussian_source_csprng(benchmark::State& state)
{
    gaussian_source g;
    std::vector<float> v(block);
    g.fill(v);
    for (auto _ : state) {
        g.fill(v);
        benchmark::DoNotOptimize(v.data());
    }
    set_rate(state, "samples/s", double(state.iterations()) * v.size());
}
BENCHMARK(gaussian_source_csprng)->Unit(benchmark::kMillisecond);

// The default PIN receiver (thermal and shot noise) on a constant 10 uW.
void optical_receiver_process(benchmark::State& state)
{
    optical_receiver rx({}, gaussian_source());
    std::vector<float> x(block, 10e-6f), y(block);
    for (auto _ : state) {
        rx.process(x.data(), y.data(), x.size());
        benchmark::DoNotOptimize(y.data());
    }
    set_rate(state, "samples/s", double(state.iterations()) * x.size());
}
BENCHMARK(optical_receiver_process)->Unit(benchmark::kMillisecond);

// The default modulator, one sample per bit.
void ook_modulator_process(benchmark::State& state)
{
    const auto bits = random_bits(block, 4);
    std::vector<float> out(bits.size());
    ook_modulator m({});
    for (auto _ : state) {
        m.process(bits.data(), out.data(), bits.size());
        benchmark::DoNotOptimize(out.data());
    }
    set_rate(state, "bits/s", double(state.iterations()) * bits.size());
}
BENCHMARK(ook_modulator_process)->Unit(benchmark::kMillisecond);

// Argument 0: fixed threshold; 1: adaptive.
void slicer_process(benchmark::State& state)
{
    const auto bits = random_bits(block, 4);
    const std::vector<float> x(bits.begin(), bits.end());
    std::vector<std::uint8_t> out(x.size());
    slicer_config c;
    c.threshold = 0.5f;
    c.adaptive = state.range(0) != 0;
    slicer s(c);
    for (auto _ : state)
        benchmark::DoNotOptimize(s.process(x.data(), out.data(), x.size()));
    set_rate(state, "samples/s", double(state.iterations()) * x.size());
}
BENCHMARK(slicer_process)
    ->ArgName("adaptive")
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

// Hunting over random bits without a FAS, in chunks of 65,536 samples.
void soft_frame_sync_hunting(benchmark::State& state)
{
    const auto bits = random_bits(8 * soft_frame_sync::frame_bits, 71);
    const std::vector<float> x(bits.begin(), bits.end());
    constexpr std::size_t chunk = 65'536;
    soft_frame_sync sync;
    std::vector<frame_start> frames;
    for (auto _ : state) {
        for (std::size_t pos = 0; pos < x.size(); pos += chunk)
            sync.process(x.data() + pos, std::min(chunk, x.size() - pos), frames);
        benchmark::DoNotOptimize(frames.data());
        frames.clear();
    }
    set_rate(state, "samples/s", double(state.iterations()) * x.size());
}
BENCHMARK(soft_frame_sync_hunting)->Unit(benchmark::kMillisecond);

// Rounds of the round-level model at its defaults (m = 496, local BER log-uniform in
// [1e-3, 0.2], no link errors), half per direction. Argument 0: the seeded test source;
// 1: the CSPRNG; 2: the seeded source with Eve simulated.
void round_model_generate(benchmark::State& state)
{
    round_model_config c;
    c.simulate_eve = state.range(0) == 2;
    const auto model = state.range(0) == 1
                           ? std::make_unique<round_model>(c)
                           : std::make_unique<round_model>(
                                 c, std::make_unique<test_only_seeded_random_source>(7));
    std::vector<model_round> r(200'000);
    const std::size_t half = r.size() / 2;
    for (auto _ : state) {
        model->generate(0, std::span(r).first(half));
        model->generate(1, std::span(r).subspan(half, half));
        benchmark::DoNotOptimize(r.data());
    }
    set_rate(state, "rounds/s", double(state.iterations()) * r.size());
}
BENCHMARK(round_model_generate)
    ->ArgName("source")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
