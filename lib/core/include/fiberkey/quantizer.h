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
};

struct quantizer_config {
    quantizer_mode mode = quantizer_mode::patent;
    double alpha = 0.5;          //!< patent guard band, in standard deviations
    unsigned bits_per_round = 1; //!< equiprobable mode: q = 1..3
    /*! The follower's decoder takes its LLRs from its own counts (distance to the bin
     *  boundaries under a Gaussian model fitted on past confirmed batches) instead of
     *  from the disagreement rate alone. */
    bool soft = false;

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

/*!
 * Follower LLRs (log P(bit 0) / P(bit 1)) of the leader's key bits given the
 * follower's counts of the used rounds: the leader's count is modelled as the follower's
 * plus Gaussian noise of standard deviation \p noise (count units), and falls into the
 * follower's own bins as a proxy for the leader's. Clamped to +-30.
 */
std::vector<float> soft_llrs(std::span<const std::uint32_t> used_counts,
                             const quantized_batch& own,
                             unsigned bits_per_round,
                             double noise);

/*!
 * Maximum-likelihood \p noise for soft_llrs() from a confirmed batch: the follower's
 * counts of the used rounds and the leader's symbols (known after correction).
 */
double fit_soft_noise(std::span<const std::uint32_t> used_counts,
                      std::span<const std::uint8_t> leader_symbols,
                      const quantized_batch& own);

//! Fraction of positions where \p a and \p b differ (0 for empty inputs).
double disagreement(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

// I(F1;F2) of the counts: fiberkey::mutual_information in statistics.h.

} // namespace fiberkey

#endif
