/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ldpc.h>
#include <fiberkey/reconciliation.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <random>
#include <stdexcept>

using namespace fiberkey;
namespace rec = fiberkey::reconciliation;

namespace {
// Frames of n random bits, the follower's copy with disagreement p, that the decoder
// does not bring back exactly.
int frame_failures(const std::vector<rec::block_code>& codes,
                   std::size_t n,
                   double p,
                   int frames,
                   std::mt19937_64& rng)
{
    const std::vector<double> planes = { p };
    std::bernoulli_distribution flip(p);
    int failures = 0;
    std::vector<std::uint8_t> x(n), y(n);
    for (int f = 0; f < frames; ++f) {
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = rng() & 1;
            y[i] = x[i] ^ flip(rng);
        }
        const auto out =
            rec::decode(rec::hard_llrs(y, planes), rec::syndrome(x, codes), codes, 100);
        failures += !out.converged || out.bits != x;
    }
    return failures;
}
} // namespace

TEST(reconciliation, blocks_and_codes)
{
    EXPECT_EQ(rec::block_lengths(2048), (std::vector<std::size_t>{ 2048 }));
    EXPECT_EQ(rec::block_lengths(2049), (std::vector<std::size_t>{ 1025, 1024 }));
    EXPECT_EQ(rec::block_lengths(3000), (std::vector<std::size_t>{ 1500, 1500 }));
    const std::vector<double> p = { 0.03 };
    const auto codes = rec::choose_codes(1000, p, 1.5);
    ASSERT_EQ(codes.size(), 1u);
    EXPECT_EQ(codes[0].code_bits, 1024u);
    // 1.5 * 1000 * h(0.03) = 291.1 -> the next multiple of 1024 / 64: 304.
    EXPECT_EQ(codes[0].syndrome_bits, 304u);
    EXPECT_TRUE(rec::codes_valid(codes, 1000));
    EXPECT_FALSE(rec::codes_valid(codes, 999));
    auto bad = codes;
    bad[0].syndrome_bits = 296;
    EXPECT_FALSE(rec::codes_valid(bad, 1000));
    const std::vector<std::size_t> lengths = { 304 };
    EXPECT_EQ(rec::codes_from(1000, lengths), codes);
    EXPECT_TRUE(rec::codes_from(2100, lengths).empty());
    // Per plane: bits alternate between p = 0.01 and p = 0.1.
    const std::vector<double> planes = { 0.01, 0.1 };
    const auto two = rec::choose_codes(600, planes, 1.0);
    EXPECT_EQ(two[0].code_bits, 640u);
    const double bound = 300 * (rec::binary_entropy(0.01) + rec::binary_entropy(0.1));
    EXPECT_GE(double(two[0].syndrome_bits), bound);
    EXPECT_LT(double(two[0].syndrome_bits), bound + 10);
    // Longer codes: steps of N / 64.
    EXPECT_EQ(rec::choose_codes(2000, p, 1.5)[0].syndrome_bits % 32, 0u);

    // The multilevel mode's long blocks: one code of 8,000 key bits, lifted by Z = 4,
    // so N a multiple of 512 and m of N / 256 = 32 (a multiple of Z).
    const auto& family = rec::multilevel_codes;
    const auto limit = family.block_limit;
    EXPECT_EQ(rec::block_lengths(8000, limit), (std::vector<std::size_t>{ 8000 }));
    EXPECT_EQ(rec::block_lengths(32768, limit), (std::vector<std::size_t>{ 32768 }));
    EXPECT_EQ(rec::block_lengths(80000, limit),
              (std::vector<std::size_t>{ 26667, 26667, 26666 }));
    EXPECT_THROW(rec::block_lengths(8000, 100), std::invalid_argument);
    EXPECT_THROW(rec::block_lengths(8000, limit + 1), std::invalid_argument);
    const auto one = rec::choose_codes(8000, p, 1.5, family);
    ASSERT_EQ(one.size(), 1u);
    EXPECT_EQ(one[0].code_bits, 8192u);
    EXPECT_EQ(one[0].syndrome_bits % 32, 0u);
    auto off_step = one;
    off_step[0].syndrome_bits += 4; // a multiple of Z, not of the step
    EXPECT_FALSE(rec::codes_valid(off_step, 8000));
    EXPECT_TRUE(rec::codes_valid(one, 8000));
    const std::vector<std::size_t> one_m = { one[0].syndrome_bits };
    EXPECT_EQ(rec::codes_from(8000, one_m, family), one);
    EXPECT_EQ(one[0].degrees, ldpc_degrees::two_three_sixteen);
    // The follower applies its own mode's family: the same syndrome lengths under the
    // short codes' limit describe four blocks, not one.
    EXPECT_TRUE(rec::codes_from(8000, one_m).empty());
    const auto short_codes = rec::choose_codes(8000, p, 1.5);
    EXPECT_EQ(short_codes.size(), 4u);
    std::vector<std::size_t> short_m;
    for (const auto& c : short_codes)
        short_m.push_back(c.syndrome_bits);
    EXPECT_TRUE(rec::codes_from(8000, short_m, family).empty());
    // 2,100 bits in one block: Z = 2, N = 2,304.
    EXPECT_EQ(rec::choose_codes(2100, p, 1.5, family)[0].code_bits, 2304u);
    // Blocks beyond the long limit, or of no bits, are never valid.
    auto too_long = one;
    // (N = 34,816: 32,769 bits rounded up to 128 Z, Z = 17; so only the limit is wrong.)
    too_long[0] = { 32769, 34816, 1088, ldpc_degrees::two_three_sixteen };
    EXPECT_FALSE(rec::codes_valid(too_long, 32769));
    EXPECT_FALSE(rec::codes_valid(std::vector<rec::block_code>(3), 2));
}

TEST(reconciliation, confirmation_tag)
{
    std::array<std::uint8_t, 16> nonce{};
    std::vector<std::uint8_t> key(500, 0);
    key[3] = 1;
    const auto tag = rec::confirmation_tag(nonce, 0, 1, 2, key, 9);
    EXPECT_EQ(tag.size(), 9u);
    EXPECT_EQ(tag, rec::confirmation_tag(nonce, 0, 1, 2, key, 9));
    auto other = key;
    other[499] ^= 1;
    EXPECT_NE(tag, rec::confirmation_tag(nonce, 0, 1, 2, other, 9));
    EXPECT_NE(tag, rec::confirmation_tag(nonce, 1, 1, 2, key, 9));
    EXPECT_NE(tag, rec::confirmation_tag(nonce, 0, 1, 3, key, 9));
    nonce[15] = 1;
    EXPECT_NE(tag, rec::confirmation_tag(nonce, 0, 1, 2, key, 9));
    EXPECT_EQ(rec::tag_bytes_for(0x1p-64), 8u);
    EXPECT_EQ(rec::tag_bytes_for(0x1p-65), 9u);
}

TEST(reconciliation, leak_and_leftover_hash_hand_computed)
{
    // Four rounds, two ones: C(4, 2) = 6 arrangements.
    EXPECT_NEAR(rec::exchangeable_min_entropy(std::vector<std::uint8_t>{ 0, 1, 1, 0 }, 1),
                std::log2(6.0),
                1e-9);
    // Symbols 0,1,2,3 once each among 2-bit symbols: 4! = 24.
    EXPECT_NEAR(rec::exchangeable_min_entropy(std::vector<std::uint8_t>{ 3, 1, 2, 0 }, 2),
                std::log2(24.0),
                1e-9);
    EXPECT_NEAR(
        rec::exchangeable_min_entropy(std::vector<std::uint8_t>(50, 1), 1), 0.0, 1e-9);

    // H = 1000, syndrome 300, tag 72, eps_pa = 2^-65: 1000 - 372 - 130 = 498.
    const rec::leak_account leak{ 300, 72 };
    EXPECT_EQ(leak.total(), 372u);
    auto l = rec::amplification_bits(1000.0, leak, 0x1p-65);
    EXPECT_EQ(l.out_bits, 498u);
    EXPECT_TRUE(l.reason.empty());
    l = rec::amplification_bits(1000.9, leak, 0x1p-65);
    EXPECT_EQ(l.out_bits, 498u);
    l = rec::amplification_bits(502.0, leak, 0x1p-65);
    EXPECT_EQ(l.out_bits, 0u);
    EXPECT_NE(l.reason.find("leftover hash bound"), std::string::npos);
    EXPECT_NE(l.reason.find("leak 372"), std::string::npos);
    EXPECT_EQ(rec::amplification_bits(503.0, leak, 0x1p-65).out_bits, 1u);
}

// Soft mode's rate conversion: the BSC whose h(p) is a plane's cross-entropy per bit.
TEST(reconciliation, inverse_binary_entropy)
{
    for (double p : { 0.001, 0.03, 0.11, 0.25, 0.45 })
        EXPECT_NEAR(rec::inverse_binary_entropy(rec::binary_entropy(p)), p, 1e-9);
    EXPECT_NEAR(rec::inverse_binary_entropy(0.5), 0.110028, 1e-6);
    EXPECT_NEAR(rec::inverse_binary_entropy(0.0), 0.0, 1e-12);
    // h is flat at 1/2: its inverse there is only as precise as h's last digits.
    EXPECT_NEAR(rec::inverse_binary_entropy(1.0), 0.5, 1e-6);
    EXPECT_NEAR(rec::inverse_binary_entropy(7.0), 0.5, 1e-6); // clamped
}

TEST(reconciliation, syndrome_decoding_corrects_the_follower)
{
    std::mt19937_64 rng(11);
    const std::vector<double> p = { 0.02 };
    for (std::size_t n : { 300, 777, 2500 }) {
        std::vector<std::uint8_t> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = rng() & 1;
            y[i] = x[i] ^ (i % 61 == 5);
        }
        const auto codes = rec::choose_codes(n, p, 1.6);
        const auto out =
            rec::decode(rec::hard_llrs(y, p), rec::syndrome(x, codes), codes, 100);
        ASSERT_TRUE(out.converged) << n;
        EXPECT_EQ(out.bits, x);
    }
}

// Where a shortened block's key bits sit in its code, which both ends (and any peer
// written from docs/protocol-choices.md) must agree on: the multilevel codes put the
// known zeros first, so that the heavy nodes at the end carry key bits; the short codes
// put them last. Each layout decodes.
TEST(reconciliation, shortened_positions_by_family)
{
    std::mt19937_64 rng(12);
    const std::vector<double> p = { 0.03 };
    for (const auto* family : { &rec::short_codes, &rec::multilevel_codes }) {
        const std::size_t n = family == &rec::short_codes ? 1000 : 7000;
        std::vector<std::uint8_t> x(n), y(n);
        for (std::size_t i = 0; i < n; ++i) {
            x[i] = rng() & 1;
            y[i] = x[i] ^ (i % 97 == 7);
        }
        const auto codes = rec::choose_codes(n, p, 1.8, *family);
        ASSERT_EQ(codes.size(), 1u);
        const auto& c = codes[0];
        ASSERT_GT(c.code_bits, n); // shortened: 1,024 and 7,168 bits
        std::vector<std::uint8_t> word(c.code_bits, 0);
        const std::size_t offset = family == &rec::multilevel_codes ? c.code_bits - n : 0;
        std::copy(x.begin(), x.end(), word.begin() + std::ptrdiff_t(offset));
        const auto s = rec::syndrome(x, codes);
        EXPECT_EQ(
            s,
            ldpc_code::cached(c.code_bits, c.syndrome_bits, c.degrees)->syndrome(word));
        const auto out = rec::decode(rec::hard_llrs(y, p), s, codes, 100);
        ASSERT_TRUE(out.converged) << n;
        EXPECT_EQ(out.bits, x);
    }
    // Below rate 0.65 the multilevel profile has 0.95 m of degree 2 and 0.1 n of
    // degree 16; above, 0.9 m and 0.15 n.
    auto count = [](const std::vector<unsigned>& d, unsigned degree) {
        return std::size_t(std::count(d.begin(), d.end(), degree));
    };
    const auto low =
        ldpc_code::variable_degrees(2048, 960, ldpc_degrees::two_three_sixteen);
    EXPECT_EQ(count(low, 2), 912u);
    EXPECT_EQ(count(low, 16), 204u);
    const auto high =
        ldpc_code::variable_degrees(2048, 448, ldpc_degrees::two_three_sixteen);
    EXPECT_EQ(count(high, 2), 403u);
    EXPECT_EQ(count(high, 16), 307u);
}

// Every block is decoded on its own: one spoiled block fails alone, and the rounds
// that touch it are the ones dropped.
TEST(reconciliation, a_failed_block_fails_alone)
{
    std::mt19937_64 rng(12);
    const std::vector<double> p = { 0.02 };
    const std::size_t n = 3 * 2000; // 3 bits per round, 3 blocks of 2,000 bits
    std::vector<std::uint8_t> x(n), y(n);
    for (std::size_t i = 0; i < n; ++i) {
        x[i] = rng() & 1;
        // Block 1 (bits 2,000 .. 3,999) is the follower's guess alone.
        y[i] = i >= 2000 && i < 4000 ? rng() & 1 : x[i] ^ (i % 61 == 5);
    }
    const auto codes = rec::choose_codes(n, p, 1.6);
    ASSERT_EQ(codes.size(), 3u);
    const auto out =
        rec::decode(rec::hard_llrs(y, p), rec::syndrome(x, codes), codes, 100);
    EXPECT_FALSE(out.converged);
    EXPECT_EQ(out.failed_blocks, std::vector<std::size_t>{ 1 });
    ASSERT_EQ(out.bits.size(), n);
    EXPECT_TRUE(std::equal(x.begin(), x.begin() + 2000, out.bits.begin()));
    EXPECT_TRUE(std::equal(x.begin() + 4000, x.end(), out.bits.begin() + 4000));

    // Round 666 holds bits 1998..2000: it touches block 1, as does round 1333
    // (3999..4001).
    const std::vector<std::size_t> failed{ 1 };
    const auto kept = rec::kept_rounds(codes, failed, 3);
    ASSERT_EQ(kept.size(), 2000u);
    for (std::size_t r = 0; r < kept.size(); ++r)
        EXPECT_EQ(kept[r], r < 666 || r > 1333) << r;
    const auto bits = rec::kept_bits(x, kept, 3);
    ASSERT_EQ(bits.size(), 3 * (666 + 666));
    EXPECT_TRUE(std::equal(x.begin(), x.begin() + 1998, bits.begin()));
    EXPECT_TRUE(std::equal(x.begin() + 4002, x.end(), bits.begin() + 1998));
    EXPECT_EQ(rec::kept_rounds(codes, {}, 3), std::vector<std::uint8_t>(2000, 1));
    EXPECT_THROW(rec::kept_rounds(codes, std::vector<std::size_t>{ 3 }, 3),
                 std::invalid_argument);
    EXPECT_THROW(rec::kept_bits(x, kept, 2), std::invalid_argument);

    // The kept rounds' tag binds the bits and which blocks failed, apart from the
    // whole key's tag.
    std::array<std::uint8_t, 16> nonce{};
    const auto tag = rec::kept_blocks_tag(nonce, 0, 1, 2, failed, bits, 9);
    EXPECT_EQ(tag.size(), 9u);
    EXPECT_NE(tag, rec::confirmation_tag(nonce, 0, 1, 2, bits, 9));
    EXPECT_NE(
        tag,
        rec::kept_blocks_tag(nonce, 0, 1, 2, std::vector<std::size_t>{ 2 }, bits, 9));
    auto other = bits;
    other[0] ^= 1;
    EXPECT_NE(tag, rec::kept_blocks_tag(nonce, 0, 1, 2, failed, other, 9));

    // The output length after dropping is the whole batch's less the extra leak.
    EXPECT_EQ(rec::output_bits_after_drop(1000, 300), 700u);
    EXPECT_EQ(rec::output_bits_after_drop(300, 300), 0u);
    EXPECT_EQ(rec::output_bits_after_drop(0, 5), 0u);
}

// Printed: efficiency f = leaked / (n h(KDR)) of the codes chosen at the default design
// efficiency, with the frame error rate that they reach, for 500..2000-bit keys.
TEST(reconciliation, efficiency_by_block_length)
{
    const double efficiency = 1.5;
    const int frames = 30;
    std::mt19937_64 rng(12);
    std::printf("  %6s %6s %6s %7s %6s\n", "n", "KDR", "leak", "f", "FER");
    for (std::size_t n : { 500, 1000, 1500, 2000 })
        for (double p : { 0.01, 0.03, 0.05, 0.10 }) {
            const std::vector<double> planes = { p };
            const auto codes = rec::choose_codes(n, planes, efficiency);
            const int failures = frame_failures(codes, n, p, frames, rng);
            const auto leak = codes[0].syndrome_bits;
            const double fer = double(failures) / frames;
            std::printf("  %6zu %6.3f %6zu %7.3f %6.3f\n",
                        n,
                        p,
                        leak,
                        double(leak) / (double(n) * rec::binary_entropy(p)),
                        fer);
            EXPECT_LT(fer, 0.5);
        }
}

TEST(reconciliation, codes_for_a_frame_error_rate)
{
    const std::vector<double> p = { 0.03 };
    for (std::size_t n : { 300, 1000, 2000, 5000 }) {
        const auto loose = rec::choose_codes_for_fer(n, p, 0.1);
        const auto tight = rec::choose_codes_for_fer(n, p, 1e-3);
        ASSERT_TRUE(rec::codes_valid(loose, n));
        ASSERT_TRUE(rec::codes_valid(tight, n));
        for (std::size_t b = 0; b < loose.size(); ++b) {
            EXPECT_LT(loose[b].syndrome_bits, tight[b].syndrome_bits);
            // Never below the finite-length bound for the block.
            EXPECT_GE(double(loose[b].syndrome_bits),
                      rec::finite_length_bound(loose[b].key_bits, p, 0.1));
        }
    }
    // Dispersion and entropy vanish with the disagreement: the smallest syndrome.
    const std::vector<double> zero = { 0.0 };
    EXPECT_EQ(rec::choose_codes_for_fer(1000, zero, 1e-2)[0].syndrome_bits, 16u);
    EXPECT_THROW(rec::choose_codes_for_fer(1000, p, 0.0), std::invalid_argument);
    EXPECT_THROW(rec::choose_codes_for_fer(1000, p, 0.5), std::invalid_argument);
    // Q^-1(0.01) = 2.326: 1000 h(0.03) + 2.326 sqrt(1000 V(0.03)) + log2(1000) / 2.
    EXPECT_NEAR(rec::finite_length_bound(1000, p, 0.01), 194.4 + 62.9 + 5.0, 0.5);
}

// Printed: the codes chosen for a frame error rate of 1e-2, their efficiency f, the
// frame error rate they reach, and f of the finite-length bound (no code of that length
// can do better at that error rate), for 500..2000-bit keys.
TEST(reconciliation, efficiency_for_a_frame_error_rate)
{
    const double target = 1e-2;
    const int frames = 100;
    std::mt19937_64 rng(13);
    std::printf("  %6s %6s %6s %7s %7s %6s\n", "n", "KDR", "leak", "f", "f_bound", "FER");
    for (std::size_t n : { 500, 1000, 2000 })
        for (double p : { 0.01, 0.03, 0.05, 0.10 }) {
            const std::vector<double> planes = { p };
            const auto codes = rec::choose_codes_for_fer(n, planes, target);
            const int failures = frame_failures(codes, n, p, frames, rng);
            const auto leak = codes[0].syndrome_bits;
            const double h = double(n) * rec::binary_entropy(p);
            const double fer = double(failures) / frames;
            std::printf("  %6zu %6.3f %6zu %7.3f %7.3f %6.3f\n",
                        n,
                        p,
                        leak,
                        double(leak) / h,
                        rec::finite_length_bound(n, planes, target) / h,
                        fer);
            EXPECT_LE(fer, 0.08);
        }
}
