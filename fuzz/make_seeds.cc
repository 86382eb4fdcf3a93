/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Writes the seed corpus of every fuzz target into OUTDIR/<target>/ (the input formats
// are described at the top of each fuzz_*.cc): well-formed inputs, made with the core's
// own encoders, that reach deep into each parser. Deterministic.
//   fuzz_make_seeds OUTDIR
#include "../lib/core/tests/correlated_counts.h"

#include <fiberkey/int_block.h>
#include <fiberkey/int_transport.h>
#include <fiberkey/post_processor.h>
#include <fiberkey/sigmf.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

using namespace fiberkey;
namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {

class corpus
{
public:
    corpus(const fs::path& root, const std::string& target) : d_dir(root / target)
    {
        fs::create_directories(d_dir);
    }
    void add(const bytes& b)
    {
        std::ofstream(d_dir / ("seed-" + std::to_string(++d_count)), std::ios::binary)
            .write(reinterpret_cast<const char*>(b.data()),
                   static_cast<std::streamsize>(b.size()));
    }

private:
    fs::path d_dir;
    int d_count = 0;
};

void append(bytes& b, std::initializer_list<int> v)
{
    for (int x : v)
        b.push_back(static_cast<std::uint8_t>(x));
}

void append_u16(bytes& b, std::size_t v)
{
    append(b, { int(v >> 8 & 0xff), int(v & 0xff) });
}

void line_decoder_seeds(const fs::path& root)
{
    corpus c(root, "line_decoder");
    auto frames = [](bytes& s, int n, std::initializer_list<int> errors = {}) {
        for (int i = 0; i < n; ++i) {
            append(s, { 0, 0, i % 4, int(errors.size() / 3) });
            append(s, errors);
        }
    };
    bytes s = { 0x02 }; // packed bytes, FEC on, lof_frames 1
    frames(s, 4);
    c.add(s);
    s = { 0x03 };                                        // bits, FEC on
    append(s, { 1, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }); // noise
    append(s, { 2 | 2 << 2 });                           // a 3-bit slip
    frames(s, 3, { 0, 100, 0x5a, 0x10, 0x00, 0xff, 0x20, 0x00, 0x01 });
    c.add(s);
    s = { 0x06 | 1 << 3 };        // full FAS check, lof_frames 2
    append(s, { 3, 0x00, 0x10 }); // chunks of 17 bytes
    frames(s, 3);
    append(s, { 2 | 0x20 | 7 << 2 }); // 8 bits dropped: out of frame
    frames(s, 3, { 0, 0, 0xff, 0, 2, 0xff });
    c.add(s);
    s = { 0x02 };
    frames(s, 2);
    for (int i = 0; i < 4; ++i) { // a burst of noise, then frames again
        append(s, { 1, 200 });
        s.insert(s.end(), 200, 0x55);
    }
    frames(s, 3);
    c.add(s);
}

void int_block_seeds(const fs::path& root)
{
    corpus c(root, "int_block");
    auto block = [](bytes& s, int control, const int_writer& w, bytes errors = {}) {
        append(s, { control, int(w.used()) });
        s.insert(s.end(), w.records().begin(), w.records().end());
        append(s, { int(errors.size() / 2) });
        s.insert(s.end(), errors.begin(), errors.end());
    };
    int_writer w;
    w.add(int_round{ 0, 17, 16 });
    w.add(int_c_feedback{ 1, 16, 24, { 0xde, 0xad, 0xbe } });
    w.add(int_ack{ 2, 5 });
    w.add(int_fragment{ 0xf0, 9, 0, 1, { 0, 1, 2, 3, 4, 5, 6, 7, 8 } });
    bytes s = { 0x00 };
    block(s, 0, w);
    c.add(s);
    s = { 0x15 };
    block(s, 2, w, { 3, 0x40, 200, 0x01, 250, 0xff });
    c.add(s);

    // A 300-byte message in fragments, as int_transport sends it, with acks.
    int_transport sender;
    bytes message(300);
    for (std::size_t i = 0; i < message.size(); ++i)
        message[i] = static_cast<std::uint8_t>(i * 7);
    sender.send(3, message);
    s = { 0x2a };
    for (int frame = 0; frame < 6; ++frame) {
        int_writer f(160);
        sender.fill(f);
        if (f.used() == 0)
            break;
        block(s, frame % 2 ? 3 : 2, f);
    }
    c.add(s);
}

void post_processor_seeds(const fs::path& root)
{
    corpus c(root, "post_processor");
    // Honest exchanges: messages delivered both ways, rounds added between batches.
    for (int config : { 0x00, 0x03, 0x0d, 0x15, 0x45 }) {
        bytes s = { std::uint8_t(config) };
        for (int batch = 0; batch < 3; ++batch) {
            for (int hop = 0; hop < 8; ++hop)
                append(s, { 0, 1 });
            append(s, { 6 | 15 << 3, 6 | 0 << 3 });
        }
        c.add(s);
    }
    // Each message of a real exchange alone, made up to the harness's leader or follower.
    post_processor_config cfg;
    cfg.quantizer.mode = quantizer_mode::equiprobable;
    cfg.quantizer.bits_per_round = 2;
    cfg.batch_rounds = 128;
    cfg.abandon_after_rounds = 256;
    cfg.min_used_rounds = 16;
    auto rng = std::make_shared<std::mt19937_64>(3);
    cfg.random = [rng](std::span<std::uint8_t> out) {
        for (auto& b : out)
            b = static_cast<std::uint8_t>((*rng)());
    };
    post_processor leader(cfg);
    cfg.role = pp_role::follower;
    post_processor follower(cfg);
    test::correlated_counts gen(3, 12.0, test::noise_for_disagreement(12.0, 0.02));
    std::uint16_t seq = 0;
    for (int batch = 0; batch < 6; ++batch) {
        for (std::size_t i = 0; i < cfg.batch_rounds; ++i) {
            const auto [f1, f2] = gen.next();
            leader.add_round(++seq, f1);
            follower.add_round(seq, f2);
        }
        for (int hop = 0; hop < 8; ++hop) {
            for (auto& m : leader.take_messages()) {
                follower.handle_message(m);
                bytes s = { 0x03, 5 };
                append_u16(s, m.size());
                s.insert(s.end(), m.begin(), m.end());
                c.add(s);
            }
            for (auto& m : follower.take_messages()) {
                leader.handle_message(m);
                bytes s = { 0x03, 4 };
                append_u16(s, m.size());
                s.insert(s.end(), m.begin(), m.end());
                c.add(s);
            }
        }
    }
}

void sigmf_seeds(const fs::path& root)
{
    corpus c(root, "sigmf");
    sigmf_metadata meta;
    meta.sample_rate = 20e9;
    meta.bit_rate = 10.709225e9;
    meta.samples_per_bit = 2;
    meta.description = "fuzz seed \"quoted\" \\ \u00e9";
    meta.frames = { { 0, 7 }, { 3, 8 } };
    const std::string json = to_sigmf_json(meta);
    bytes s(json.begin(), json.end());
    s.push_back(0);
    for (int i = 0; i < 8; ++i)
        append(s, { 0, 0, 0x80, i % 2 ? 0xbf : 0x3f }); // -1.0 and 1.0
    c.add(s);
    meta = {};
    meta.sample_rate = 1;
    meta.bit_rate = 0.5;
    const std::string plain = to_sigmf_json(meta);
    c.add(bytes(plain.begin(), plain.end()));
}

void negotiator_seeds(const fs::path& root)
{
    corpus c(root, "negotiator");
    bytes s = { 0 };
    s.insert(s.end(), 40, 0x00); // 40 frames each way, as sent
    c.add(s);
    s = { 3 };
    for (int i = 0; i < 40; ++i) {
        const int op = i % 5 == 0 ? 0x01 : i % 7 == 0 ? 0x02 << 2 : 0x00;
        s.push_back(static_cast<std::uint8_t>(op));
        if (op == 0x02 << 2)
            append(s, { 2, 1, 0x01, 128, 0x10 });
    }
    c.add(s);
    s = { 200 };
    for (int i = 0; i < 30; ++i)
        append(s, { 0x03, 3, i, 0x55, 2, 0x0f, 40, 0x80 });
    c.add(s);
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    line_decoder_seeds(root);
    int_block_seeds(root);
    post_processor_seeds(root);
    sigmf_seeds(root);
    negotiator_seeds(root);
    return 0;
}
