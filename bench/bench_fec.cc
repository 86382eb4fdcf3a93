/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The G.709 FEC kernels one by one (g709_fec::detail::force_kernel), one core: encode of
// a frame's 64 codewords, decode of an error-free frame (syndromes only) and decode of a
// frame with 4 symbol errors (4 codewords through GNU Radio's decoder; the copy of the
// frame back to its errors, about 1 us, is timed with it). One iteration is one frame.
// Every kernel this build and CPU support; the figures go to docs/performance.md:
//   build-bench/bench/bench_fec --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace fiberkey;
using g709_fec::detail::kernel;

constexpr int errors_per_frame = 4;
constexpr std::size_t pool_frames = 64;

using frame = std::vector<std::uint8_t>;

// Random frames with their parity (fixed seed), and the same with errors in the OTU rows.
std::vector<frame> encoded_frames(int errors)
{
    std::mt19937 rng(15);
    std::vector<frame> pool(pool_frames, frame(frame_layout::frame_bytes));
    for (auto& f : pool) {
        std::generate(
            f.begin(), f.end(), [&] { return static_cast<std::uint8_t>(rng()); });
        g709_fec::encode(f);
        for (int e = 0; e < errors; ++e)
            f[rng() % frame_layout::otu_bytes] ^=
                static_cast<std::uint8_t>(1 + rng() % 255);
    }
    return pool;
}

void encode(benchmark::State& state, kernel k)
{
    g709_fec::detail::force_kernel(k);
    auto pool = encoded_frames(0);
    std::size_t i = 0;
    for (auto _ : state) {
        g709_fec::encode(pool[i++ % pool.size()]);
        benchmark::ClobberMemory();
    }
    state.SetItemsProcessed(state.iterations());
}

void decode_clean(benchmark::State& state, kernel k)
{
    g709_fec::detail::force_kernel(k);
    auto pool = encoded_frames(0);
    std::size_t i = 0;
    for (auto _ : state)
        benchmark::DoNotOptimize(g709_fec::decode(pool[i++ % pool.size()]));
    state.SetItemsProcessed(state.iterations());
}

void decode_errors(benchmark::State& state, kernel k)
{
    g709_fec::detail::force_kernel(k);
    const auto pool = encoded_frames(errors_per_frame);
    frame work(frame_layout::frame_bytes);
    std::size_t i = 0;
    std::size_t corrected = 0;
    for (auto _ : state) {
        const auto& f = pool[i++ % pool.size()];
        std::copy(f.begin(), f.end(), work.begin());
        const auto counts = g709_fec::decode(work);
        corrected += counts.corrected_symbols;
    }
    state.SetItemsProcessed(state.iterations());
    state.counters["corrected/frame"] =
        static_cast<double>(corrected) / static_cast<double>(state.iterations());
}

} // namespace

int main(int argc, char** argv)
{
    for (auto k : { kernel::scalar,
                    kernel::ssse3,
                    kernel::avx2,
                    kernel::gfni_avx2,
                    kernel::avx512,
                    kernel::gfni_avx512 }) {
        if (!g709_fec::detail::supported(k))
            continue;
        const std::string n = g709_fec::detail::to_string(k);
        for (auto* b :
             { benchmark::RegisterBenchmark(("fec_encode/" + n).c_str(), encode, k),
               benchmark::RegisterBenchmark(
                   ("fec_decode_clean/" + n).c_str(), decode_clean, k),
               benchmark::RegisterBenchmark(
                   ("fec_decode_4_errors/" + n).c_str(), decode_errors, k) })
            b->ComputeStatistics("min", [](const std::vector<double>& v) {
                 return *std::min_element(v.begin(), v.end());
             })->Unit(benchmark::kNanosecond);
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
