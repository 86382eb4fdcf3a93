/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_QUANTIZER_H
#define FIBERKEY_CORE_QUANTIZER_H

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace fiberkey {

/*
 * From one side's error counts F over the rounds of a batch to key symbols
 * (protocol.md section 6). Rounds are indexed by their offset in the batch's sequence
 * span; a round is "present" when this side has its count.
 */

enum class quantizer_mode : std::uint8_t {
    /*! The patent: mean mu and standard deviation sigma of the present counts; a round
     *  is kept when |F - mu| > alpha sigma; its bit is F > mu. */
    patent = 0,
    /*! Beyond the patent: every present round is kept and falls into one of 2^q bins
     *  bounded by this side's empirical quantiles, so the bins are (up to ties)
     *  equiprobable; the bin index is sent as q Gray-coded bits, MSB first, so that a
     *  neighbouring bin costs one bit error. Reconciled bit-wise: all q bits of all
     * rounds in one code, with a disagreement estimate per bit plane. */
    equiprobable = 1,
    /*! Equiprobable bins and Gray-coded bits as above, but the follower decodes with
     *  soft information: per-bit LLRs computed from its own count and the leader's bin
     *  boundaries under a bivariate Gaussian model of the variance-stabilised counts
     *  (soft_llrs below). */
    soft = 2,
};

struct quantizer_config {
    quantizer_mode mode = quantizer_mode::patent;
    double alpha = 0.5;          //!< patent guard band, in standard deviations
    unsigned bits_per_round = 1; //!< equiprobable and soft modes: q = 1..4

    //! Key bits per kept round.
    unsigned bits() const { return mode == quantizer_mode::patent ? 1 : bits_per_round; }
    //! Throws std::invalid_argument on an out-of-range field.
    void validate() const;
};

struct quantized_batch {
    std::vector<std::uint8_t> kept;   //!< per round: 1 = this side offers it
    std::vector<std::uint8_t> symbol; //!< per round: bin index (0 where not kept)
    /*! Bins in count units: patent [-inf, mu - alpha sigma], [mu + alpha sigma, inf];
     *  equiprobable [-inf, b1], [b1, b2], ..., [b_(2^q - 1), inf]. */
    std::vector<double> bin_low, bin_high;
    double mean = 0.0;
    double deviation = 0.0;
    //! Mean and deviation of sqrt(F + 3/8) over the present rounds (the soft model's
    //! standardisation; Anscombe's transform makes binomial counts' noise nearly
    //! independent of their mean).
    double stable_mean = 0.0;
    double stable_deviation = 0.0;
};

/*!
 * Quantizes \p counts (one per round of the span; ignored where \p present is 0).
 * A symbol's bin is the number of equiprobable boundaries strictly below F.
 */
quantized_batch quantize(std::span<const std::uint32_t> counts,
                         std::span<const std::uint8_t> present,
                         const quantizer_config& config);

//! The key bits of the rounds marked in \p used: q Gray-coded bits each, MSB first.
std::vector<std::uint8_t> key_bits(std::span<const std::uint8_t> symbols,
                                   std::span<const std::uint8_t> used,
                                   unsigned bits_per_round);

//! The bin indices back from key bits (inverse Gray code), one per round.
std::vector<std::uint8_t> symbols_of(std::span<const std::uint8_t> key_bits,
                                     unsigned bits_per_round);

/*
 * The soft model. With t = sqrt(F + 3/8), standardised per batch and side as
 * z = (t - mean) / deviation, the leader's z1 given the follower's z2 is taken as
 * N(rho z2, 1 - rho^2): a bivariate Gaussian of the transformed counts with one
 * parameter, rho. Why the transform: the counts are binomial with a per-round rate, so
 * their noise grows with their mean; after it the noise is nearly constant and the
 * Gaussian model's conditional entropy of the leader's q-bit symbol is within 0.01 bit of
 * the true H(K1 | F2) on the round-level model (q = 2..4), against 0.06-0.19 bit worse
 * for a Gaussian model of the raw counts (docs/protocol-choices.md).
 */

//! What the follower needs of the leader's batch: its bin boundaries (count units) and
//! the standardisation of its transformed counts. All are functions of the multiset of
//! the leader's counts.
struct soft_reference {
    std::vector<double> boundaries; //!< 2^q - 1, nondecreasing
    double mean = 0.0;              //!< of sqrt(F1 + 3/8)
    double deviation = 0.0;         //!< of sqrt(F1 + 3/8), > 0

    //! The leader's side of a quantized batch (equiprobable bins).
    static soft_reference of(const quantized_batch& leader);
    //! Whether the fields make sense for q bits per round (from the wire).
    bool valid(unsigned bits_per_round) const;
};

/*!
 * Follower LLRs (log P(bit 0) / P(bit 1)) of the leader's q Gray-coded bits per used
 * round, MSB first, from the follower's counts of the used rounds \p used_counts, its
 * own batch \p own (for its standardisation) and the leader's \p reference, with
 * correlation \p rho in [0, 1). A leader boundary b between integer counts acts at
 * floor(b) + 1/2. Clamped to +-30.
 */
std::vector<float> soft_llrs(std::span<const std::uint32_t> used_counts,
                             const quantized_batch& own,
                             const soft_reference& reference,
                             unsigned bits_per_round,
                             double rho);

/*!
 * Maximum-likelihood rho of the soft model from a confirmed batch (the leader's symbols
 * known after correction), by golden-section search on atanh(rho).
 */
double fit_soft_correlation(std::span<const std::uint32_t> used_counts,
                            const quantized_batch& own,
                            const soft_reference& reference,
                            std::span<const std::uint8_t> leader_symbols,
                            unsigned bits_per_round);

/*!
 * Per bit plane, the sum over the used rounds of -log2 P(the leader's bit) under the soft
 * model: what a syndrome of that plane has to carry at the least (its cross-entropy).
 */
std::vector<double> soft_plane_entropy(std::span<const std::uint32_t> used_counts,
                                       const quantized_batch& own,
                                       const soft_reference& reference,
                                       std::span<const std::uint8_t> leader_symbols,
                                       unsigned bits_per_round,
                                       double rho);

//! Fraction of positions where \p a and \p b differ (0 for empty inputs).
double disagreement(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// I(F1;F2) of the counts: fiberkey::mutual_information in statistics.h.

} // namespace fiberkey

#endif
