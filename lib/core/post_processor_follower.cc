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
    send(batch, msg::result{ code, {}, {}, {} });
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
    const auto llr =
        soft()
            ? soft_llrs(b.used_counts, b.quantized, reference, q, soft_rho(), s.disclosed)
            : rec::hard_llrs(b.key, disagreement);
    auto decoded = rec::decode(llr, syndrome, codes, cfg.max_iterations);
    rep.iterations = decoded.max_iterations;
    if (!decoded.converged)
        return follower_fail(batch, msg::result_code::decoding_failed, rep);
    const auto own_tag = rec::confirmation_tag(
        s.nonce, cfg.direction, leader_instance, batch, decoded.bits, tag_length);
    if (CRYPTO_memcmp(own_tag.data(), s.tag.data(), tag_length) != 0) {
        secure_wipe(decoded.bits);
        return follower_fail(batch, msg::result_code::tag_mismatch, rep);
    }

    std::vector<std::uint32_t> errors(q, 0);
    for (std::size_t i = 0; i < n; ++i)
        errors[i % q] += decoded.bits[i] != b.key[i];
    auto symbols = symbols_of(decoded.bits, q, s.disclosed, disclosed);
    rep.min_entropy = symbol_min_entropy(symbols);
    const auto bound = rec::amplification_bits(rep.min_entropy, rep.leak, eps_pa);
    if (out_bits > bound.out_bits) {
        secure_wipe(decoded.bits);
        secure_wipe(symbols);
        return follower_fail(batch, msg::result_code::invalid_request, rep);
    }
    msg::result result{ msg::result_code::ok, std::move(errors), {}, {} };
    if (soft()) {
        soft_fits.push_back(std::atanh(fit_soft_correlation(
            b.used_counts, b.quantized, reference, symbols, levels)));
        if (soft_fits.size() > soft_fits_kept)
            soft_fits.pop_front();
        std::vector<double> dispersion;
        const auto entropy = soft_plane_entropy(b.used_counts,
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

    rep.reconciled = true;
    for (auto e : result.errors)
        rep.errors += e;
    rep.secret_bits = out_bits;
    rep.reason = out_bits == 0 ? bound.reason : "";
    pending = std::make_unique<pending_output>();
    pending->id = batch;
    if (out_bits > 0)
        pending->bits = toeplitz::hash(decoded.bits, seed, out_bits);
    pending->meta.rounds = rep.rounds_used;
    pending->meta.key_bits = n;
    pending->meta.errors = rep.errors;
    pending->meta.leaked = rep.leak.total();
    pending->meta.epsilon = cfg.eps_total;
    pending->meta.last_sequence = b.last_sequence;
    secure_wipe(decoded.bits);
    ++stats.batches_reconciled;
    reports.push_back(rep);
    b.decided = true;
    send(batch, std::move(result));
    return {};
}

} // namespace fiberkey
