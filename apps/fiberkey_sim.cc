/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// fiberkey-sim: the main job. This stage of the project runs what exists: a stream of
// extended OTU2 frames through the transmit and receive zuc_crypt blocks of both
// directions, with a hitless key switch in the middle, and prints what it measured.
#include <fiberkey/hex.h>
#include <gnuradio/blocks/vector_sink.h>
#include <gnuradio/blocks/vector_source.h>
#include <gnuradio/fiberkey/frame_tags.h>
#include <gnuradio/fiberkey/zuc_crypt.h>
#include <gnuradio/logger.h>
#include <gnuradio/top_block.h>

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace fk = gr::fiberkey;

namespace {

struct options {
    uint64_t frames = 2000;
    std::string backend = "auto";
};

[[noreturn]] void usage_error(const std::string& what)
{
    std::fprintf(stderr, "fiberkey-sim: %s (usage: fiberkey-sim [--frames N] [--backend "
                         "auto|portable|ipsec-mb])\n",
                 what.c_str());
    std::exit(2);
}

options parse(int argc, char** argv)
{
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::printf("usage: fiberkey-sim [--frames N] [--backend auto|portable|ipsec-mb]\n");
            std::exit(0);
        }
        if (i + 1 >= argc)
            usage_error("option " + a + " needs a value");
        const std::string v = argv[++i];
        if (a == "--frames") {
            char* end = nullptr;
            o.frames = std::strtoull(v.c_str(), &end, 10);
            if (*end != '\0' || o.frames == 0 || o.frames > 100000 || v[0] == '-')
                usage_error("--frames must be 1..100000");
        } else if (a == "--backend") {
            o.backend = v;
        } else {
            usage_error("unknown option " + a);
        }
    }
    return o;
}

std::vector<uint8_t> random_bytes(std::size_t n)
{
    std::vector<uint8_t> v(n);
    if (RAND_bytes(v.data(), static_cast<int>(n)) != 1)
        throw std::runtime_error("no randomness from the OS");
    return v;
}

// One direction: plaintext frames -> transmit crypt -> receive crypt -> sink.
struct direction_result {
    uint64_t frames_out = 0;
    bool plaintext_restored = false;
    uint64_t dropped = 0;
    std::string backend;
};

direction_result run_direction(int direction, const options& o, double& seconds)
{
    const std::size_t frame = 16830;
    auto payload = random_bytes(o.frames * frame);
    std::vector<gr::tag_t> tags;
    for (uint64_t i = 0; i < o.frames; ++i) {
        gr::tag_t t;
        t.offset = i;
        t.key = fk::frame_tags::frame_counter();
        t.value = pmt::from_uint64(i);
        tags.push_back(t);
        t.key = fk::frame_tags::key_epoch();
        t.value = pmt::from_long(0);
        tags.push_back(t);
    }
    auto key0 = random_bytes(16), key1 = random_bytes(16);
    auto tb = gr::make_top_block("fiberkey-sim");
    auto src = gr::blocks::vector_source_b::make(payload, false, frame, tags);
    auto tx = fk::zuc_crypt::make(direction, true, key0, 0, o.backend);
    auto rx = fk::zuc_crypt::make(direction, false, key0, 0, o.backend);
    // Re-key halfway: both ends learn the next key and the frame it takes effect on.
    tx->set_key(key1, 1, o.frames / 2);
    rx->set_key(key1, 1, o.frames / 2);
    auto sink = gr::blocks::vector_sink_b::make(frame);
    tb->connect(src, 0, tx, 0);
    tb->connect(tx, 0, rx, 0);
    tb->connect(rx, 0, sink, 0);
    const auto t0 = std::chrono::steady_clock::now();
    tb->run();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    direction_result r;
    const auto& out = sink->data();
    r.frames_out = out.size() / frame;
    // The transmitter wrote the epoch into the clear overhead; everything else must match.
    bool same = out.size() == payload.size();
    for (uint64_t f = 0; same && f < r.frames_out; ++f) {
        const uint8_t* a = payload.data() + f * frame;
        const uint8_t* b = out.data() + f * frame;
        same = std::memcmp(a, b, 13) == 0 && std::memcmp(a + 14, b + 14, frame - 14) == 0;
    }
    r.plaintext_restored = same;
    r.dropped = tx->frames_dropped() + rx->frames_dropped();
    r.backend = tx->backend();
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    const options o = parse(argc, argv);
    // GNU Radio's buffer-alignment notices about 16,830-byte items are noise here.
    gr::logging::singleton().set_default_level(spdlog::level::err);
    try {
        bool ok = true;
        for (int direction = 0; direction < 2; ++direction) {
            std::printf("direction %s: encrypting and decrypting %llu frames (re-key at frame "
                        "%llu)...\n",
                        direction == 0 ? "AB" : "BA", (unsigned long long)o.frames,
                        (unsigned long long)(o.frames / 2));
            std::fflush(stdout);
            double seconds = 0;
            const auto r = run_direction(direction, o, seconds);
            const double bytes = double(r.frames_out) * 16830;
            std::printf("  backend %s: %llu frames, %.0f frames/s, %.1f MB/s through two "
                        "crypt blocks, plaintext restored: %s, frames dropped: %llu\n",
                        r.backend.c_str(), (unsigned long long)r.frames_out,
                        r.frames_out / seconds, bytes / seconds / 1e6,
                        r.plaintext_restored ? "yes" : "NO", (unsigned long long)r.dropped);
            ok = ok && r.plaintext_restored && r.dropped == 0;
        }
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fiberkey-sim: %s\n", e.what());
        return 1;
    }
}
