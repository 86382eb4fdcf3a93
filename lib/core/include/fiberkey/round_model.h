/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_ROUND_MODEL_H
#define FIBERKEY_CORE_ROUND_MODEL_H

#include <fiberkey/random_source.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>

namespace fiberkey {

struct round_model_config {
    unsigned bits = 496; //!< m
    //! Channel BER of each fiber, i.i.d. bit errors: [0] A to B, [1] B to A.
    std::array<double, 2> link_ber{ 0.0, 0.0 };
    //! Local noise: one BER per received frame and NEG field, log-uniform in
    //! [low, high] (protocol.md section 7); low == high fixes it.
    double noise_ber_low = 1e-3;
    double noise_ber_high = 0.2;
    //! Draw Eve's observations too (protocol.md section 8).
    bool simulate_eve = false;
    //! BER of Eve's own receiver on each fiber: [0] A to B, [1] B to A.
    std::array<double, 2> eve_ber{ 1e-3, 1e-3 };
};

//! One round of one direction: what the two nodes count and what Eve sees.
struct model_round {
    std::uint16_t f1 = 0; //!< the leader's count
    std::uint16_t f2 = 0; //!< the follower's count
    //! BERs of the round's two fields, local noise and link combined: the leader's ND1
    //! as the follower decides it, and the follower's ND2 as the leader decides it.
    double leader_field_ber = 0.0;
    double follower_field_ber = 0.0;

    // Filled when simulate_eve; see round_model for what they mean.
    std::uint16_t eve_passive_guess = 0;
    std::uint16_t eve_seen_leader_errors = 0;
    std::uint16_t eve_seen_follower_errors = 0;
    double eve_estimate = 0.0;
};

//! Rate of a bit being flipped by exactly one of two independent causes: p + q - 2pq.
double either_flips(double p, double q);

/*!
 * Eve's plug-in estimate of F1 (= of F2) of one round from the weights she sees,
 * seen_leader_errors = |C2 ^ X1' ^ Y2'| and seen_follower_errors = |C1 ^ Y1' ^ X2'|, of
 * m = \p bits bits each, where her own copies err at rate \p g (one array from each
 * fiber: g = either_flips(g_AB, g_BA)); see round_model below for the derivation.
 */
double eve_estimate(unsigned seen_leader_errors,
                    unsigned seen_follower_errors,
                    unsigned bits,
                    double g);

/*!
 * \brief Round-level statistical model of the negotiation (protocol.md sections 5, 7, 8):
 * F1 and F2 per round drawn directly, without frames, arrays or ciphers.
 *
 * Round s of direction d (leader L, follower F): the follower's receiver draws one BER
 * for the ND1 field that carries L's X1, X2, and L's receiver draws one for the ND2 field
 * that carries F's Y1, Y2; each becomes the field's bit error rate combined with the
 * fiber's channel errors (p + q - 2pq: a bit is wrong when exactly one of the two flips
 * it). Every NEG field belongs to exactly one round, so rounds are independent. C1 and C2
 * travel error-free in INT. With e(.) the error pattern of an array at its receiver:
 *     E1 = e(X1) ^ e(Y2),   E2 = e(X2) ^ e(Y1)          (protocol.md section 5, "Check")
 * The model draws the weights k_L = |e(X1)| ~ B(m, p_L), k_F = |e(Y1)| ~ B(m, p_F), then
 *     F1 = k_L - B(k_L, p_F) + B(m - k_L, p_F)   (e(Y2) cancels on the overlap)
 *     F2 = k_F - B(k_F, p_L) + B(m - k_F, p_L),
 * which is exactly the law of the bit patterns. Without Eve, who needs the weights, it
 * draws F1 and F2 as two independent B(m, p_L + p_F - 2 p_L p_F), the same law in fewer
 * draws. Binomials come from Hormann's BTRD (inversion for small means): a round costs
 * a few hundred nanoseconds.
 *
 * Eve (when simulate_eve):
 * - Passive tap without the session keys: she sees ciphertext only, which tells her
 *   nothing about the noise. eve_passive_guess is a count of an independent round,
 *   her best guess with the right marginal law and zero information.
 * - Compromised session keys: she decrypts what her own receiver gets (BER g_AB, g_BA on
 *   the two fibers) and reads C1 and C2 in INT. With her copies X1', X2', Y1', Y2':
 *     C2 ^ X1' ^ Y2' = e(X1) ^ (her errors)  ->  eve_seen_leader_errors   = its weight
 *     C1 ^ Y1' ^ X2' = e(Y1) ^ (her errors)  ->  eve_seen_follower_errors = its weight
 *   Her errors there have rate g = g_AB + g_BA - 2 g_AB g_BA. She unbiases each weight,
 *   k^ = clamp((w - g m) / (1 - 2g), 0, m), and since both arrays of a field share its
 *   BER, she estimates the unseen halves e(Y2), e(X2) by rates k^_F / m and k^_L / m:
 *     E[F1] = k^_L + (k^_F / m)(m - 2 k^_L),  E[F2] = k^_F + (k^_L / m)(m - 2 k^_F),
 *   which are the same number, eve_estimate (the function below; eve_observer computes
 *   it from real frames). It is a plug-in estimate, not claimed optimal: the information
 *   she holds is at least what it carries.
 *
 * Randomness comes from \p random: the CSPRNG by default, a seeded test source to
 * reproduce a run. Not thread-safe: one model per thread.
 */
class round_model
{
public:
    explicit round_model(
        const round_model_config& config,
        std::unique_ptr<random_source> random = std::make_unique<csprng_random_source>());

    //! One round of direction \p direction (0: AB, 1: BA).
    model_round next(std::uint8_t direction);

    //! Fills \p out with independent rounds of \p direction.
    void generate(std::uint8_t direction, std::span<model_round> out);

    const round_model_config& config() const { return d_config; }

private:
    static constexpr std::size_t buffer_words = 512;

    double uniform();
    double noise_ber();
    unsigned binomial(unsigned n, double p);
    unsigned binomial_by_inversion(unsigned n, double p);
    unsigned binomial_by_btrd(unsigned n, double p);
    //! Weight of (a pattern of weight k) ^ (an independent pattern of rate p).
    unsigned flipped_weight(unsigned k, double p);

    round_model_config d_config;
    std::unique_ptr<random_source> d_random;
    double d_log_low, d_log_span;
    std::array<std::uint64_t, buffer_words> d_words{};
    std::size_t d_next_word = buffer_words;
};

} // namespace fiberkey

#endif
