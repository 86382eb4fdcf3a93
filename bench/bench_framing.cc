/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Framing throughput: the core codecs on their own, each framing block in a flowgraph,
// the encoder and decoder chains, and GNU Radio's own unpack_k_bits_bb +
// correlate_access_code_tag_bb chain as the peer that the line decoder must match.
#include "frame_source.h"
#include "line_frames.h"

#include <fiberkey/frame_aligner.h>
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <gnuradio/blocks/head.h>
#include <gnuradio/blocks/null_sink.h>
#include <gnuradio/blocks/null_source.h>
#include <gnuradio/blocks/unpack_k_bits_bb.h>
#include <gnuradio/blocks/vector_source.h>
#include <gnuradio/digital/correlate_access_code_tag_bb.h>
#include <gnuradio/fiberkey/line_decoder.h>
#include <gnuradio/fiberkey/line_encoder.h>
#include <gnuradio/fiberkey/otu_demux.h>
#include <gnuradio/fiberkey/otu_mux.h>
#include <gnuradio/logger.h>
#include <gnuradio/top_block.h>

#include "quiet_main.h"

#include <benchmark/benchmark.h>

#include <random>

namespace fl = fiberkey::frame_layout;

namespace {

using fiberkey_bench::random_frame;
using fiberkey_bench::random_line_bits;

constexpr double frame_bits = fl::frame_bytes * 8.0;

void set_frame_counters(benchmark::State& state, uint64_t frames)
{
    state.counters["frames/s"] =
        benchmark::Counter(double(frames), benchmark::Counter::kIsRate);
    state.counters["Mbit/s"] = benchmark::Counter(double(frames) * frame_bits / 1e6,
                                                  benchmark::Counter::kIsRate);
}

void core_fec_encode(benchmark::State& state)
{
    auto f = random_frame(0, 1);
    for (auto _ : state) {
        fiberkey::g709_fec::encode(f);
        benchmark::DoNotOptimize(f.data());
    }
    set_frame_counters(state, state.iterations());
}
BENCHMARK(core_fec_encode);

void core_fec_decode_clean(benchmark::State& state)
{
    auto f = random_frame(0, 2);
    fiberkey::g709_fec::encode(f);
    for (auto _ : state)
        benchmark::DoNotOptimize(fiberkey::g709_fec::decode(f));
    set_frame_counters(state, state.iterations());
}
BENCHMARK(core_fec_decode_clean);

void core_scrambler(benchmark::State& state)
{
    auto f = random_frame(0, 3);
    for (auto _ : state) {
        fiberkey::g709_scrambler::apply(f);
        benchmark::DoNotOptimize(f.data());
    }
    set_frame_counters(state, state.iterations());
}
BENCHMARK(core_scrambler);

void core_aligner_in_frame(benchmark::State& state)
{
    const auto bits = random_line_bits(16, 0);
    uint64_t frames = 0;
    for (auto _ : state) {
        fiberkey::frame_aligner a;
        std::size_t pos = 0;
        while (pos < bits.size()) {
            pos += a.push_bits(std::span<const uint8_t>(bits).subspan(pos));
            while (a.pop_event()) {
            }
            if (a.has_frame()) {
                a.pop_frame();
                ++frames;
            }
        }
    }
    set_frame_counters(state, frames);
}
BENCHMARK(core_aligner_in_frame)->Unit(benchmark::kMillisecond);

// Flowgraph runs: `frames` frames through the chain, wall-clock time.
template <typename Build>
void run_flowgraph(benchmark::State& state, uint64_t frames, Build build)
{
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        build(tb);
        tb->run();
    }
    set_frame_counters(state, state.iterations() * frames);
}

void block_mux(benchmark::State& state)
{
    const uint64_t frames = 100000;
    run_flowgraph(state, frames, [&](gr::top_block_sptr tb) {
        auto src = gr::blocks::null_source::make(1);
        auto head = gr::blocks::head::make(1, frames * fl::payload_bytes);
        auto mux = gr::fiberkey::otu_mux::make();
        auto sink = gr::blocks::null_sink::make(fl::frame_item_bytes);
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, mux, 0);
        tb->connect(mux, 0, sink, 0);
    });
}
BENCHMARK(block_mux)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_demux(benchmark::State& state)
{
    const uint64_t frames = 100000;
    run_flowgraph(state, frames, [&](gr::top_block_sptr tb) {
        auto src = gnuradio::make_block_sptr<fiberkey_bench::tagged_frames>(frames);
        auto demux = gr::fiberkey::otu_demux::make();
        auto sink = gr::blocks::null_sink::make(1);
        tb->connect(src, 0, demux, 0);
        tb->connect(demux, 0, sink, 0);
    });
}
BENCHMARK(block_demux)->Unit(benchmark::kMillisecond)->UseRealTime();

void block_line_encoder(benchmark::State& state)
{
    const uint64_t frames = static_cast<uint64_t>(state.range(1));
    const bool fec = state.range(0) != 0;
    state.SetLabel(fec ? "FEC on" : "FEC off");
    run_flowgraph(state, frames, [&](gr::top_block_sptr tb) {
        auto src = gnuradio::make_block_sptr<fiberkey_bench::tagged_frames>(frames);
        auto enc = gr::fiberkey::line_encoder::make(fec, false);
        auto sink = gr::blocks::null_sink::make(1);
        tb->connect(src, 0, enc, 0);
        tb->connect(enc, 0, sink, 0);
    });
}
BENCHMARK(block_line_encoder)
    ->Args({ 0, 20000 })
    ->Args({ 1, 20000 })
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

void block_line_decoder(benchmark::State& state)
{
    const bool fec = state.range(0) != 0;
    state.SetLabel(fec ? "FEC on" : "FEC off");
    const auto bits = random_line_bits(64, 0);
    const uint64_t repeats = 16;
    run_flowgraph(state, 64 * repeats, [&](gr::top_block_sptr tb) {
        auto src = gr::blocks::vector_source_b::make(bits, true);
        auto head = gr::blocks::head::make(1, bits.size() * repeats);
        auto dec = gr::fiberkey::line_decoder::make(fec);
        auto sink = gr::blocks::null_sink::make(fl::frame_item_bytes);
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, dec, 0);
        tb->connect(dec, 0, sink, 0);
    });
}
BENCHMARK(block_line_decoder)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The same packed input as the peer below, unpacked by GNU Radio, into our decoder.
void block_line_decoder_after_unpack(benchmark::State& state)
{
    const auto bits = random_line_bits(64, 0);
    std::vector<uint8_t> packed(bits.size() / 8);
    for (std::size_t i = 0; i < packed.size(); ++i)
        for (int k = 0; k < 8; ++k)
            packed[i] = static_cast<uint8_t>((packed[i] << 1) | bits[8 * i + k]);
    const uint64_t repeats = 16;
    run_flowgraph(state, 64 * repeats, [&](gr::top_block_sptr tb) {
        auto src = gr::blocks::vector_source_b::make(packed, true);
        auto head = gr::blocks::head::make(1, packed.size() * repeats);
        auto unpack = gr::blocks::unpack_k_bits_bb::make(8);
        auto dec = gr::fiberkey::line_decoder::make(true);
        auto sink = gr::blocks::null_sink::make(fl::frame_item_bytes);
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, unpack, 0);
        tb->connect(unpack, 0, dec, 0);
        tb->connect(dec, 0, sink, 0);
    });
}
BENCHMARK(block_line_decoder_after_unpack)->Unit(benchmark::kMillisecond)->UseRealTime();

// The peer: GNU Radio's own access-code search over the same bits (it only finds the
// FAS; it neither descrambles nor corrects).
void peer_correlate_access_code(benchmark::State& state)
{
    const auto bits = random_line_bits(64, 0);
    const uint64_t repeats = 16;
    std::vector<uint8_t> packed(bits.size() / 8);
    for (std::size_t i = 0; i < packed.size(); ++i)
        for (int k = 0; k < 8; ++k)
            packed[i] = static_cast<uint8_t>((packed[i] << 1) | bits[8 * i + k]);
    run_flowgraph(state, 64 * repeats, [&](gr::top_block_sptr tb) {
        auto src = gr::blocks::vector_source_b::make(packed, true);
        auto head = gr::blocks::head::make(1, packed.size() * repeats);
        auto unpack = gr::blocks::unpack_k_bits_bb::make(8);
        auto corr = gr::digital::correlate_access_code_tag_bb::make(
            "111101101111011011110110001010000010100000101000", 0, "fas");
        auto sink = gr::blocks::null_sink::make(1);
        tb->connect(src, 0, head, 0);
        tb->connect(head, 0, unpack, 0);
        tb->connect(unpack, 0, corr, 0);
        tb->connect(corr, 0, sink, 0);
    });
}
BENCHMARK(peer_correlate_access_code)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

FIBERKEY_BENCHMARK_MAIN();
