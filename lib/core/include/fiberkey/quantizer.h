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
    /*! Multilevel: 2^q equiprobable bins as above (q = 3..5 levels), the bin index in
     *  natural binary. Its least significant levels are disclosed outright (sent with
     *  the syndrome, every bit counted as leaked): q - 2 of them at q = 3 and 4, 2 at
     *  q = 5. They are the levels that the follower's count tells least about, and
     *  knowing them exactly narrows the leader's bin to one of 4 (8 at q = 5) classes.
     *  The other levels are the key bits, Gray-coded and reconciled as in soft mode,
     *  with LLRs conditioned on the disclosed levels (the decisions of the levels below
     *  as side information). Why these counts: docs/protocol-choices.md, "Multilevel
     *  reconciliation". */
    multilevel = 3,
};

//! Multilevel mode: the levels that are reconciled (the others are disclosed) at q
//! levels: 3 at q = 5, where the third level (0.68 bits given F2 and the 2 below) pays
//! for its code from about 4,000 rounds a batch, else 2.
constexpr unsigned multilevel_coded_levels(unsigned q) { return q >= 5 ? 3 : 2; }

struct quantizer_config {
    quantizer_mode mode = quantizer_mode::patent;
    double alpha = 0.5; //!< patent guard band, in standard deviations
    //! Levels q of the bin index: 1..4 in the equiprobable and soft modes, 3..5 in the
    //! multilevel mode (2^q bins); the patent mode has 1 whatever this says.
    unsigned bits_per_round = 1;

    //! Levels of the bin index: 2^levels() bins.
    unsigned levels() const
    {
        return mode == quantizer_mode::patent ? 1 : bits_per_round;
    }
    //! Levels disclosed outright: q - multilevel_coded_levels(q) in the multilevel
    //! mode, none otherwise.
    unsigned disclosed_levels() const
    {
        return mode == quantizer_mode::multilevel
                   ? bits_per_round - multilevel_coded_levels(bits_per_round)
                   : 0;
    }
    //! Key bits per kept round: the levels that are reconciled.
    unsigned bits() const { return levels() - disclosed_levels(); }
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

/*!
 * The key bits of the rounds marked in \p used: bits_per_round Gray-coded bits each, MSB
 * first, of the symbol without its \p disclosed_levels least significant levels.
 */
std::vector<std::uint8_t> key_bits(std::span<const std::uint8_t> symbols,
                                   std::span<const std::uint8_t> used,
                                   unsigned bits_per_round,
                                   unsigned disclosed_levels = 0);

//! Multilevel: the \p disclosed_levels least significant levels of the symbols of the
//! rounds marked in \p used, one value per used round.
std::vector<std::uint8_t> disclosed_values(std::span<const std::uint8_t> symbols,
                                           std::span<const std::uint8_t> used,
                                           unsigned disclosed_levels);

//! Whole symbols back from key bits and the disclosed values (one per symbol).
std::vector<std::uint8_t> symbols_of(std::span<const std::uint8_t> key_bits,
                                     unsigned bits_per_round,
                                     std::span<const std::uint8_t> disclosed,
                                     unsigned disclosed_levels);

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
    //! Whether the fields make sense for q levels (from the wire).
    bool valid(unsigned levels) const;
    //! q, from the number of boundaries (0 when that is not 2^q - 1).
    unsigned levels() const;
};

/*!
 * Follower LLRs (log P(bit 0) / P(bit 1)) of the leader's bits_per_round Gray-coded
 * key bits per used round, MSB first, from the follower's counts of the used rounds
 * \p used_counts, its own batch \p own (for its standardisation) and the leader's
 * \p reference (its 2^q - 1 boundaries), with correlation \p rho in [0, 1). A leader
 * boundary b between integer counts acts at floor(b) + 1/2. Clamped to +-30.
 * Multilevel (bits_per_round < q): \p disclosed holds the leader's q - bits_per_round
 * disclosed levels of each used round, and the LLRs are those given them.
 */
std::vector<float> soft_llrs(std::span<const std::uint32_t> used_counts,
                             const quantized_batch& own,
                             const soft_reference& reference,
                             unsigned bits_per_round,
                             double rho,
                             std::span<const std::uint8_t> disclosed = {});

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
 * Per key bit plane, the sum over the used rounds of -log2 P(the leader's bit) under the
 * soft model: what a syndrome of that plane has to carry at the least (its
 * cross-entropy). \p leader_symbols are whole symbols (q levels, from the reference);
 * in the multilevel mode (bits_per_round < q) each plane's probability is conditioned
 * on the symbol's disclosed levels, as in soft_llrs. When \p dispersion is given, it
 * receives per plane the sum over the used rounds of the squared deviation of -log2
 * P(bit) from its plane's mean: the dispersion V of the finite-length bound, which with
 * soft information is about half that of a binary symmetric channel of the same
 * entropy (reconciliation::choose_codes_for_fer).
 */
std::vector<double> soft_plane_entropy(std::span<const std::uint32_t> used_counts,
                                       const quantized_batch& own,
                                       const soft_reference& reference,
                                       std::span<const std::uint8_t> leader_symbols,
                                       unsigned bits_per_round,
                                       double rho,
                                       std::vector<double>* dispersion = nullptr);

//! Fraction of positions where \p a and \p b differ (0 for empty inputs).
double disagreement(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// I(F1;F2) of the counts: fiberkey::mutual_information in statistics.h.

} // namespace fiberkey

#endif
