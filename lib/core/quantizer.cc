/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/quantizer.h>
#include <fiberkey/secure_memory.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace fiberkey {
namespace {

constexpr double infinity = std::numeric_limits<double>::infinity();

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

unsigned gray(unsigned s) { return s ^ (s >> 1); }

double stable(double count) { return std::sqrt(count + 0.375); }

// The soft model for one batch: the leader's boundaries in its standardised domain,
// then P(leader's symbol = k | follower's count) for every bin k, normalised.
class soft_model
{
public:
    soft_model(const quantized_batch& own, const soft_reference& reference, double rho)
        : d_mean(own.stable_mean),
          d_deviation(std::max(own.stable_deviation, 1e-9)),
          d_rho(rho),
          d_spread(std::sqrt(std::max(1.0 - rho * rho, 1e-12)))
    {
        if (reference.boundaries.empty() || !(reference.deviation > 0.0))
            throw std::invalid_argument("soft model: no leader boundaries");
        for (double b : reference.boundaries)
            d_bounds.push_back((stable(std::floor(b) + 0.5) - reference.mean) /
                               reference.deviation);
    }

    std::size_t bins() const { return d_bounds.size() + 1; }

    void probabilities(std::uint32_t count, std::vector<double>& p) const
    {
        const double centre = d_rho * (stable(count) - d_mean) / d_deviation;
        p.resize(bins());
        double below = 0.0, sum = 0.0;
        for (std::size_t k = 0; k < bins(); ++k) {
            const double upto =
                k < d_bounds.size() ? normal_cdf((d_bounds[k] - centre) / d_spread) : 1.0;
            p[k] = std::max(upto - below, 0.0);
            below = upto;
            sum += p[k];
        }
        for (auto& x : p)
            x = sum > 0 ? x / sum : 1.0 / double(bins());
    }

private:
    double d_mean, d_deviation, d_rho, d_spread;
    std::vector<double> d_bounds;
};

/*!
 * The distinct values among a batch's counts (with, in the multilevel mode, the
 * round's \p disclosed levels \p low: a value is (count << disclosed) | low), and for
 * each round the slot of its value. A batch of 1,000 rounds holds a few dozen distinct
 * counts: the soft model is evaluated once per distinct value rather than once per
 * round, with the same values as before. The follower's counts are secret: wiped.
 */
class distinct_counts
{
public:
    explicit distinct_counts(std::span<const std::uint32_t> counts,
                             std::span<const std::uint8_t> low = {},
                             unsigned disclosed = 0)
        : d_disclosed(disclosed)
    {
        std::vector<std::uint64_t> keys;
        keys.reserve(counts.size());
        for (std::size_t i = 0; i < counts.size(); ++i)
            keys.push_back((std::uint64_t(counts[i]) << disclosed) |
                           (disclosed > 0 ? low[i] : 0u));
        d_values = keys;
        std::sort(d_values.begin(), d_values.end());
        d_values.erase(std::unique(d_values.begin(), d_values.end()), d_values.end());
        d_slot.reserve(counts.size());
        for (auto k : keys)
            d_slot.push_back(static_cast<std::uint32_t>(
                std::lower_bound(d_values.begin(), d_values.end(), k) -
                d_values.begin()));
        secure_wipe(keys);
    }
    ~distinct_counts()
    {
        secure_wipe(d_values);
        secure_wipe(d_slot);
    }
    distinct_counts(const distinct_counts&) = delete;
    distinct_counts& operator=(const distinct_counts&) = delete;

    std::size_t size() const { return d_values.size(); }
    //! The count of distinct value j, and its disclosed levels.
    std::uint32_t count(std::size_t j) const
    {
        return static_cast<std::uint32_t>(d_values[j] >> d_disclosed);
    }
    unsigned low(std::size_t j) const
    {
        return static_cast<unsigned>(d_values[j] & ((1u << d_disclosed) - 1));
    }
    std::size_t slot(std::size_t round) const { return d_slot[round]; }

private:
    unsigned d_disclosed;
    std::vector<std::uint64_t> d_values;
    std::vector<std::uint32_t> d_slot;
};

/*
 * P(key bit b = 1) from the bins' probabilities \p p: bit b of the Gray label of the bin
 * index without its \p disclosed least significant levels, given that those levels hold
 * \p low (the multilevel mode; disclosed = 0 otherwise).
 */
double one_probability(const std::vector<double>& p,
                       unsigned b,
                       unsigned disclosed = 0,
                       unsigned low = 0)
{
    double one = 0.0, all = 0.0;
    for (unsigned k = low; k < p.size(); k += 1u << disclosed) {
        all += p[k];
        if ((gray(k >> disclosed) >> b) & 1)
            one += p[k];
    }
    return all > 0.0 ? one / all : 0.5;
}

// q - bits_per_round: the levels of the reference's symbols that are not key bits.
unsigned disclosed_levels_of(const soft_reference& reference, unsigned bits_per_round)
{
    const unsigned levels = reference.levels();
    if (!reference.valid(levels) || bits_per_round < 1 || bits_per_round > levels)
        throw std::invalid_argument("soft model: boundaries do not fit the key bits");
    return levels - bits_per_round;
}

void check_disclosed(std::span<const std::uint32_t> used_counts,
                     std::span<const std::uint8_t> disclosed,
                     unsigned hidden,
                     const char* who)
{
    const bool fits =
        hidden == 0 ? disclosed.empty()
                    : disclosed.size() == used_counts.size() &&
                          std::all_of(disclosed.begin(),
                                      disclosed.end(),
                                      [&](std::uint8_t v) { return v >> hidden == 0; });
    if (!fits)
        throw std::invalid_argument(std::string(who) +
                                    ": disclosed levels do not fit the rounds");
}

} // namespace

void quantizer_config::validate() const
{
    if (mode != quantizer_mode::patent && mode != quantizer_mode::equiprobable &&
        mode != quantizer_mode::soft && mode != quantizer_mode::multilevel)
        throw std::invalid_argument("quantizer: unknown mode");
    if (!(alpha >= 0.0 && alpha < 10.0))
        throw std::invalid_argument("quantizer: alpha must lie in [0, 10)");
    if (mode == quantizer_mode::multilevel) {
        if (bits_per_round < 3 || bits_per_round > 5)
            throw std::invalid_argument(
                "quantizer: bits_per_round must be 3..5 in the multilevel mode");
    } else if (bits_per_round < 1 || bits_per_round > 4)
        throw std::invalid_argument("quantizer: bits_per_round must be 1..4");
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
    sum = squares = 0.0;
    for (double v : values) {
        sum += stable(v);
        squares += v + 0.375;
    }
    q.stable_mean = sum / double(values.size());
    q.stable_deviation = std::sqrt(
        std::max(0.0, squares / double(values.size()) - q.stable_mean * q.stable_mean));

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
                                   unsigned bits_per_round,
                                   unsigned disclosed_levels)
{
    std::vector<std::uint8_t> bits;
    for (std::size_t i = 0; i < symbols.size() && i < used.size(); ++i) {
        if (!used[i])
            continue;
        const unsigned g = gray(symbols[i] >> disclosed_levels);
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

std::vector<std::uint8_t> disclosed_values(std::span<const std::uint8_t> symbols,
                                           std::span<const std::uint8_t> used,
                                           unsigned disclosed_levels)
{
    std::vector<std::uint8_t> values;
    const unsigned mask = (1u << disclosed_levels) - 1;
    for (std::size_t i = 0; i < symbols.size() && i < used.size(); ++i)
        if (used[i])
            values.push_back(static_cast<std::uint8_t>(symbols[i] & mask));
    return values;
}

std::vector<std::uint8_t> symbols_of(std::span<const std::uint8_t> key_bits,
                                     unsigned bits_per_round,
                                     std::span<const std::uint8_t> disclosed,
                                     unsigned disclosed_levels)
{
    auto symbols = symbols_of(key_bits, bits_per_round);
    if (disclosed_levels == 0 && disclosed.empty())
        return symbols;
    if (disclosed.size() != symbols.size())
        throw std::invalid_argument("symbols_of: one disclosed value per symbol needed");
    for (std::size_t i = 0; i < symbols.size(); ++i)
        symbols[i] =
            static_cast<std::uint8_t>((symbols[i] << disclosed_levels) | disclosed[i]);
    return symbols;
}

soft_reference soft_reference::of(const quantized_batch& leader)
{
    soft_reference r;
    if (!leader.bin_high.empty())
        r.boundaries.assign(leader.bin_high.begin(), leader.bin_high.end() - 1);
    r.mean = leader.stable_mean;
    r.deviation = leader.stable_deviation;
    return r;
}

unsigned soft_reference::levels() const
{
    for (unsigned q = 1; q <= 8; ++q)
        if (boundaries.size() == (std::size_t(1) << q) - 1)
            return q;
    return 0;
}

bool soft_reference::valid(unsigned levels) const
{
    if (levels < 1 || levels > 8 || boundaries.size() != (std::size_t(1) << levels) - 1)
        return false;
    for (std::size_t i = 0; i < boundaries.size(); ++i)
        if (!(boundaries[i] >= 0.0 && boundaries[i] <= 65535.0) ||
            (i > 0 && boundaries[i] < boundaries[i - 1]))
            return false;
    return mean >= 0.0 && mean <= 256.0 && deviation > 0.0 && deviation <= 256.0;
}

std::vector<float> soft_llrs(std::span<const std::uint32_t> used_counts,
                             const quantized_batch& own,
                             const soft_reference& reference,
                             unsigned bits_per_round,
                             double rho,
                             std::span<const std::uint8_t> disclosed)
{
    constexpr double limit = 30.0;
    const unsigned hidden = disclosed_levels_of(reference, bits_per_round);
    check_disclosed(used_counts, disclosed, hidden, "soft_llrs");
    const soft_model model(own, reference, rho);
    const distinct_counts counts(used_counts, disclosed, hidden);
    std::vector<float> of_count; // the LLRs of each distinct count, MSB first
    of_count.reserve(counts.size() * bits_per_round);
    std::vector<double> p;
    for (std::size_t v = 0; v < counts.size(); ++v) {
        model.probabilities(counts.count(v), p);
        for (unsigned b = bits_per_round; b-- > 0;) {
            const double one = one_probability(p, b, hidden, counts.low(v)),
                         zero = 1.0 - one;
            const double l =
                std::log(std::max(zero, 1e-300)) - std::log(std::max(one, 1e-300));
            of_count.push_back(static_cast<float>(std::clamp(l, -limit, limit)));
        }
    }
    std::vector<float> llr;
    llr.reserve(used_counts.size() * bits_per_round);
    for (std::size_t i = 0; i < used_counts.size(); ++i) {
        const auto first = of_count.begin() + counts.slot(i) * bits_per_round;
        llr.insert(llr.end(), first, first + bits_per_round);
    }
    return llr;
}

double fit_soft_correlation(std::span<const std::uint32_t> used_counts,
                            const quantized_batch& own,
                            const soft_reference& reference,
                            std::span<const std::uint8_t> leader_symbols,
                            unsigned bits_per_round)
{
    if (!reference.valid(bits_per_round) || used_counts.size() != leader_symbols.size())
        throw std::invalid_argument("fit_soft_correlation: inconsistent inputs");
    const distinct_counts counts(used_counts);
    std::vector<double> p, log_p; // log P(bin k | count), per distinct count and bin
    auto log_likelihood = [&](double x) {
        const soft_model model(own, reference, std::tanh(x));
        const std::size_t bins = model.bins();
        log_p.resize(counts.size() * bins);
        for (std::size_t j = 0; j < counts.size(); ++j) {
            model.probabilities(counts.count(j), p);
            for (std::size_t k = 0; k < bins; ++k)
                log_p[j * bins + k] = std::log(std::max(p[k], 1e-12));
        }
        double sum = 0.0; // in round order, as ever: the same sum to the last bit
        for (std::size_t i = 0; i < used_counts.size(); ++i)
            sum += log_p[counts.slot(i) * bins + leader_symbols[i] % bins];
        return sum;
    };
    // Golden-section search over atanh(rho) in [0, atanh(0.9999)].
    const double ratio = (std::sqrt(5.0) - 1.0) / 2.0;
    double a = 0.0, b = std::atanh(0.9999);
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
    return std::tanh(0.5 * (a + b));
}

std::vector<double> soft_plane_entropy(std::span<const std::uint32_t> used_counts,
                                       const quantized_batch& own,
                                       const soft_reference& reference,
                                       std::span<const std::uint8_t> leader_symbols,
                                       unsigned bits_per_round,
                                       double rho,
                                       std::vector<double>* dispersion)
{
    const unsigned hidden = disclosed_levels_of(reference, bits_per_round);
    if (used_counts.size() != leader_symbols.size())
        throw std::invalid_argument("soft_plane_entropy: inconsistent inputs");
    const unsigned mask = (1u << hidden) - 1;
    std::vector<std::uint8_t> low;
    if (hidden > 0)
        for (auto s : leader_symbols)
            low.push_back(static_cast<std::uint8_t>(s & mask));
    const soft_model model(own, reference, rho);
    const distinct_counts counts(used_counts, low, hidden);
    // -log2 P(bit of plane j = v | count), per distinct count, plane and value v.
    std::vector<double> surprise, p;
    surprise.reserve(counts.size() * bits_per_round * 2);
    for (std::size_t v = 0; v < counts.size(); ++v) {
        model.probabilities(counts.count(v), p);
        for (unsigned j = 0; j < bits_per_round; ++j) {
            const double one =
                one_probability(p, bits_per_round - 1 - j, hidden, counts.low(v));
            surprise.push_back(-std::log2(std::max(1.0 - one, 1e-12)));
            surprise.push_back(-std::log2(std::max(one, 1e-12)));
        }
    }
    std::vector<double> entropy(bits_per_round, 0.0), squares(bits_per_round, 0.0);
    for (std::size_t i = 0; i < used_counts.size(); ++i) {
        const unsigned label = gray(leader_symbols[i] >> hidden);
        const std::size_t first = counts.slot(i) * bits_per_round * 2;
        for (unsigned j = 0; j < bits_per_round; ++j) {
            const unsigned b = bits_per_round - 1 - j; // plane j is bit b, MSB first
            const double s = surprise[first + 2 * j + ((label >> b) & 1)];
            entropy[j] += s;
            squares[j] += s * s;
        }
    }
    if (dispersion) {
        const double rounds = std::max<double>(1.0, double(used_counts.size()));
        dispersion->assign(bits_per_round, 0.0);
        for (unsigned j = 0; j < bits_per_round; ++j)
            (*dispersion)[j] =
                std::max(0.0, squares[j] - entropy[j] * entropy[j] / rounds);
    }
    return entropy;
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
