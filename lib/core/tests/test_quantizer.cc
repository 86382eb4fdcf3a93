/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "correlated_counts.h"

#include <fiberkey/quantizer.h>
#include <fiberkey/reconciliation.h>
#include <fiberkey/round_model.h>
#include <fiberkey/statistics.h>

#include <gtest/gtest.h>

#include <cstdio>

using namespace fiberkey;

TEST(quantizer, patent_mode_hand_computed)
{
    // Mean of the present counts 6.5; deviations +-3.5, +-4.5, +-5.5 and 0.5 (twice);
    // sigma = sqrt((2 * (12.25 + 20.25 + 30.25) + 2 * 0.25) / 8) = 3.97; guard 1.98.
    const std::vector<std::uint32_t> counts = { 1, 2, 3, 6, 7, 10, 11, 12, 99 };
    const std::vector<std::uint8_t> present = { 1, 1, 1, 1, 1, 1, 1, 1, 0 };
    quantizer_config cfg;
    const auto q = quantize(counts, present, cfg);
    EXPECT_DOUBLE_EQ(q.mean, 6.5);
    EXPECT_NEAR(q.deviation, 3.9686, 1e-4);
    const std::vector<std::uint8_t> kept = { 1, 1, 1, 0, 0, 1, 1, 1, 0 };
    const std::vector<std::uint8_t> symbol = { 0, 0, 0, 0, 0, 1, 1, 1, 0 };
    EXPECT_EQ(q.kept, kept);
    EXPECT_EQ(q.symbol, symbol);
    EXPECT_EQ(key_bits(q.symbol, kept, 1),
              (std::vector<std::uint8_t>{ 0, 0, 0, 1, 1, 1 }));
}

TEST(quantizer, equiprobable_bins_and_gray_code)
{
    const std::vector<std::uint32_t> counts = { 7, 6, 5, 4, 3, 2, 1, 0 };
    const std::vector<std::uint8_t> present(8, 1);
    quantizer_config cfg;
    cfg.mode = quantizer_mode::equiprobable;
    cfg.bits_per_round = 2;
    const auto q = quantize(counts, present, cfg);
    EXPECT_EQ(q.symbol, (std::vector<std::uint8_t>{ 3, 3, 2, 2, 1, 1, 0, 0 }));
    EXPECT_EQ(q.kept, present);
    // Gray: 3 -> 10, 2 -> 11, 1 -> 01, 0 -> 00.
    const std::vector<std::uint8_t> used = { 1, 0, 1, 0, 1, 0, 1, 0 };
    const std::vector<std::uint8_t> bits = { 1, 0, 1, 1, 0, 1, 0, 0 };
    EXPECT_EQ(key_bits(q.symbol, used, 2), bits);
    EXPECT_EQ(symbols_of(bits, 2), (std::vector<std::uint8_t>{ 3, 2, 1, 0 }));
}

TEST(quantizer, gray_code_round_trips_and_neighbours_differ_in_one_bit)
{
    for (unsigned q = 1; q <= 3; ++q) {
        std::vector<std::uint8_t> symbols, used;
        for (unsigned s = 0; s < (1u << q); ++s) {
            symbols.push_back(static_cast<std::uint8_t>(s));
            used.push_back(1);
        }
        const auto bits = key_bits(symbols, used, q);
        EXPECT_EQ(symbols_of(bits, q), symbols);
        for (unsigned s = 0; s + 1 < symbols.size(); ++s) {
            unsigned differ = 0;
            for (unsigned b = 0; b < q; ++b)
                differ += bits[s * q + b] != bits[(s + 1) * q + b];
            EXPECT_EQ(differ, 1u);
        }
    }
}

TEST(quantizer, rejects_bad_settings)
{
    quantizer_config cfg;
    cfg.bits_per_round = 5;
    EXPECT_THROW(cfg.validate(), std::invalid_argument);
    cfg.bits_per_round = 4;
    EXPECT_NO_THROW(cfg.validate());
    cfg.mode = static_cast<quantizer_mode>(4);
    EXPECT_THROW(cfg.validate(), std::invalid_argument);
    cfg.mode = quantizer_mode::soft;
    cfg.bits_per_round = 1;
    cfg.alpha = -1;
    EXPECT_THROW(cfg.validate(), std::invalid_argument);
    const std::vector<std::uint32_t> counts(3);
    const std::vector<std::uint8_t> present(2);
    EXPECT_THROW(quantize(counts, present, quantizer_config{}), std::invalid_argument);
}

TEST(quantizer, figures_disagreement_and_mutual_information)
{
    EXPECT_DOUBLE_EQ(disagreement(std::vector<std::uint8_t>{ 0, 1, 1, 0 },
                                  std::vector<std::uint8_t>{ 0, 1, 0, 1 }),
                     0.5);
    std::vector<std::uint32_t> a, b;
    for (int i = 0; i < 8000; ++i) {
        a.push_back(i % 8);
        b.push_back((i * 7 + i / 8) % 8);
    }
    EXPECT_NEAR(mutual_information(test::as_int32(a), test::as_int32(a)).bits, 3.0, 0.01);
    EXPECT_NEAR(mutual_information(test::as_int32(a), test::as_int32(b)).bits, 0.0, 0.02);
}

TEST(quantizer, soft_llrs_follow_the_distance_to_the_boundary)
{
    // The leader's one boundary at 35.5 acts at 35.5 (sqrt: 6.0896); its transformed
    // counts have mean 6.0896 and deviation 1, the follower's the same: a count of 35
    // sits just below the boundary.
    soft_reference ref;
    ref.boundaries = { 35.5 };
    ref.mean = std::sqrt(35.875);
    ref.deviation = 1.0;
    quantized_batch own;
    own.stable_mean = ref.mean;
    own.stable_deviation = 1.0;
    const std::vector<std::uint32_t> counts = { 0, 35, 36, 200 };
    const auto llr = soft_llrs(counts, own, ref, 1, 0.95);
    ASSERT_EQ(llr.size(), 4u);
    EXPECT_GT(llr[0], 10.0f); // far below: the leader's bit is 0
    EXPECT_GT(llr[1], 0.0f);
    EXPECT_LT(llr[1], 0.5f);
    EXPECT_LT(llr[2], 0.0f);
    EXPECT_GT(llr[2], -0.5f);
    EXPECT_LT(llr[3], -10.0f);
    // By hand for 35: z2 = sqrt(35.375) - sqrt(35.875) = -0.04189, centre 0.95 z2 =
    // -0.03979, spread sqrt(1 - 0.95^2) = 0.31225: P(0) = Phi(0.03979 / 0.31225) =
    // 0.55070.
    EXPECT_NEAR(llr[1], std::log(0.55070 / 0.44930), 1e-3);
    EXPECT_FALSE(ref.valid(2));
    ref.deviation = 0.0;
    EXPECT_FALSE(ref.valid(1));
}

// On the round-level model at its defaults, the fitted soft model's cross-entropy of the
// leader's 3-bit symbol comes within a few hundredths of a bit of H(K1 | F2) = 1.30
// (measured with plug-in estimates on 2 M rounds), and rho is stable from batch to batch.
TEST(quantizer, soft_model_fits_the_round_model)
{
    round_model model(round_model_config{},
                      std::make_unique<test_only_seeded_random_source>(12));
    quantizer_config cfg;
    cfg.mode = quantizer_mode::soft;
    cfg.bits_per_round = 3;
    std::vector<model_round> rounds(1000);
    std::vector<std::uint32_t> f1(1000), f2(1000);
    const std::vector<std::uint8_t> present(1000, 1);
    double rho_min = 1.0, rho_max = 0.0, bits = 0.0;
    std::vector<double> planes(3, 0.0);
    const int batches = 20;
    for (int b = 0; b < batches; ++b) {
        model.generate(0, rounds);
        for (std::size_t i = 0; i < rounds.size(); ++i) {
            f1[i] = rounds[i].f1;
            f2[i] = rounds[i].f2;
        }
        const auto q1 = quantize(f1, present, cfg), q2 = quantize(f2, present, cfg);
        const auto ref = soft_reference::of(q1);
        ASSERT_TRUE(ref.valid(3));
        const double rho = fit_soft_correlation(f2, q2, ref, q1.symbol, 3);
        rho_min = std::min(rho_min, rho);
        rho_max = std::max(rho_max, rho);
        const auto h = soft_plane_entropy(f2, q2, ref, q1.symbol, 3, rho);
        for (int j = 0; j < 3; ++j) {
            planes[j] += h[j] / 1000.0 / batches;
            bits += h[j] / 1000.0 / batches;
        }
    }
    std::printf("  rho %.4f .. %.4f, cross-entropy per round %.3f bits (planes %.3f %.3f "
                "%.3f)\n",
                rho_min,
                rho_max,
                bits,
                planes[0],
                planes[1],
                planes[2]);
    EXPECT_GT(rho_min, 0.9);
    EXPECT_LT(rho_max - rho_min, 0.02);
    EXPECT_LT(bits, 1.40);
    EXPECT_LT(planes[0], planes[1]); // Gray planes: the MSB is the most reliable
    EXPECT_LT(planes[1], planes[2]);
}

// FIXED SEED: the counts of \p n rounds of the round-level model at its defaults.
std::pair<std::vector<std::uint32_t>, std::vector<std::uint32_t>>
seeded_model_counts(std::uint64_t seed, std::size_t n)
{
    std::vector<model_round> rounds(n);
    round_model(round_model_config{},
                std::make_unique<test_only_seeded_random_source>(seed))
        .generate(0, rounds);
    std::vector<std::uint32_t> f1, f2;
    for (const auto& r : rounds) {
        f1.push_back(r.f1);
        f2.push_back(r.f2);
    }
    return { f1, f2 };
}

// The soft figures are computed once per distinct count (and disclosed value): a batch
// must give exactly what each of its rounds gives alone, and its dispersion is that of
// the rounds' surprisals.
TEST(quantizer, soft_figures_of_a_batch_are_those_of_its_rounds)
{
    const auto [f1, f2] = seeded_model_counts(13, 1000);
    for (const quantizer_config cfg :
         { quantizer_config{ .mode = quantizer_mode::soft, .bits_per_round = 3 },
           quantizer_config{ .mode = quantizer_mode::multilevel,
                             .bits_per_round = 4 } }) {
        SCOPED_TRACE(cfg.bits_per_round);
        const unsigned q = cfg.bits(), d = cfg.disclosed_levels();
        const std::vector<std::uint8_t> present(f1.size(), 1);
        const auto q1 = quantize(f1, present, cfg), q2 = quantize(f2, present, cfg);
        const auto ref = soft_reference::of(q1);
        const auto low =
            d > 0 ? disclosed_values(q1.symbol, present, d) : std::vector<std::uint8_t>{};
        const double rho = fit_soft_correlation(f2, q2, ref, q1.symbol, cfg.levels());
        const auto llr = soft_llrs(f2, q2, ref, q, rho, low);
        std::vector<double> dispersion;
        const auto planes =
            soft_plane_entropy(f2, q2, ref, q1.symbol, q, rho, &dispersion);
        ASSERT_EQ(llr.size(), q * f2.size());
        std::vector<double> summed(q, 0.0), squares(q, 0.0);
        for (std::size_t i = 0; i < f2.size(); ++i) {
            const std::span<const std::uint32_t> one(&f2[i], 1);
            const auto alone = soft_llrs(one,
                                         q2,
                                         ref,
                                         q,
                                         rho,
                                         d > 0 ? std::span(low).subspan(i, 1)
                                               : std::span<const std::uint8_t>{});
            for (std::size_t b = 0; b < q; ++b)
                ASSERT_EQ(llr[q * i + b], alone[b]) << "round " << i;
            const auto h = soft_plane_entropy(
                one, q2, ref, std::span<const std::uint8_t>(&q1.symbol[i], 1), q, rho);
            for (std::size_t j = 0; j < q; ++j) {
                summed[j] += h[j];
                squares[j] += h[j] * h[j];
            }
        }
        for (std::size_t j = 0; j < q; ++j) {
            EXPECT_NEAR(planes[j], summed[j], 1e-9 * summed[j]);
            const double v = squares[j] - summed[j] * summed[j] / double(f2.size());
            EXPECT_NEAR(dispersion[j], v, 1e-6 * v);
        }
    }
}

// The multilevel mode's point: its disclosed levels are side information. The 2 top
// levels of 16 bins cost the follower far less given the 2 levels below them than the
// same 2 levels of 4 bins cost without them (0.30 bit per round against 0.57 on the
// model: docs/protocol-choices.md, "Multilevel reconciliation"), and the key bits
// decode from the LLRs given them.
TEST(quantizer, multilevel_disclosed_levels_are_side_information)
{
    // Named references, not a structured binding: clang refuses to capture those.
    const auto counts = seeded_model_counts(21, 4000);
    const auto& f1 = counts.first;
    const auto& f2 = counts.second;
    const std::vector<std::uint8_t> present(f1.size(), 1);
    auto cross_entropy = [&](const quantizer_config& cfg) {
        const auto q1 = quantize(f1, present, cfg), q2 = quantize(f2, present, cfg);
        const auto ref = soft_reference::of(q1);
        const double rho = fit_soft_correlation(f2, q2, ref, q1.symbol, cfg.levels());
        double sum = 0.0;
        for (double h : soft_plane_entropy(f2, q2, ref, q1.symbol, cfg.bits(), rho))
            sum += h;
        return sum / double(f1.size());
    };
    const double multilevel =
        cross_entropy({ .mode = quantizer_mode::multilevel, .bits_per_round = 4 });
    const double top_alone =
        cross_entropy({ .mode = quantizer_mode::soft, .bits_per_round = 2 });
    std::printf(
        "  cross-entropy per round of the 2 top levels: %.3f alone, %.3f given the "
        "2 levels below\n",
        top_alone,
        multilevel);
    EXPECT_LT(multilevel, 0.7 * top_alone);
    EXPECT_GT(multilevel, 0.25); // not below what the counts share (plug-in: 0.31)

    // Key bits, disclosed values and whole symbols round trip.
    const quantizer_config cfg{ .mode = quantizer_mode::multilevel, .bits_per_round = 5 };
    const auto q1 = quantize(f1, present, cfg);
    std::vector<std::uint8_t> used(present.size());
    for (std::size_t i = 0; i < used.size(); ++i)
        used[i] = i % 3 != 0;
    const auto bits = key_bits(q1.symbol, used, cfg.bits(), cfg.disclosed_levels());
    const auto low = disclosed_values(q1.symbol, used, cfg.disclosed_levels());
    ASSERT_EQ(cfg.bits(), 3u); // q = 5: 3 key levels, 2 disclosed
    ASSERT_EQ(bits.size(), 3 * low.size());
    const auto back = symbols_of(bits, cfg.bits(), low, cfg.disclosed_levels());
    std::size_t k = 0;
    for (std::size_t i = 0; i < used.size(); ++i) {
        if (used[i]) {
            ASSERT_EQ(back[k++], q1.symbol[i]) << i;
        }
    }
    EXPECT_THROW(symbols_of(bits, cfg.bits(), std::span(low).first(3), 3),
                 std::invalid_argument);
    // LLRs need one disclosed value per round, each within its levels.
    const auto q2 = quantize(f2, present, cfg);
    const auto ref = soft_reference::of(q1);
    const std::span<const std::uint32_t> two(f2.data(), 2);
    const std::vector<std::uint8_t> fits{ 7, 0 }, wide{ 8, 0 }, short_{ 1 };
    EXPECT_EQ(soft_llrs(two, q2, ref, 2, 0.9, fits).size(), 4u);
    EXPECT_THROW(soft_llrs(two, q2, ref, 2, 0.9, wide), std::invalid_argument);
    EXPECT_THROW(soft_llrs(two, q2, ref, 2, 0.9, short_), std::invalid_argument);
    EXPECT_THROW(soft_llrs(two, q2, ref, 2, 0.9), std::invalid_argument);
    EXPECT_THROW(soft_llrs(two, q2, ref, 6, 0.9), std::invalid_argument);
}

// The generator's disagreement after quantization spans the 0..15% the tests need.
TEST(quantizer, generator_disagreement)
{
    std::printf(
        "  %-8s %-14s %10s %10s %10s\n", "p_target", "mode", "kept", "KDR", "I(F1;F2)");
    for (double p : { 0.0, 0.03, 0.08, 0.15 }) {
        const double noise = test::noise_for_disagreement(12.0, p);
        test::correlated_counts gen(99, 12.0, noise);
        std::vector<std::uint32_t> f1, f2;
        for (int i = 0; i < 4000; ++i) {
            auto [x, y] = gen.next();
            f1.push_back(x);
            f2.push_back(y);
        }
        const std::vector<std::uint8_t> present(f1.size(), 1);
        for (auto mode : { quantizer_mode::patent, quantizer_mode::equiprobable }) {
            quantizer_config cfg;
            cfg.mode = mode;
            cfg.alpha = mode == quantizer_mode::patent ? 0.5 : 0.0;
            const auto q1 = quantize(f1, present, cfg), q2 = quantize(f2, present, cfg);
            std::vector<std::uint8_t> used(f1.size());
            std::size_t kept = 0;
            for (std::size_t i = 0; i < used.size(); ++i)
                kept += used[i] = q1.kept[i] & q2.kept[i];
            const double kdr =
                disagreement(key_bits(q1.symbol, used, 1), key_bits(q2.symbol, used, 1));
            std::printf("  %-8.2f %-14s %10.3f %10.4f %10.3f\n",
                        p,
                        mode == quantizer_mode::patent ? "patent a=0.5" : "equiprob q=1",
                        double(kept) / double(used.size()),
                        kdr,
                        mutual_information(test::as_int32(f1), test::as_int32(f2)).bits);
            if (mode == quantizer_mode::equiprobable)
                EXPECT_NEAR(kdr, p, 0.02 + 0.2 * p);
            else
                EXPECT_LE(kdr, p + 0.01);
        }
    }
}

// Printed: the frame error rate of the reconciliation codes on soft LLRs, at the default
// link (n = 1000, q = 3: two blocks of 1,500 bits), for a fixed syndrome length of f
// times the mean cross-entropy of the soft model, over 100 batches.
TEST(quantizer, soft_decoding_frame_error_rate)
{
    namespace rec = reconciliation;
    constexpr std::size_t n = 1000;
    constexpr unsigned q = 3;
    constexpr int batches = 100;
    round_model model(round_model_config{},
                      std::make_unique<test_only_seeded_random_source>(9));
    quantizer_config cfg;
    cfg.mode = quantizer_mode::soft;
    cfg.bits_per_round = q;
    std::vector<model_round> rounds(n);
    std::vector<std::uint32_t> f1(n), f2(n);
    const std::vector<std::uint8_t> present(n, 1);
    std::vector<std::vector<std::uint8_t>> keys;
    std::vector<std::vector<float>> llrs;
    double entropy = 0.0, rho = 0.0;
    for (int b = 0; b < batches; ++b) {
        model.generate(0, rounds);
        for (std::size_t i = 0; i < n; ++i) {
            f1[i] = rounds[i].f1;
            f2[i] = rounds[i].f2;
        }
        const auto q1 = quantize(f1, present, cfg), q2 = quantize(f2, present, cfg);
        const auto ref = soft_reference::of(q1);
        if (b == 0)
            rho = fit_soft_correlation(f2, q2, ref, q1.symbol, q); // as after one batch
        for (double h : soft_plane_entropy(f2, q2, ref, q1.symbol, q, rho))
            entropy += h / batches;
        keys.push_back(key_bits(q1.symbol, present, q));
        llrs.push_back(soft_llrs(f2, q2, ref, q, rho));
    }
    const auto lengths = rec::block_lengths(n * q);
    std::printf("  cross-entropy %.0f bits per batch of %zu key bits\n", entropy, n * q);
    double fer_low = 0.0, fer_high = 1.0;
    for (double f : { 1.23, 1.30, 1.37 }) {
        std::vector<std::size_t> m;
        for (auto l : lengths) {
            const std::size_t step = (l + 127) / 128 * 128 / 64;
            const auto want = static_cast<std::size_t>(f * entropy * l / (n * q));
            m.push_back((want + step - 1) / step * step);
        }
        const auto codes = rec::codes_from(n * q, m);
        ASSERT_FALSE(codes.empty());
        int failed = 0;
        std::size_t leak = 0;
        for (auto x : m)
            leak += x;
        for (int b = 0; b < batches; ++b) {
            const auto d =
                rec::decode(llrs[b], rec::syndrome(keys[b], codes), codes, 100);
            failed += !d.converged || d.bits != keys[b];
        }
        const double fer = double(failed) / batches;
        std::printf("  f %.2f (leak %zu): FER %.2f\n", double(leak) / entropy, leak, fer);
        (f < 1.25 ? fer_low : fer_high) = fer;
    }
    EXPECT_LE(fer_high, 0.02); // f = 1.37
    EXPECT_GE(fer_low, fer_high);
}
