/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/quantizer.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace fiberkey {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

unsigned gray(unsigned s) { return s ^ (s >> 1); }

// P(leader's symbol = k | follower's count) for every bin k, normalised.
void bin_probabilities(double count,
                       const quantized_batch& own,
                       double noise,
                       std::vector<double>& p)
{
    const std::size_t bins = own.bin_low.size();
    p.resize(bins);
    double sum = 0.0;
    for (std::size_t k = 0; k < bins; ++k) {
        p[k] = normal_cdf((own.bin_high[k] - count) / noise) -
               normal_cdf((own.bin_low[k] - count) / noise);
        sum += p[k];
    }
    for (auto& x : p)
        x = sum > 0 ? x / sum : 1.0 / double(bins);
}

} // namespace

void quantizer_config::validate() const
{
    if (mode != quantizer_mode::patent && mode != quantizer_mode::equiprobable)
        throw std::invalid_argument("quantizer: unknown mode");
    if (!(alpha >= 0.0 && alpha < 10.0))
        throw std::invalid_argument("quantizer: alpha must lie in [0, 10)");
    if (bits_per_round < 1 || bits_per_round > 3)
        throw std::invalid_argument("quantizer: bits_per_round must be 1..3");
}

quantized_batch quantize(std::span<const std::uint32_t> counts,
                         std::span<const std::uint8_t> present,
                         const quantizer_config& config)
{
    config.validate();
    if (counts.size() != present.size())
        throw std::invalid_argument("quantize: counts and present differ in length");
    quantized_batch q;
    q.kept.assign(counts.size(), 0);
    q.symbol.assign(counts.size(), 0);

    std::vector<double> values;
    for (std::size_t i = 0; i < counts.size(); ++i)
        if (present[i])
            values.push_back(counts[i]);
    if (values.size() < 2)
        return q;
    double sum = 0.0, squares = 0.0;
    for (double v : values) {
        sum += v;
        squares += v * v;
    }
    q.mean = sum / double(values.size());
    q.deviation =
        std::sqrt(std::max(0.0, squares / double(values.size()) - q.mean * q.mean));

    if (config.mode == quantizer_mode::patent) {
        const double guard = config.alpha * q.deviation;
        q.bin_low = { -infinity, q.mean + guard };
        q.bin_high = { q.mean - guard, infinity };
        for (std::size_t i = 0; i < counts.size(); ++i) {
            if (!present[i] || !(std::abs(counts[i] - q.mean) > guard))
                continue;
            q.kept[i] = 1;
            q.symbol[i] = counts[i] > q.mean ? 1 : 0;
        }
        return q;
    }

    std::sort(values.begin(), values.end());
    const std::size_t bins = std::size_t(1) << config.bits_per_round;
    std::vector<double> boundaries;
    for (std::size_t k = 1; k < bins; ++k) {
        const std::size_t at = std::max<std::size_t>(1, k * values.size() / bins);
        boundaries.push_back(0.5 * (values[at - 1] + values[at]));
    }
    q.bin_low.push_back(-infinity);
    for (double b : boundaries) {
        q.bin_high.push_back(b);
        q.bin_low.push_back(b);
    }
    q.bin_high.push_back(infinity);
    for (std::size_t i = 0; i < counts.size(); ++i) {
        if (!present[i])
            continue;
        q.kept[i] = 1;
        q.symbol[i] = static_cast<std::uint8_t>(
            std::count_if(boundaries.begin(), boundaries.end(), [&](double b) {
                return counts[i] > b;
            }));
    }
    return q;
}

std::vector<std::uint8_t> key_bits(std::span<const std::uint8_t> symbols,
                                   std::span<const std::uint8_t> used,
                                   unsigned bits_per_round)
{
    std::vector<std::uint8_t> bits;
    for (std::size_t i = 0; i < symbols.size() && i < used.size(); ++i) {
        if (!used[i])
            continue;
        const unsigned g = gray(symbols[i]);
        for (unsigned b = bits_per_round; b-- > 0;)
            bits.push_back(static_cast<std::uint8_t>((g >> b) & 1));
    }
    return bits;
}

std::vector<std::uint8_t> symbols_of(std::span<const std::uint8_t> key_bits,
                                     unsigned bits_per_round)
{
    std::vector<std::uint8_t> symbols;
    for (std::size_t i = 0; i + bits_per_round <= key_bits.size(); i += bits_per_round) {
        unsigned g = 0;
        for (unsigned b = 0; b < bits_per_round; ++b)
            g = (g << 1) | (key_bits[i + b] & 1);
        unsigned s = 0;
        for (; g != 0; g >>= 1)
            s ^= g;
        symbols.push_back(static_cast<std::uint8_t>(s));
    }
    return symbols;
}

std::vector<float> soft_llrs(std::span<const std::uint32_t> used_counts,
                             const quantized_batch& own,
                             unsigned bits_per_round,
                             double noise)
{
    constexpr double limit = 30.0;
    std::vector<float> llr;
    std::vector<double> p;
    for (auto count : used_counts) {
        bin_probabilities(count, own, noise, p);
        for (unsigned b = bits_per_round; b-- > 0;) {
            double zero = 0.0, one = 0.0;
            for (unsigned k = 0; k < p.size(); ++k)
                ((gray(k) >> b) & 1 ? one : zero) += p[k];
            double l = std::log(std::max(zero, 1e-300)) - std::log(std::max(one, 1e-300));
            llr.push_back(static_cast<float>(std::clamp(l, -limit, limit)));
        }
    }
    return llr;
}

double fit_soft_noise(std::span<const std::uint32_t> used_counts,
                      std::span<const std::uint8_t> leader_symbols,
                      const quantized_batch& own)
{
    const double scale = std::max(own.deviation, 1e-3);
    std::vector<double> p;
    auto log_likelihood = [&](double log_noise) {
        const double noise = std::exp(log_noise);
        double sum = 0.0;
        for (std::size_t i = 0; i < used_counts.size() && i < leader_symbols.size();
             ++i) {
            bin_probabilities(used_counts[i], own, noise, p);
            sum += std::log(std::max(
                p[std::min<std::size_t>(leader_symbols[i], p.size() - 1)], 1e-12));
        }
        return sum;
    };
    // Golden-section search over log(noise) from 1% to 300% of the counts' deviation.
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = std::log(0.01 * scale), b = std::log(3.0 * scale);
    double c = b - ratio * (b - a), d = a + ratio * (b - a);
    double fc = log_likelihood(c), fd = log_likelihood(d);
    for (int i = 0; i < 30; ++i) {
        if (fc > fd) {
            b = d;
            d = c;
            fd = fc;
            c = b - ratio * (b - a);
            fc = log_likelihood(c);
        } else {
            a = c;
            c = d;
            fc = fd;
            d = a + ratio * (b - a);
            fd = log_likelihood(d);
        }
    }
    return std::exp(0.5 * (a + b));
}

double disagreement(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b)
{
    const std::size_t n = std::min(a.size(), b.size());
    if (n == 0)
        return 0.0;
    std::size_t differ = 0;
    for (std::size_t i = 0; i < n; ++i)
        differ += (a[i] & 1) != (b[i] & 1);
    return double(differ) / double(n);
}

} // namespace fiberkey
