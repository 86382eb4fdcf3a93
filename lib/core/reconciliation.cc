/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/ldpc.h>
#include <fiberkey/reconciliation.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/toeplitz.h>

#include <openssl/evp.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace fiberkey::reconciliation {
namespace {

constexpr std::size_t length_step = 128;

// Shortened positions are known zeros: as sure as the decoder's messages get.
constexpr float known_zero_llr = 30.0f;

std::size_t round_up(std::size_t x, std::size_t step)
{
    return (x + step - 1) / step * step;
}

// Z of a block of this many key (or code) bits: both give the same Z, since N_b only
// rounds n_b up within the same multiple of 2048.
std::size_t lifting_factor(std::size_t bits)
{
    return std::max<std::size_t>(
        1, (bits + ldpc_code::max_grown_bits - 1) / ldpc_code::max_grown_bits);
}

// A multiple of the lifting factor's 128, so that N_b / Z and m_b / Z are whole.
std::size_t code_bits_for(std::size_t key_bits)
{
    return round_up(std::max<std::size_t>(key_bits, 64),
                    length_step * lifting_factor(key_bits));
}

std::size_t syndrome_step(std::size_t code_bits, const code_family& family)
{
    return round_up(std::max<std::size_t>(8, code_bits / family.steps_per_code),
                    lifting_factor(code_bits));
}

// Where a block's key bits start in its code. The multilevel codes put the shortened
// positions (known zeros) first, on degree-2 nodes, so that every heavy node carries a
// key bit whatever the shortening. Last, they took heavy nodes out of the decoding:
// with three key levels at n = 100,000 (594 of 16,384 positions known) that gave 0.809
// of I(F1;F2) and 6 blocks dropped of 380, against 0.842 and none (docs/performance.md).
// The other codes keep them last, as they were measured.
std::size_t key_offset(const block_code& c)
{
    return c.degrees == ldpc_degrees::two_three_sixteen ? c.code_bits - c.key_bits : 0;
}

// n bits in `blocks` blocks of nearly equal size, the longer ones first.
std::vector<std::size_t> split_evenly(std::size_t key_bits, std::size_t blocks)
{
    std::vector<std::size_t> lengths;
    for (std::size_t b = 0; b < blocks; ++b)
        lengths.push_back(key_bits / blocks + (b < key_bits % blocks ? 1 : 0));
    return lengths;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t x)
{
    for (int i = 3; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}

} // namespace

double binary_entropy(double p)
{
    if (!(p > 0.0 && p < 1.0))
        return 0.0;
    return -p * std::log2(p) - (1.0 - p) * std::log2(1.0 - p);
}

double inverse_binary_entropy(double h)
{
    h = std::clamp(h, 0.0, 1.0);
    double lo = 0.0, hi = 0.5;
    for (int i = 0; i < 60; ++i) {
        const double mid = 0.5 * (lo + hi);
        (binary_entropy(mid) < h ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

std::vector<std::size_t> block_lengths(std::size_t key_bits, std::size_t block_limit)
{
    if (block_limit < length_step || block_limit > long_block_bits)
        throw std::invalid_argument("block_lengths: block limit outside [128, " +
                                    std::to_string(long_block_bits) + "]");
    return split_evenly(key_bits, (key_bits + block_limit - 1) / block_limit);
}

namespace {

double dispersion(double p)
{
    if (!(p > 0.0 && p < 0.5))
        return 0.0;
    const double l = std::log2((1.0 - p) / p);
    return p * (1.0 - p) * l * l;
}

// Q^-1(fer) for the standard normal, by bisection (fer in (0, 0.5)).
double inverse_q(double fer)
{
    double lo = 0.0, hi = 40.0;
    for (int i = 0; i < 100; ++i) {
        const double mid = 0.5 * (lo + hi);
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > fer ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
}

// Per block: H and V of its bits, then the wanted syndrome length from them.
// V per bit: \p plane_dispersion where given, else that of a binary symmetric channel.
template <typename Wanted>
std::vector<block_code> codes_by(std::size_t key_bits,
                                 std::span<const double> plane_disagreement,
                                 std::span<const double> plane_dispersion,
                                 const code_family& family,
                                 Wanted&& wanted)
{
    if (plane_disagreement.empty())
        throw std::invalid_argument("choose_codes: no bit plane");
    if (!plane_dispersion.empty() && plane_dispersion.size() != plane_disagreement.size())
        throw std::invalid_argument("choose_codes: one dispersion per bit plane");
    std::vector<block_code> codes;
    std::size_t first = 0;
    for (auto n : block_lengths(key_bits, family.block_limit)) {
        double h = 0.0, v = 0.0;
        for (std::size_t i = first; i < first + n; ++i) {
            const std::size_t j = i % plane_disagreement.size();
            const double p = plane_disagreement[j];
            h += binary_entropy(p);
            v += plane_dispersion.empty() ? dispersion(p)
                                          : std::max(0.0, plane_dispersion[j]);
        }
        first += n;
        block_code c;
        c.key_bits = n;
        c.code_bits = code_bits_for(n);
        c.degrees = family.degrees;
        const double bits = std::min(wanted(n, h, v), double(c.code_bits));
        const auto want = static_cast<std::size_t>(std::ceil(std::max(bits, 0.0)));
        const std::size_t step = syndrome_step(c.code_bits, family);
        c.syndrome_bits = std::clamp(round_up(want, step), step, c.code_bits - step);
        codes.push_back(c);
    }
    return codes;
}

} // namespace

std::vector<block_code> choose_codes(std::size_t key_bits,
                                     std::span<const double> plane_disagreement,
                                     double efficiency,
                                     const code_family& family)
{
    return codes_by(
        key_bits, plane_disagreement, {}, family, [&](std::size_t, double h, double) {
            return efficiency * h;
        });
}

std::vector<block_code> choose_codes_for_fer(std::size_t key_bits,
                                             std::span<const double> plane_disagreement,
                                             double target_fer,
                                             std::span<const double> plane_dispersion,
                                             const code_family& family)
{
    if (!(target_fer > 0.0 && target_fer < 0.5))
        throw std::invalid_argument(
            "choose_codes_for_fer: target_fer must lie in (0, 0.5)");
    const double z = inverse_q(target_fer);
    return codes_by(key_bits,
                    plane_disagreement,
                    plane_dispersion,
                    family,
                    [&](std::size_t n, double h, double v) {
                        return h + family.fer_slope *
                                       std::pow(double(n) / 1000.0, family.fer_growth) *
                                       std::sqrt(v) * z;
                    });
}

double finite_length_bound(std::size_t key_bits,
                           std::span<const double> plane_disagreement,
                           double target_fer)
{
    if (plane_disagreement.empty())
        throw std::invalid_argument("finite_length_bound: no bit plane");
    if (!(target_fer > 0.0 && target_fer < 0.5))
        throw std::invalid_argument(
            "finite_length_bound: target_fer must lie in (0, 0.5)");
    double h = 0.0, v = 0.0;
    for (std::size_t i = 0; i < key_bits; ++i) {
        const double p = plane_disagreement[i % plane_disagreement.size()];
        h += binary_entropy(p);
        v += dispersion(p);
    }
    return h + std::sqrt(v) * inverse_q(target_fer) +
           (key_bits > 1 ? 0.5 * std::log2(double(key_bits)) : 0.0);
}

const code_family& family_of(ldpc_degrees degrees)
{
    switch (degrees) {
    case ldpc_degrees::two_four_eight:
        return short_codes;
    case ldpc_degrees::two_three_sixteen:
        return multilevel_codes;
    }
    throw std::invalid_argument("reconciliation: unknown degree profile");
}

bool codes_valid(std::span<const block_code> codes, std::size_t key_bits)
{
    if (codes.empty() != (key_bits == 0))
        return false;
    const auto lengths = split_evenly(key_bits, codes.size());
    for (std::size_t b = 0; b < codes.size(); ++b) {
        const auto& c = codes[b];
        if (c.key_bits != lengths[b] || c.key_bits == 0 || c.key_bits > long_block_bits ||
            c.code_bits != code_bits_for(c.key_bits) ||
            (c.degrees != ldpc_degrees::two_four_eight &&
             c.degrees != ldpc_degrees::two_three_sixteen))
            return false;
        const std::size_t step = syndrome_step(c.code_bits, family_of(c.degrees));
        if (c.syndrome_bits % step != 0 || c.syndrome_bits < step ||
            c.syndrome_bits > c.code_bits - step)
            return false;
    }
    return true;
}

std::vector<block_code> codes_from(std::size_t key_bits,
                                   std::span<const std::size_t> syndrome_bits,
                                   const code_family& family)
{
    const auto lengths = block_lengths(key_bits, family.block_limit);
    std::vector<block_code> codes;
    if (lengths.size() != syndrome_bits.size())
        return codes;
    for (std::size_t b = 0; b < lengths.size(); ++b)
        codes.push_back(
            { lengths[b], code_bits_for(lengths[b]), syndrome_bits[b], family.degrees });
    if (!codes_valid(codes, key_bits))
        codes.clear();
    return codes;
}

std::vector<std::uint8_t> syndrome(std::span<const std::uint8_t> key_bits,
                                   std::span<const block_code> codes)
{
    if (!codes_valid(codes, key_bits.size()))
        throw std::invalid_argument("reconciliation::syndrome: codes do not fit the key");
    std::vector<std::uint8_t> s, block;
    std::size_t first = 0;
    for (const auto& c : codes) {
        block.assign(c.code_bits, 0);
        std::copy_n(key_bits.begin() + std::ptrdiff_t(first),
                    c.key_bits,
                    block.begin() + std::ptrdiff_t(key_offset(c)));
        first += c.key_bits;
        const auto part =
            ldpc_code::cached(c.code_bits, c.syndrome_bits, c.degrees)->syndrome(block);
        s.insert(s.end(), part.begin(), part.end());
    }
    secure_wipe(block);
    return s;
}

std::vector<float> hard_llrs(std::span<const std::uint8_t> follower_bits,
                             std::span<const double> plane_disagreement)
{
    if (plane_disagreement.empty())
        throw std::invalid_argument("hard_llrs: no bit plane");
    std::vector<float> llr(follower_bits.size());
    for (std::size_t i = 0; i < llr.size(); ++i) {
        const double p =
            std::clamp(plane_disagreement[i % plane_disagreement.size()], 1e-6, 0.5);
        const auto l = static_cast<float>(std::log((1.0 - p) / p));
        llr[i] = follower_bits[i] ? -l : l;
    }
    return llr;
}

decode_outcome decode(std::span<const float> llr,
                      std::span<const std::uint8_t> syndrome,
                      std::span<const block_code> codes,
                      unsigned max_iterations,
                      std::size_t max_failed_bits)
{
    if (!codes_valid(codes, llr.size()))
        throw std::invalid_argument("reconciliation::decode: codes do not fit the key");
    std::size_t syndrome_total = 0;
    for (const auto& c : codes)
        syndrome_total += c.syndrome_bits;
    if (syndrome.size() != syndrome_total)
        throw std::invalid_argument("reconciliation::decode: wrong syndrome length");

    decode_outcome out;
    out.bits.reserve(llr.size());
    std::vector<float> block_llr;
    std::vector<std::uint8_t> block_bits;
    std::size_t first = 0, first_check = 0, failed_bits = 0;
    for (std::size_t b = 0; b < codes.size(); ++b) {
        const auto& c = codes[b];
        if (failed_bits > max_failed_bits) {
            out.failed_blocks.push_back(b);
            out.bits.insert(out.bits.end(), c.key_bits, 0);
            first += c.key_bits;
            first_check += c.syndrome_bits;
            continue;
        }
        block_llr.assign(c.code_bits, known_zero_llr);
        const auto offset = std::ptrdiff_t(key_offset(c));
        std::copy_n(
            llr.begin() + std::ptrdiff_t(first), c.key_bits, block_llr.begin() + offset);
        const auto code = ldpc_code::cached(c.code_bits, c.syndrome_bits, c.degrees);
        const auto r = code->decode(block_llr,
                                    syndrome.subspan(first_check, c.syndrome_bits),
                                    block_bits,
                                    max_iterations);
        out.max_iterations = std::max(out.max_iterations, r.iterations);
        if (!r.converged) {
            out.failed_blocks.push_back(b);
            failed_bits += c.key_bits;
        }
        out.bits.insert(out.bits.end(),
                        block_bits.begin() + offset,
                        block_bits.begin() + offset + std::ptrdiff_t(c.key_bits));
        first += c.key_bits;
        first_check += c.syndrome_bits;
    }
    secure_wipe(block_bits);
    secure_wipe(block_llr);
    out.converged = out.failed_blocks.empty();
    return out;
}

std::vector<std::uint8_t> kept_rounds(std::span<const block_code> codes,
                                      std::span<const std::size_t> failed_blocks,
                                      unsigned bits_per_round)
{
    if (bits_per_round == 0)
        throw std::invalid_argument("kept_rounds: no bit per round");
    std::size_t key_bits = 0;
    std::vector<std::size_t> starts;
    for (const auto& c : codes) {
        starts.push_back(key_bits);
        key_bits += c.key_bits;
    }
    std::vector<std::uint8_t> kept((key_bits + bits_per_round - 1) / bits_per_round, 1);
    for (auto b : failed_blocks) {
        if (b >= codes.size())
            throw std::invalid_argument("kept_rounds: no such block");
        const std::size_t end = starts[b] + codes[b].key_bits;
        for (std::size_t r = starts[b] / bits_per_round; r * bits_per_round < end; ++r)
            kept[r] = 0;
    }
    return kept;
}

std::vector<std::uint8_t> kept_bits(std::span<const std::uint8_t> key_bits,
                                    std::span<const std::uint8_t> kept,
                                    unsigned bits_per_round)
{
    if (bits_per_round == 0 || key_bits.size() != kept.size() * bits_per_round)
        throw std::invalid_argument("kept_bits: rounds do not fit the key");
    std::vector<std::uint8_t> out;
    out.reserve(key_bits.size()); // no unwiped copy left behind by a reallocation
    for (std::size_t r = 0; r < kept.size(); ++r)
        if (kept[r])
            out.insert(out.end(),
                       key_bits.begin() + std::ptrdiff_t(r * bits_per_round),
                       key_bits.begin() + std::ptrdiff_t((r + 1) * bits_per_round));
    return out;
}

namespace {

// SM3 of label || direction || instance || batch || nonce || context || n || the key
// packed MSB first, cut to tag_bytes.
std::vector<std::uint8_t> key_tag(const char (&label)[5],
                                  std::span<const std::uint8_t, nonce_bytes> nonce,
                                  std::uint8_t direction,
                                  std::uint32_t instance,
                                  std::uint32_t batch,
                                  std::span<const std::uint8_t> context,
                                  std::span<const std::uint8_t> key_bits,
                                  std::size_t tag_bytes)
{
    std::vector<std::uint8_t> input(label, label + 4);
    input.push_back(direction);
    put_u32(input, instance);
    put_u32(input, batch);
    input.insert(input.end(), nonce.begin(), nonce.end());
    input.insert(input.end(), context.begin(), context.end());
    put_u32(input, static_cast<std::uint32_t>(key_bits.size()));
    auto packed = pack_bits(key_bits);
    input.insert(input.end(), packed.begin(), packed.end());
    secure_wipe(packed);

    std::array<std::uint8_t, EVP_MAX_MD_SIZE> digest{};
    unsigned digest_length = 0;
    const bool ok = EVP_Digest(input.data(),
                               input.size(),
                               digest.data(),
                               &digest_length,
                               EVP_sm3(),
                               nullptr) == 1;
    secure_wipe(input);
    if (!ok || tag_bytes > digest_length)
        throw std::runtime_error("confirmation_tag: SM3 failed or tag too long");
    std::vector<std::uint8_t> tag(digest.begin(),
                                  digest.begin() + std::ptrdiff_t(tag_bytes));
    secure_wipe(digest);
    return tag;
}

} // namespace

std::vector<std::uint8_t>
confirmation_tag(std::span<const std::uint8_t, nonce_bytes> nonce,
                 std::uint8_t direction,
                 std::uint32_t instance,
                 std::uint32_t batch,
                 std::span<const std::uint8_t> key_bits,
                 std::size_t tag_bytes)
{
    return key_tag("FKKC", nonce, direction, instance, batch, {}, key_bits, tag_bytes);
}

std::vector<std::uint8_t>
kept_blocks_tag(std::span<const std::uint8_t, nonce_bytes> nonce,
                std::uint8_t direction,
                std::uint32_t instance,
                std::uint32_t batch,
                std::span<const std::size_t> failed_blocks,
                std::span<const std::uint8_t> kept_bits,
                std::size_t tag_bytes)
{
    if (failed_blocks.size() > 255)
        throw std::invalid_argument("kept_blocks_tag: more than 255 failed blocks");
    std::vector<std::uint8_t> context{ static_cast<std::uint8_t>(failed_blocks.size()) };
    for (auto b : failed_blocks) {
        if (b > 255)
            throw std::invalid_argument("kept_blocks_tag: block index beyond 255");
        context.push_back(static_cast<std::uint8_t>(b));
    }
    return key_tag(
        "FKKP", nonce, direction, instance, batch, context, kept_bits, tag_bytes);
}

std::size_t tag_bytes_for(double eps)
{
    if (!(eps > 0.0 && eps < 1.0))
        throw std::invalid_argument("tag_bytes_for: eps must lie in (0, 1)");
    return static_cast<std::size_t>(std::ceil(std::log2(1.0 / eps) / 8.0));
}

double exchangeable_min_entropy(std::span<const std::uint8_t> symbols,
                                unsigned bits_per_round)
{
    std::vector<std::size_t> counts(std::size_t(1) << bits_per_round, 0);
    for (auto s : symbols)
        ++counts.at(s);
    // log2(n! / prod n_k!) through lgamma, exact enough at these sizes.
    double h = std::lgamma(double(symbols.size()) + 1.0);
    for (auto c : counts)
        h -= std::lgamma(double(c) + 1.0);
    return std::max(0.0, h / std::log(2.0));
}

amplification_length
amplification_bits(double min_entropy, const leak_account& leak, double eps_pa)
{
    if (!(eps_pa > 0.0 && eps_pa < 1.0))
        throw std::invalid_argument("amplification_bits: eps_pa must lie in (0, 1)");
    const double penalty = 2.0 * std::log2(1.0 / eps_pa);
    const double l = std::floor(min_entropy - double(leak.total()) - penalty);
    amplification_length out;
    if (l >= 1.0) {
        out.out_bits = static_cast<std::size_t>(l);
        return out;
    }
    std::ostringstream why;
    why.precision(1);
    why << std::fixed << "leftover hash bound leaves no key: min-entropy " << min_entropy
        << " - leak " << leak.total() << " (syndrome " << leak.syndrome_bits << " + tag "
        << leak.tag_bits << " + disclosed " << leak.disclosed_bits << " + dropped "
        << leak.dropped_bits << ") - 2 log2(1/eps_pa) " << penalty << " < 1 bit";
    out.reason = why.str();
    return out;
}

std::size_t output_bits_after_drop(std::size_t batch_bits, std::uint64_t extra_leak)
{
    return batch_bits > extra_leak ? batch_bits - static_cast<std::size_t>(extra_leak)
                                   : 0;
}

} // namespace fiberkey::reconciliation
