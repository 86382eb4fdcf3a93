/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_LDPC_H
#define FIBERKEY_CORE_LDPC_H

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace fiberkey {

/*!
 * \brief A binary LDPC code given by its m x n parity-check matrix H, used for
 * syndrome (Slepian-Wolf) reconciliation: the leader sends s = H x, the follower finds
 * the x closest to its own bits y that has syndrome s.
 *
 * Construction (deterministic, so both ends build the same H from (n, m) alone):
 * progressive edge growth (Hu, Eleftheriou, Arnold 2005). Variable nodes take their
 * degrees from variable_degrees() in nondecreasing order; each new edge of variable v
 * goes to a check node at the largest distance from v in the graph built so far (or
 * not yet reachable from v), the one of lowest current degree among those, ties broken by
 * a splitmix64 generator seeded with 0x464b4c4450433031 ("FKLDPC01") ^ (n << 32) ^ m.
 * That keeps short cycles out and check degrees nearly equal.
 */
class ldpc_code
{
public:
    struct decode_result {
        bool converged = false; //!< the hard decision satisfies the syndrome
        unsigned iterations = 0;
    };

    //! Builds the code; throws std::invalid_argument unless 2 <= m < n <= 65535.
    ldpc_code(std::size_t n, std::size_t m);

    /*!
     * The code for (n, m) from a process-wide cache (thread-safe; the least recently
     * used of more than 64 codes is dropped), since building takes milliseconds.
     */
    static std::shared_ptr<const ldpc_code> cached(std::size_t n, std::size_t m);

    /*!
     * Variable node degrees for (n, m), nondecreasing: 0.9 m nodes of degree 2 (they
     * carry the waterfall; fewer than m, so they form no cycle among themselves),
     * 0.1 n heavy nodes of degree 8 (they converge first and anchor the rest), degree
     * 4 for the others; capped at m.
     */
    static std::vector<unsigned> variable_degrees(std::size_t n, std::size_t m);

    std::size_t n() const { return d_n; }
    std::size_t m() const { return d_m; }
    std::size_t edges() const { return d_edge_var.size(); }

    //! H x for 0/1 bits x (x.size() == n()).
    std::vector<std::uint8_t> syndrome(std::span<const std::uint8_t> x) const;

    /*!
     * Sum-product belief propagation in the log domain, layered (serial) schedule,
     * stopping as soon as the hard decision meets \p syndrome. \p llr[v] = log P(x_v =
     * 0) / P(x_v = 1) given the follower's side information. Writes the hard decision
     * to \p x. When \p max_iterations pass without convergence, a second attempt of
     * as many iterations starts afresh with channel LLRs scaled by 0.7 and check
     * messages damped by half (trapping sets); iterations counts both.
     */
    decode_result decode(std::span<const float> llr,
                         std::span<const std::uint8_t> syndrome,
                         std::vector<std::uint8_t>& x,
                         unsigned max_iterations = 100) const;

private:
    decode_result decode_pass(std::span<const float> llr,
                              std::span<const std::uint8_t> syndrome,
                              std::vector<std::uint8_t>& x,
                              unsigned max_iterations,
                              double llr_scale,
                              double damping) const;

    std::size_t d_n, d_m;
    // Edges grouped by check: check c owns edges [d_check_start[c], d_check_start[c+1]).
    std::vector<std::uint32_t> d_check_start;
    std::vector<std::uint32_t> d_edge_var;
    // The edges of variable v: d_var_edges[d_var_start[v] .. d_var_start[v+1]).
    std::vector<std::uint32_t> d_var_start;
    std::vector<std::uint32_t> d_var_edges;
};

} // namespace fiberkey

#endif
