/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The leader's half of the post-processor: batches, code rates, syndromes, commits.
#include "post_processor_impl.h"

#include <fiberkey/reconciliation.h>
#include <fiberkey/toeplitz.h>

#include <openssl/crypto.h>

#include <algorithm>
#include <cmath>

namespace fiberkey {

namespace rec = reconciliation;

void post_processor::impl::leader_add_round(std::uint64_t sequence, std::uint32_t count)
{
    window.emplace_back(sequence, count);
    if (leader_phase != phase::idle && ++rounds_since_open >= cfg.abandon_after_rounds) {
        ++stats.batches_abandoned;
        in_flight->report.reason = "leader: no answer within abandon_after_rounds rounds";
        finish_leader_batch(false);
    }
    if (leader_phase == phase::idle && window.size() >= cfg.batch_rounds)
        open_batch();
}

void post_processor::impl::open_batch()
{
    // After an abandoned batch the window may hold more than a batch: use the newest.
    const std::size_t extra = window.size() - cfg.batch_rounds;
    stats.rounds_dropped += extra;
    const auto first = window[extra].first;
    // Offset from the first round; a late round from before it is out of the batch.
    auto offset = [first](std::uint64_t s) {
        return s >= first ? s - first : std::uint64_t(msg::max_span);
    };
    std::size_t span = 0;
    for (std::size_t i = extra; i < window.size(); ++i) {
        const auto off = offset(window[i].first);
        if (off < msg::max_span)
            span = std::max<std::size_t>(span, off + 1);
    }
    std::vector<std::uint32_t> counts(span, 0);
    std::vector<std::uint8_t> present(span, 0);
    for (std::size_t i = extra; i < window.size(); ++i) {
        const auto off = offset(window[i].first);
        if (off >= msg::max_span) {
            ++stats.rounds_dropped; // older than the batch's first round
            continue;
        }
        counts[off] = window[i].second;
        present[off] = 1;
    }
    secure_wipe(window);
    window.clear();

    in_flight = std::make_unique<leader_batch>();
    auto& b = *in_flight;
    b.id = next_batch++;
    b.first_sequence = sequence_extender::sequence_of(first);
    b.span = span;
    b.quantized = quantize(counts, present, cfg.quantizer);
    b.report.batch = b.id;
    secure_wipe(counts);
    ++stats.batches_started;
    leader_phase = phase::awaiting_reply;
    rounds_since_open = 0;

    send(b.id,
         msg::bitmap{ own_claim(),
                      static_cast<std::uint8_t>(cfg.quantizer.mode),
                      static_cast<std::uint8_t>(levels),
                      alpha_code(cfg.quantizer.alpha),
                      b.first_sequence,
                      b.quantized.kept });
}

// Closes the batch in flight: committed (ok) or dropped; tells the follower.
void post_processor::impl::finish_leader_batch(bool committed)
{
    auto& b = *in_flight;
    if (committed) {
        committed_batch = b.id;
        if (!b.hash_out.empty()) {
            segment meta;
            meta.rounds = b.report.rounds_used;
            meta.key_bits = b.report.key_bits;
            meta.errors = b.report.errors;
            meta.leaked = b.report.leak.total();
            meta.epsilon = cfg.eps_total;
            meta.last_sequence = last_sequence_of(b.first_sequence, b.span);
            pool.append(b.hash_out, meta);
            committed_bits += b.hash_out.size();
            stats.secret_bits += b.hash_out.size();
            if (pool.size() > leader_pool_limit())
                pool.drop_before(pool.end() - leader_pool_limit());
        }
    }
    send(b.id, msg::commit{ own_claim(), committed });
    reports.push_back(b.report);
    in_flight.reset();
    leader_phase = phase::idle;
}

std::vector<double> post_processor::impl::estimate() const
{
    if (history.empty()) {
        std::vector<double> p(q, cfg.initial_disagreement);
        // Soft mode: each Gray plane below the MSB is about twice as uncertain.
        if (soft())
            for (unsigned j = 1; j < q; ++j)
                p[j] = std::min(0.45, 2.0 * p[j - 1]);
        return p;
    }
    std::vector<double> p(q, 1.0);
    double bits = 2.0;
    for (const auto& o : history) {
        for (unsigned j = 0; j < q; ++j)
            p[j] += o.errors[j];
        bits += o.bits_per_plane;
    }
    for (auto& x : p)
        x = std::min(0.45, x / bits);
    return p;
}

void post_processor::impl::observe(std::vector<double> errors,
                                   double bits_per_plane,
                                   std::vector<double> dispersion)
{
    history.push_back({ std::move(errors), bits_per_plane, std::move(dispersion) });
    if (history.size() > history_length)
        history.pop_front();
}

std::vector<double> post_processor::impl::estimate_dispersion() const
{
    std::vector<double> v(q, 0.0);
    double bits = 0.0;
    for (const auto& o : history) {
        if (o.dispersion.size() != q)
            continue;
        for (unsigned j = 0; j < q; ++j)
            v[j] += o.dispersion[j];
        bits += o.bits_per_plane;
    }
    if (bits <= 0.0)
        return {};
    for (auto& x : v)
        x /= bits;
    return v;
}

/*
 * The disagreement the codes are sized for: the worst of the recent batches (errors
 * come in bursts when a side's bin boundary moves across a run of equal counts), at
 * least the pooled estimate plus a margin for this batch's sampling error. In soft
 * mode the pooled estimate alone: a boundary in a run of equal counts gives
 * uncertain LLRs there rather than a burst of confident errors, the cross-entropy
 * pooled over 8 batches is accurate to about 1 %, and the normal-approximation term
 * of choose_codes_for_fer already covers this batch's deviation from it (measured:
 * FER below 1e-2 at the default link: quantizer.soft_decoding_frame_error_rate,
 * post_processor.secret_bits_per_round_by_mode).
 */
std::vector<double> post_processor::impl::design_disagreement(std::span<const double> e,
                                                              std::size_t key_bits) const
{
    std::vector<double> p(q);
    const double per_plane = std::max<double>(1.0, double(key_bits) / q);
    for (unsigned j = 0; j < q; ++j) {
        p[j] = e[j];
        if (!soft()) {
            p[j] += cfg.estimate_margin * std::sqrt(e[j] * (1 - e[j]) / per_plane);
            for (const auto& o : history)
                p[j] = std::max(p[j], (o.errors[j] + 1) / (o.bits_per_plane + 2));
        }
        p[j] = std::min(0.5, p[j]);
    }
    return p;
}

message_verdict post_processor::impl::leader_handle(const msg::message& m)
{
    if (m.head.instance != instance)
        return ignore("message for an earlier leader instance");
    if (const auto* reply = std::get_if<msg::bitmap_reply>(&m.content))
        return leader_on_reply(m.head.batch, *reply);
    if (const auto* result = std::get_if<msg::result>(&m.content))
        return leader_on_result(m.head.batch, *result);
    on_key_acks(std::get<msg::key_ack>(m.content).acks);
    return {};
}

message_verdict post_processor::impl::leader_on_reply(std::uint32_t batch,
                                                      const msg::bitmap_reply& reply)
{
    const std::size_t span = reply.kept.size();
    const auto& bitmap = reply.kept;
    on_key_acks(reply.acks);
    if (leader_phase != phase::awaiting_reply || batch != in_flight->id)
        return ignore("BITMAP_REPLY for a batch not awaiting one");
    auto& b = *in_flight;
    if (span != b.span)
        return reject("BITMAP_REPLY span differs from the batch's");

    std::vector<std::uint8_t> used(span);
    std::size_t rounds = 0;
    for (std::size_t i = 0; i < span; ++i) {
        used[i] = b.quantized.kept[i] & bitmap[i];
        rounds += used[i];
    }
    b.report.rounds_used = rounds;
    if (rounds < cfg.min_used_rounds) {
        ++stats.batches_too_small;
        b.report.reason = "only " + std::to_string(rounds) + " rounds kept by both sides";
        finish_leader_batch(false);
        return {};
    }
    b.key = key_bits(b.quantized.symbol, used, q, disclosed);
    const std::size_t n = b.key.size();
    b.report.key_bits = n;
    const auto estimated = estimate();
    const auto codes = rec::choose_codes_for_fer(n,
                                                 design_disagreement(estimated, n),
                                                 cfg.target_fer,
                                                 estimate_dispersion(),
                                                 mode_codes());
    const auto syn = rec::syndrome(b.key, codes);

    std::vector<std::uint8_t> symbols;
    symbols.reserve(rounds); // no unwiped copy left behind by a reallocation
    for (std::size_t i = 0; i < span; ++i)
        if (used[i])
            symbols.push_back(b.quantized.symbol[i]);
    b.report.min_entropy = symbol_min_entropy(symbols);
    secure_wipe(symbols);
    b.report.leak = { syn.size(), 8 * tag_bytes, std::uint64_t(disclosed) * rounds };
    const auto length =
        rec::amplification_bits(b.report.min_entropy, b.report.leak, eps_pa);
    b.report.reason = length.reason;

    auto& nonce = b.nonce;
    random(nonce);
    const auto tag =
        rec::confirmation_tag(nonce, cfg.direction, instance, b.id, b.key, tag_bytes);
    std::vector<std::uint8_t> seed(toeplitz::seed_bits(n, length.out_bits));
    if (!seed.empty()) {
        std::vector<std::uint8_t> seed_bytes((seed.size() + 7) / 8);
        random(seed_bytes);
        seed = unpack_bits(seed_bytes, seed.size());
        b.hash_out = toeplitz::hash(b.key, seed, length.out_bits);
    }
    b.codes = codes;
    b.seed = seed;
    b.batch_output_bits = length.out_bits;

    msg::syndrome out;
    out.leader = own_claim();
    out.key_bits = static_cast<std::uint32_t>(n);
    for (unsigned j = 0; j < q; ++j)
        out.disagreement.push_back(
            static_cast<std::uint16_t>(std::lround(estimated[j] * 65535.0)));
    for (const auto& c : codes)
        out.syndrome_bits.push_back(static_cast<std::uint16_t>(c.syndrome_bits));
    out.nonce = nonce;
    out.tag = tag;
    out.output_bits = static_cast<std::uint32_t>(length.out_bits);
    if (soft()) {
        // Functions of the multiset of the leader's counts: see
        // reconciliation::exchangeable_min_entropy for why they cost no key.
        const auto ref = soft_reference::of(b.quantized);
        msg::soft_reference_wire wire;
        for (double x : ref.boundaries)
            wire.boundaries_x2.push_back(
                static_cast<std::uint32_t>(std::lround(2.0 * x)));
        wire.mean = static_cast<std::uint32_t>(std::lround(ref.mean * msg::stable_unit));
        // At least one unit: constant counts must not make the message invalid.
        wire.deviation = static_cast<std::uint32_t>(
            std::max<long>(1, std::lround(ref.deviation * msg::stable_unit)));
        out.soft = std::move(wire);
    }
    if (disclosed > 0)
        out.disclosed = disclosed_values(b.quantized.symbol, used, disclosed);
    out.seed = std::move(seed);
    out.syndrome = syn;
    send(b.id, std::move(out));
    leader_phase = phase::awaiting_result;
    return {};
}

void post_processor::impl::observe_failure(std::size_t key_bits)
{
    auto e = estimate();
    const double per_plane = double(key_bits / q);
    for (auto& x : e)
        x = std::max(1.0, 2.0 * x * per_plane);
    observe(std::move(e), per_plane);
}

post_processor::impl::kept_outcome post_processor::impl::leader_take_kept_rounds(
    leader_batch& b, const msg::result& result, std::uint64_t errors)
{
    const std::vector<std::size_t> failed(result.dropped_blocks.begin(),
                                          result.dropped_blocks.end());
    const auto kept = rec::kept_rounds(b.codes, failed, q);
    auto key = rec::kept_bits(b.key, kept, q);
    if (errors > key.size()) {
        secure_wipe(key);
        return kept_outcome::too_many_errors;
    }
    const auto own_tag = rec::kept_blocks_tag(
        b.nonce, cfg.direction, instance, b.id, failed, key, tag_bytes);
    if (CRYPTO_memcmp(own_tag.data(), result.tag.data(), tag_bytes) != 0) {
        secure_wipe(key);
        return kept_outcome::tag_mismatch;
    }
    const auto dropped_rounds =
        std::size_t(std::count(kept.begin(), kept.end(), std::uint8_t(0)));
    const std::uint64_t dropped_bits = std::uint64_t(q) * dropped_rounds + b.codes.size();
    const auto out =
        rec::output_bits_after_drop(b.batch_output_bits, 8 * tag_bytes + dropped_bits);
    secure_wipe(b.hash_out);
    b.hash_out.clear();
    if (out > 0)
        b.hash_out = toeplitz::hash(
            key, std::span(b.seed).first(toeplitz::seed_bits(key.size(), out)), out);
    b.report.leak.tag_bits = 2 * 8 * tag_bytes; // the leader's and the follower's
    b.report.leak.dropped_bits = dropped_bits;
    b.report.blocks_dropped = failed.size();
    stats.blocks_dropped += failed.size();
    if (out == 0)
        b.report.reason =
            "leftover hash bound leaves no key: " + std::to_string(b.batch_output_bits) +
            " bits for the whole batch, less " +
            std::to_string(8 * tag_bytes + dropped_bits) + " for the dropped blocks";
    // The segment's figures are the kept rounds'.
    b.report.rounds_used = kept.size() - dropped_rounds;
    b.report.key_bits = key.size();
    secure_wipe(key);
    return kept_outcome::taken;
}

message_verdict post_processor::impl::leader_on_result(std::uint32_t batch,
                                                       const msg::result& result)
{
    const auto outcome = result.outcome;
    const auto& errors = result.errors;
    const auto& entropy = result.entropy;
    if (msg::reports_errors(outcome) && errors.size() != q)
        return reject("RESULT: bit planes differ from ours");
    if (leader_phase != phase::awaiting_result || batch != in_flight->id)
        return ignore("RESULT for a batch not awaiting one");
    auto& b = *in_flight;
    const bool dropping = outcome == msg::result_code::blocks_dropped;
    if (dropping && (result.dropped_blocks.empty() ||
                     result.dropped_blocks.size() >= b.codes.size() ||
                     result.dropped_blocks.back() >= b.codes.size() ||
                     result.tag.size() != tag_bytes))
        return reject("RESULT: dropped blocks or tag do not fit the batch");
    std::uint64_t total = 0;
    for (auto e : errors)
        total += e;
    if (!dropping && total > b.key.size())
        return reject("RESULT reports more errors than key bits");
    const double batch_per_plane = double(b.key.size() / q);
    const auto kept =
        dropping ? leader_take_kept_rounds(b, result, total) : kept_outcome::taken;
    if (kept == kept_outcome::too_many_errors)
        return reject("RESULT reports more errors than kept key bits");
    if (!msg::reports_errors(outcome) || kept == kept_outcome::tag_mismatch) {
        ++stats.batches_failed;
        b.report.reason =
            msg::reports_errors(outcome)
                ? "leader: the follower's tag over its kept rounds does not match"
                : msg::describe(outcome);
        observe_failure(b.key.size());
        finish_leader_batch(false);
        return {};
    }
    const double per_plane = double(b.report.key_bits / q);
    std::vector<double> observed(errors.begin(), errors.end()), dispersion;
    if (soft())
        // What the codes must carry is the follower's cross-entropy: as the errors
        // of a binary symmetric channel of that capacity (with, in the multilevel mode,
        // the dispersion of the follower's soft information, not that channel's).
        for (unsigned j = 0; j < q; ++j) {
            observed[j] =
                per_plane * rec::inverse_binary_entropy(std::min(
                                1.0, double(entropy[j]) / msg::entropy_unit / per_plane));
            if (!result.dispersion.empty())
                dispersion.push_back(double(result.dispersion[j]) / msg::entropy_unit);
        }
    if (dropping) {
        // The dropped rounds were the hardest: count them at twice the estimate, so
        // that a rate of failed blocks beyond the design's raises the next codes.
        const auto e = estimate();
        for (unsigned j = 0; j < q; ++j)
            observed[j] += 2.0 * e[j] * (batch_per_plane - per_plane);
        for (auto& v : dispersion)
            v *= batch_per_plane / per_plane;
    }
    observe(std::move(observed),
            dropping ? batch_per_plane : per_plane,
            std::move(dispersion));
    ++stats.batches_reconciled;
    b.report.reconciled = true;
    b.report.errors = total;
    b.report.secret_bits = b.hash_out.size();
    finish_leader_batch(true);
    return {};
}

void post_processor::impl::on_key_acks(std::span<const msg::key_ack_entry> acks)
{
    for (const auto& a : acks) {
        if (a.index < next_key_index || !pool.holds_key_at(a.position))
            continue; // already emitted, or bits this side no longer (or never) had
        keys.push_back(pool.take_key(a.position, cfg.direction, a.index));
        ++stats.keys_emitted;
        next_key_index = a.index + 1;
    }
}

} // namespace fiberkey
