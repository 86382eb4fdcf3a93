/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Physical-layer throughput in samples/s (one sample per bit): the core classes on one
// core, and every sample-domain block in a flowgraph over realistic line samples (the
// photocurrent of encoded frames through the default link).
#include <fiberkey/fiber_link.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/gaussian_source.h>
#include <fiberkey/noise_injector.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/slicer.h>
#include <fiberkey/soft_frame_sync.h>
#include <gnuradio/blocks/head.h>
#include <gnuradio/blocks/null_sink.h>
#include <gnuradio/blocks/vector_source.h>
#include <gnuradio/fiberkey/fiber_link.h>
#include <gnuradio/fiberkey/noise_injector.h>
#include <gnuradio/fiberkey/ook_modulator.h>
#include <gnuradio/fiberkey/slicer.h>
#include <gnuradio/fiberkey/soft_frame_sync.h>
#include <gnuradio/logger.h>
#include <gnuradio/top_block.h>

#include "line_frames.h"
#include "quiet_main.h"

#include <benchmark/benchmark.h>

#include <random>

namespace fl = fiberkey::frame_layout;

namespace {

using fiberkey_bench::random_line_bits;

constexpr std::size_t frames = 8;
constexpr std::size_t frame_bits = fl::frame_bytes * 8;

// The photocurrent of the default link (test seed: benchmark data, not secret).
const std::vector<float>& line_samples()
{
    static const std::vector<float> samples = [] {
        const auto bits = random_line_bits(frames, 4);
        fiberkey::ook_modulator mod({});
        std::vector<float> optical(bits.size());
        mod.process(bits.data(), optical.data(), bits.size());
        fiberkey::fiber_link fiber({});
        fiber.process(optical.data(), optical.data(), optical.size());
        fiberkey::optical_receiver rx({}, fiberkey::gaussian_source::from_test_seed(1));
        rx.process(optical.data(), optical.data(), optical.size());
        return optical;
    }();
    return samples;
}

void set_rate(benchmark::State& state, double samples)
{
    state.counters["samples/s"] =
        benchmark::Counter(samples, benchmark::Counter::kIsRate);
}

void core_gaussian_source(benchmark::State& state)
{
    auto g = fiberkey::gaussian_source::from_test_seed(2);
    std::vector<float> out(1 << 16);
    for (auto _ : state) {
        g.fill(out.data(), out.size());
        benchmark::DoNotOptimize(out.data());
    }
    set_rate(state, double(state.iterations()) * out.size());
}
BENCHMARK(core_gaussian_source);

void core_link_model(benchmark::State& state)
{
    // Fiber attenuation and the receiver's noise: one Gaussian draw per sample.
    const auto bits = random_line_bits(frames, 4);
    fiberkey::ook_modulator mod({});
    std::vector<float> optical(1 << 16), current(optical.size());
    mod.process(bits.data(), optical.data(), optical.size());
    fiberkey::fiber_link fiber({});
    fiberkey::optical_receiver rx({}, fiberkey::gaussian_source::from_test_seed(3));
    for (auto _ : state) {
        fiber.process(optical.data(), current.data(), current.size());
        rx.process(current.data(), current.data(), current.size());
        benchmark::DoNotOptimize(current.data());
    }
    set_rate(state, double(state.iterations()) * current.size());
}
BENCHMARK(core_link_model);

void core_slicer(benchmark::State& state)
{
    const auto& in = line_samples();
    fiberkey::slicer_config c;
    c.threshold = 9e-6f;
    fiberkey::slicer s(c);
    std::vector<uint8_t> out(in.size());
    for (auto _ : state)
        benchmark::DoNotOptimize(s.process(in.data(), out.data(), in.size()));
    set_rate(state, double(state.iterations()) * in.size());
}
BENCHMARK(core_slicer);

void core_soft_frame_sync_locked(benchmark::State& state)
{
    const auto& in = line_samples();
    fiberkey::soft_frame_sync sync;
    std::vector<fiberkey::frame_start> starts;
    sync.process(in.data(), in.size(), starts); // lock first
    for (auto _ : state) {
        starts.clear();
        sync.process(in.data(), in.size(), starts);
        benchmark::DoNotOptimize(starts.data());
    }
    set_rate(state, double(state.iterations()) * in.size());
}
BENCHMARK(core_soft_frame_sync_locked);

// Flowgraph: line samples -> head -> block -> null sink.
template <typename Block>
void run_block(benchmark::State& state, Block block, std::size_t out_itemsize)
{
    const auto& samples = line_samples();
    const uint64_t n = 64 * samples.size();
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        auto src = gr::blocks::vector_source_f::make(samples, true);
        auto head = gr::blocks::head::make(sizeof(float), n);
        auto sink = gr::blocks::null_sink::make(out_itemsize);
        auto b = block();
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, b, 0);
        tb->connect(b, 0, sink, 0);
        tb->run();
    }
    set_rate(state, double(state.iterations()) * n);
}

// The harness alone: what bounds every flowgraph figure below.
void harness_only(benchmark::State& state)
{
    const auto& samples = line_samples();
    const uint64_t n = 64 * samples.size();
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        auto src = gr::blocks::vector_source_f::make(samples, true);
        auto head = gr::blocks::head::make(sizeof(float), n);
        auto sink = gr::blocks::null_sink::make(sizeof(float));
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, sink, 0);
        tb->run();
    }
    set_rate(state, double(state.iterations()) * n);
}
BENCHMARK(harness_only)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_fiber_link(benchmark::State& state)
{
    run_block(
        state,
        [] {
            return gr::fiberkey::fiber_link::make(
                10, 0.35, 1, 0.8, 20, 7.7, false, 20, 5, 50, false, 0.1, 5, 20, 5);
        },
        sizeof(float));
}
BENCHMARK(block_fiber_link)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_soft_frame_sync(benchmark::State& state)
{
    run_block(
        state, [] { return gr::fiberkey::soft_frame_sync::make(); }, sizeof(float));
}
BENCHMARK(block_soft_frame_sync)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_noise_injector(benchmark::State& state)
{
    // Without frame_start tags it passes samples through: this is its per-sample cost.
    run_block(
        state,
        [] {
            return gr::fiberkey::noise_injector::make(1, "ber_log_uniform", 1e-3, 0.2, 6);
        },
        sizeof(float));
}
BENCHMARK(block_noise_injector)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_slicer(benchmark::State& state)
{
    run_block(
        state,
        [] { return gr::fiberkey::slicer::make(1, 0, "fixed", 9e-6); },
        sizeof(uint8_t));
}
BENCHMARK(block_slicer)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_ook_modulator(benchmark::State& state)
{
    const auto bits = random_line_bits(frames, 4);
    const uint64_t n = 64 * bits.size();
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        auto src = gr::blocks::vector_source_b::make(bits, true);
        auto head = gr::blocks::head::make(1, n);
        auto mod = gr::fiberkey::ook_modulator::make();
        auto sink = gr::blocks::null_sink::make(sizeof(float));
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, mod, 0);
        tb->connect(mod, 0, sink, 0);
        tb->run();
    }
    set_rate(state, double(state.iterations()) * n);
}
BENCHMARK(block_ook_modulator)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

FIBERKEY_BENCHMARK_MAIN();
