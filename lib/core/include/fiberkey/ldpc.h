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
 * Variable node degree profiles of the LDPC codes: 0.9 m nodes of degree 2 in both
 * (they carry the waterfall; fewer than m, so they form no cycle among themselves),
 * then heavy nodes that converge first and anchor the rest, and one degree for the
 * others. Measured, both: docs/protocol-choices.md, "Reconciliation codes".
 */
enum class ldpc_degrees : std::uint8_t {
    //! 0.1 n of degree 8, the rest of degree 4: hard decisions at 500 .. 2,000 bits.
    two_four_eight = 0,
    //! 0.15 n of degree 16, the rest of degree 3: the multilevel mode's soft key bits
    //! at 2,000 .. 32,768 bits (frame error rate 1e-2 at 1.25 times the cross-entropy
    //! at 8,192 bits, where two_four_eight needs 1.35). Below rate 0.65 (m > 0.35 n:
    //! the three key levels of q = 5, or any multilevel code of a link whose counts
    //! disagree more), 0.95 m of degree 2 and 0.1 n of degree 16.
    two_three_sixteen = 1,
};

/*!
 * \brief A binary LDPC code given by its m x n parity-check matrix H, used for
 * syndrome (Slepian-Wolf) reconciliation: the leader sends s = H x, the follower finds
 * the x closest to its own bits y that has syndrome s.
 *
 * Construction (deterministic, so both ends build the same H from (n, m, degrees)
 * alone): progressive edge growth (Hu, Eleftheriou, Arnold 2005). Variable nodes take
 * their degrees from variable_degrees() in nondecreasing order; each new edge of
 * variable v goes to a check node at the largest distance from v in the graph built so
 * far (or not yet reachable from v), the one of lowest current degree among those, ties
 * broken by a splitmix64 generator seeded with 0x464b4c4450433031 ("FKLDPC01") ^ (n <<
 * 32) ^ m ^ (degrees << 56). That keeps short cycles out and check degrees nearly
 * equal.
 *
 * Progressive edge growth takes time quadratic in n (0.13 s at 2,048 bits, 2.4 s at
 * 8,192), so a longer code is a lift of one: with Z the smallest integer >=
 * n / max_grown_bits that divides n and m, the base code (n / Z, m / Z) is grown as
 * above and every base edge (c, v) becomes the Z edges (c Z + z, v Z + (z + s) mod Z),
 * z < Z, its shift s drawn from the splitmix64 generator of (n, m), edge by edge in
 * check order. A lift keeps the base's degrees and has no cycle shorter than the
 * base's girth; on the multilevel mode's key bits its frame error rates are those of
 * a code grown at full length (docs/performance.md). When no such Z exists the code
 * is grown at full length.
 */
class ldpc_code
{
public:
    struct decode_result {
        bool converged = false; //!< the hard decision satisfies the syndrome
        unsigned iterations = 0;
    };

    //! The longest code grown directly; longer ones are lifts.
    static constexpr std::size_t max_grown_bits = 2048;

    //! Builds the code; throws std::invalid_argument unless 2 <= m < n <= 65535.
    ldpc_code(std::size_t n,
              std::size_t m,
              ldpc_degrees degrees = ldpc_degrees::two_four_eight);

    //! The lifting factor Z of the code (n, m): 1 for a code grown at full length.
    static std::size_t lifting(std::size_t n, std::size_t m);

    /*!
     * The code for (n, m, degrees) from a process-wide cache (thread-safe; the least
     * recently used codes are dropped beyond 64 codes or 2^22 edges, 32 MB: some 28
     * codes of 32,768 bits), since building takes up to 0.14 s.
     */
    static std::shared_ptr<const ldpc_code>
    cached(std::size_t n,
           std::size_t m,
           ldpc_degrees degrees = ldpc_degrees::two_four_eight);

    //! Variable node degrees for (n, m) under \p degrees, nondecreasing, capped at m.
    static std::vector<unsigned>
    variable_degrees(std::size_t n,
                     std::size_t m,
                     ldpc_degrees degrees = ldpc_degrees::two_four_eight);

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
     * messages damped by half (trapping sets); iterations counts both. Checks that
     * share no variable (a lift's Z checks of one base check) are updated together,
     * which gives the same messages as one by one.
     */
    decode_result decode(std::span<const float> llr,
                         std::span<const std::uint8_t> syndrome,
                         std::vector<std::uint8_t>& x,
                         unsigned max_iterations = 100) const;

private:
    //! Check c's variables, grown by progressive edge growth.
    static std::vector<std::vector<std::uint32_t>>
    grow(std::size_t n, std::size_t m, ldpc_degrees degrees);
    //! The Z-lift of \p base, shifts from \p seed.
    static std::vector<std::vector<std::uint32_t>>
    lift(const std::vector<std::vector<std::uint32_t>>& base,
         std::size_t z,
         std::uint64_t seed);

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
    // Runs of consecutive checks without a common variable, which the decoder updates
    // together: checks [d_group_start[g], d_group_start[g+1]).
    std::vector<std::uint32_t> d_group_start;
};

} // namespace fiberkey

#endif
