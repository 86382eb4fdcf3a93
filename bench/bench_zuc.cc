/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// ZUC throughput: the portable generator, the raw ipsec-mb multi-buffer call, the
// frame cipher on each backend, the frame integrity tag, and the zuc_crypt block in a
// flowgraph with and without the tag. Bytes/s are
// printed by Google Benchmark (--benchmark_counters_tabular=true for a table).
#include "frame_source.h"

#include <fiberkey/frame_cipher.h>
#include <fiberkey/frame_tag.h>
#include <fiberkey/zuc.h>
#include <gnuradio/blocks/null_sink.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/fiberkey/zuc_crypt.h>
#include <gnuradio/io_signature.h>
#include <gnuradio/sync_block.h>
#include <gnuradio/top_block.h>

#include <benchmark/benchmark.h>

#include <cstring>

#ifdef FIBERKEY_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

namespace fl = fiberkey::frame_layout;

namespace {

std::array<uint8_t, 16> test_key()
{
    std::array<uint8_t, 16> k;
    for (unsigned i = 0; i < 16; ++i)
        k[i] = static_cast<uint8_t>(0x3d + 17 * i);
    return k;
}

void zuc128_portable_keystream(benchmark::State& state)
{
    const auto key = test_key();
    std::array<uint8_t, 16> iv{};
    auto z = fiberkey::zuc::zuc128(key, iv);
    std::vector<uint8_t> out(state.range(0));
    for (auto _ : state) {
        z.generate_bytes(out);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * state.range(0));
}
BENCHMARK(zuc128_portable_keystream)->Arg(987)->Arg(16384);

void frame_cipher_crypt(benchmark::State& state)
{
    const auto backend = static_cast<fiberkey::zuc_backend>(state.range(0));
    fiberkey::frame_cipher cipher(backend);
    state.SetLabel(fiberkey::to_string(cipher.backend()));
    std::vector<uint8_t> frame(fl::frame_bytes, 0x5a);
    const auto key = test_key();
    uint32_t count = 0;
    for (auto _ : state) {
        cipher.crypt(frame, key, count++, 0);
        benchmark::DoNotOptimize(frame.data());
    }
    state.SetBytesProcessed(int64_t(state.iterations()) * fl::frame_bytes);
    state.counters["frames/s"] =
        benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(frame_cipher_crypt)
    ->Arg(int(fiberkey::zuc_backend::portable))
#ifdef FIBERKEY_HAVE_IPSEC_MB
    ->Arg(int(fiberkey::zuc_backend::ipsec_mb))
#endif
    ;

// The integrity tag of one frame: seal (transmit) and verify with the INT RS check
// (receive), each a 64-bit ZUC-256 MAC over 15,513 bytes plus the MAC key derivation.
void frame_tag_seal(benchmark::State& state)
{
    fiberkey::frame_tag tagger;
    std::vector<uint8_t> frame(fl::frame_bytes, 0x5a);
    const fiberkey::otu_frame::frame_ref f(frame.data(), fl::frame_bytes);
    fiberkey::otu_frame::write_int(f, std::vector<uint8_t>(fl::int_info_bytes, 0xa5));
    const auto key = test_key();
    uint32_t count = 0;
    for (auto _ : state) {
        tagger.seal(f, key, count++, 0);
        benchmark::DoNotOptimize(frame.data());
    }
    state.counters["frames/s"] =
        benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(frame_tag_seal);

void frame_tag_verify(benchmark::State& state)
{
    fiberkey::frame_tag tagger;
    std::vector<uint8_t> frame(fl::frame_bytes, 0x5a);
    const fiberkey::otu_frame::frame_ref f(frame.data(), fl::frame_bytes);
    fiberkey::otu_frame::write_int(f, std::vector<uint8_t>(fl::int_info_bytes, 0xa5));
    const auto key = test_key();
    tagger.seal(f, key, 7, 0);
    const std::vector<uint8_t> sealed = frame;
    for (auto _ : state) {
        std::memcpy(frame.data(), sealed.data(), sealed.size());
        const auto info = fiberkey::otu_frame::decode_int(f);
        benchmark::DoNotOptimize(tagger.verify(f, info.info, key, 7, 0));
    }
    state.counters["frames/s"] =
        benchmark::Counter(double(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(frame_tag_verify);

#ifdef FIBERKEY_HAVE_IPSEC_MB
// The peer to hold zuc_crypt against: ipsec-mb's own 16-buffer call over the same lanes.
void ipsec_mb_raw_16_lanes(benchmark::State& state)
{
    IMB_MGR* mgr = alloc_mb_mgr(0);
    IMB_ARCH arch;
    init_mb_mgr_auto(mgr, &arch);
    const auto key = test_key();
    const auto& lanes = fiberkey::frame_cipher::lane_bytes();
    std::vector<uint8_t> buf(fl::encrypted_bytes(), 0x5a);
    std::array<std::array<uint8_t, 16>, 16> ivs;
    const void* keys[16];
    const void* ivp[16];
    const void* in[16];
    void* out[16];
    std::size_t pos = 0;
    for (unsigned i = 0; i < 16; ++i) {
        keys[i] = key.data();
        in[i] = out[i] = buf.data() + pos;
        pos += lanes[i];
    }
    uint32_t count = 0;
    for (auto _ : state) {
        for (unsigned i = 0; i < 16; ++i) {
            ivs[i] = fiberkey::eea3::iv(count, i, 0);
            ivp[i] = ivs[i].data();
        }
        IMB_ZUC_EEA3_N_BUFFER(mgr, keys, ivp, in, out, lanes.data(), 16);
        ++count;
        benchmark::DoNotOptimize(buf.data());
    }
    // Counted per frame (16,830 bytes) so that the figure compares with zuc_crypt's.
    state.SetBytesProcessed(int64_t(state.iterations()) * fl::frame_bytes);
    free_mb_mgr(mgr);
}
BENCHMARK(ipsec_mb_raw_16_lanes);
#endif

// The harness alone (source -> null sink): the ceiling that the scheduler sets.
void harness_only(benchmark::State& state)
{
    const uint64_t frames = 100000;
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        auto src = gnuradio::make_block_sptr<fiberkey_bench::tagged_frames>(frames);
        auto sink = gr::blocks::null_sink::make(fl::frame_item_bytes);
        tb->connect(src, 0, sink, 0);
        tb->run();
    }
    state.counters["frames/s"] = benchmark::Counter(double(state.iterations() * frames),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(harness_only)->Unit(benchmark::kMillisecond)->UseRealTime();

// Transmit side: encryption, and with range(1) the integrity tag sealed before it.
void zuc_crypt_block(benchmark::State& state)
{
    const std::string backend = state.range(0) ? "ipsec-mb" : "portable";
    const bool integrity = state.range(1) != 0;
    const uint64_t frames = 100000;
    const auto key = test_key();
    for (auto _ : state) {
        auto tb = gr::make_top_block("bench");
        auto src = gnuradio::make_block_sptr<fiberkey_bench::tagged_frames>(frames);
        auto crypt =
            gr::fiberkey::zuc_crypt::make(0,
                                          true,
                                          std::vector<uint8_t>(key.begin(), key.end()),
                                          0,
                                          backend,
                                          false,
                                          integrity);
        auto sink = gr::blocks::null_sink::make(fl::frame_item_bytes);
        tb->connect(src, 0, crypt, 0);
        tb->connect(crypt, 0, sink, 0);
        tb->run();
    }
    state.SetLabel(backend + (integrity ? ", integrity tag" : ", no tag"));
    state.SetBytesProcessed(int64_t(state.iterations()) * frames * fl::frame_bytes);
    state.counters["frames/s"] = benchmark::Counter(double(state.iterations() * frames),
                                                    benchmark::Counter::kIsRate);
}
BENCHMARK(zuc_crypt_block)
    ->Args({ 0, 0 })
    ->Args({ 0, 1 })
#ifdef FIBERKEY_HAVE_IPSEC_MB
    ->Args({ 1, 0 })
    ->Args({ 1, 1 })
#endif
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

} // namespace

BENCHMARK_MAIN();
