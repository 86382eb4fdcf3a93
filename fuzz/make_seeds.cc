/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Writes the seed corpus of every fuzz target into OUTDIR/<target>/ (the input formats
// are described at the top of each fuzz_*.cc): well-formed inputs, made with the core's
// own encoders, that reach deep into each parser. Deterministic.
//   fuzz_make_seeds OUTDIR
#include "../lib/core/tests/correlated_counts.h"
#include "../lib/core/tests/line_signal.h"

#include <fiberkey/int_block.h>
#include <fiberkey/int_transport.h>
#include <fiberkey/kme.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/post_processor.h>
#include <fiberkey/sigmf.h>
#include <fiberkey/sm2_kex.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <tuple>
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
    // [config][start state], then ops.
    bytes s = { 0x02, 2 }; // packed bytes, FEC on, lof_frames 1, in frame
    frames(s, 4);
    c.add(s);
    s = { 0x02, 0 }; // the same from power on: the aligner hunts
    frames(s, 3);
    c.add(s);
    s = { 0x02, 1 }; // hunting, a FAS candidate pending
    frames(s, 3);
    c.add(s);
    s = { 0x03, 2 };                                     // bits, FEC on
    append(s, { 1, 10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }); // noise
    append(s, { 2 | 2 << 2 });                           // a 3-bit slip
    frames(s, 3, { 0, 100, 0x5a, 0x10, 0x00, 0xff, 0x20, 0x00, 0x01 });
    c.add(s);
    s = { 0x06 | 1 << 3, 2 };     // full FAS check, lof_frames 2
    append(s, { 3, 0x00, 0x10 }); // chunks of 17 bytes
    frames(s, 2);
    append(s, { 2 | 0x20 | 7 << 2 }); // 8 bits dropped: FAS missed from here
    frames(s, 3, { 0, 0, 0xff, 0, 2, 0xff });
    c.add(s);
    s = { 0x02, 3 }; // 4 misses already: a burst of noise puts it out of frame
    for (int i = 0; i < 2; ++i) {
        append(s, { 1, 200 });
        s.insert(s.end(), 200, 0x55);
    }
    frames(s, 3);
    c.add(s);
    s = { 0x02 | 2 << 3, 4 }; // in loss of frame: frames again clear it
    frames(s, 5);
    c.add(s);
    s = { 0x02 | 0xc0, 2 }; // one push for all, a counter jump, an epoch change
    frames(s, 2);
    append(s, { 0, 40, 1, 0, 0, 0, 1, 0 });
    frames(s, 2);
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
    // Honest exchanges: messages delivered both ways, rounds added between batches
    // (enough of them for keys).
    for (int config : { 0x00, 0x03, 0x05, 0x0d, 0x15, 0x45 }) {
        bytes s = { std::uint8_t(config) };
        for (int batch = 0; batch < 6; ++batch) {
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
    cfg.max_iterations = 8; // as the harness sets them
    cfg.eps_total = 1e-4;
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


void frame_codec_seeds(const fs::path& root)
{
    corpus c(root, "frame_codec");
    // A NEG block with both NDs, as a negotiator sends it.
    neg_fields nf;
    nf.nd1_present = nf.nd2_present = true;
    nf.send_seq = 0x0102;
    nf.response_seq = 0xfffe;
    for (std::size_t j = 0; j < nf.x1.size(); ++j) {
        nf.x1[j] = static_cast<std::uint8_t>(j);
        nf.x2[j] = static_cast<std::uint8_t>(3 * j);
        nf.y1[j] = static_cast<std::uint8_t>(5 * j);
        nf.y2[j] = static_cast<std::uint8_t>(7 * j);
    }
    std::array<std::uint8_t, 255> neg{};
    neg_block::encode(nf, neg);
    // [config][counter u32][parts][payload][NEG][INT], then line ops.
    auto frame = [&](int config, std::uint32_t counter, int parts, bytes int_info) {
        bytes s = { std::uint8_t(config) };
        append(s,
               { int(counter >> 24),
                 int(counter >> 16 & 0xff),
                 int(counter >> 8 & 0xff),
                 int(counter & 0xff),
                 parts });
        append(s, { 5, 0x10, 0x32, 0x54, 0x76, 0x98 }); // payload pattern
        s.push_back(255);
        s.insert(s.end(), neg.begin(), neg.end());
        s.push_back(static_cast<std::uint8_t>(int_info.size()));
        s.insert(s.end(), int_info.begin(), int_info.end());
        return s;
    };
    const bytes int_info = { 2, 5, 0, 0, 7, 0, 0, 4, 3, 1, 0, 9, 0, 1, 2, 3 };
    c.add(frame(0x02, 1000, 0x05, int_info));          // epoch 1, payload and NEG, sealed
    bytes s = frame(0x0c, 0xfffffff0, 0x05, int_info); // epoch 2, direction 1
    append(s, { 0, 0x10, 0x00, 0x01 });                // a payload byte
    c.add(s);
    s = frame(0x06, 7, 0x05, int_info);
    append(s, { 1, 3, 0, 20, 0x80 }); // a byte of row 3 after the tag
    c.add(s);
    s = frame(0x06, 7, 0x05, int_info);
    append(s, { 2 | 3 << 2, 0x01 }); // a tag byte
    c.add(s);
    s = frame(0x00, 9, 0x05, int_info);
    append(s, { 3, 10, 0xff, 3, 250, 0x01 }); // two INT bytes: RS corrects them
    c.add(s);
    s = frame(0x00, 9, 0x05, int_info);
    append(s, { 0, 0, 10, 0x01 }); // the counter's low byte: another keystream
    c.add(s);
    c.add(frame(0x11, 3, 0x05, int_info));      // a clear frame, clear frames allowed
    c.add(frame(0x91, 3, 0x00, int_info));      // the same after a keyed frame: refused
    c.add(frame(0x00, 3, 0x06, int_info));      // a payload of the wrong size: refused
    c.add(frame(0x40, 3, 0x00, int_info));      // epoch 4: refused
    c.add(frame(0x00, 3, 0x00, bytes(240, 1))); // INT too long: refused
    s = { 0x20 }; // a frame of anything, starting with a FAS
    append(s, { 0xf6, 0xf6, 0xf6, 0x28, 0x28, 0x28, 0x12, 0, 0, 0, 0, 0, 0, 0x01 });
    c.add(s);
}

void sm2_messages_seeds(const fs::path& root)
{
    corpus c(root, "sm2_messages");
    c.add({ 0x00, 0, 0, 0 });           // an honest bootstrap
    c.add({ 0x00, 1, 10, 0x01, 0, 0 }); // R_A changed
    c.add({ 0x00, 0, 1, 90, 0x80, 0 }); // S_B changed
    c.add({ 0x00, 0, 0, 2, 20 });       // S_A cut short
    c.add({ 0x00, 6, 0, 0 });           // message 1 twice
    c.add({ 0x00, 0, 7, 0 });           // message 1 again instead of message 2
    c.add({ 0x00, 3, 4, 1, 2, 3, 4 });  // message 1 replaced
    c.add({ 0x02, 0, 0, 0 });           // B expects another identity
    c.add({ 0x04, 0, 0, 0 });           // A expects another key
    bytes s = { 0x01 };                 // the key exchange, ephemerals given
    for (int i = 0; i < 64; ++i)
        s.push_back(static_cast<std::uint8_t>(0x21 + i));
    append(s, { 0, 0, 0 });
    c.add(s);
    s[1] = 0xff; // r_A above n: refused
    for (int i = 2; i < 33; ++i)
        s[i] = 0xff;
    c.add(s);
    // A valid public key for the final sm2_za check.
    std::array<std::uint8_t, 32> d{};
    d[31] = 7;
    const auto p = sm2_keypair::from_private_key(d).public_key();
    s = { 0x00, 0, 0, 0, std::uint8_t(p.size()) };
    s.insert(s.end(), p.begin(), p.end());
    c.add(s);
    s[s.size() - 1] ^= 1; // off the curve
    c.add(s);
}

void key_files_seeds(const fs::path& root)
{
    corpus c(root, "key_files");
    c.add({ 0x00 });                               // the library's private key file
    c.add({ 0x01 });                               // its public key file
    c.add({ 0x02, 0x04 });                         // private, mode 0604
    c.add({ 0x03, 0x22 });                         // public, mode 0622: fine
    c.add({ 0x04 });                               // a directory
    c.add({ 0x06 });                               // a link to a private key file
    c.add({ 0x08 });                               // a FIFO
    c.add({ 0x00, 1, 0x00, 0x30, 0x01 });          // a DER byte of the private key
    c.add({ 0x01, 1, 0x00, 0x50, 0x01 });          // a DER byte of the public point
    c.add({ 0x00, 2, 0x00, 0x20, 0x08 });          // text removed
    c.add({ 0x01, 3, 0x00, 0x1b, 2, '\r', '\n' }); // text inserted
    const std::string text =
        "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n";
    bytes s = { 0x10 };
    s.insert(s.end(), text.begin(), text.end());
    c.add(s);
}

void message_handlers_seeds(const fs::path& root)
{
    corpus c(root, "message_handlers");
    // Per block, well-formed messages (kind 15) on each of its ports with fixed random
    // content, then the same ports given one PMT of every other kind.
    std::mt19937 rng(16);
    for (const int block : { 0, 1, 2, 3, 4, 5, 6, 7, 8 | 1, 0x80 }) {
        bytes s = { static_cast<std::uint8_t>(block) };
        for (int port = 0; port < 4; ++port) {
            append(s, { port, 15 });
            for (int i = 0; i < 600; ++i)
                s.push_back(static_cast<std::uint8_t>(rng()));
        }
        c.add(s);
        s = { static_cast<std::uint8_t>(block) };
        for (int kind = 0; kind < 15; ++kind) {
            append(s, { kind % 4, kind });
            for (int i = 0; i < 8; ++i)
                s.push_back(static_cast<std::uint8_t>(rng()));
        }
        c.add(s);
    }
}

void kme_seeds(const fs::path& root)
{
    corpus c(root, "kme");
    std::vector<key_reservation> keys;
    for (unsigned k = 0; k < 3; ++k) {
        key_reservation r;
        for (unsigned s = 0; s <= k; ++s) {
            std::array<std::uint8_t, 32> link{};
            link[0] = static_cast<std::uint8_t>(k);
            r.seed_ids.push_back(uuid_text(application_key_id(link, 0, s + 1, 256 * s)));
        }
        r.key_id = r.seed_ids.front();
        r.size_bits = 256 * (k + 1) - 8 * k;
        r.master_sae = "SAE_A";
        r.slave_sae = "SAE_B";
        keys.push_back(r);
    }
    bytes s = { 0 };
    const auto notice = encode_notice(keys);
    s.insert(s.end(), notice.begin(), notice.end());
    c.add(s);
    for (const char* body : { R"({"number": 2, "size": 512})",
                              R"({})",
                              R"({"number": 1, "extension_optional": [{"a": 1}]})" }) {
        s = { 1 };
        s.insert(s.end(), body, body + std::strlen(body));
        c.add(s);
    }
    const std::string ids = R"({"key_IDs": [{"key_ID": ")" + keys[0].key_id + R"("}]})";
    s = { 2 };
    s.insert(s.end(), ids.begin(), ids.end());
    c.add(s);
}

} // namespace

void neg_segment_seeds(const fs::path& root)
{
    // Frame 3 of the target's 16-frame pattern (its key), a segment from 40 bits before
    // NEG to 40 after, NRZ at 4.527 samples per bit, at 1 sample per bit, and inverted.
    corpus c(root, "neg_segment");
    constexpr std::array<std::uint8_t, 16> key{ 7, 1, 4, 1, 5, 9, 2, 6,
                                                5, 3, 5, 8, 9, 7, 9, 3 };
    const auto bits = test::line_bits(3, test::pattern_neg(4, 1), key);
    const double first = frame_layout::neg.offset * 8 - 40;
    for (const auto& [sps_index, sps, sign] : { std::tuple{ 3, 4.527, 1 },
                                                std::tuple{ 0, 1.0, 1 },
                                                std::tuple{ 3, 4.527, -1 } }) {
        bytes s{ static_cast<std::uint8_t>(sps_index) };
        append_u16(s, 1024 - 40); // first bit: NEG's - 40
        append(s,
               { 0, 64, 16, 3, 0 }); // fraction, search, frames 16, expected 3, scale 1
        const std::size_t n = static_cast<std::size_t>((2040 + 80) * sps);
        for (std::size_t k = 0; k < n; ++k) {
            const auto bit = bits[static_cast<std::size_t>(first + (k + 0.5) / sps)];
            s.push_back(static_cast<std::uint8_t>(
                static_cast<std::int8_t>(sign * (bit ? 60 : -60))));
        }
        c.add(s);
    }
}

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
    frame_codec_seeds(root);
    sm2_messages_seeds(root);
    key_files_seeds(root);
    message_handlers_seeds(root);
    neg_segment_seeds(root);
    kme_seeds(root);
    return 0;
}
