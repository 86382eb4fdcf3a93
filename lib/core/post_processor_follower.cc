/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The follower's half of the post-processor: its rounds, decoding, confirmation, keys.
#include "post_processor_impl.h"

#include <fiberkey/reconciliation.h>
#include <fiberkey/toeplitz.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cmath>

namespace fiberkey {

namespace rec = reconciliation;

void post_processor::impl::follower_add_round(std::uint64_t sequence, std::uint32_t count)
{
    store[sequence & (store_slots - 1)] = { count, sequence };
}

// What every leader message says about the committed stream.
void post_processor::impl::apply_claim(msg::type type,
                                       std::uint32_t batch,
                                       const msg::claim& c)
{
    if (c.committed_batch < latest_claim.committed_batch ||
        c.committed_bits < latest_claim.committed_bits)
        return; // an older message overtaken by a newer one
    latest_claim = c;
    if (pending) {
        if (c.committed_batch == pending->id) {
            pool.append(pending->bits, pending->meta);
            committed_bits += pending->bits.size();
            stats.secret_bits += pending->bits.size();
            pending.reset();
        } else if (batch != pending->id || type == msg::type::commit) {
            pending.reset(); // the leader moved on without committing it
        }
    }
    if (committed_bits != c.committed_bits) {
        ++stats.resyncs;
        pool.reset(c.committed_bits);
        committed_bits = c.committed_bits;
    }
    next_key_index = std::max(next_key_index, c.next_key_index);
    std::vector<msg::key_ack_entry> acks;
    while (pool.size() >= seed_key_bits) {
        const auto position = pool.start();
        keys.push_back(pool.take_key(position, cfg.direction, next_key_index));
        acks.push_back({ next_key_index++, position });
        ++stats.keys_emitted;
    }
    // One KEY_ACK for all of them: the leader takes a key only after those before it,
    // so acknowledgements must not overtake each other. A batch of the leader's yields
    // at most max_key_acks keys; more come only of a leader that claims more rounds
    // than it has.
    for (std::size_t first = 0; first < acks.size(); first += msg::max_key_acks) {
        const auto last =
            acks.begin() +
            std::ptrdiff_t(std::min(first + msg::max_key_acks, acks.size()));
        recent_acks.assign(acks.begin() + std::ptrdiff_t(first), last);
        send(batch, msg::key_ack{ recent_acks }); // repeated in BITMAP_REPLY if lost
    }
}

message_verdict post_processor::impl::follower_handle(const msg::message& m)
{
    const auto batch = m.head.batch;
    const msg::claim* c = nullptr;
    if (const auto* bitmap = std::get_if<msg::bitmap>(&m.content))
        c = &bitmap->leader;
    else if (const auto* syndrome = std::get_if<msg::syndrome>(&m.content))
        c = &syndrome->leader;
    else
        c = &std::get<msg::commit>(m.content).leader;
    if (m.head.instance != leader_instance) {
        // A new leader (first contact or a restart): nothing of the old one holds.
        leader_instance = m.head.instance;
        latest_batch = 0;
        latest_claim = {};
        current.reset();
        pending.reset();
        recent_acks.clear();
    }
    if (batch < latest_batch)
        return ignore("stale message of an earlier batch");
    latest_batch = batch;
    apply_claim(m.head.kind, batch, *c);
    if (const auto* bitmap = std::get_if<msg::bitmap>(&m.content))
        return follower_on_bitmap(batch, *bitmap);
    if (const auto* syndrome = std::get_if<msg::syndrome>(&m.content))
        return follower_on_syndrome(batch, *syndrome);
    return {};
}

message_verdict post_processor::impl::follower_on_bitmap(std::uint32_t batch,
                                                         const msg::bitmap& in)
{
    const auto first = in.first_sequence;
    const std::size_t span = in.kept.size();
    const auto& bitmap = in.kept;
    if (in.mode != static_cast<std::uint8_t>(cfg.quantizer.mode) ||
        in.bits_per_round != levels ||
        (cfg.quantizer.mode == quantizer_mode::patent &&
         in.alpha_code != alpha_code(cfg.quantizer.alpha)))
        return reject("BITMAP: the leader's quantizer settings differ from ours");
    if (current && current->id == batch)
        return ignore("duplicate BITMAP");

    current = std::make_unique<follower_batch>();
    auto& b = *current;
    b.id = batch;
    b.span = span;
    b.last_sequence = last_sequence_of(first, span);
    std::vector<std::uint32_t> counts(span, 0);
    std::vector<std::uint8_t> present(span, 0);
    // The batch's rounds end about where ours do (the leader opened it on its newest).
    if (const auto newest = sequences.newest(); newest != 0) {
        const auto start = sequence_extender::nearest(first, newest - (span - 1));
        for (std::size_t off = 0; off < span; ++off) {
            auto& slot = store[(start + off) & (store_slots - 1)];
            if (slot.sequence == start + off) {
                counts[off] = slot.count;
                present[off] = 1;
                slot = {};
            }
        }
    }
    b.quantized = quantize(counts, present, cfg.quantizer);
    std::vector<std::uint8_t> used(span);
    for (std::size_t i = 0; i < span; ++i) {
        used[i] = b.quantized.kept[i] & bitmap[i];
        if (used[i])
            b.used_counts.push_back(counts[i]);
    }
    secure_wipe(counts);
    b.key = key_bits(b.quantized.symbol, used, q, disclosed);
    ++stats.batches_started;

    send(batch, msg::bitmap_reply{ b.quantized.kept, recent_acks });
    return {};
}

// The follower's rho for the soft model: the configured guess until a batch is
// confirmed, then the mean of the recent fits.
double post_processor::impl::soft_rho() const
{
    if (soft_fits.empty())
        return cfg.initial_correlation;
    double sum = 0.0;
    for (double x : soft_fits)
        sum += x;
    return std::tanh(sum / double(soft_fits.size()));
}

message_verdict post_processor::impl::follower_fail(std::uint32_t batch,
                                                    msg::result_code code,
                                                    batch_report& rep)
{
    ++stats.batches_failed;
    rep.reason = msg::describe(code);
    reports.push_back(rep);
    msg::result failure;
    failure.outcome = code;
    send(batch, std::move(failure));
    if (current && current->id == batch)
        current->decided = true;
    return {};
}

message_verdict post_processor::impl::follower_on_syndrome(std::uint32_t batch,
                                                           const msg::syndrome& s)
{
    const std::size_t n = s.key_bits;
    if (s.disagreement.size() != q)
        return reject("SYNDROME: bit planes differ from ours");
    std::vector<double> disagreement;
    for (auto p : s.disagreement)
        disagreement.push_back(double(p) / 65535.0);
    const std::vector<std::size_t> syndrome_bits(s.syndrome_bits.begin(),
                                                 s.syndrome_bits.end());
    const std::size_t total_syndrome = s.syndrome.size();
    const std::size_t tag_length = s.tag.size();
    const std::size_t out_bits = s.output_bits;
    soft_reference reference;
    if (s.soft) {
        for (auto x : s.soft->boundaries_x2)
            reference.boundaries.push_back(double(x) / 2.0);
        reference.mean = double(s.soft->mean) / msg::stable_unit;
        reference.deviation = double(s.soft->deviation) / msg::stable_unit;
        if (!reference.valid(levels))
            return reject("SYNDROME: invalid soft reference");
    }
    const auto codes = rec::codes_from(n, syndrome_bits, mode_codes());
    if (codes.empty())
        return reject("SYNDROME: invalid code parameters");

    if (!current || current->id != batch) {
        batch_report rep;
        rep.batch = batch;
        return follower_fail(batch, msg::result_code::unknown_batch, rep);
    }
    if (current->decided)
        return ignore("duplicate SYNDROME");
    auto& b = *current;
    batch_report rep;
    rep.batch = batch;
    rep.rounds_used = b.used_counts.size();
    rep.key_bits = n;
    rep.leak = { total_syndrome,
                 8 * tag_length,
                 std::uint64_t(disclosed) * s.disclosed.size() };
    if (n != b.key.size() || tag_length < tag_bytes ||
        s.disclosed.size() != (disclosed > 0 ? b.used_counts.size() : 0))
        return follower_fail(batch, msg::result_code::invalid_request, rep);

    const auto& seed = s.seed;
    const auto& syndrome = s.syndrome;
    auto llr =
        soft()
            ? soft_llrs(b.used_counts, b.quantized, reference, q, soft_rho(), s.disclosed)
            : rec::hard_llrs(b.key, disagreement);
    // Failed blocks whose bits alone would leave no key end the decoding.
    const std::uint64_t fixed_leak = 8 * tag_length + codes.size();
    auto decoded = rec::decode(llr,
                               syndrome,
                               codes,
                               cfg.max_iterations,
                               out_bits > fixed_leak ? out_bits - fixed_leak - 1 : 0);
    secure_wipe(llr); // its signs are the follower's bits
    rep.iterations = decoded.max_iterations;
    auto symbols = symbols_of(decoded.bits, q, s.disclosed, disclosed);
    // The hash input: the whole key, or the kept rounds' bits when some blocks failed.
    std::vector<std::uint8_t> kept, key;
    std::vector<std::uint32_t> kept_counts;
    std::size_t out = out_bits;
    std::string no_key_reason;
    msg::result result;
    result.errors.assign(q, 0);
    if (decoded.converged) {
        const auto own_tag = rec::confirmation_tag(
            s.nonce, cfg.direction, leader_instance, batch, decoded.bits, tag_length);
        if (CRYPTO_memcmp(own_tag.data(), s.tag.data(), tag_length) != 0) {
            secure_wipe(decoded.bits);
            secure_wipe(symbols);
            return follower_fail(batch, msg::result_code::tag_mismatch, rep);
        }
        rep.min_entropy = symbol_min_entropy(symbols);
        const auto bound = rec::amplification_bits(rep.min_entropy, rep.leak, eps_pa);
        no_key_reason = bound.reason;
        if (out_bits > bound.out_bits) {
            secure_wipe(decoded.bits);
            secure_wipe(symbols);
            return follower_fail(batch, msg::result_code::invalid_request, rep);
        }
        kept.assign(symbols.size(), 1);
        key = std::move(decoded.bits);
    } else {
        kept = rec::kept_rounds(codes, decoded.failed_blocks, q);
        kept_counts.reserve(kept.size()); // no unwiped copy left by a reallocation
        key = rec::kept_bits(decoded.bits, kept, q);
        secure_wipe(decoded.bits);
        const auto rounds = kept.size();
        std::size_t kept_rounds = 0;
        for (std::size_t i = 0; i < rounds; ++i)
            if (kept[i]) {
                symbols[kept_rounds] = symbols[i];
                kept_counts.push_back(b.used_counts[i]);
                ++kept_rounds;
            }
        secure_wipe(symbols.data() + kept_rounds, symbols.size() - kept_rounds);
        symbols.resize(kept_rounds);
        const auto dropped = rounds - kept_rounds;
        // The whole batch's min-entropy is unknown here (the dropped rounds' symbols
        // are): check the leader's length against an upper bound of it, the kept
        // rounds' plus every arrangement and value of the dropped ones.
        rep.min_entropy = symbol_min_entropy(symbols);
        const double whole_at_most =
            rep.min_entropy + double(levels) * double(dropped) +
            (std::lgamma(double(rounds) + 1) - std::lgamma(double(kept_rounds) + 1) -
             std::lgamma(double(dropped) + 1)) /
                std::log(2.0);
        if (kept_rounds == 0 ||
            out_bits >
                rec::amplification_bits(whole_at_most, rep.leak, eps_pa).out_bits) {
            secure_wipe(key);
            secure_wipe(symbols);
            return follower_fail(batch,
                                 kept_rounds == 0 ? msg::result_code::decoding_failed
                                                  : msg::result_code::invalid_request,
                                 rep);
        }
        const std::uint64_t dropped_bits = std::uint64_t(q) * dropped + codes.size();
        out = rec::output_bits_after_drop(out_bits, 8 * tag_length + dropped_bits);
        no_key_reason = "leftover hash bound leaves no key: " + std::to_string(out_bits) +
                        " bits for the whole batch, less " +
                        std::to_string(8 * tag_length + dropped_bits) +
                        " for the dropped blocks";
        rep.leak.tag_bits += 8 * tag_length;
        rep.leak.dropped_bits = dropped_bits;
        rep.blocks_dropped = decoded.failed_blocks.size();
        // The segment's figures are the kept rounds'.
        rep.rounds_used = kept_rounds;
        rep.key_bits = key.size();
        stats.blocks_dropped += rep.blocks_dropped;
        result.outcome = msg::result_code::blocks_dropped;
        for (auto f : decoded.failed_blocks)
            result.dropped_blocks.push_back(static_cast<std::uint8_t>(f));
        result.tag = rec::kept_blocks_tag(s.nonce,
                                          cfg.direction,
                                          leader_instance,
                                          batch,
                                          decoded.failed_blocks,
                                          key,
                                          tag_length);
    }

    // A whole batch is counted in place; only kept rounds need their copies.
    std::vector<std::uint8_t> own_kept;
    if (!decoded.converged)
        own_kept = rec::kept_bits(b.key, kept, q);
    const std::span<const std::uint8_t> own_key =
        decoded.converged ? std::span<const std::uint8_t>(b.key) : own_kept;
    const std::span<const std::uint32_t> counts =
        decoded.converged ? std::span<const std::uint32_t>(b.used_counts) : kept_counts;
    for (std::size_t i = 0; i < key.size(); ++i)
        result.errors[i % q] += key[i] != own_key[i];
    secure_wipe(own_kept);
    if (soft()) {
        // Only on a key the follower confirmed itself, all of it: the kept rounds of
        // a batch with failed blocks are the easier ones, and would bias rho upwards.
        if (decoded.converged) {
            soft_fits.push_back(std::atanh(
                fit_soft_correlation(counts, b.quantized, reference, symbols, levels)));
            if (soft_fits.size() > soft_fits_kept)
                soft_fits.pop_front();
        }
        std::vector<double> dispersion;
        const auto entropy = soft_plane_entropy(counts,
                                                b.quantized,
                                                reference,
                                                symbols,
                                                q,
                                                soft_rho(),
                                                disclosed > 0 ? &dispersion : nullptr);
        auto wire = [](double x) {
            return static_cast<std::uint32_t>(
                std::min(std::ceil(x * msg::entropy_unit), 4294967295.0));
        };
        for (unsigned j = 0; j < q; ++j) {
            result.entropy.push_back(wire(entropy[j]));
            if (disclosed > 0)
                result.dispersion.push_back(wire(dispersion[j]));
        }
    }
    secure_wipe(symbols);
    secure_wipe(kept_counts);

    rep.reconciled = true;
    for (auto e : result.errors)
        rep.errors += e;
    rep.secret_bits = out;
    if (out == 0)
        rep.reason = no_key_reason;
    pending = std::make_unique<pending_output>();
    pending->id = batch;
    if (out > 0)
        pending->bits = toeplitz::hash(
            key, std::span(seed).first(toeplitz::seed_bits(key.size(), out)), out);
    pending->meta.rounds = rep.rounds_used;
    pending->meta.key_bits = rep.key_bits;
    pending->meta.errors = rep.errors;
    pending->meta.leaked = rep.leak.total();
    pending->meta.epsilon = cfg.eps_total;
    pending->meta.last_sequence = b.last_sequence;
    secure_wipe(key);
    ++stats.batches_reconciled;
    reports.push_back(rep);
    b.decided = true;
    send(batch, std::move(result));
    return {};
}

} // namespace fiberkey
