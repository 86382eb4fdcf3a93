/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_NIST_STS_H
#define FIBERKEY_CORE_NIST_STS_H

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

/*!
 * \brief The 15 statistical tests of NIST SP 800-22 rev. 1a (April 2010), section 2, and
 * the two second-level checks of its section 4.2, written from the SP's text.
 *
 * A sequence is one bit per byte, each 0 or 1 (anything else throws
 * std::invalid_argument), in the order the SP writes epsilon_1 ... epsilon_n. Every test
 * returns its statistic and its P-value; the caller decides, with the SP's minimum
 * lengths (docs/randomness.md), whether the test applies to a sequence that short. Where
 * the SP's worked examples cannot be reproduced from its own numbers, the tests in
 * lib/core/tests/test_nist_sts.cc say why and what is checked instead.
 */
namespace fiberkey::nist_sts {

using bit_span = std::span<const std::uint8_t>;

struct result {
    double statistic =
        0.0; //!< the SP's test statistic (s_obs, chi^2(obs), V_n(obs), ...)
    double p_value = 0.0;
    //! The class counts behind a chi^2 (nu_i, or F_M, F_M-1, rest), where the test has them.
    std::vector<double> counts;
};

//! 2.1 Frequency (monobit): statistic s_obs.
result frequency(bit_span e);

//! 2.2 Frequency within M-bit blocks: statistic chi^2(obs).
result block_frequency(bit_span e, std::size_t M = 128);

//! 2.3 Runs: statistic V_n(obs). P = 0 when the frequency prerequisite fails.
result runs(bit_span e);

//! 2.4 Longest run of ones in a block: M = 8, 128 or 10^4 from n as in the SP's table;
//! statistic chi^2(obs). Throws std::invalid_argument below n = 128.
result longest_run_of_ones(bit_span e);

//! 2.5 Binary matrix rank over rows x cols matrices (cols <= 64): statistic chi^2(obs).
//! The rank probabilities are those of the SP's section 3.5 for the given dimensions.
result binary_matrix_rank(bit_span e, std::size_t rows = 32, std::size_t cols = 32);

//! 2.6 Discrete Fourier transform (spectral): statistic d; N1 = peaks under T.
struct dft_result : result {
    std::size_t peaks_below_threshold = 0;
};
dft_result discrete_fourier_transform(bit_span e);

//! The aperiodic m-bit templates (no proper shift overlaps itself), as 0/1 bytes in
//! increasing binary order: 148 for m = 9, the set the SP's reference code uses.
std::vector<std::vector<std::uint8_t>> aperiodic_templates(unsigned m);

//! 2.7 Non-overlapping template matching of one template in N blocks: chi^2(obs).
result non_overlapping_template(bit_span e, bit_span templ, std::size_t blocks = 8);

//! 2.7 over every aperiodic m-bit template, in aperiodic_templates order.
std::vector<result>
non_overlapping_templates(bit_span e, unsigned m = 9, std::size_t blocks = 8);

/*!
 * Probabilities that a uniformly random M-bit block holds 0, 1, ..., K-1 and >= K
 * overlapping occurrences of the all-ones m-bit template, computed exactly (a Markov
 * chain over the current run of ones); for m = 9, M = 1032 they agree with the corrected
 * values of the SP's section 3.8.
 */
std::vector<double>
overlapping_template_probabilities(unsigned m, std::size_t M, unsigned K = 5);

//! 2.8 Overlapping template matching of the all-ones m-bit template in M-bit blocks:
//! chi^2(obs) with K + 1 classes.
result
overlapping_template(bit_span e, unsigned m = 9, std::size_t M = 1032, unsigned K = 5);

//! 2.9 Maurer's universal test with L-bit blocks and Q initialisation blocks (L 1..16):
//! statistic f_n.
result universal(bit_span e, unsigned L, std::size_t Q);
//! 2.9 with L from n as in the SP's table and Q = 10 * 2^L; throws std::invalid_argument
//! below n = 387,840.
result universal(bit_span e);

//! 2.10 Linear complexity in M-bit blocks (Berlekamp-Massey): statistic chi^2(obs).
result linear_complexity(bit_span e, std::size_t M = 500);

//! 2.11 Serial with m-bit patterns (m >= 2): {del psi^2_m, del^2 psi^2_m} with P1, P2.
std::array<result, 2> serial(bit_span e, unsigned m = 16);

//! 2.12 Approximate entropy with m-bit patterns: statistic chi^2(obs).
result approximate_entropy(bit_span e, unsigned m = 10);

//! 2.13 Cumulative sums, forward (mode 0) and backward (mode 1): statistic z.
std::array<result, 2> cumulative_sums(bit_span e);

//! 2.14 and 2.15: the random walk's cycles and one result per state.
struct excursions {
    std::size_t cycles = 0; //!< J
    //! J >= max(0.005 sqrt(n), 500): the SP's condition for the test to apply.
    bool applicable = false;
    std::vector<int> states;
    std::vector<result> results; //!< one per state
};

//! 2.14 Random excursions, states -4..-1, 1..4: chi^2(obs) each.
excursions random_excursions(bit_span e);

//! 2.15 Random excursions variant, states -9..-1, 1..9: statistic xi(x), the visits.
excursions random_excursions_variant(bit_span e);

// --- Section 4.2: a sample of sequences, alpha = 0.01 unless given. ---

//! 4.2.1: the range the proportion of passing sequences must fall in for a sample of
//! \p sequences: (1 - alpha) +- 3 sqrt(alpha (1 - alpha) / sequences).
struct proportion_range {
    double low = 0.0;
    double high = 0.0;
};
proportion_range passing_proportion_range(std::size_t sequences, double alpha = 0.01);

//! 4.2.2: P-value_T of the chi^2 over ten equal bins of the P-values; uniform when
//! >= 0.0001.
double uniformity_p_value(std::span<const double> p_values);

} // namespace fiberkey::nist_sts

#endif
