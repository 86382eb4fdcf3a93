/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Throughput of core classes on one core, for the figures that the unit tests used to
// print: the production CSPRNG Gaussian source, the PIN receiver alone, the OOK
// modulator, the slicer with a fixed and an adaptive threshold, the soft frame sync
// while hunting, and the round-level model (test source, CSPRNG, with Eve). bench_phy
// has the test-seeded Gaussian source, the whole link model and the locked frame sync.
// Also the ZUC MACs (128-EIA3 and the 64-bit ZUC-256 MAC) over a frame tag's message,
// on the portable and the PCLMULQDQ paths (--benchmark_filter=mac).
#include <fiberkey/fiber_link.h>
#include <fiberkey/gaussian_source.h>
#include <fiberkey/ook_modulator.h>
#include <fiberkey/random_source.h>
#include <fiberkey/round_model.h>
#include <fiberkey/slicer.h>
#include <fiberkey/soft_frame_sync.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
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

void gaussian_rate(benchmark::State& state, gaussian_source g)
{
    std::vector<float> v(block);
    g.fill(v);
    for (auto _ : state) {
        g.fill(v);
        benchmark::DoNotOptimize(v.data());
    }
    set_rate(state, "samples/s", double(state.iterations()) * v.size());
}

// The production source of the local noise (AES-128-CTR keyed from OS entropy).
void gaussian_source_csprng(benchmark::State& state)
{
    gaussian_rate(state, gaussian_source());
}
BENCHMARK(gaussian_source_csprng)->Unit(benchmark::kMillisecond);

// The fast generator of the fiber's physical noise (xoshiro128++ lanes).
void gaussian_source_physical(benchmark::State& state)
{
    gaussian_rate(state, gaussian_source::physical());
}
BENCHMARK(gaussian_source_physical)->Unit(benchmark::kMillisecond);

// The default PIN receiver (thermal and shot noise) on a constant 10 uW.
void optical_receiver_process(benchmark::State& state)
{
    optical_receiver rx({}, gaussian_source::physical());
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

// The ZUC MACs over the message of a frame tag (15,513 bytes), a new COUNT or IV per
// message. Argument: 0 the portable path, 1 PCLMULQDQ (skipped on a CPU without it).
constexpr std::size_t mac_message_bytes = 15'513;

std::vector<std::uint8_t> mac_message()
{
    std::mt19937_64 rng(21);
    std::vector<std::uint8_t> m(mac_message_bytes);
    for (auto& b : m)
        b = static_cast<std::uint8_t>(rng());
    return m;
}

bool mac_path(benchmark::State& state, zuc_mac_path& path)
{
    path = state.range(0) == 0 ? zuc_mac_path::portable : zuc_mac_path::clmul;
    if (path == zuc_mac_path::clmul && !zuc_mac_clmul_supported()) {
        state.SkipWithError("no PCLMULQDQ on this CPU");
        return false;
    }
    return true;
}

void eia3_mac(benchmark::State& state)
{
    zuc_mac_path path;
    if (!mac_path(state, path))
        return;
    const auto m = mac_message();
    const std::array<std::uint8_t, 16> key{ 1, 2,  3,  4,  5,  6,  7, 8,
                                            9, 10, 11, 12, 13, 14, 15 };
    std::uint32_t count = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(eia3::mac(key, count++, 5, 1, m, m.size() * 8, path));
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(m.size()));
}
BENCHMARK(eia3_mac)->ArgName("clmul")->Arg(0)->Arg(1);

void zuc256_mac64(benchmark::State& state)
{
    zuc_mac_path path;
    if (!mac_path(state, path))
        return;
    const auto m = mac_message();
    std::array<std::uint8_t, zuc256_mac::key_bytes> key{};
    std::array<std::uint8_t, zuc256_mac::iv_bytes> iv{};
    key[0] = 7;
    std::array<std::uint8_t, 8> tag{};
    for (auto _ : state) {
        ++iv[0];
        zuc256_mac::compute(key, iv, m, m.size() * 8, 64, tag, path);
        benchmark::DoNotOptimize(tag.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(m.size()));
}
BENCHMARK(zuc256_mac64)->ArgName("clmul")->Arg(0)->Arg(1);

// The floor under both: ZUC-256 set up and run for the keystream the 64-bit MAC of that
// message needs.
void zuc256_mac64_keystream_only(benchmark::State& state)
{
    std::array<std::uint8_t, zuc256_mac::key_bytes> key{};
    std::array<std::uint8_t, zuc256_mac::iv_bytes> iv{};
    std::vector<std::uint32_t> ks((mac_message_bytes * 8 + 128 + 31) / 32);
    for (auto _ : state) {
        ++iv[0];
        auto z = zuc::zuc256(key, iv, zuc256_variant::mac64);
        z.generate(ks);
        benchmark::DoNotOptimize(ks.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) *
                            std::int64_t(mac_message_bytes));
}
BENCHMARK(zuc256_mac64_keystream_only);

} // namespace

BENCHMARK_MAIN();
