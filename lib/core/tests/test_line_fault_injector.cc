/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/int_block.h>
#include <fiberkey/line_fault_injector.h>
#include <fiberkey/otu_frame.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <random>
#include <vector>

using namespace fiberkey;

namespace {

constexpr std::size_t frame_bits = line_fault_injector::frame_bits;
constexpr std::size_t int_first_bit = frame_layout::intb.offset * 8;

// Random line bits, one per byte, whose first 32 bits of each frame number the frame.
std::vector<std::uint8_t> numbered_frames(std::size_t frames, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<std::uint8_t> bits(frames * frame_bits);
    for (auto& b : bits)
        b = rng() & 1;
    for (std::size_t f = 0; f < frames; ++f)
        for (std::size_t i = 0; i < 32; ++i)
            bits[f * frame_bits + i] = (f >> (31 - i)) & 1;
    return bits;
}

std::uint32_t frame_number(const std::uint8_t* bits)
{
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 32; ++i)
        v = (v << 1) | bits[i];
    return v;
}

// The whole input through the injector in pieces of random sizes.
std::vector<std::uint8_t> run(line_fault_injector& inj,
                              const std::vector<std::uint8_t>& in,
                              std::uint64_t chunk_seed = 0)
{
    std::vector<std::uint8_t> out(in.size());
    std::mt19937_64 rng(chunk_seed);
    std::size_t taken = 0, written = 0;
    while (taken < in.size()) {
        std::size_t n = in.size() - taken;
        if (chunk_seed != 0)
            n = std::min<std::size_t>(n, 1 + rng() % 200'000);
        written += inj.process(std::span(in).subspan(taken, n), out.data() + written);
        taken += n;
    }
    out.resize(written);
    return out;
}

std::size_t differing(const std::uint8_t* a, const std::uint8_t* b, std::size_t n)
{
    std::size_t d = 0;
    for (std::size_t i = 0; i < n; ++i)
        d += a[i] != b[i];
    return d;
}

} // namespace

TEST(line_fault_injector, rejects_bad_configuration)
{
    auto bad = [](auto change) {
        line_fault_config c;
        change(c);
        EXPECT_THROW(line_fault_injector(c, 1), std::invalid_argument);
    };
    bad([](auto& c) { c.drop_probability = -0.1; });
    bad([](auto& c) { c.drop_probability = 1.5; });
    bad([](auto& c) { c.int_loss_probability = std::nan(""); });
    bad([](auto& c) { c.bursts_per_frame = -1; });
    bad([](auto& c) { c.bursts_per_frame = 1; }); // no length
    bad([](auto& c) {
        c.bursts_per_frame = 1;
        c.burst_bits = frame_bits + 1;
    });
    EXPECT_THROW(parse_outage_fill("ones"), std::invalid_argument);
    EXPECT_EQ(parse_outage_fill("random"), outage_fill::random);
}

TEST(line_fault_injector, without_faults_the_line_is_untouched)
{
    const auto in = numbered_frames(4, 1);
    line_fault_injector inj({}); // CSPRNG: nothing is drawn without faults
    EXPECT_FALSE(inj.test_seeded());
    const auto out = run(inj, in, 7);
    EXPECT_EQ(out, in);
    EXPECT_EQ(inj.counters().frames, 4u);
    EXPECT_EQ(inj.counters().bits_out, in.size());
}

// Dropped frames vanish whole: what comes out is the other frames, in order, intact.
TEST(line_fault_injector, drops_whole_frames_inside_the_active_window)
{
    const std::size_t frames = 300;
    const auto in = numbered_frames(frames, 2);
    line_fault_config c;
    c.drop_probability = 0.2;
    c.active_from_frame = 50;
    c.active_frames = 200;
    line_fault_injector inj(c, 11);
    const auto out = run(inj, in, 3);

    ASSERT_EQ(out.size() % frame_bits, 0u);
    const std::size_t kept = out.size() / frame_bits;
    EXPECT_EQ(kept + inj.counters().frames_dropped, frames);
    EXPECT_NEAR(double(inj.counters().frames_dropped), 40.0, 15.0);
    std::vector<std::uint32_t> ids;
    for (std::size_t f = 0; f < kept; ++f) {
        const std::uint8_t* o = out.data() + f * frame_bits;
        const auto id = frame_number(o);
        ASSERT_LT(id, frames);
        EXPECT_TRUE(std::equal(o, o + frame_bits, in.begin() + id * frame_bits));
        ids.push_back(id);
    }
    EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end()));
    // Nothing outside the window is lost.
    for (std::uint32_t id = 0; id < frames; ++id) {
        if (id < 50 || id >= 250) {
            EXPECT_TRUE(std::binary_search(ids.begin(), ids.end(), id)) << id;
        }
    }
}

TEST(line_fault_injector, frame_grid_starts_at_the_phase)
{
    const std::size_t phase = 1001;
    auto in = numbered_frames(3, 4);
    in.insert(in.begin(), phase, 1);
    line_fault_config c;
    c.drop_probability = 1.0;
    c.active_frames = 1; // frame 0 only
    c.phase_bits = phase;
    line_fault_injector inj(c, 5);
    const auto out = run(inj, in, 9);
    ASSERT_EQ(out.size(), phase + 2 * frame_bits);
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + phase, in.begin()));
    EXPECT_EQ(frame_number(out.data() + phase), 1u);
    EXPECT_EQ(frame_number(out.data() + phase + frame_bits), 2u);
}

TEST(line_fault_injector, outage_replaces_its_frames)
{
    const auto in = numbered_frames(6, 5);
    for (auto fill : { outage_fill::zeros, outage_fill::random }) {
        line_fault_config c;
        c.outage_start_frame = 2;
        c.outage_frames = 3;
        c.fill = fill;
        line_fault_injector inj(c, 6);
        const auto out = run(inj, in, 13);
        ASSERT_EQ(out.size(), in.size());
        EXPECT_EQ(inj.counters().outage_frames, 3u);
        const std::size_t lo = 2 * frame_bits, hi = 5 * frame_bits;
        EXPECT_TRUE(std::equal(out.begin(), out.begin() + lo, in.begin()));
        EXPECT_TRUE(std::equal(out.begin() + hi, out.end(), in.begin() + hi));
        const auto ones = std::count(out.begin() + lo, out.begin() + hi, 1);
        const auto changed = differing(out.data() + lo, in.data() + lo, hi - lo);
        if (fill == outage_fill::zeros) {
            EXPECT_EQ(ones, 0);
        } else {
            EXPECT_NEAR(double(ones) / double(hi - lo), 0.5, 0.01);
            EXPECT_NEAR(double(changed) / double(hi - lo), 0.5, 0.01);
        }
    }
}

// Bursts: runs of random bits of the set length, at the set rate, inside the window only.
TEST(line_fault_injector, error_bursts_at_rate_and_length)
{
    const std::size_t frames = 400;
    const auto in = numbered_frames(frames, 6);
    line_fault_config c;
    c.bursts_per_frame = 0.5;
    c.burst_bits = 300;
    c.active_from_frame = 100;
    c.active_frames = 200;
    line_fault_injector inj(c, 21);
    const auto out = run(inj, in, 17);
    ASSERT_EQ(out.size(), in.size());

    const auto& k = inj.counters();
    EXPECT_NEAR(double(k.bursts), 100.0, 30.0);
    EXPECT_EQ(k.bit_errors, differing(out.data(), in.data(), in.size()));
    EXPECT_NEAR(double(k.bit_errors) / double(k.bursts * c.burst_bits), 0.5, 0.05);
    // No error before the window; none after it but the tail of a burst begun inside.
    const std::size_t first = 100 * frame_bits, last = 300 * frame_bits + c.burst_bits;
    EXPECT_EQ(differing(out.data(), in.data(), first), 0u);
    EXPECT_EQ(differing(out.data() + last, in.data() + last, in.size() - last), 0u);
    // Errors come in clusters no longer than a burst.
    std::size_t previous = 0, cluster_start = 0;
    bool any = false;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == in[i])
            continue;
        if (!any || i - previous > c.burst_bits)
            cluster_start = i;
        // Back-to-back bursts can merge; the gap is geometric, so rarely.
        EXPECT_LT(i - cluster_start, 3 * c.burst_bits);
        previous = i;
        any = true;
    }
}

// INT corruption: every INT byte wrong, nothing else touched; through the whole line code
// (G.709 FEC, scrambler) RS(255,239) of INT cannot correct it, the OTU rows stay clean.
namespace {
// Frames as a node sends them (random payload and NEG, an INT record, G.709 FEC,
// scrambled), and their line bits. FIXED SEED: test data.
struct sent_frames {
    std::vector<std::vector<std::uint8_t>> plain; // FEC encoded, not scrambled
    std::vector<std::uint8_t> line;
};

sent_frames send(std::size_t frames, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    sent_frames s;
    s.plain.resize(frames);
    for (std::size_t k = 0; k < frames; ++k) {
        auto& f = s.plain[k];
        std::vector<std::uint8_t> payload(frame_layout::payload_bytes),
            neg(frame_layout::block_bytes);
        for (auto* part : { &payload, &neg })
            for (auto& b : *part)
                b = static_cast<std::uint8_t>(rng());
        int_writer w;
        EXPECT_TRUE(w.add(int_ack{ 2, 7 }));
        f.resize(frame_layout::frame_bytes);
        otu_frame::build(otu_frame::frame_ref(f.data(), f.size()),
                         { static_cast<std::uint32_t>(k), 0, false },
                         payload,
                         neg,
                         w.records());
        g709_fec::encode(f);
        auto scrambled = f;
        g709_scrambler::apply(scrambled);
        for (auto byte : scrambled)
            for (int i = 7; i >= 0; --i)
                s.line.push_back((byte >> i) & 1);
    }
    return s;
}

// Frame k of line bits back to descrambled bytes, as a line decoder sees it.
std::vector<std::uint8_t> received(const std::vector<std::uint8_t>& line, std::size_t k)
{
    const std::uint8_t* bits = line.data() + k * frame_bits;
    std::vector<std::uint8_t> rx(frame_layout::frame_bytes);
    for (std::size_t i = 0; i < rx.size(); ++i)
        for (int j = 0; j < 8; ++j)
            rx[i] = static_cast<std::uint8_t>((rx[i] << 1) | bits[8 * i + j]);
    g709_scrambler::apply(rx);
    return rx;
}

std::size_t bit_differences(const std::uint8_t* a, const std::uint8_t* b, std::size_t n)
{
    std::size_t d = 0;
    for (std::size_t i = 0; i < n; ++i)
        d += static_cast<std::size_t>(std::popcount(static_cast<unsigned>(a[i] ^ b[i])));
    return d;
}
} // namespace

TEST(line_fault_injector, int_corruption_beats_the_int_code_and_spares_the_rest)
{
    const std::size_t frames = 40;
    const auto [plain, line] = send(frames, 8);
    line_fault_config c;
    c.int_loss_probability = 1.0;
    line_fault_injector inj(c, 31);
    const auto out = run(inj, line, 23);
    ASSERT_EQ(out.size(), line.size());
    EXPECT_EQ(inj.counters().int_corrupted, frames);

    for (std::size_t k = 0; k < frames; ++k) {
        const std::uint8_t* bits = out.data() + k * frame_bits;
        EXPECT_EQ(differing(bits, line.data() + k * frame_bits, int_first_bit), 0u);
        auto rx = received(out, k);
        const auto fec = g709_fec::decode(rx);
        EXPECT_EQ(fec.corrected_symbols, 0u);
        EXPECT_EQ(fec.uncorrectable_codewords, 0u);
        for (std::size_t i = 0; i < frame_layout::block_bytes; ++i)
            EXPECT_NE(rx[frame_layout::intb.offset + i],
                      plain[k][frame_layout::intb.offset + i]);
        const auto parsed = parse_int_block(std::span<const std::uint8_t, 255>(
            rx.data() + frame_layout::intb.offset, frame_layout::block_bytes));
        EXPECT_EQ(parsed.error, int_error::uncorrectable);
    }
}

// The attacker's changes pass both line codes unseen: only payload, INT and their
// parity change, every codeword still decodes without a correction.
TEST(line_fault_injector, tampering_passes_the_line_codes_unseen)
{
    namespace fl = frame_layout;
    const std::size_t frames = 60;
    const auto [plain, line] = send(frames, 9);
    line_fault_config c;
    c.tamper_probability = 1.0;
    line_fault_injector inj(c, 41);
    const auto out = run(inj, line, 29);
    ASSERT_EQ(out.size(), line.size());
    EXPECT_EQ(inj.counters().frames_tampered, frames);
    EXPECT_EQ(inj.counters().tampered_bits,
              differing(out.data(), line.data(), line.size()));

    int payload_only = 0, int_only = 0, both = 0;
    for (std::size_t k = 0; k < frames; ++k) {
        auto rx = received(out, k);
        const auto fec = g709_fec::decode(rx);
        EXPECT_EQ(fec.corrected_symbols, 0u);
        EXPECT_EQ(fec.uncorrectable_codewords, 0u);
        const auto int_block =
            otu_frame::decode_int(otu_frame::const_frame_ref(rx.data(), fl::frame_bytes));
        EXPECT_EQ(int_block.corrected, 0);

        std::vector<std::uint8_t> sent_payload(fl::payload_bytes), got(fl::payload_bytes);
        otu_frame::read_payload(
            otu_frame::const_frame_ref(plain[k].data(), fl::frame_bytes),
            otu_frame::payload_ref(sent_payload.data(), fl::payload_bytes));
        otu_frame::read_payload(otu_frame::const_frame_ref(rx.data(), fl::frame_bytes),
                                otu_frame::payload_ref(got.data(), fl::payload_bytes));
        const auto payload_flips =
            bit_differences(sent_payload.data(), got.data(), fl::payload_bytes);
        const auto int_flips = bit_differences(plain[k].data() + fl::intb.offset,
                                               rx.data() + fl::intb.offset,
                                               fl::int_info_bytes);
        EXPECT_LE(payload_flips, 16u);
        EXPECT_LE(int_flips, 16u);
        payload_only += payload_flips > 0 && int_flips == 0;
        int_only += payload_flips == 0 && int_flips > 0;
        both += payload_flips > 0 && int_flips > 0;
        // Nothing else: overhead, NEG and the clear header are as sent.
        for (std::size_t r = 0; r < fl::rows; ++r)
            EXPECT_EQ(differing(plain[k].data() + fl::at(r, 0),
                                rx.data() + fl::at(r, 0),
                                fl::payload_columns.offset),
                      0u);
        EXPECT_EQ(differing(plain[k].data() + fl::neg.offset,
                            rx.data() + fl::neg.offset,
                            fl::block_bytes),
                  0u);
    }
    EXPECT_EQ(payload_only + int_only + both, static_cast<int>(frames));
    EXPECT_GT(payload_only, 5);
    EXPECT_GT(int_only, 5);
    EXPECT_GT(both, 5);
}

// A test seed fixes the fault pattern whatever the pieces the input comes in.
TEST(line_fault_injector, test_seed_pattern_does_not_depend_on_the_pieces)
{
    const auto in = numbered_frames(120, 9);
    line_fault_config c;
    c.drop_probability = 0.1;
    c.bursts_per_frame = 2;
    c.burst_bits = 500;
    c.int_loss_probability = 0.2;
    c.outage_start_frame = 60;
    c.outage_frames = 5;
    c.fill = outage_fill::random;
    c.phase_bits = 77;
    std::vector<std::uint8_t> shifted(77, 0);
    shifted.insert(shifted.end(), in.begin(), in.end());

    line_fault_injector whole(c, 41), pieces(c, 41), other(c, 42);
    const auto a = run(whole, shifted);
    const auto b = run(pieces, shifted, 99);
    const auto d = run(other, shifted, 5);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, d);
    EXPECT_TRUE(whole.test_seeded());
    const auto& x = whole.counters();
    const auto& y = pieces.counters();
    EXPECT_EQ(x.frames_dropped, y.frames_dropped);
    EXPECT_EQ(x.bursts, y.bursts);
    EXPECT_EQ(x.bit_errors, y.bit_errors);
    EXPECT_EQ(x.int_corrupted, y.int_corrupted);
    EXPECT_EQ(x.outage_frames, 5u);
    EXPECT_GT(x.frames_dropped, 0u);
    EXPECT_GT(x.int_corrupted, 0u);
    EXPECT_GT(x.bursts, 100u);
}

// Faults set while the line runs: the new settings take effect at the next frame period,
// a bad one is refused and changes nothing, phase_bits cannot move the frame grid.
TEST(line_fault_injector, reconfigured_while_running)
{
    const std::size_t frames = 200;
    const auto in = numbered_frames(frames, 8);
    line_fault_injector inj({}, 31);
    std::vector<std::uint8_t> out(in.size());
    const auto half = std::span(in).first(100 * frame_bits + 5);
    std::size_t written = inj.process(half, out.data());
    EXPECT_EQ(written, half.size()) << "no faults yet";

    line_fault_config c;
    c.drop_probability = 0.3;
    c.bursts_per_frame = 2;
    c.burst_bits = 100;
    c.phase_bits = 12345; // ignored
    line_fault_config bad = c;
    bad.drop_probability = 2;
    EXPECT_THROW(inj.reconfigure(bad), std::invalid_argument);
    EXPECT_EQ(inj.config().drop_probability, 0.0);
    inj.reconfigure(c);
    EXPECT_EQ(inj.config().phase_bits, 0u);
    written += inj.process(std::span(in).subspan(half.size()), out.data() + written);
    out.resize(written);

    const auto& k = inj.counters();
    EXPECT_NEAR(double(k.frames_dropped), 30.0, 15.0);
    EXPECT_NEAR(double(k.bursts), 2.0 * double(frames - 101 - k.frames_dropped), 60.0);
    EXPECT_EQ(written, in.size() - k.frames_dropped * frame_bits);
    // Frame 100, begun before, passes whole and clean; the next frame period is the first
    // with faults.
    const std::size_t first_faulty = 101 * frame_bits;
    EXPECT_EQ(differing(out.data(), in.data(), first_faulty), 0u);

    // Faults off again: the rest of the line is untouched.
    inj.reconfigure({});
    const auto more = numbered_frames(3, 9);
    std::vector<std::uint8_t> clean(more.size());
    EXPECT_EQ(inj.process(more, clean.data()), more.size());
    // A burst under way when the rate changed ends as begun, in the first frame only.
    EXPECT_EQ(differing(clean.data() + 100, more.data() + 100, more.size() - 100), 0u);
}
