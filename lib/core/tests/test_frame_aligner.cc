/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_aligner.h>
#include <fiberkey/otu_frame.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
constexpr std::size_t L = frame_aligner::frame_bits;
using frame_t = std::vector<uint8_t>;
using bits_t = std::vector<uint8_t>;

// A frame as the mux builds it, with random counter, payload, NEG and INT.
frame_t random_frame(std::mt19937& rng)
{
    std::vector<uint8_t> payload(fl::payload_bytes), neg(fl::block_bytes),
        info(fl::int_info_bytes);
    for (auto* part : { &payload, &neg, &info })
        for (auto& b : *part)
            b = static_cast<uint8_t>(rng());
    frame_t f(fl::frame_bytes);
    otu_frame::build(
        otu_frame::frame_ref(f.data(), fl::frame_bytes),
        { static_cast<uint32_t>(rng()), static_cast<unsigned>(rng() & 3), false },
        payload,
        neg,
        info);
    return f;
}

std::vector<frame_t> random_frames(std::size_t n, std::mt19937& rng)
{
    std::vector<frame_t> frames;
    for (std::size_t i = 0; i < n; ++i)
        frames.push_back(random_frame(rng));
    return frames;
}

bits_t unpack(const std::vector<frame_t>& frames)
{
    bits_t bits;
    bits.reserve(frames.size() * L);
    for (const auto& f : frames)
        for (auto byte : f)
            for (int b = 7; b >= 0; --b)
                bits.push_back((byte >> b) & 1);
    return bits;
}

bits_t random_bits(std::size_t n, std::mt19937& rng)
{
    bits_t bits(n);
    for (auto& b : bits)
        b = rng() & 1;
    return bits;
}

struct received {
    std::vector<frame_t> frames;
    std::vector<uint64_t> starts;
    std::vector<bool> fas_ok;
    std::vector<std::pair<align_event, uint64_t>> events; // with the stream position
};

//! Drains every output after a push.
void drain(frame_aligner& a, received& r)
{
    while (auto e = a.pop_event())
        r.events.emplace_back(*e, a.counters().bits);
    if (a.has_frame()) {
        r.frames.emplace_back(a.frame().begin(), a.frame().end());
        r.starts.push_back(a.frame_start());
        r.fas_ok.push_back(a.frame_fas_ok());
        a.pop_frame();
    }
}

//! Feeds unpacked \p bits in random chunks (1 bit to about 1.5 frames).
received
run_bits(frame_aligner& a, const bits_t& bits, std::mt19937& rng, received r = {})
{
    std::size_t pos = 0;
    while (pos < bits.size()) {
        const std::size_t chunk = std::min<std::size_t>(
            bits.size() - pos, 1 + rng() % (rng() % 2 ? 64 : 200000));
        std::size_t used = 0;
        while (used < chunk) {
            used += a.push_bits(std::span(bits).subspan(pos + used, chunk - used));
            drain(a, r);
        }
        pos += chunk;
    }
    return r;
}

received run_bytes(frame_aligner& a, const std::vector<uint8_t>& bytes, std::mt19937& rng)
{
    received r;
    std::size_t pos = 0;
    while (pos < bytes.size()) {
        const std::size_t chunk =
            std::min<std::size_t>(bytes.size() - pos, 1 + rng() % 30000);
        std::size_t used = 0;
        while (used < chunk) {
            used += a.push_bytes(std::span(bytes).subspan(pos + used, chunk - used));
            drain(a, r);
        }
        pos += chunk;
    }
    // Bits of a split byte are consumed by the next push, even an empty one.
    for (int i = 0; i < 8; ++i) {
        a.push_bits({});
        drain(a, r);
    }
    return r;
}

std::vector<align_event> kinds(const received& r)
{
    std::vector<align_event> k;
    for (const auto& e : r.events)
        k.push_back(e.first);
    return k;
}

using ev = align_event;
} // namespace

TEST(frame_aligner, aligns_from_any_bit_offset)
{
    std::mt19937 rng(41);
    const auto frames = random_frames(3, rng);
    const auto bits = unpack(frames);
    std::vector<std::size_t> offsets;
    for (std::size_t o = 0; o < L; o += 97)
        offsets.push_back(o);
    for (std::size_t o = 0; o < 16; ++o) {
        offsets.push_back(o);
        offsets.push_back(L - 1 - o);
    }
    for (auto offset : offsets) {
        frame_aligner a;
        const auto r = run_bits(a, bits_t(bits.begin() + offset, bits.end()), rng);
        // Found at the next FAS, confirmed one frame later: frame 1 from offset 0,
        // frame 2 otherwise.
        const std::size_t first = offset == 0 ? 1 : 2;
        ASSERT_EQ(kinds(r), std::vector<ev>{ ev::in_frame }) << "offset " << offset;
        ASSERT_EQ(r.frames.size(), 3 - first) << "offset " << offset;
        for (std::size_t i = 0; i < r.frames.size(); ++i) {
            ASSERT_EQ(r.frames[i], frames[first + i]) << "offset " << offset;
            EXPECT_EQ(r.starts[i], (first + i) * L - offset);
            EXPECT_TRUE(r.fas_ok[i]);
        }
        EXPECT_EQ(r.events[0].second, first * L - offset + 48);
        EXPECT_TRUE(a.in_frame());
        EXPECT_FALSE(a.loss_of_frame());
    }
}

TEST(frame_aligner, aligns_packed_bytes_at_any_bit_offset)
{
    std::mt19937 rng(42);
    const auto frames = random_frames(4, rng);
    const auto bits = unpack(frames);
    for (std::size_t offset : { 0, 1, 3, 7, 8, 13, 1001, 67000 }) {
        std::vector<uint8_t> bytes((bits.size() - offset) / 8);
        for (std::size_t i = 0; i < bytes.size() * 8; ++i)
            bytes[i / 8] |= bits[offset + i] << (7 - i % 8);
        frame_aligner a;
        const auto r = run_bytes(a, bytes, rng);
        const std::size_t first = offset == 0 ? 1 : 2;
        ASSERT_EQ(r.frames.size(), 4 - first - (offset % 8 != 0)) << "offset " << offset;
        for (std::size_t i = 0; i < r.frames.size(); ++i)
            ASSERT_EQ(r.frames[i], frames[first + i]) << "offset " << offset;
        EXPECT_EQ(a.counters().bits, bytes.size() * 8);
    }
}

TEST(frame_aligner, packed_bytes_give_what_the_same_bits_give)
{
    // Slips, garbage and missed FAS at every bit offset of the byte: frames, their
    // starts and FAS marks, events and their stream positions all as from unpacked bits.
    std::mt19937 rng(48);
    auto frames = random_frames(16, rng);
    for (std::size_t i : { 2, 3, 9, 10, 11, 12, 13 })
        frames[i][2 + i % 3] ^= static_cast<uint8_t>(1u << (i % 8));
    auto bits = unpack(frames);
    bits.erase(bits.begin() + 5 * L + 333);
    const auto junk = random_bits(20000 + rng() % 8, rng);
    bits.insert(bits.begin() + 7 * L, junk.begin(), junk.end());
    for (std::size_t offset = 0; offset < 8; ++offset) {
        const std::size_t n = (bits.size() - offset) / 8 * 8;
        const bits_t stream(bits.begin() + offset, bits.begin() + offset + n);
        std::vector<uint8_t> bytes(n / 8);
        for (std::size_t i = 0; i < n; ++i)
            bytes[i / 8] |= stream[i] << (7 - i % 8);
        frame_aligner from_bits, from_bytes;
        const auto want = run_bits(from_bits, stream, rng);
        const auto got = run_bytes(from_bytes, bytes, rng);
        ASSERT_GE(want.frames.size(), 4u) << "offset " << offset;
        EXPECT_EQ(got.frames, want.frames) << "offset " << offset;
        EXPECT_EQ(got.starts, want.starts) << "offset " << offset;
        EXPECT_EQ(got.fas_ok, want.fas_ok) << "offset " << offset;
        EXPECT_EQ(got.events, want.events) << "offset " << offset;
        EXPECT_EQ(from_bytes.counters().missed_fas, from_bits.counters().missed_fas);
        EXPECT_EQ(from_bytes.counters().hunted_bits, from_bits.counters().hunted_bits);
        EXPECT_EQ(from_bytes.counters().bits, n);
    }
}

TEST(frame_aligner, follows_long_streams_in_frame)
{
    std::mt19937 rng(43);
    const auto frames = random_frames(12, rng);
    frame_aligner a;
    const auto r = run_bits(a, unpack(frames), rng);
    ASSERT_EQ(r.frames.size(), 11u);
    for (std::size_t i = 0; i < r.frames.size(); ++i)
        ASSERT_EQ(r.frames[i], frames[i + 1]);
    EXPECT_EQ(a.counters().frames, 11u);
    EXPECT_EQ(a.counters().hunted_bits, L + 48);
    EXPECT_EQ(a.counters().missed_fas, 0u);
}

TEST(frame_aligner, realigns_after_bit_slips_and_garbage)
{
    std::mt19937 rng(44);
    const auto frames = random_frames(14, rng);
    const auto clean = unpack(frames);
    const std::size_t at = 3 * L + 5000; // inside frame 3
    struct slip {
        bits_t stream;
        std::size_t found; // the first frame whose FAS lies wholly after the fifth miss
    };
    std::vector<slip> slips;
    auto deleted = clean;
    deleted.erase(deleted.begin() + at);
    slips.push_back({ deleted, 9 });
    auto inserted = clean;
    inserted.insert(inserted.begin() + at, 1);
    slips.push_back({ inserted, 9 });
    auto garbage = clean;
    const auto junk = random_bits(54321, rng);
    garbage.insert(garbage.begin() + at, junk.begin(), junk.end());
    slips.push_back({ garbage, 8 });

    for (const auto& [stream, found] : slips) {
        frame_aligner a;
        const auto r = run_bits(a, stream, rng);
        // Frames 1-3 as sent (3 with the slip inside it), 4-7 missed FAS, 8 the fifth
        // miss: out of frame, the hunt starts 48 bits into the expected frame 8. In
        // frame again one frame after the first FAS it sees.
        ASSERT_EQ(kinds(r),
                  (std::vector<ev>{ ev::in_frame, ev::out_of_frame, ev::in_frame }));
        EXPECT_EQ(a.counters().missed_fas, 5u);
        const std::size_t back = 7;
        ASSERT_EQ(r.frames.size(), back + frames.size() - (found + 1));
        for (std::size_t i = 0; i < 2; ++i)
            EXPECT_EQ(r.frames[i], frames[i + 1]);
        for (std::size_t i = 0; i < back; ++i)
            EXPECT_EQ(r.fas_ok[i], i < 3);
        for (std::size_t i = back; i < r.frames.size(); ++i) {
            EXPECT_TRUE(r.fas_ok[i]);
            EXPECT_EQ(r.frames[i], frames[found + 1 + i - back]) << "frame " << i;
        }
    }
}

TEST(frame_aligner, rides_out_up_to_four_missed_fas)
{
    std::mt19937 rng(45);
    auto frames = random_frames(12, rng);
    // Misses in frames 2-5 (4 in a row), then 7-10 (4 again): never out of frame.
    for (std::size_t i : { 2, 3, 4, 5, 7, 8, 9, 10 })
        frames[i][3] ^= 0x10;
    // A FAS byte outside G.798's subset does not count.
    frames[6][0] = 0;
    frame_aligner a;
    const auto r = run_bits(a, unpack(frames), rng);
    EXPECT_EQ(kinds(r), std::vector<ev>{ ev::in_frame });
    ASSERT_EQ(r.frames.size(), 11u);
    for (std::size_t i = 0; i < r.frames.size(); ++i) {
        const std::size_t sent = i + 1;
        EXPECT_EQ(r.frames[i], frames[sent]);
        EXPECT_EQ(r.fas_ok[i], sent == 1 || sent == 6 || sent == 11) << "frame " << sent;
    }
    EXPECT_EQ(a.counters().missed_fas, 8u);
}

TEST(frame_aligner, five_missed_fas_go_out_of_frame)
{
    std::mt19937 rng(46);
    auto frames = random_frames(12, rng);
    for (std::size_t i = 2; i <= 6; ++i)
        frames[i][2] ^= 0x01;
    frame_aligner a;
    const auto r = run_bits(a, unpack(frames), rng);
    ASSERT_EQ(kinds(r),
              (std::vector<ev>{ ev::in_frame, ev::out_of_frame, ev::in_frame }));
    EXPECT_EQ(r.events[1].second, 6 * L + 48);
    // Frames 1-5 out (2-5 marked), 6 dropped, 7 found, 8-11 out.
    ASSERT_EQ(r.frames.size(), 5u + 4u);
    for (std::size_t i = 0; i < 5; ++i) {
        EXPECT_EQ(r.frames[i], frames[i + 1]);
        EXPECT_EQ(r.fas_ok[i], i == 0);
    }
    for (std::size_t i = 5; i < 9; ++i) {
        EXPECT_EQ(r.frames[i], frames[i + 3]);
        EXPECT_EQ(r.starts[i], (i + 3) * L);
    }
}

TEST(frame_aligner, checks_all_six_fas_bytes_when_asked)
{
    std::mt19937 rng(47);
    auto frames = random_frames(10, rng);
    for (std::size_t i = 2; i <= 6; ++i)
        frames[i][5] ^= 0x80;
    for (bool subset : { true, false }) {
        frame_aligner a({ .lof_frames = 246, .check_fas_subset = subset });
        run_bits(a, unpack(frames), rng);
        EXPECT_EQ(a.counters().out_of_frame, subset ? 0u : 1u);
        EXPECT_EQ(a.counters().missed_fas, subset ? 0u : 5u);
    }
}

TEST(frame_aligner, declares_and_clears_loss_of_frame)
{
    std::mt19937 rng(48);
    const unsigned lof = 4;
    frame_aligner a({ .lof_frames = lof });
    // No signal at all: loss of frame after lof frame periods.
    auto r = run_bits(a, random_bits(lof * L + 10, rng), rng);
    ASSERT_EQ(kinds(r), std::vector<ev>{ ev::loss_of_frame });
    EXPECT_EQ(r.events[0].second, lof * L);
    EXPECT_TRUE(a.loss_of_frame());

    // Frames again: in frame, and the defect clears after lof frames in frame.
    const auto frames = random_frames(lof + 3, rng);
    r = run_bits(a, unpack(frames), rng);
    ASSERT_EQ(kinds(r), (std::vector<ev>{ ev::in_frame, ev::loss_of_frame_cleared }));
    EXPECT_EQ(r.events[1].second, lof * L + 10 + (lof + 1) * L);
    EXPECT_FALSE(a.loss_of_frame());
    EXPECT_EQ(a.counters().loss_of_frame, 1u);
}

TEST(frame_aligner, integrates_intermittent_out_of_frame_time)
{
    std::mt19937 rng(49);
    const unsigned lof = 10;
    // Out of frame for a while, back in frame for fewer than lof frames, out again:
    // the second episode inherits the first one's time.
    frame_aligner a({ .lof_frames = lof });
    auto r = run_bits(a, random_bits(6 * L, rng), rng);
    r = run_bits(a, unpack(random_frames(5, rng)), rng, r);
    ASSERT_EQ(kinds(r), std::vector<ev>{ ev::in_frame });
    const uint64_t before = a.counters().hunted_bits;
    r = run_bits(a, random_bits(20 * L, rng), rng, r);
    ASSERT_EQ(kinds(r),
              (std::vector<ev>{ ev::in_frame, ev::out_of_frame, ev::loss_of_frame }));
    EXPECT_EQ(before / L, 7u); // 6 periods of noise and the hunt for the first FAS
    EXPECT_LE(r.events[2].second - r.events[1].second, (lof - 7) * L);

    // After lof frames in frame, out-of-frame time starts from zero.
    frame_aligner b({ .lof_frames = lof });
    r = run_bits(b, random_bits(6 * L, rng), rng);
    r = run_bits(b, unpack(random_frames(lof + 4, rng)), rng, r);
    r = run_bits(b, random_bits(20 * L, rng), rng, r);
    ASSERT_EQ(kinds(r),
              (std::vector<ev>{ ev::in_frame, ev::out_of_frame, ev::loss_of_frame }));
    EXPECT_EQ(r.events[2].second - r.events[1].second, lof * L);
}

TEST(frame_aligner, default_loss_of_frame_is_246_frames)
{
    std::mt19937 rng(50);
    frame_aligner a;
    const auto r = run_bits(a, random_bits(246 * L + 1, rng), rng);
    ASSERT_EQ(kinds(r), std::vector<ev>{ ev::loss_of_frame });
    EXPECT_EQ(r.events[0].second, 246 * L);
}

TEST(frame_aligner, random_and_hostile_input_never_crashes)
{
    std::mt19937 rng(51);
    {
        frame_aligner a({ .lof_frames = 3 });
        const auto r = run_bits(a, random_bits(8 * L, rng), rng);
        EXPECT_TRUE(r.frames.empty());
        EXPECT_EQ(a.counters().bits, 8 * L);
    }
    {
        // FAS patterns everywhere, at every spacing: more candidates than the aligner
        // keeps, and confirmations of garbage.
        bits_t bits;
        const auto fas =
            unpack({ frame_t(fl::fas_pattern.begin(), fl::fas_pattern.end()) });
        while (bits.size() < 6 * L) {
            bits.insert(bits.end(), fas.begin(), fas.end());
            const auto junk = random_bits(rng() % 300, rng);
            bits.insert(bits.end(), junk.begin(), junk.end());
        }
        frame_aligner a;
        const auto r = run_bits(a, bits, rng);
        EXPECT_EQ(a.counters().bits, bits.size());
        EXPECT_LE(r.frames.size(), bits.size() / L);
        for (const auto& f : r.frames)
            EXPECT_EQ(f.size(), fl::frame_bytes);
    }
    {
        // Back-to-back FAS patterns: 134,640 is a multiple of 48, so this is in frame
        // from the second frame period on.
        bits_t bits;
        const auto fas =
            unpack({ frame_t(fl::fas_pattern.begin(), fl::fas_pattern.end()) });
        while (bits.size() < 4 * L)
            bits.insert(bits.end(), fas.begin(), fas.end());
        frame_aligner a;
        const auto r = run_bits(a, bits, rng);
        EXPECT_EQ(r.frames.size(), 3u);
    }
    {
        // Bytes other than 0 and 1 in unpacked input: only the LSB counts.
        std::mt19937 rng2(52);
        const auto frames = random_frames(3, rng2);
        auto bits = unpack(frames);
        for (auto& b : bits)
            b |= static_cast<uint8_t>(rng() & 0xfe);
        frame_aligner a;
        const auto r = run_bits(a, bits, rng);
        ASSERT_EQ(r.frames.size(), 2u);
        EXPECT_EQ(r.frames[1], frames[2]);
    }
}

TEST(frame_aligner, holds_its_output_until_taken)
{
    std::mt19937 rng(53);
    const auto bits = unpack(random_frames(3, rng));
    frame_aligner a;
    std::size_t used = a.push_bits(bits);
    EXPECT_EQ(used, L + 48); // stops at the in-frame event
    EXPECT_EQ(a.push_bits(std::span(bits).subspan(used)), 0u);
    EXPECT_EQ(a.pop_event(), ev::in_frame);
    EXPECT_FALSE(a.pop_event());
    used += a.push_bits(std::span(bits).subspan(used));
    EXPECT_EQ(used, 2 * L);
    ASSERT_TRUE(a.has_frame());
    EXPECT_EQ(a.push_bits(std::span(bits).subspan(used)), 0u);
    EXPECT_EQ(a.frame_start(), L);
    a.pop_frame();
    EXPECT_EQ(a.push_bits(std::span(bits).subspan(used)), L);
    EXPECT_TRUE(a.has_frame());
    EXPECT_EQ(a.frame_start(), 2 * L);
}

TEST(frame_aligner, rejects_a_zero_loss_of_frame_time)
{
    EXPECT_THROW(frame_aligner({ .lof_frames = 0 }), std::invalid_argument);
}
