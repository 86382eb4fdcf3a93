/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ldpc.h>

#include "ldpc_math.h"
#include "simd_clones.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

namespace fiberkey {
namespace {

struct splitmix64 {
    std::uint64_t state;
    std::uint64_t next()
    {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

std::uint64_t code_seed(std::size_t n, std::size_t m, ldpc_degrees degrees)
{
    return 0x464b4c4450433031ULL ^ (std::uint64_t(n) << 32) ^ m ^
           (std::uint64_t(degrees) << 56);
}

// The second attempt: channel LLRs times retry_scale, check messages damped by
// retry_damping (measured: at n = 1000 it cuts the FER near 1e-2 about tenfold).
constexpr double retry_scale = 0.7, retry_damping = 0.5;

// Messages beyond this magnitude add no certainty (tanh(12.5) = 1 - 3e-11) and would
// let 1 - p vanish in the check update.
constexpr double max_message = 25.0;

// tanh(q / 2) and 2 atanh(p) of the decoder's messages, vectorised (ldpc_math.h).
FIBERKEY_SIMD_CLONES void
half_tanh(const double* __restrict q, double* __restrict t, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const double e = ldpc_math::exp_of_negative(std::fabs(q[i]));
        t[i] = std::copysign((1.0 - e) / (1.0 + e), q[i]);
    }
}

// |p| < 1.
FIBERKEY_SIMD_CLONES void
twice_atanh(const double* __restrict p, double* __restrict r, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        r[i] = ldpc_math::log_of_positive((1.0 + p[i]) / (1.0 - p[i]));
}

} // namespace

std::vector<unsigned>
ldpc_code::variable_degrees(std::size_t n, std::size_t m, ldpc_degrees degrees)
{
    // two_four_eight: chosen by measured frame error rates with the layered decoder
    // on hard decisions, n = 500 .. 2000, rates 0.5 .. 0.92 (a sweep over the share of
    // degree-2 nodes, the share and degree of the heavy nodes and the degree of the
    // rest): against the former 0.8 m / 0.1 n of degree 12 / rest 3, at n = 1000 and
    // equal leak, the FER falls from 0.14 to 0.05 at 1% (m = 160), from 0.068 to 0.025
    // at 3% (m = 320) and from 0.035 to 0.005 at 10% (m = 640), before the decoder's
    // second attempt. two_three_sixteen: the same sweep on the multilevel mode's key
    // bits (soft LLRs, rate about 0.8) at 2,048 and 8,192 bits; at rates below 0.65
    // (three key levels, rate about 0.55) 0.95 m of degree 2 and 0.1 n of degree 16,
    // chosen by fiberkey-sweep's yield at 65,536 and 100,000 rounds: 0.15 n of degree
    // 16 dropped 31 blocks of 732 at 16,384 rounds, 0.08 - 0.12 n and 0.9 - 0.99 m gave
    // 0.83 - 0.843 of I(F1;F2) against 0.846 - 0.847 (docs/performance.md).
    const bool sixteen = degrees == ldpc_degrees::two_three_sixteen;
    const bool low_rate = sixteen && double(m) > 0.35 * double(n);
    const std::size_t degree2 =
        std::min(m - 1, std::size_t((low_rate ? 0.95 : 0.9) * double(m)));
    const std::size_t heavy = std::min(
        n - degree2, std::size_t((sixteen && !low_rate ? 0.15 : 0.1) * double(n)));
    std::vector<unsigned> d(n, sixteen ? 3u : 4u);
    std::fill_n(d.begin(), degree2, 2u);
    std::fill(d.end() - std::ptrdiff_t(heavy), d.end(), sixteen ? 16u : 8u);
    for (auto& x : d)
        x = std::min<unsigned>(x, unsigned(m));
    return d;
}

std::size_t ldpc_code::lifting(std::size_t n, std::size_t m)
{
    for (std::size_t z = (n + max_grown_bits - 1) / max_grown_bits; z > 1 && z <= m / 2;
         ++z)
        if (n % z == 0 && m % z == 0)
            return z;
    return 1;
}

ldpc_code::ldpc_code(std::size_t n, std::size_t m, ldpc_degrees degrees) : d_n(n), d_m(m)
{
    if (m < 2 || m >= n || n > 65535)
        throw std::invalid_argument("ldpc_code: need 2 <= m < n <= 65535");
    if (degrees != ldpc_degrees::two_four_eight &&
        degrees != ldpc_degrees::two_three_sixteen)
        throw std::invalid_argument("ldpc_code: unknown degree profile");
    const std::size_t z = lifting(n, m);
    const auto check_vars =
        z == 1 ? grow(n, m, degrees)
               : lift(grow(n / z, m / z, degrees), z, code_seed(n, m, degrees));

    d_check_start.assign(m + 1, 0);
    for (std::size_t c = 0; c < m; ++c) {
        d_check_start[c + 1] = d_check_start[c] + std::uint32_t(check_vars[c].size());
        d_edge_var.insert(d_edge_var.end(), check_vars[c].begin(), check_vars[c].end());
    }
    d_var_start.assign(n + 1, 0);
    for (auto v : d_edge_var)
        ++d_var_start[v + 1];
    for (std::size_t v = 0; v < n; ++v)
        d_var_start[v + 1] += d_var_start[v];
    d_var_edges.resize(d_edge_var.size());
    std::vector<std::uint32_t> fill(d_var_start.begin(), d_var_start.end() - 1);
    for (std::uint32_t e = 0; e < d_edge_var.size(); ++e)
        d_var_edges[fill[d_edge_var[e]]++] = e;

    // Runs of consecutive checks that share no variable, each as long as it goes (a
    // lift's Z checks of one base check at least).
    std::vector<std::size_t> var_group(n, SIZE_MAX);
    d_group_start.assign(1, 0);
    for (std::size_t c = 0; c < m; ++c) {
        const std::size_t group = d_group_start.size() - 1;
        const bool disjoint =
            std::none_of(d_edge_var.begin() + d_check_start[c],
                         d_edge_var.begin() + d_check_start[c + 1],
                         [&](std::uint32_t v) { return var_group[v] == group; });
        if (!disjoint)
            d_group_start.push_back(std::uint32_t(c));
        for (auto e = d_check_start[c]; e < d_check_start[c + 1]; ++e)
            var_group[d_edge_var[e]] = d_group_start.size() - 1;
    }
    d_group_start.push_back(std::uint32_t(m));
}

std::vector<std::vector<std::uint32_t>>
ldpc_code::lift(const std::vector<std::vector<std::uint32_t>>& base,
                std::size_t z,
                std::uint64_t seed)
{
    splitmix64 rng{ seed };
    std::vector<std::vector<std::uint32_t>> lifted(base.size() * z);
    std::vector<std::uint32_t> shifts;
    for (std::size_t c = 0; c < base.size(); ++c) {
        shifts.clear();
        for (std::size_t i = 0; i < base[c].size(); ++i)
            shifts.push_back(std::uint32_t(rng.next() % z));
        for (std::size_t k = 0; k < z; ++k)
            for (std::size_t i = 0; i < base[c].size(); ++i)
                lifted[c * z + k].push_back(
                    std::uint32_t(base[c][i] * z + (k + shifts[i]) % z));
    }
    return lifted;
}

std::vector<std::vector<std::uint32_t>>
ldpc_code::grow(std::size_t n, std::size_t m, ldpc_degrees profile)
{
    const auto degrees = variable_degrees(n, m, profile);
    splitmix64 rng{ code_seed(n, m, profile) };

    std::vector<std::vector<std::uint32_t>> var_checks(n), check_vars(m);
    std::vector<std::uint32_t> check_seen(m, 0), var_seen(n, 0);
    std::uint32_t stamp = 0;
    std::vector<std::uint32_t> frontier, next_frontier, layer, candidates;

    // Lowest-degree check among those that pass, ties broken at random.
    auto pick = [&](auto&& eligible) {
        candidates.clear();
        std::size_t best = SIZE_MAX;
        for (std::uint32_t c = 0; c < m; ++c) {
            if (!eligible(c))
                continue;
            const std::size_t deg = check_vars[c].size();
            if (deg < best) {
                best = deg;
                candidates.clear();
            }
            if (deg == best)
                candidates.push_back(c);
        }
        return candidates[rng.next() % candidates.size()];
    };

    for (std::uint32_t v = 0; v < n; ++v) {
        for (unsigned k = 0; k < degrees[v]; ++k) {
            std::uint32_t chosen;
            if (k == 0) {
                chosen = pick([](std::uint32_t) { return true; });
            } else {
                // Breadth-first search from v over the graph so far, check layer by
                // layer. Each search uses stamp for what it reached and stamp + 1 for the
                // farthest layer, values no earlier search wrote.
                stamp += 2;
                var_seen[v] = stamp;
                frontier.assign(1, v);
                std::size_t reached = 0;
                for (;;) {
                    layer.clear();
                    for (auto u : frontier)
                        for (auto c : var_checks[u])
                            if (check_seen[c] != stamp) {
                                check_seen[c] = stamp;
                                layer.push_back(c);
                            }
                    reached += layer.size();
                    if (layer.empty()) {
                        // The reachable set stopped growing: connect outside it.
                        chosen =
                            pick([&](std::uint32_t c) { return check_seen[c] != stamp; });
                        break;
                    }
                    if (reached == m) {
                        // Everything is reachable: take the farthest layer.
                        for (auto c : layer)
                            check_seen[c] = stamp + 1;
                        chosen = pick(
                            [&](std::uint32_t c) { return check_seen[c] == stamp + 1; });
                        break;
                    }
                    next_frontier.clear();
                    for (auto c : layer)
                        for (auto u : check_vars[c])
                            if (var_seen[u] != stamp) {
                                var_seen[u] = stamp;
                                next_frontier.push_back(u);
                            }
                    frontier.swap(next_frontier);
                }
            }
            var_checks[v].push_back(chosen);
            check_vars[chosen].push_back(v);
        }
    }
    return check_vars;
}

std::shared_ptr<const ldpc_code>
ldpc_code::cached(std::size_t n, std::size_t m, ldpc_degrees degrees)
{
    struct entry {
        std::shared_ptr<const ldpc_code> code;
        std::uint64_t last_use;
    };
    static std::mutex lock;
    static std::map<std::tuple<std::size_t, std::size_t, ldpc_degrees>, entry> cache;
    static std::uint64_t clock = 0;
    static std::size_t cached_edges = 0;
    // A code takes 8 bytes an edge (two edge lists): 32 MB at most.
    constexpr std::size_t capacity = 64, edge_budget = std::size_t(1) << 22;

    std::lock_guard<std::mutex> guard(lock);
    const auto key = std::make_tuple(n, m, degrees);
    auto it = cache.find(key);
    if (it == cache.end()) {
        auto code = std::make_shared<ldpc_code>(n, m, degrees);
        while (!cache.empty() &&
               (cache.size() >= capacity || cached_edges + code->edges() > edge_budget)) {
            const auto oldest =
                std::min_element(cache.begin(), cache.end(), [](auto& a, auto& b) {
                    return a.second.last_use < b.second.last_use;
                });
            cached_edges -= oldest->second.code->edges();
            cache.erase(oldest);
        }
        cached_edges += code->edges();
        it = cache.emplace(key, entry{ std::move(code), 0 }).first;
    }
    it->second.last_use = ++clock;
    return it->second.code;
}

std::vector<std::uint8_t> ldpc_code::syndrome(std::span<const std::uint8_t> x) const
{
    if (x.size() != d_n)
        throw std::invalid_argument("ldpc_code::syndrome: wrong length");
    std::vector<std::uint8_t> s(d_m, 0);
    for (std::size_t c = 0; c < d_m; ++c)
        for (auto e = d_check_start[c]; e < d_check_start[c + 1]; ++e)
            s[c] ^= x[d_edge_var[e]] & 1;
    return s;
}

ldpc_code::decode_result ldpc_code::decode(std::span<const float> llr,
                                           std::span<const std::uint8_t> syndrome,
                                           std::vector<std::uint8_t>& x,
                                           unsigned max_iterations) const
{
    if (llr.size() != d_n || syndrome.size() != d_m)
        throw std::invalid_argument("ldpc_code::decode: wrong length");
    // Most failures of these short codes are trapping sets: the decoder settles on a
    // few wrong bits and more iterations do not help. Rare as they are, a second
    // attempt with damped check messages and weakened channel LLRs, which takes other
    // paths, frees a good share of them, at no cost to frames that decode at first.
    decode_result result = decode_pass(llr, syndrome, x, max_iterations, 1.0, 0.0);
    if (!result.converged) {
        const auto first = result.iterations;
        result =
            decode_pass(llr, syndrome, x, max_iterations, retry_scale, retry_damping);
        result.iterations += first;
    }
    return result;
}

ldpc_code::decode_result ldpc_code::decode_pass(std::span<const float> llr,
                                                std::span<const std::uint8_t> syndrome,
                                                std::vector<std::uint8_t>& x,
                                                unsigned max_iterations,
                                                double llr_scale,
                                                double damping) const
{
    // Layered (serial) schedule: check by check, each check reads the variables'
    // current posteriors minus its own previous message and writes its new messages
    // straight back, so later checks of the same iteration already see them.
    std::vector<double> to_var(d_edge_var.size(), 0.0), q, t, p, r;
    std::vector<double> total(d_n);
    for (std::size_t v = 0; v < d_n; ++v)
        total[v] = std::clamp<double>(llr_scale * llr[v], -max_message, max_message);
    x.assign(d_n, 0);

    auto hard_decision_meets_syndrome = [&] {
        for (std::size_t v = 0; v < d_n; ++v)
            x[v] = total[v] < 0 ? 1 : 0;
        for (std::size_t c = 0; c < d_m; ++c) {
            std::uint8_t parity = syndrome[c] & 1;
            for (auto e = d_check_start[c]; e < d_check_start[c + 1]; ++e)
                parity ^= x[d_edge_var[e]];
            if (parity != 0)
                return false;
        }
        return true;
    };

    decode_result result;
    if (hard_decision_meets_syndrome()) {
        result.converged = true;
        return result;
    }
    while (result.iterations < max_iterations) {
        ++result.iterations;
        // A group's checks share no variable, so updating them together is the layered
        // schedule check by check, with the transcendentals over all of their edges at
        // once (long loops vectorise; a check's own 5 - 20 edges hardly do).
        for (std::size_t g = 0; g + 1 < d_group_start.size(); ++g) {
            const std::size_t first_check = d_group_start[g],
                              end_check = d_group_start[g + 1];
            const auto base = d_check_start[first_check];
            const std::size_t edges = d_check_start[end_check] - base;
            q.resize(edges);
            t.resize(edges);
            p.resize(edges);
            r.resize(edges);
            for (std::size_t i = 0; i < edges; ++i)
                q[i] = std::clamp(total[d_edge_var[base + i]] - to_var[base + i],
                                  -max_message,
                                  max_message);
            half_tanh(q.data(), t.data(), edges);
            // The product of tanh(L/2) over a check's other edges, by prefix and suffix
            // products so that no division by a near-zero tanh is needed.
            for (std::size_t c = first_check; c < end_check; ++c) {
                const std::size_t begin = d_check_start[c] - base,
                                  end = d_check_start[c + 1] - base;
                double prefix = 1.0;
                for (std::size_t i = begin; i < end; ++i) {
                    p[i] = prefix;
                    prefix *= t[i];
                }
                double suffix = 1.0;
                for (std::size_t i = end; i-- > begin;) {
                    p[i] = std::clamp(p[i] * suffix, -0.999999999999, 0.999999999999);
                    suffix *= t[i];
                }
            }
            twice_atanh(p.data(), r.data(), edges);
            for (std::size_t c = first_check; c < end_check; ++c) {
                const double sign = (syndrome[c] & 1) ? -1.0 : 1.0;
                for (auto e = d_check_start[c]; e < d_check_start[c + 1]; ++e) {
                    const double message =
                        (1.0 - damping) * sign * r[e - base] + damping * to_var[e];
                    to_var[e] = message;
                    total[d_edge_var[e]] = q[e - base] + message;
                }
            }
        }
        if (hard_decision_meets_syndrome()) {
            result.converged = true;
            break;
        }
    }
    return result;
}

} // namespace fiberkey
