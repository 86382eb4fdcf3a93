/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef FIBERKEY_CORE_RECONCILIATION_H
#define FIBERKEY_CORE_RECONCILIATION_H

#include <fiberkey/ldpc.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace fiberkey {

/*
 * One-way syndrome reconciliation, leader to follower, and the accounting that decides
 * how many secret bits a batch yields (protocol.md section 6).
 *
 * A key of n bits is cut into blocks of at most a block limit (max_block_bits, or
 * long_block_bits in the multilevel mode), of nearly equal size. Block b of n_b bits
 * uses the LDPC code (N_b, m_b) with N_b = n_b rounded up to a multiple of 128 Z (the
 * extra N_b - n_b positions are shortened: zero on both sides, known to the decoder;
 * they are the code's last positions, after the key bits, except in the multilevel
 * codes, where they are its first and the key bits follow them),
 * Z = ceil(n_b / 2048) the code's lifting factor (ldpc.h), and m_b syndrome bits, a
 * multiple of the mode's syndrome step (code_family) and of Z. The steps are fine
 * enough for high rates and coarse enough that a link meets few distinct codes:
 * building one takes 0.01 - 0.15 s (n = 512 .. 32768), then it is cached.
 */
namespace reconciliation {

//! The block limit of the patent, equiprobable and soft modes.
constexpr std::size_t max_block_bits = 2048;
//! The multilevel mode's block limit: its longer codes are lifts (ldpc.h). 32,768
//! rather than 16,384 gives q = 5 0.856 of I(F1;F2) at n = 100,000 rounds against
//! 0.846, with the decoder's 200 iterations (docs/performance.md); 61,440 dropped 5
//! blocks of 100 (0.778).
constexpr std::size_t long_block_bits = 32768;

/*!
 * The codes of a mode: the block limit, the degree profile and the syndrome step, which
 * both ends must agree on (they follow from the mode; the degree profile names the
 * family), and the fit of the leader's sizing rule to these codes
 * (choose_codes_for_fer): leak = H + fer_slope (n_b / 1000)^fer_growth sqrt(V)
 * Q^-1(FER).
 */
struct code_family {
    std::size_t block_limit;
    ldpc_degrees degrees;
    //! m_b is a multiple of max(8, N_b / steps_per_code) rounded up to a multiple of Z.
    std::size_t steps_per_code;
    double fer_slope, fer_growth;
};

//! The patent, equiprobable and soft modes' codes. The fit, from measured FER 1e-2
//! points of these codes and the decoder of ldpc.cc: (leak - H) / (sqrt(V) z) = 1.73
//! .. 1.86 at n = 500, 2.03 .. 2.13 at 1000, 2.3 .. 2.6 at 2000 over 1 .. 10 %
//! disagreement (the gap of these codes to the bound grows faster than sqrt(n)).
inline constexpr code_family short_codes{
    max_block_bits, ldpc_degrees::two_four_eight, 64, 2.2, 0.3
};
//! The multilevel mode's codes. Their slope, from the failed batches and yields of
//! fiberkey-sweep at n = 1000, 4000 and 16384 rounds (slopes 1.5, 1.8, 2.2;
//! docs/performance.md): 1.8 fails 1.4 % of the batches at n = 1000 and none longer.
inline constexpr code_family multilevel_codes{
    long_block_bits, ldpc_degrees::two_three_sixteen, 256, 1.8, 0.3
};

//! The family whose codes have \p degrees; throws std::invalid_argument for none.
const code_family& family_of(ldpc_degrees degrees);

constexpr std::size_t nonce_bytes = 16;

//! h(p) in bits; 0 at p <= 0 or p >= 1.
double binary_entropy(double p);

//! The p in [0, 1/2] with h(p) = \p h (h clamped to [0, 1]).
double inverse_binary_entropy(double h);

struct block_code {
    std::size_t key_bits = 0;      //!< n_b, the block's share of the key
    std::size_t code_bits = 0;     //!< N_b >= n_b
    std::size_t syndrome_bits = 0; //!< m_b
    ldpc_degrees degrees = ldpc_degrees::two_four_eight;

    bool operator==(const block_code&) const = default;
};

//! Block lengths for an n-bit key: ceil(n / block_limit) nearly equal blocks.
//! Throws std::invalid_argument unless 128 <= block_limit <= long_block_bits.
std::vector<std::size_t> block_lengths(std::size_t key_bits,
                                       std::size_t block_limit = max_block_bits);

/*!
 * The codes for an n-bit key whose bit i belongs to bit plane i mod q and plane j
 * disagrees with probability \p plane_disagreement[j] (q = its size). m_b is the
 * smallest allowed value >= efficiency * sum over the block's bits of h(p_plane):
 * \p efficiency is the design ratio of leak to the Slepian-Wolf bound for which these
 * short codes still decode most of the time (measured, see test_reconciliation).
 */
std::vector<block_code> choose_codes(std::size_t key_bits,
                                     std::span<const double> plane_disagreement,
                                     double efficiency,
                                     const code_family& family = short_codes);

/*!
 * The codes for a frame error rate of about \p target_fer (in (0, 0.5)) per block,
 * planes as in choose_codes: m_b is the smallest allowed value >=
 *     H + a * sqrt(V) * z + b,
 * H = sum over the block's bits of h(p), V = sum of the dispersions p (1 - p)
 * log2((1 - p) / p)^2, z = Q^-1(target_fer) (the finite-length normal approximation
 * of the Slepian-Wolf bound), with a and b fitted to these codes' measured frame error
 * rates at 500 .. 2000 bits and 1 .. 10% disagreement (see test_reconciliation). No
 * code at these lengths can leak much less than H + sqrt(V) z for that error rate,
 * hence the efficiency leak / H that a fixed design ratio cannot give at once at 1%
 * (where the sqrt(V) term dominates) and at 10%.
 * \p plane_dispersion, when given (one per plane), is V per bit of each plane in place
 * of the binary symmetric channel's: soft decoding measures its own (soft_plane_entropy),
 * about half the BSC's at the same entropy for the multilevel mode's planes.
 */
std::vector<block_code>
choose_codes_for_fer(std::size_t key_bits,
                     std::span<const double> plane_disagreement,
                     double target_fer,
                     std::span<const double> plane_dispersion = {},
                     const code_family& family = short_codes);

//! The finite-length lower bound on the syndrome bits for \p target_fer:
//! H + sqrt(V) Q^-1(target_fer) + log2(n) / 2 with H, V as in choose_codes_for_fer.
double finite_length_bound(std::size_t key_bits,
                           std::span<const double> plane_disagreement,
                           double target_fer);

//! Checks that \p codes describe a \p key_bits key: nearly equal blocks of at most
//! long_block_bits, their code lengths, syndrome multiples and ranges.
bool codes_valid(std::span<const block_code> codes, std::size_t key_bits);

//! The codes of an n-bit key from the blocks' syndrome lengths (what the follower
//! receives) in \p family; empty when they do not describe valid codes for that key
//! and family.
std::vector<block_code> codes_from(std::size_t key_bits,
                                   std::span<const std::size_t> syndrome_bits,
                                   const code_family& family = short_codes);

//! The leader's syndrome: the blocks' syndromes concatenated.
std::vector<std::uint8_t> syndrome(std::span<const std::uint8_t> key_bits,
                                   std::span<const block_code> codes);

//! LLRs of the leader's bits from the follower's bits and the plane disagreements.
std::vector<float> hard_llrs(std::span<const std::uint8_t> follower_bits,
                             std::span<const double> plane_disagreement);

struct decode_outcome {
    bool converged = false; //!< every block met its syndrome
    //! The follower's estimate of the leader's key; in a failed block, the decoder's
    //! last guess.
    std::vector<std::uint8_t> bits;
    std::vector<std::size_t> failed_blocks; //!< the blocks that did not, ascending
    unsigned max_iterations = 0;            //!< the most that any block needed
};

/*!
 * The follower's decoding, every block on its own. Once the failed blocks hold more
 * than \p max_failed_bits key bits (a batch that can yield nothing then), the blocks
 * not yet decoded are listed as failed without trying them.
 */
decode_outcome decode(std::span<const float> llr,
                      std::span<const std::uint8_t> syndrome,
                      std::span<const block_code> codes,
                      unsigned max_iterations,
                      std::size_t max_failed_bits = SIZE_MAX);

/*!
 * Key confirmation tag: the first \p tag_bytes bytes of
 * SM3("FKKC" || direction || instance (u32 BE) || batch (u32 BE) || nonce ||
 *     n (u32 BE) || the key packed MSB first).
 * The nonce is fresh per batch (leader's CSPRNG), so tags of different batches never
 * share an input even when keys repeat.
 */
std::vector<std::uint8_t>
confirmation_tag(std::span<const std::uint8_t, nonce_bytes> nonce,
                 std::uint8_t direction,
                 std::uint32_t instance,
                 std::uint32_t batch,
                 std::span<const std::uint8_t> key_bits,
                 std::size_t tag_bytes);

/*!
 * The follower's tag over the key bits that it kept when some blocks failed: as
 * confirmation_tag, with "FKKP" in place of "FKKC" and, after the batch, the count and
 * indices of the failed blocks (u8 each), so that it confirms both the bits and which
 * blocks were dropped.
 */
std::vector<std::uint8_t>
kept_blocks_tag(std::span<const std::uint8_t, nonce_bytes> nonce,
                std::uint8_t direction,
                std::uint32_t instance,
                std::uint32_t batch,
                std::span<const std::size_t> failed_blocks,
                std::span<const std::uint8_t> kept_bits,
                std::size_t tag_bytes);

/*!
 * Which rounds of a key survive the failure of \p failed_blocks (valid indices into
 * \p codes): bit i of the key belongs to round i / \p bits_per_round, and a round with
 * any bit in a failed block is dropped whole. One entry per round, 1 = kept.
 */
std::vector<std::uint8_t> kept_rounds(std::span<const block_code> codes,
                                      std::span<const std::size_t> failed_blocks,
                                      unsigned bits_per_round);

//! The bits of the kept rounds of a key, in order (\p kept from kept_rounds).
std::vector<std::uint8_t> kept_bits(std::span<const std::uint8_t> key_bits,
                                    std::span<const std::uint8_t> kept,
                                    unsigned bits_per_round);

//! Bytes of tag for a false-acceptance probability of at most \p eps (2^-8t <= eps).
std::size_t tag_bytes_for(double eps);

/*!
 * min-entropy of the leader's key given everything public, in bits: log2 of the
 * multinomial coefficient of the used rounds' symbol counts. Why: the rounds of a batch
 * are i.i.d. (fresh arrays and fresh noise variances per frame), hence exchangeable;
 * given the multiset of (F1, F2) pairs of the batch - which fixes the thresholds, the
 * bitmaps' statistics, the symbol counts and the number of disagreements that the
 * follower reports - every arrangement of the pairs over the rounds is equally likely,
 * and so is every arrangement of the leader's symbols over the used rounds. A uniform
 * distribution's min-entropy is the log of its support. It includes the conditioning on
 * the exchanged bitmaps because "kept" is a function of the pair and the multiset only.
 * Soft mode discloses more of the same kind, so the bound holds unchanged: the leader's
 * bin boundaries and the mean and deviation of its transformed counts (functions of the
 * multiset of its counts), and the follower's per-plane cross-entropies in RESULT (sums
 * over the used rounds of a function of the pair and of its model's rho, which it fits
 * on earlier, independent batches: again a function of the multiset).
 */
double exchangeable_min_entropy(std::span<const std::uint8_t> symbols,
                                unsigned bits_per_round);

/*!
 * What a batch disclosed about the leader's key, in bits. When blocks failed and were
 * dropped, the hash input is the kept rounds' key bits only: from the min-entropy of the
 * whole batch's symbols go, besides all of its syndrome and both tags, the key bits of
 * the dropped rounds (what the kept bits may still hide of them) and one bit per block
 * for which blocks failed (a public outcome that depends on the data).
 */
struct leak_account {
    std::uint64_t syndrome_bits = 0;
    std::uint64_t tag_bits = 0;
    //! Multilevel mode: the symbols' levels sent in the clear, every bit of them.
    std::uint64_t disclosed_bits = 0;
    //! Blocks dropped: the dropped rounds' key bits, and one bit per block.
    std::uint64_t dropped_bits = 0;

    std::uint64_t total() const
    {
        return syndrome_bits + tag_bits + disclosed_bits + dropped_bits;
    }
};

struct amplification_length {
    std::size_t out_bits = 0;
    std::string reason; //!< why out_bits is 0, empty otherwise
};

/*!
 * Leftover hash lemma: l = floor(H - leak - 2 log2(1/eps_pa)), where \p min_entropy is
 * H in bits; the hash output is then eps_pa-close to uniform given the leak.
 */
amplification_length
amplification_bits(double min_entropy, const leak_account& leak, double eps_pa);

/*!
 * The output length once blocks were dropped: \p batch_bits (amplification_bits of the
 * whole batch) less the \p extra_leak bits that dropping adds, or 0. Both ends compute
 * it from what the SYNDROME says, and it equals amplification_bits with the larger
 * leak, since floor(x - k) = floor(x) - k for a whole k.
 */
std::size_t output_bits_after_drop(std::size_t batch_bits, std::uint64_t extra_leak);

} // namespace reconciliation
} // namespace fiberkey

#endif
