/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/nist_sts.h>

#include <boost/math/special_functions/gamma.hpp>
#include <fftw3.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <numbers>
#include <stdexcept>
#include <string>

namespace fiberkey::nist_sts {

namespace {

//! The SP's igamc: the regularised upper incomplete gamma function Q(a, x).
double igamc(double a, double x) { return x <= 0.0 ? 1.0 : boost::math::gamma_q(a, x); }

//! Standard normal cumulative distribution.
double phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }

void check_bits(bit_span e, std::size_t min_n, const char* test)
{
    if (e.size() < min_n)
        throw std::invalid_argument(std::string("nist_sts::") + test +
                                    ": needs at least " + std::to_string(min_n) +
                                    " bits");
    for (auto b : e)
        if (b > 1)
            throw std::invalid_argument(std::string("nist_sts::") + test +
                                        ": a bit is neither 0 nor 1");
}

//! chi^2 of observed counts against N * pi.
double chi_square(std::span<const double> observed, std::span<const double> pi, double N)
{
    double chi2 = 0.0;
    for (std::size_t i = 0; i < observed.size(); ++i) {
        const double expected = N * pi[i];
        chi2 += (observed[i] - expected) * (observed[i] - expected) / expected;
    }
    return chi2;
}

//! Rank over GF(2) of rows (bit j of a row is column j).
std::size_t gf2_rank(std::vector<std::uint64_t> rows, std::size_t cols)
{
    std::size_t rank = 0;
    for (std::size_t c = 0; c < cols && rank < rows.size(); ++c) {
        const std::uint64_t bit = std::uint64_t{ 1 } << c;
        auto pivot = std::find_if(
            rows.begin() + rank, rows.end(), [bit](std::uint64_t r) { return r & bit; });
        if (pivot == rows.end())
            continue;
        std::swap(*pivot, rows[rank]);
        for (std::size_t r = 0; r < rows.size(); ++r)
            if (r != rank && (rows[r] & bit))
                rows[r] ^= rows[rank];
        ++rank;
    }
    return rank;
}

//! Probability that a random rows x cols matrix over GF(2) has rank r (SP section 3.5).
double rank_probability(std::size_t r, std::size_t rows, std::size_t cols)
{
    double log2p =
        static_cast<double>(r * (rows + cols - r)) - static_cast<double>(rows * cols);
    double product = 1.0;
    for (std::size_t i = 0; i < r; ++i) {
        const double di = static_cast<double>(i);
        product *= (1.0 - std::exp2(di - static_cast<double>(cols))) *
                   (1.0 - std::exp2(di - static_cast<double>(rows))) /
                   (1.0 - std::exp2(di - static_cast<double>(r)));
    }
    return std::exp2(log2p) * product;
}

//! Berlekamp-Massey: the length of the shortest LFSR that generates \p s.
std::size_t linear_complexity_of(bit_span s)
{
    const std::size_t n = s.size();
    std::vector<std::uint8_t> c(n + 1, 0), b(n + 1, 0), t(n + 1);
    c[0] = b[0] = 1;
    std::size_t L = 0;
    std::ptrdiff_t m = -1;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t d = s[i];
        for (std::size_t j = 1; j <= L; ++j)
            d ^= c[j] & s[i - j];
        if (!d)
            continue;
        t = c;
        const std::size_t shift = i - static_cast<std::size_t>(m);
        for (std::size_t j = 0; j + shift <= n; ++j)
            c[j + shift] ^= b[j];
        if (2 * L <= i) {
            L = i + 1 - L;
            m = static_cast<std::ptrdiff_t>(i);
            b = t;
        }
    }
    return L;
}

//! Counts of each m-bit pattern over the sequence read cyclically (the SP's augmented
//! sequence of 2.11 and 2.12); pattern value = bits read first-is-most-significant.
std::vector<double> cyclic_pattern_counts(bit_span e, unsigned m)
{
    std::vector<double> counts(std::size_t{ 1 } << m, 0.0);
    if (m == 0)
        return counts;
    const std::size_t n = e.size();
    const std::uint32_t mask = (std::uint32_t{ 1 } << m) - 1;
    std::uint32_t w = 0;
    for (unsigned i = 0; i + 1 < m; ++i)
        w = (w << 1) | e[i % n];
    for (std::size_t i = 0; i < n; ++i) {
        w = ((w << 1) | e[(i + m - 1) % n]) & mask;
        counts[w] += 1.0;
    }
    return counts;
}

double psi_square(bit_span e, unsigned m)
{
    if (m == 0)
        return 0.0;
    const double n = static_cast<double>(e.size());
    double sum = 0.0;
    for (double c : cyclic_pattern_counts(e, m))
        sum += c * c;
    return std::exp2(m) / n * sum - n;
}

double phi_m(bit_span e, unsigned m)
{
    if (m == 0)
        return 0.0;
    const double n = static_cast<double>(e.size());
    double sum = 0.0;
    for (double c : cyclic_pattern_counts(e, m))
        if (c > 0)
            sum += c / n * std::log(c / n);
    return sum;
}

//! The walk S_k of +-1 steps.
std::vector<long> partial_sums(bit_span e)
{
    std::vector<long> s(e.size());
    long sum = 0;
    for (std::size_t i = 0; i < e.size(); ++i)
        s[i] = sum += e[i] ? 1 : -1;
    return s;
}

std::size_t zero_returns(const std::vector<long>& s)
{
    // Cycles end at every zero of S and at the appended final zero.
    std::size_t J = static_cast<std::size_t>(std::count(s.begin(), s.end(), 0L));
    if (s.empty() || s.back() != 0)
        ++J;
    return J;
}

bool excursions_apply(std::size_t J, std::size_t n)
{
    return static_cast<double>(J) >=
           std::max(0.005 * std::sqrt(static_cast<double>(n)), 500.0);
}

std::uint32_t pattern_value(bit_span bits)
{
    std::uint32_t v = 0;
    for (auto b : bits)
        v = (v << 1) | b;
    return v;
}

//! The m-bit pattern starting at each position (where a whole one fits).
std::vector<std::uint32_t> pattern_windows(bit_span e, unsigned m)
{
    std::vector<std::uint32_t> w(e.size() - m + 1);
    const std::uint32_t mask = (std::uint32_t{ 1 } << m) - 1;
    std::uint32_t v = pattern_value(e.first(m - 1));
    for (std::size_t i = 0; i < w.size(); ++i)
        w[i] = v = ((v << 1) | e[i + m - 1]) & mask;
    return w;
}

//! 2.7's chi^2 over \p blocks blocks of M bits, from the sequence's m-bit windows.
result non_overlapping_chi2(const std::vector<std::uint32_t>& windows,
                            std::uint32_t templ,
                            unsigned m,
                            std::size_t blocks,
                            std::size_t M)
{
    const double md = static_cast<double>(m);
    const double mu = static_cast<double>(M - m + 1) / std::exp2(md);
    const double var = static_cast<double>(M) *
                       (std::exp2(-md) - (2.0 * md - 1.0) * std::exp2(-2.0 * md));
    double chi2 = 0.0;
    for (std::size_t j = 0; j < blocks; ++j) {
        double w = 0.0;
        for (std::size_t i = 0; i + m <= M;) {
            if (windows[j * M + i] == templ) {
                w += 1.0;
                i += m;
            } else {
                ++i;
            }
        }
        chi2 += (w - mu) * (w - mu) / var;
    }
    return { chi2, igamc(static_cast<double>(blocks) / 2.0, chi2 / 2.0), {} };
}

} // namespace

result frequency(bit_span e)
{
    check_bits(e, 1, "frequency");
    long s = 0;
    for (auto b : e)
        s += b ? 1 : -1;
    const double s_obs =
        std::abs(static_cast<double>(s)) / std::sqrt(static_cast<double>(e.size()));
    return { s_obs, std::erfc(s_obs / std::numbers::sqrt2), {} };
}

result block_frequency(bit_span e, std::size_t M)
{
    check_bits(e, std::max<std::size_t>(M, 1), "block_frequency");
    const std::size_t N = e.size() / M;
    double sum = 0.0;
    for (std::size_t i = 0; i < N; ++i) {
        const auto ones = std::count(e.begin() + i * M, e.begin() + (i + 1) * M, 1);
        const double pi = static_cast<double>(ones) / static_cast<double>(M) - 0.5;
        sum += pi * pi;
    }
    const double chi2 = 4.0 * static_cast<double>(M) * sum;
    return { chi2, igamc(static_cast<double>(N) / 2.0, chi2 / 2.0), {} };
}

result runs(bit_span e)
{
    check_bits(e, 2, "runs");
    const double n = static_cast<double>(e.size());
    const double pi = static_cast<double>(std::count(e.begin(), e.end(), 1)) / n;
    std::size_t v = 1;
    for (std::size_t k = 0; k + 1 < e.size(); ++k)
        v += e[k] != e[k + 1];
    const double V = static_cast<double>(v);
    if (std::abs(pi - 0.5) >= 2.0 / std::sqrt(n))
        return { V, 0.0, {} };
    const double p = std::erfc(std::abs(V - 2.0 * n * pi * (1.0 - pi)) /
                               (2.0 * std::sqrt(2.0 * n) * pi * (1.0 - pi)));
    return { V, p, {} };
}

result longest_run_of_ones(bit_span e)
{
    check_bits(e, 128, "longest_run_of_ones");
    struct table {
        std::size_t M;
        unsigned lowest; //!< runs <= lowest fall in class 0, >= lowest + K in class K
        std::vector<double> pi;
    };
    // The SP's section 2.4.4 (M = 8 exactly: 55, 94, 59, 48 / 256) and section 3.4.
    static const table tables[] = {
        { 8, 1, { 0.21484375, 0.3671875, 0.23046875, 0.1875 } },
        { 128,
          4,
          { 0.1174035788,
            0.242955959,
            0.249363483,
            0.17517706,
            0.102701071,
            0.112398847 } },
        { 10000, 10, { 0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727 } },
    };
    const table& t = e.size() >= 750000 ? tables[2]
                     : e.size() >= 6272 ? tables[1]
                                        : tables[0];
    const std::size_t K = t.pi.size() - 1;
    const std::size_t N = e.size() / t.M;
    std::vector<double> v(K + 1, 0.0);
    for (std::size_t i = 0; i < N; ++i) {
        unsigned run = 0, longest = 0;
        for (std::size_t j = i * t.M; j < (i + 1) * t.M; ++j) {
            run = e[j] ? run + 1 : 0;
            longest = std::max(longest, run);
        }
        const unsigned cls =
            longest <= t.lowest ? 0 : std::min<unsigned>(longest - t.lowest, K);
        v[cls] += 1.0;
    }
    const double chi2 = chi_square(v, t.pi, static_cast<double>(N));
    return { chi2, igamc(static_cast<double>(K) / 2.0, chi2 / 2.0), v };
}

result binary_matrix_rank(bit_span e, std::size_t rows, std::size_t cols)
{
    if (rows < 2 || cols < 2 || cols > 64)
        throw std::invalid_argument(
            "nist_sts::binary_matrix_rank: 2 <= rows, 2 <= cols <= 64");
    check_bits(e, rows * cols, "binary_matrix_rank");
    const std::size_t N = e.size() / (rows * cols);
    const std::size_t full = std::min(rows, cols);
    double f_full = 0.0, f_less = 0.0;
    std::vector<std::uint64_t> matrix(rows);
    for (std::size_t k = 0; k < N; ++k) {
        for (std::size_t r = 0; r < rows; ++r) {
            std::uint64_t row = 0;
            for (std::size_t c = 0; c < cols; ++c)
                row |= std::uint64_t{ e[(k * rows + r) * cols + c] } << c;
            matrix[r] = row;
        }
        const std::size_t rank = gf2_rank(matrix, cols);
        f_full += rank == full;
        f_less += rank == full - 1;
    }
    const double p_full = rank_probability(full, rows, cols);
    const double p_less = rank_probability(full - 1, rows, cols);
    const std::array<double, 3> observed{ f_full,
                                          f_less,
                                          static_cast<double>(N) - f_full - f_less };
    const std::array<double, 3> pi{ p_full, p_less, 1.0 - p_full - p_less };
    const double chi2 = chi_square(observed, pi, static_cast<double>(N));
    return { chi2, std::exp(-chi2 / 2.0), { observed.begin(), observed.end() } };
}

dft_result discrete_fourier_transform(bit_span e)
{
    check_bits(e, 2, "discrete_fourier_transform");
    const std::size_t n = e.size();
    struct fftw_free_deleter {
        void operator()(void* p) const { fftw_free(p); }
    };
    std::unique_ptr<double, fftw_free_deleter> in(fftw_alloc_real(n));
    std::unique_ptr<fftw_complex, fftw_free_deleter> out(fftw_alloc_complex(n / 2 + 1));
    // FFTW's planner is not thread-safe; executing a plan is.
    static std::mutex planner;
    fftw_plan plan;
    {
        std::lock_guard lock(planner);
        plan =
            fftw_plan_dft_r2c_1d(static_cast<int>(n), in.get(), out.get(), FFTW_ESTIMATE);
    }
    for (std::size_t i = 0; i < n; ++i)
        in.get()[i] = e[i] ? 1.0 : -1.0;
    fftw_execute(plan);
    const double nd = static_cast<double>(n);
    const double T = std::sqrt(std::log(1.0 / 0.05) * nd);
    std::size_t n1 = 0;
    for (std::size_t j = 0; j < n / 2; ++j)
        n1 += std::hypot(out.get()[j][0], out.get()[j][1]) < T;
    {
        std::lock_guard lock(planner);
        fftw_destroy_plan(plan);
    }
    const double n0 = 0.95 * nd / 2.0;
    const double d = (static_cast<double>(n1) - n0) / std::sqrt(nd * 0.95 * 0.05 / 4.0);
    dft_result r;
    r.statistic = d;
    r.p_value = std::erfc(std::abs(d) / std::numbers::sqrt2);
    r.peaks_below_threshold = n1;
    return r;
}

std::vector<std::vector<std::uint8_t>> aperiodic_templates(unsigned m)
{
    if (m < 2 || m > 16)
        throw std::invalid_argument("nist_sts::aperiodic_templates: 2 <= m <= 16");
    std::vector<std::vector<std::uint8_t>> out;
    std::vector<std::uint8_t> b(m);
    for (std::uint32_t v = 0; v < (std::uint32_t{ 1 } << m); ++v) {
        for (unsigned i = 0; i < m; ++i)
            b[i] = (v >> (m - 1 - i)) & 1;
        bool aperiodic = true;
        for (unsigned p = 1; p < m && aperiodic; ++p)
            aperiodic = !std::equal(b.begin(), b.end() - p, b.begin() + p);
        if (aperiodic)
            out.push_back(b);
    }
    return out;
}

result non_overlapping_template(bit_span e, bit_span templ, std::size_t blocks)
{
    const std::size_t m = templ.size();
    if (m < 2 || m > 16 || blocks < 1)
        throw std::invalid_argument(
            "nist_sts::non_overlapping_template: 2 <= m <= 16, blocks >= 1");
    check_bits(templ, m, "non_overlapping_template");
    check_bits(e, blocks * m, "non_overlapping_template");
    const auto windows = pattern_windows(e, static_cast<unsigned>(m));
    return non_overlapping_chi2(windows,
                                pattern_value(templ),
                                static_cast<unsigned>(m),
                                blocks,
                                e.size() / blocks);
}

std::vector<result> non_overlapping_templates(bit_span e, unsigned m, std::size_t blocks)
{
    const auto templates = aperiodic_templates(m);
    if (blocks < 1)
        throw std::invalid_argument("nist_sts::non_overlapping_templates: blocks >= 1");
    check_bits(e, blocks * m, "non_overlapping_templates");
    const auto windows = pattern_windows(e, m);
    std::vector<result> out;
    for (const auto& t : templates)
        out.push_back(non_overlapping_chi2(
            windows, pattern_value(t), m, blocks, e.size() / blocks));
    return out;
}

std::vector<double>
overlapping_template_probabilities(unsigned m, std::size_t M, unsigned K)
{
    if (m < 1 || M < m || K < 1)
        throw std::invalid_argument(
            "nist_sts::overlapping_template_probabilities: 1 <= m <= M, K >= 1");
    // p[run][count]: probability of the current run of ones (capped at m - 1 once a
    // match is counted, since the next one extends it) and the matches so far (capped).
    std::vector<std::vector<double>> p(m, std::vector<double>(K + 1, 0.0));
    p[0][0] = 1.0;
    for (std::size_t step = 0; step < M; ++step) {
        std::vector<std::vector<double>> q(m, std::vector<double>(K + 1, 0.0));
        for (unsigned run = 0; run < m; ++run)
            for (unsigned c = 0; c <= K; ++c) {
                const double v = p[run][c] / 2.0;
                if (v == 0.0)
                    continue;
                q[0][c] += v; // a zero
                if (run + 1 == m)
                    q[m - 1][std::min(c + 1, K)] += v; // a one completes a match
                else
                    q[run + 1][c] += v;
            }
        p = std::move(q);
    }
    std::vector<double> pi(K + 1, 0.0);
    for (unsigned run = 0; run < m; ++run)
        for (unsigned c = 0; c <= K; ++c)
            pi[c] += p[run][c];
    return pi;
}

result overlapping_template(bit_span e, unsigned m, std::size_t M, unsigned K)
{
    check_bits(e, M, "overlapping_template");
    const std::size_t N = e.size() / M;
    std::vector<double> v(K + 1, 0.0);
    for (std::size_t j = 0; j < N; ++j) {
        unsigned run = 0, matches = 0;
        for (std::size_t i = j * M; i < (j + 1) * M; ++i) {
            run = e[i] ? run + 1 : 0;
            matches += run >= m;
        }
        v[std::min(matches, K)] += 1.0;
    }
    const double chi2 = chi_square(
        v, overlapping_template_probabilities(m, M, K), static_cast<double>(N));
    return { chi2, igamc(static_cast<double>(K) / 2.0, chi2 / 2.0), v };
}

result universal(bit_span e, unsigned L, std::size_t Q)
{
    // Expected value and variance of f_n for a random sequence (SP section 2.9.4).
    static constexpr std::array<double, 17> expected{
        0,         0.7326495, 1.5374383, 2.4016068, 3.3112247, 4.2534266,
        5.2177052, 6.1962507, 7.1836656, 8.1764248, 9.1723243, 10.170032,
        11.168765, 12.168070, 13.167693, 14.167488, 15.167379
    };
    static constexpr std::array<double, 17> variance{ 0,     0.690, 1.338, 1.901, 2.358,
                                                      2.705, 2.954, 3.125, 3.238, 3.311,
                                                      3.356, 3.384, 3.401, 3.410, 3.416,
                                                      3.419, 3.421 };
    if (L < 1 || L > 16)
        throw std::invalid_argument("nist_sts::universal: 1 <= L <= 16");
    check_bits(e, L * (Q + 1), "universal");
    const std::size_t K = e.size() / L - Q;
    std::vector<std::size_t> last(std::size_t{ 1 } << L, 0);
    auto block = [&](std::size_t i) { // i counts blocks from 1
        std::uint32_t v = 0;
        for (std::size_t j = (i - 1) * L; j < i * L; ++j)
            v = (v << 1) | e[j];
        return v;
    };
    for (std::size_t i = 1; i <= Q; ++i)
        last[block(i)] = i;
    double sum = 0.0;
    for (std::size_t i = Q + 1; i <= Q + K; ++i) {
        const auto v = block(i);
        sum += std::log2(static_cast<double>(i - last[v]));
        last[v] = i;
    }
    const double Ld = static_cast<double>(L);
    const double Kd = static_cast<double>(K);
    const double fn = sum / Kd;
    const double c = 0.7 - 0.8 / Ld + (4.0 + 32.0 / Ld) * std::pow(Kd, -3.0 / Ld) / 15.0;
    const double sigma = c * std::sqrt(variance[L] / Kd);
    return { fn,
             std::erfc(std::abs(fn - expected[L]) / (std::numbers::sqrt2 * sigma)),
             {} };
}

result universal(bit_span e)
{
    // The SP's table 2.9.7: the smallest n for each L from 6 to 16.
    static constexpr std::array<std::size_t, 11> min_n{ 387840,    904960,    2068480,
                                                        4654080,   10342400,  22753280,
                                                        49643520,  107560960, 231669760,
                                                        496435200, 1059061760 };
    if (e.size() < min_n[0])
        throw std::invalid_argument("nist_sts::universal: needs at least 387840 bits");
    unsigned L = 6;
    while (L - 6 + 1 < min_n.size() && e.size() >= min_n[L - 6 + 1])
        ++L;
    return universal(e, L, std::size_t{ 10 } << L);
}

result linear_complexity(bit_span e, std::size_t M)
{
    check_bits(e, std::max<std::size_t>(M, 1), "linear_complexity");
    const std::size_t N = e.size() / M;
    const double Md = static_cast<double>(M);
    const double sign = M % 2 ? -1.0 : 1.0; // (-1)^M
    const double mu =
        Md / 2.0 + (9.0 - sign) / 36.0 - (Md / 3.0 + 2.0 / 9.0) / std::exp2(Md);
    // The SP's section 3.10 probabilities, exactly: 1/96, 1/32, 1/8, 1/2, 1/4, 1/16, 1/48.
    static constexpr std::array<double, 7> pi{ 1.0 / 96, 1.0 / 32, 1.0 / 8, 1.0 / 2,
                                               1.0 / 4,  1.0 / 16, 1.0 / 48 };
    std::array<double, 7> v{};
    for (std::size_t i = 0; i < N; ++i) {
        const double L = static_cast<double>(linear_complexity_of(e.subspan(i * M, M)));
        const double T = sign * (L - mu) + 2.0 / 9.0;
        const int cls = T <= -2.5 ? 0
                        : T > 2.5 ? 6
                                  : static_cast<int>(std::ceil(T - 0.5)) + 3;
        v[static_cast<std::size_t>(cls)] += 1.0;
    }
    const double chi2 = chi_square(v, pi, static_cast<double>(N));
    return { chi2, igamc(3.0, chi2 / 2.0), { v.begin(), v.end() } };
}

std::array<result, 2> serial(bit_span e, unsigned m)
{
    if (m < 2 || m > 24)
        throw std::invalid_argument("nist_sts::serial: 2 <= m <= 24");
    check_bits(e, m, "serial");
    const double psi_m = psi_square(e, m);
    const double psi_m1 = psi_square(e, m - 1);
    const double psi_m2 = psi_square(e, m - 2);
    const double d1 = psi_m - psi_m1;
    const double d2 = psi_m - 2.0 * psi_m1 + psi_m2;
    return { result{ d1, igamc(std::exp2(m - 2.0), d1 / 2.0), {} },
             result{ d2, igamc(std::exp2(m - 3.0), d2 / 2.0), {} } };
}

result approximate_entropy(bit_span e, unsigned m)
{
    if (m > 24)
        throw std::invalid_argument("nist_sts::approximate_entropy: m <= 24");
    check_bits(e, m + 1, "approximate_entropy");
    const double n = static_cast<double>(e.size());
    const double apen = phi_m(e, m) - phi_m(e, m + 1);
    const double chi2 = 2.0 * n * (std::numbers::ln2 - apen);
    return { chi2, igamc(std::exp2(m - 1.0), chi2 / 2.0), {} };
}

std::array<result, 2> cumulative_sums(bit_span e)
{
    check_bits(e, 1, "cumulative_sums");
    const double n = static_cast<double>(e.size());
    auto p_value = [n](double z) {
        const double sq = std::sqrt(n);
        double sum1 = 0.0, sum2 = 0.0;
        // The SP's bounds, truncated toward zero.
        for (long k = static_cast<long>((-n / z + 1.0) / 4.0);
             k <= static_cast<long>((n / z - 1.0) / 4.0);
             ++k)
            sum1 += phi((4.0 * k + 1.0) * z / sq) - phi((4.0 * k - 1.0) * z / sq);
        for (long k = static_cast<long>((-n / z - 3.0) / 4.0);
             k <= static_cast<long>((n / z - 1.0) / 4.0);
             ++k)
            sum2 += phi((4.0 * k + 3.0) * z / sq) - phi((4.0 * k + 1.0) * z / sq);
        return 1.0 - sum1 + sum2;
    };
    std::array<result, 2> out;
    long s = 0, forward = 0;
    for (auto b : e) {
        s += b ? 1 : -1;
        forward = std::max(forward, std::abs(s));
    }
    // Backward: the partial sums from the end are S_n - S_k.
    long backward = 0, suffix = 0;
    for (auto it = e.rbegin(); it != e.rend(); ++it) {
        suffix += *it ? 1 : -1;
        backward = std::max(backward, std::abs(suffix));
    }
    for (int mode = 0; mode < 2; ++mode) {
        const double z = static_cast<double>(mode == 0 ? forward : backward);
        out[static_cast<std::size_t>(mode)] = { z, p_value(z), {} };
    }
    return out;
}

excursions random_excursions(bit_span e)
{
    check_bits(e, 1, "random_excursions");
    const auto s = partial_sums(e);
    excursions out;
    out.cycles = zero_returns(s);
    out.applicable = excursions_apply(out.cycles, e.size());
    out.states = { -4, -3, -2, -1, 1, 2, 3, 4 };
    // nu[state][k]: cycles that visit the state exactly k times (k = 5: five or more).
    std::array<std::array<double, 6>, 8> nu{};
    std::array<unsigned, 8> visits{};
    auto close_cycle = [&] {
        for (std::size_t x = 0; x < 8; ++x) {
            nu[x][std::min(visits[x], 5u)] += 1.0;
            visits[x] = 0;
        }
    };
    for (long v : s) {
        if (v == 0)
            close_cycle();
        else if (v >= -4 && v <= 4)
            ++visits[static_cast<std::size_t>(v < 0 ? v + 4 : v + 3)];
    }
    if (s.empty() || s.back() != 0)
        close_cycle();
    const double J = static_cast<double>(out.cycles);
    for (std::size_t x = 0; x < 8; ++x) {
        const double ax = std::abs(out.states[x]);
        const double q = 1.0 - 1.0 / (2.0 * ax);
        std::array<double, 6> pi;
        pi[0] = q;
        for (int k = 1; k <= 4; ++k)
            pi[static_cast<std::size_t>(k)] = std::pow(q, k - 1) / (4.0 * ax * ax);
        pi[5] = std::pow(q, 4) / (2.0 * ax);
        const double chi2 = chi_square(nu[x], pi, J);
        out.results.push_back(
            { chi2, igamc(2.5, chi2 / 2.0), { nu[x].begin(), nu[x].end() } });
    }
    return out;
}

excursions random_excursions_variant(bit_span e)
{
    check_bits(e, 1, "random_excursions_variant");
    const auto s = partial_sums(e);
    excursions out;
    out.cycles = zero_returns(s);
    out.applicable = excursions_apply(out.cycles, e.size());
    std::array<double, 19> xi{};
    for (long v : s)
        if (v >= -9 && v <= 9)
            xi[static_cast<std::size_t>(v + 9)] += 1.0;
    const double J = static_cast<double>(out.cycles);
    for (int x = -9; x <= 9; ++x) {
        if (x == 0)
            continue;
        const double count = xi[static_cast<std::size_t>(x + 9)];
        out.states.push_back(x);
        const double p = std::erfc(std::abs(count - J) /
                                   std::sqrt(2.0 * J * (4.0 * std::abs(x) - 2.0)));
        out.results.push_back({ count, p, {} });
    }
    return out;
}

proportion_range passing_proportion_range(std::size_t sequences, double alpha)
{
    if (sequences == 0)
        throw std::invalid_argument("nist_sts::passing_proportion_range: no sequences");
    const double p = 1.0 - alpha;
    const double spread = 3.0 * std::sqrt(p * alpha / static_cast<double>(sequences));
    return { p - spread, p + spread };
}

double uniformity_p_value(std::span<const double> p_values)
{
    if (p_values.empty())
        throw std::invalid_argument("nist_sts::uniformity_p_value: no P-values");
    std::array<double, 10> bins{};
    for (double p : p_values)
        bins[std::min<std::size_t>(static_cast<std::size_t>(std::max(p, 0.0) * 10.0),
                                   9)] += 1.0;
    const double expected = static_cast<double>(p_values.size()) / 10.0;
    double chi2 = 0.0;
    for (double f : bins)
        chi2 += (f - expected) * (f - expected) / expected;
    return igamc(4.5, chi2 / 2.0);
}

} // namespace fiberkey::nist_sts
