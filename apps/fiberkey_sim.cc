/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// fiberkey-sim: the main job. At this stage of the project it runs the link as far as it
// exists: two nodes joined back to back over the G.709 line (FEC, scrambler, bits), which
// agree on their initial session keys by SM2 over the link itself (or take pre-shared
// ones), then carry client bytes encrypted with ZUC both ways; it checks every byte and
// prints what it measured.
#include "command_line.h"

#include <fiberkey/frame_layout.h>
#include <fiberkey/hex.h>
#include <fiberkey/sm2_kex.h>
#include <gnuradio/blocks/throttle.h>
#include <gnuradio/blocks/vector_sink.h>
#include <gnuradio/blocks/vector_source.h>
#include <gnuradio/fiberkey/int_channel.h>
#include <gnuradio/fiberkey/key_exchange.h>
#include <gnuradio/fiberkey/line_decoder.h>
#include <gnuradio/fiberkey/line_encoder.h>
#include <gnuradio/fiberkey/otu_demux.h>
#include <gnuradio/fiberkey/otu_mux.h>
#include <gnuradio/fiberkey/zuc_crypt.h>
#include <gnuradio/logger.h>
#include <gnuradio/top_block.h>

#include <openssl/rand.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <thread>

namespace fk = gr::fiberkey;
namespace fl = fiberkey::frame_layout;
using clock_type = std::chrono::steady_clock;

namespace {

const char* const usage_text =
    "usage: fiberkey-sim [--frames N] [--mode sm2|psk] [--rate FRAMES_PER_S] [--fec on|off]\n"
    "                    [--backend auto|portable|ipsec-mb] [--timeout SECONDS]\n"
    "  Runs nodes A and B back to back: link start (SM2 over the link by default), then\n"
    "  N frames of client bytes each way, encrypted; checks every byte and prints figures.\n";

struct options {
    uint64_t frames = 2000;
    std::string mode = "sm2";
    double rate = 2000;
    bool fec = true;
    std::string backend = "auto";
    double timeout = 120;
};

using fiberkey_apps::number;
using fiberkey_apps::usage_error;

options parse(int argc, char** argv)
{
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "-h" || a == "--help") {
            std::fputs(usage_text, stdout);
            std::exit(0);
        }
        if (i + 1 >= argc)
            usage_error("option " + a + " needs a value");
        const std::string v = argv[++i];
        if (a == "--frames")
            o.frames = static_cast<uint64_t>(number(a, v, 1, 1e6));
        else if (a == "--rate")
            o.rate = number(a, v, 10, 1e5);
        else if (a == "--timeout")
            o.timeout = number(a, v, 1, 86400);
        else if (a == "--mode" && (v == "sm2" || v == "psk"))
            o.mode = v;
        else if (a == "--fec" && (v == "on" || v == "off"))
            o.fec = v == "on";
        else if (a == "--backend" && (v == "auto" || v == "portable" || v == "ipsec-mb"))
            o.backend = v;
        else
            usage_error("bad option or value: " + a + " " + v);
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

// One end of the link; the same wiring as the Python hier block fiberkey.node.
struct node {
    fk::otu_mux::sptr mux;
    fk::zuc_crypt::sptr tx_crypt, rx_crypt;
    fk::line_encoder::sptr encoder;
    fk::line_decoder::sptr decoder;
    fk::otu_demux::sptr demux;
    fk::int_channel::sptr channel;
    fk::key_exchange::sptr keys;

    node(gr::top_block_sptr tb,
         bool is_a,
         const options& o,
         const std::string& own_key,
         const std::string& peer_pub,
         const std::string& psk)
    {
        const int direction = is_a ? 0 : 1;
        const bool clear = o.mode == "sm2";
        mux = fk::otu_mux::make(0, 64, false);
        tx_crypt = fk::zuc_crypt::make(direction, true, {}, 0, o.backend, clear);
        encoder = fk::line_encoder::make(o.fec, false);
        decoder = fk::line_decoder::make(o.fec, 246);
        rx_crypt = fk::zuc_crypt::make(1 - direction, false, {}, 0, o.backend, clear);
        demux = fk::otu_demux::make();
        channel = fk::int_channel::make(78, 1024, 4);
        keys = fk::key_exchange::make(is_a ? "A" : "B", o.mode, own_key, peer_pub,
                                      is_a ? "node-A" : "node-B", is_a ? "node-B" : "node-A",
                                      psk);
        tb->connect(mux, 0, tx_crypt, 0);
        tb->connect(tx_crypt, 0, encoder, 0);
        tb->connect(decoder, 0, rx_crypt, 0);
        tb->connect(rx_crypt, 0, demux, 0);
        tb->msg_connect(demux, "int", channel, "rx_int");
        tb->msg_connect(channel, "tx_int", mux, "int");
        tb->msg_connect(channel, "recv", keys, "recv");
        tb->msg_connect(keys, "send", channel, "send");
        tb->msg_connect(keys, "tx_key", tx_crypt, "key");
        tb->msg_connect(keys, "rx_key", rx_crypt, "key");
    }
};

// Received client bytes: zeros while the link started in the clear, then exactly the
// sender's frames in order (the receiver drops the few frames it needs to acquire).
struct check_result {
    uint64_t zero_frames = 0, data_frames = 0, bad_frames = 0;
};

check_result check(const std::vector<uint8_t>& sent_pattern,
                   std::size_t pattern_frames,
                   const std::vector<uint8_t>& received)
{
    check_result r;
    const std::size_t frames = received.size() / fl::payload_bytes;
    std::optional<std::size_t> phase; // pattern frame of received frame 0
    for (std::size_t f = 0; f < frames; ++f) {
        const uint8_t* got = received.data() + f * fl::payload_bytes;
        if (!phase) {
            if (std::all_of(got, got + fl::payload_bytes, [](uint8_t b) { return b == 0; })) {
                ++r.zero_frames;
                continue;
            }
            for (std::size_t p = 0; p < pattern_frames && !phase; ++p)
                if (std::memcmp(got, sent_pattern.data() + p * fl::payload_bytes,
                                fl::payload_bytes) == 0)
                    phase = (p + pattern_frames - f % pattern_frames) % pattern_frames;
            if (!phase) {
                ++r.bad_frames;
                continue;
            }
        }
        const std::size_t p = (f + *phase) % pattern_frames;
        if (std::memcmp(got, sent_pattern.data() + p * fl::payload_bytes, fl::payload_bytes) == 0)
            ++r.data_frames;
        else
            ++r.bad_frames;
    }
    return r;
}

} // namespace

int main(int argc, char** argv)
{
    fiberkey_apps::program_name() = "fiberkey-sim";
    const options o = parse(argc, argv);
    // GNU Radio's buffer-alignment notices about 16,830-byte items are noise here.
    gr::logging::singleton().set_default_level(spdlog::level::err);
    try {
        std::string own_a, own_b, pub_a, pub_b, psk;
        std::filesystem::path dir;
        if (o.mode == "sm2") {
            // Fresh identities for this run, as fiberkey-tool sm2-keygen makes them.
            dir = std::filesystem::temp_directory_path() /
                  ("fiberkey-sim-" + fiberkey::to_hex(random_bytes(6)));
            std::filesystem::create_directories(dir);
            for (const char* n : { "node_a", "node_b" }) {
                const auto pair = fiberkey::sm2_keypair::generate();
                pair.save_private_pem(dir / (std::string(n) + ".key"));
                pair.save_public_pem(dir / (std::string(n) + ".pub"));
            }
            own_a = dir / "node_a.key";
            own_b = dir / "node_b.key";
            pub_a = dir / "node_a.pub";
            pub_b = dir / "node_b.pub";
        } else {
            psk = fiberkey::to_hex(random_bytes(32));
        }

        auto tb = gr::make_top_block("fiberkey-sim");
        node a(tb, true, o, own_a, pub_b, psk);
        node b(tb, false, o, own_b, pub_a, psk);
        tb->connect(a.encoder, 0, b.decoder, 0);
        tb->connect(b.encoder, 0, a.decoder, 0);

        const std::size_t pattern_frames = 16;
        std::vector<uint8_t> pattern[2];
        gr::blocks::vector_sink_b::sptr sinks[2];
        node* nodes[2] = { &a, &b };
        for (int i = 0; i < 2; ++i) {
            pattern[i] = random_bytes(pattern_frames * fl::payload_bytes);
            auto src = gr::blocks::vector_source_b::make(pattern[i], true);
            auto throttle = gr::blocks::throttle::make(1, o.rate * fl::payload_bytes);
            tb->connect(src, 0, throttle, 0);
            tb->connect(throttle, 0, nodes[i]->mux, 0);
            sinks[i] = gr::blocks::vector_sink_b::make(1, 1 << 20);
            tb->connect(nodes[i]->demux, 0, sinks[i], 0);
        }

        std::printf("fiberkey-sim: nodes A and B back to back over the G.709 line (FEC %s, "
                    "%s initial keys, ZUC backend %s), %.0f frames/s each way\n",
                    o.fec ? "on" : "off", o.mode == "sm2" ? "SM2 over the link" : "pre-shared",
                    a.tx_crypt->backend().c_str(), o.rate);
        std::fflush(stdout);
        const auto t0 = clock_type::now();
        std::optional<double> keyed_at;
        tb->start();
        auto last_print = t0;
        bool failed = false;
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const double t = std::chrono::duration<double>(clock_type::now() - t0).count();
            const auto sa = a.keys->state(), sb = b.keys->state();
            if (!keyed_at && sa == "done" && sb == "done")
                keyed_at = t;
            failed = sa.rfind("failed", 0) == 0 || sb.rfind("failed", 0) == 0;
            const uint64_t done =
                std::min(a.rx_crypt->frames_processed(), b.rx_crypt->frames_processed());
            if (clock_type::now() - last_print > std::chrono::seconds(1)) {
                std::printf("  %5.1f s: keys A %s, B %s; frames decrypted A<-B %llu, "
                            "B<-A %llu of %llu\n",
                            t, sa.c_str(), sb.c_str(),
                            (unsigned long long)a.rx_crypt->frames_processed(),
                            (unsigned long long)b.rx_crypt->frames_processed(),
                            (unsigned long long)o.frames);
                std::fflush(stdout);
                last_print = clock_type::now();
            }
            if (failed || done >= o.frames || t > o.timeout)
                break;
        }
        tb->stop();
        tb->wait();
        const double wall = std::chrono::duration<double>(clock_type::now() - t0).count();
        if (!dir.empty())
            std::filesystem::remove_all(dir);

        bool ok = !failed && keyed_at.has_value();
        std::printf("\nlink start: A %s, B %s", a.keys->state().c_str(),
                    b.keys->state().c_str());
        if (keyed_at)
            std::printf(" after %.2f s; key fingerprints A %s, B %s (%s)", *keyed_at,
                        a.keys->fingerprint().c_str(), b.keys->fingerprint().c_str(),
                        a.keys->fingerprint() == b.keys->fingerprint() ? "equal" : "DIFFERENT");
        std::printf("\n");
        ok = ok && a.keys->fingerprint() == b.keys->fingerprint();
        const char* names[2] = { "AB (A to B)", "BA (B to A)" };
        node* receivers[2] = { &b, &a };
        for (int i = 0; i < 2; ++i) {
            const auto data = sinks[i == 0 ? 1 : 0]->data();
            const auto r = check(pattern[i], pattern_frames, data);
            const node& rx = *receivers[i];
            std::printf("direction %s: %llu frames encrypted, %llu sent in the clear before "
                        "keys (INT only); received %llu client frames intact, %llu zero "
                        "(link start), %llu wrong; FEC corrected %llu symbols, %llu "
                        "uncorrectable; INT messages delivered %llu\n",
                        names[i], (unsigned long long)nodes[i]->tx_crypt->frames_processed(),
                        (unsigned long long)nodes[i]->tx_crypt->frames_clear(),
                        (unsigned long long)r.data_frames, (unsigned long long)r.zero_frames,
                        (unsigned long long)r.bad_frames,
                        (unsigned long long)rx.decoder->corrected_symbols(),
                        (unsigned long long)rx.decoder->uncorrectable_codewords(),
                        (unsigned long long)rx.channel->messages_delivered());
            ok = ok && r.bad_frames == 0 && r.data_frames > 0;
        }
        const double frames = double(a.mux->frames() + b.mux->frames()) / 2;
        std::printf("wall clock %.2f s, %.0f frames per direction, %.0f frames/s per "
                    "direction (%.1f Mbit/s of client bytes each way; the OTU2 line rate is "
                    "82,025 frames/s)\n",
                    wall, frames, frames / wall, frames / wall * fl::payload_bytes * 8 / 1e6);
        std::printf("%s\n", ok ? "result: keys agreed, every client byte arrived intact"
                               : "result: FAILED");
        return ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fiberkey-sim: %s\n", e.what());
        return 1;
    }
}
