/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/frame_layout.h>
#include <fiberkey/g709_fec.h>

#include <gtest/gtest.h>

extern "C" {
#include <gnuradio/fec/rs.h>
}

#include <algorithm>
#include <array>
#include <random>
#include <set>
#include <string>
#include <vector>

using namespace fiberkey;
namespace fl = fiberkey::frame_layout;

namespace {
std::array<uint8_t, rs255::n> random_codeword(std::mt19937& rng)
{
    std::array<uint8_t, rs255::n> cw;
    for (std::size_t i = 0; i < rs255::k; ++i)
        cw[i] = rng();
    rs255::encode(std::span(cw).first<rs255::k>(),
                  std::span(cw).last<rs255::parity_bytes>());
    return cw;
}

// Flips \p count distinct symbols of \p cw by nonzero values.
template <std::size_t N>
void corrupt(std::array<uint8_t, N>& cw, int count, std::mt19937& rng)
{
    std::set<std::size_t> positions;
    while (positions.size() < static_cast<std::size_t>(count))
        positions.insert(rng() % N);
    for (auto p : positions)
        cw[p] ^= static_cast<uint8_t>(1 + rng() % 255);
}

std::vector<uint8_t> random_encoded_frame(std::mt19937& rng)
{
    std::vector<uint8_t> frame(fl::frame_bytes);
    for (auto& b : frame)
        b = rng();
    g709_fec::encode(frame);
    return frame;
}

using g709_fec::detail::kernel;

std::vector<kernel> supported_kernels()
{
    std::vector<kernel> kernels;
    for (auto k : { kernel::scalar,
                    kernel::ssse3,
                    kernel::avx2,
                    kernel::gfni_avx2,
                    kernel::avx512,
                    kernel::gfni_avx512 })
        if (g709_fec::detail::supported(k))
            kernels.push_back(k);
    return kernels;
}

// Runs encode and decode on one kernel for a scope.
class forced_kernel
{
public:
    explicit forced_kernel(kernel k) : previous_(g709_fec::detail::active_kernel())
    {
        g709_fec::detail::force_kernel(k);
    }
    ~forced_kernel() { g709_fec::detail::force_kernel(previous_); }
    forced_kernel(const forced_kernel&) = delete;
    forced_kernel& operator=(const forced_kernel&) = delete;

private:
    kernel previous_;
};

// What g709_fec::encode must produce: every codeword through rs255::encode.
std::vector<uint8_t> encoded_by_rs255(std::vector<uint8_t> frame)
{
    for (std::size_t r = 0; r < fl::rows; ++r) {
        for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
            std::array<uint8_t, rs255::k> info;
            for (std::size_t i = 0; i < rs255::k; ++i)
                info[i] = frame[fl::at(r, g709_fec::column(x, i))];
            std::array<uint8_t, rs255::parity_bytes> parity;
            rs255::encode(info, parity);
            for (std::size_t i = 0; i < rs255::parity_bytes; ++i)
                frame[fl::at(r, g709_fec::column(x, rs255::k + i))] = parity[i];
        }
    }
    return frame;
}

// What g709_fec::decode must do: every codeword through rs255::decode.
fec_counts decode_by_rs255(std::vector<uint8_t>& frame)
{
    fec_counts counts;
    for (std::size_t r = 0; r < fl::rows; ++r) {
        for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
            std::array<uint8_t, rs255::n> cw;
            for (std::size_t i = 0; i < rs255::n; ++i)
                cw[i] = frame[fl::at(r, g709_fec::column(x, i))];
            const int corrected = rs255::decode(cw);
            if (corrected < 0) {
                ++counts.uncorrectable_codewords;
                counts.uncorrectable_mask |= uint64_t{ 1 } << (16 * r + x);
            }
            if (corrected > 0) {
                ++counts.corrected_codewords;
                counts.corrected_symbols += static_cast<std::size_t>(corrected);
            }
            for (std::size_t i = 0; i < rs255::n; ++i)
                frame[fl::at(r, g709_fec::column(x, i))] = cw[i];
        }
    }
    return counts;
}

void expect_same_counts(const fec_counts& actual, const fec_counts& expected)
{
    EXPECT_EQ(actual.corrected_symbols, expected.corrected_symbols);
    EXPECT_EQ(actual.corrected_codewords, expected.corrected_codewords);
    EXPECT_EQ(actual.uncorrectable_codewords, expected.uncorrectable_codewords);
    EXPECT_EQ(actual.uncorrectable_mask, expected.uncorrectable_mask);
}
} // namespace

TEST(rs255, matches_the_published_parity)
{
    std::array<uint8_t, rs255::k> info;
    for (std::size_t i = 0; i < info.size(); ++i)
        info[i] = static_cast<uint8_t>(i + 1);
    std::array<uint8_t, rs255::parity_bytes> parity;
    rs255::encode(info, parity);
    const std::array<uint8_t, 16> expected{ 1,  126, 147, 48,  155, 224, 3,   157,
                                            29, 226, 40,  114, 61,  30,  244, 75 };
    EXPECT_EQ(parity, expected);
}

TEST(rs255, encodes_as_gnu_radios_codec_does)
{
    // The independent peer: GNU Radio's own RS codec, with G.709's field and roots.
    void* codec = init_rs_char(8, 0x11d, 0, 1, 16);
    ASSERT_NE(codec, nullptr);
    std::mt19937 rng(4);
    for (int trial = 0; trial < 5000; ++trial) {
        std::array<uint8_t, rs255::k> info;
        for (auto& b : info)
            b = static_cast<uint8_t>(trial < 256 ? (trial == 0 ? 0 : rng() % (trial + 1))
                                                 : rng());
        std::array<uint8_t, rs255::parity_bytes> ours, theirs;
        rs255::encode(info, ours);
        encode_rs_char(codec, info.data(), theirs.data());
        ASSERT_EQ(ours, theirs) << "trial " << trial;
    }
    free_rs_char(codec);
}

TEST(rs255, corrects_up_to_eight_symbol_errors_exactly)
{
    std::mt19937 rng(5);
    for (int trial = 0; trial < 2000; ++trial) {
        const auto cw = random_codeword(rng);
        auto rx = cw;
        const int errors = trial % (rs255::t + 1);
        corrupt(rx, errors, rng);
        EXPECT_EQ(rs255::decode(rx), errors);
        ASSERT_EQ(rx, cw) << "trial " << trial;
    }
}

TEST(rs255, beyond_capacity_is_reported_or_yields_a_codeword)
{
    std::mt19937 rng(6);
    int uncorrectable = 0;
    for (int trial = 0; trial < 2000; ++trial) {
        const auto cw = random_codeword(rng);
        auto rx = cw;
        corrupt(rx, 9 + trial % 60, rng);
        const auto received = rx;
        const int corrected = rs255::decode(rx);
        if (corrected < 0) {
            ++uncorrectable;
            EXPECT_EQ(rx, received) << "an uncorrectable codeword must stay as received";
        } else {
            // A miscorrection: a different, valid codeword within distance 8.
            EXPECT_LE(corrected, rs255::t);
            EXPECT_NE(rx, cw);
            auto check = rx;
            EXPECT_EQ(rs255::decode(check), 0);
        }
    }
    // Miscorrection needs the received word within distance 8 of another codeword:
    // rare for RS(255,239) (well under 1e-3).
    EXPECT_GE(uncorrectable, 1990);
}

TEST(rs255, never_crashes_on_random_words)
{
    std::mt19937 rng(7);
    for (int trial = 0; trial < 20000; ++trial) {
        std::array<uint8_t, rs255::n> rx;
        for (auto& b : rx)
            b = rng();
        const int corrected = rs255::decode(rx);
        ASSERT_GE(corrected, -1);
        ASSERT_LE(corrected, rs255::t);
    }
}

TEST(g709_fec, codeword_columns_follow_annex_a)
{
    // 1-based: sub-row X holds bytes X + 16 (i - 1).
    EXPECT_EQ(g709_fec::column(0, 0), 0u);
    EXPECT_EQ(g709_fec::column(0, 1), 16u);
    EXPECT_EQ(g709_fec::column(15, 238), 3823u);
    EXPECT_EQ(g709_fec::column(0, 239), fl::fec_columns.offset);
    EXPECT_EQ(g709_fec::column(15, 254), fl::columns - 1);
}

TEST(g709_fec, parity_of_each_row_is_the_interleaved_rs255)
{
    std::mt19937 rng(8);
    const auto frame = random_encoded_frame(rng);
    for (std::size_t r = 0; r < fl::rows; ++r) {
        for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
            std::array<uint8_t, rs255::k> info;
            for (std::size_t i = 0; i < rs255::k; ++i)
                info[i] = frame[fl::at(r, x + 16 * i)];
            std::array<uint8_t, rs255::parity_bytes> parity;
            rs255::encode(info, parity);
            for (std::size_t i = 0; i < rs255::parity_bytes; ++i)
                ASSERT_EQ(frame[fl::at(r, fl::fec_columns.offset + 16 * i + x)],
                          parity[i]);
        }
    }
}

TEST(g709_fec, leaves_everything_but_the_fec_columns_alone)
{
    std::mt19937 rng(9);
    std::vector<uint8_t> frame(fl::frame_bytes);
    for (auto& b : frame)
        b = rng();
    const auto original = frame;
    g709_fec::encode(frame);
    for (std::size_t i = 0; i < fl::frame_bytes; ++i) {
        const bool fec = i < fl::otu_bytes && i % fl::columns >= fl::fec_columns.offset;
        if (!fec) {
            ASSERT_EQ(frame[i], original[i]) << "byte " << i;
        }
    }
}

TEST(g709_fec, corrects_up_to_eight_errors_in_every_codeword)
{
    std::mt19937 rng(10);
    for (int trial = 0; trial < 5; ++trial) {
        const auto sent = random_encoded_frame(rng);
        auto frame = sent;
        std::size_t injected = 0;
        for (std::size_t r = 0; r < fl::rows; ++r) {
            for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
                std::array<uint8_t, rs255::n> errors{};
                corrupt(errors, static_cast<int>(rng() % (rs255::t + 1)), rng);
                for (std::size_t i = 0; i < rs255::n; ++i) {
                    frame[fl::at(r, g709_fec::column(x, i))] ^= errors[i];
                    injected += errors[i] != 0;
                }
            }
        }
        // The appended blocks are not covered: errors there stay.
        frame[fl::neg.offset] ^= 1;
        const auto counts = g709_fec::decode(frame);
        EXPECT_EQ(counts.corrected_symbols, injected);
        EXPECT_EQ(counts.uncorrectable_codewords, 0u);
        frame[fl::neg.offset] ^= 1;
        EXPECT_EQ(frame, sent);
    }
}

TEST(g709_fec, reports_a_burst_beyond_capacity_and_keeps_it_as_received)
{
    std::mt19937 rng(11);
    const auto sent = random_encoded_frame(rng);
    auto frame = sent;
    // 16 x 9 consecutive bytes of row 2: 9 errors in each of its 16 codewords.
    for (std::size_t c = 100; c < 100 + 16 * 9; ++c)
        frame[fl::at(2, c)] ^= 0x5a;
    // 3 errors in one codeword of row 0 are still corrected.
    for (std::size_t i = 0; i < 3; ++i)
        frame[fl::at(0, g709_fec::column(7, 20 + i))] ^= 0x81;
    const auto received = frame;
    const auto counts = g709_fec::decode(frame);
    EXPECT_EQ(counts.uncorrectable_codewords, 16u);
    EXPECT_EQ(counts.uncorrectable_mask, uint64_t{ 0xffff } << 32) << "row 2's codewords";
    EXPECT_EQ(counts.corrected_codewords, 1u);
    EXPECT_EQ(counts.corrected_symbols, 3u);
    for (std::size_t c = 0; c < fl::columns; ++c) {
        EXPECT_EQ(frame[fl::at(0, c)], sent[fl::at(0, c)]);
        EXPECT_EQ(frame[fl::at(2, c)], received[fl::at(2, c)]);
    }
}

TEST(g709_fec, counts_add_up)
{
    fec_counts a{ 1, 2, 3, 0x5 };
    a += fec_counts{ 10, 20, 30, 0x6 };
    EXPECT_EQ(a.corrected_symbols, 11u);
    EXPECT_EQ(a.corrected_codewords, 22u);
    EXPECT_EQ(a.uncorrectable_codewords, 33u);
    EXPECT_EQ(a.uncorrectable_mask, 0x7u);
}

TEST(g709_fec, rejects_a_wrong_size)
{
    std::vector<uint8_t> frame(fl::otu_bytes);
    EXPECT_THROW(g709_fec::encode(frame), std::invalid_argument);
    EXPECT_THROW(g709_fec::decode(frame), std::invalid_argument);
}

TEST(g709_fec, every_kernel_encodes_like_rs255)
{
    std::mt19937 rng(12);
    for (auto k : supported_kernels()) {
        SCOPED_TRACE(g709_fec::detail::to_string(k));
        const forced_kernel forced(k);
        for (int trial = 0; trial < 3; ++trial) {
            std::vector<uint8_t> frame(fl::frame_bytes);
            for (auto& b : frame)
                b = rng();
            const auto expected = encoded_by_rs255(frame);
            g709_fec::encode(frame);
            ASSERT_EQ(frame, expected);
        }
    }
}

TEST(g709_fec, every_kernel_decodes_like_rs255)
{
    std::mt19937 rng(13);
    for (int trial = 0; trial < 4; ++trial) {
        auto received = random_encoded_frame(rng);
        // Per codeword: mostly clean, some correctable, a few beyond capacity.
        for (std::size_t r = 0; r < fl::rows; ++r) {
            for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
                const auto draw = rng() % 16;
                const int count = draw < 8    ? 0
                                  : draw < 14 ? 1 + rng() % rs255::t
                                              : 9 + rng() % 8;
                std::array<uint8_t, rs255::n> errors{};
                corrupt(errors, count, rng);
                for (std::size_t i = 0; i < rs255::n; ++i)
                    received[fl::at(r, g709_fec::column(x, i))] ^= errors[i];
            }
        }
        auto expected = received;
        const auto expected_counts = decode_by_rs255(expected);
        for (auto k : supported_kernels()) {
            SCOPED_TRACE(g709_fec::detail::to_string(k));
            const forced_kernel forced(k);
            auto frame = received;
            expect_same_counts(g709_fec::decode(frame), expected_counts);
            ASSERT_EQ(frame, expected);
        }
    }
}

TEST(g709_fec, every_kernel_finds_one_error_in_any_codeword)
{
    std::mt19937 rng(14);
    const auto sent = random_encoded_frame(rng);
    for (auto k : supported_kernels()) {
        SCOPED_TRACE(g709_fec::detail::to_string(k));
        const forced_kernel forced(k);
        for (std::size_t r = 0; r < fl::rows; ++r) {
            for (std::size_t x = 0; x < g709_fec::codewords_per_row; ++x) {
                // Symbols 0, 97, 194, 36, ...: both ends and the parity among them.
                const std::size_t symbol = (16 * r + x) * 97 % rs255::n;
                auto frame = sent;
                frame[fl::at(r, g709_fec::column(x, symbol))] ^= 0x40;
                expect_same_counts(g709_fec::decode(frame), fec_counts{ 1, 1, 0 });
                ASSERT_EQ(frame, sent) << "row " << r << " codeword " << x;
            }
        }
    }
}

TEST(g709_fec, force_kernel_rejects_what_cannot_run)
{
    EXPECT_TRUE(g709_fec::detail::supported(kernel::scalar));
    EXPECT_TRUE(g709_fec::detail::supported(g709_fec::detail::active_kernel()));
    EXPECT_THROW(g709_fec::detail::force_kernel(static_cast<kernel>(99)),
                 std::invalid_argument);
}

// The dispatch's order is bench/bench_fec's (docs/performance.md): fastest first, and
// gfni_avx2 before avx512. Every test that forces a kernel puts the previous one back.
TEST(g709_fec, uses_the_fastest_kernel_the_cpu_runs)
{
    for (auto k : { kernel::gfni_avx512,
                    kernel::gfni_avx2,
                    kernel::avx512,
                    kernel::avx2,
                    kernel::ssse3,
                    kernel::scalar }) {
        if (g709_fec::detail::supported(k)) {
            EXPECT_EQ(g709_fec::detail::active_kernel(), k)
                << g709_fec::detail::to_string(g709_fec::detail::active_kernel());
            return;
        }
    }
    FAIL() << "not even the scalar kernel is supported";
}
