/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_STATISTICS_H
#define FIBERKEY_CORE_STATISTICS_H

#include <cstddef>
#include <cstdint>
#include <span>

namespace fiberkey {

//! Mean and standard deviation of a sample.
struct moments {
    std::size_t count = 0;
    double mean = 0.0;
    double sigma = 0.0; //!< with the n - 1 denominator; 0 for fewer than two values
};

//! Mean and sample standard deviation of \p x (two passes, for accuracy).
moments mean_sigma(std::span<const double> x);

/*!
 * Pearson's correlation coefficient of paired samples. Throws std::invalid_argument when
 * the sizes differ; NaN when either sample has no spread (fewer than two values or all
 * equal), where the coefficient is undefined.
 */
double pearson_correlation(std::span<const double> x, std::span<const double> y);

//! A mutual-information estimate and what it was made from.
struct mutual_information_estimate {
    double bits = 0.0;        //!< plug-in estimate plus the Miller-Madow correction
    double plugin_bits = 0.0; //!< plug-in (maximum-likelihood) estimate
    std::size_t samples = 0;
    std::size_t x_values = 0;     //!< distinct values of x seen
    std::size_t y_values = 0;     //!< distinct values of y seen
    std::size_t joint_values = 0; //!< distinct pairs seen
};

/*!
 * \brief I(X;Y) in bits from paired integer samples (x[i], y[i]).
 *
 * Plug-in estimator: every distinct value is a histogram bin, the probabilities are the
 * relative frequencies, and I = H(X) + H(Y) - H(X,Y). The plug-in entropy is biased low
 * by about (K - 1) / (2N) nats for K occupied bins and N samples; Miller-Madow adds that
 * back to each of the three entropies, which moves I by
 *     (Kx + Ky - Kxy - 1) / (2N ln 2) bits,
 * usually downwards, since the joint histogram has the most bins. The correction is first
 * order: it holds when N is large against Kxy. Bin the samples coarser first when it is
 * not (for counts F in 0..m, say). Throws std::invalid_argument when the sizes differ;
 * zero for no samples.
 */
mutual_information_estimate mutual_information(std::span<const std::int32_t> x,
                                               std::span<const std::int32_t> y);

} // namespace fiberkey

#endif
