/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The post-processor's shared part: configuration, randomness, sending and the dispatch
// of received messages to the leader's or the follower's half.
#include "post_processor_impl.h"

#include <fiberkey/byte_order.h>

#include <fiberkey/reconciliation.h>

#include <openssl/rand.h>

#include <algorithm>
#include <bit>
#include <new>
#include <stdexcept>
#include <utility>

namespace fiberkey {

static_assert(2 * max_batch_rounds <= pp_messages::max_span);

namespace {

// The LDPC blocks of a batch whose every round is used.
std::size_t code_blocks(const post_processor_config& c)
{
    const std::size_t limit = codes_of(c.quantizer.mode).block_limit;
    return (c.quantizer.bits() * c.batch_rounds + limit - 1) / limit;
}

} // namespace

seed_key::~seed_key() { secure_wipe(key); }

void post_processor_config::validate() const
{
    quantizer.validate();
    if (direction > 1)
        throw std::invalid_argument("post_processor: direction must be 0 or 1");
    if (batch_rounds < 64 || batch_rounds > max_batch_rounds)
        throw std::invalid_argument("post_processor: batch_rounds must be 64..131072");
    // A SYNDROME counts its code blocks in a byte.
    if (code_blocks(*this) > 0xff)
        throw std::invalid_argument(
            "post_processor: batch_rounds x key bits per round needs more than 255 code "
            "blocks of " +
            std::to_string(codes_of(quantizer.mode).block_limit) + " bits");
    if (abandon_after_rounds < batch_rounds || abandon_after_rounds > 16 * batch_rounds)
        throw std::invalid_argument(
            "post_processor: abandon_after_rounds must be 1..16 times batch_rounds");
    if (min_used_rounds < 16 || min_used_rounds > batch_rounds)
        throw std::invalid_argument(
            "post_processor: min_used_rounds must be 16..batch_rounds");
    if (!(eps_total > 0.0 && eps_total < 1e-3))
        throw std::invalid_argument("post_processor: eps_total must lie in (0, 1e-3)");
    if (!(min_entropy_per_bit > 0.0 && min_entropy_per_bit <= 1.0))
        throw std::invalid_argument(
            "post_processor: min_entropy_per_bit must lie in (0, 1]");
    if (!(initial_disagreement > 0.0 && initial_disagreement < 0.5))
        throw std::invalid_argument(
            "post_processor: initial_disagreement must lie in (0, 0.5)");
    if (!(target_fer > 0.0 && target_fer < 0.5))
        throw std::invalid_argument("post_processor: target_fer must lie in (0, 0.5)");
    if (!(initial_correlation > 0.0 && initial_correlation < 1.0))
        throw std::invalid_argument(
            "post_processor: initial_correlation must lie in (0, 1)");
    if (!(estimate_margin >= 0.0 && estimate_margin <= 10.0))
        throw std::invalid_argument(
            "post_processor: estimate_margin must lie in [0, 10]");
    if (max_iterations < 1 || max_iterations > 1000)
        throw std::invalid_argument("post_processor: max_iterations must be 1..1000");
}

std::size_t post_processor_config::largest_message_bytes() const
{
    const std::size_t key_bits = quantizer.bits() * batch_rounds;
    pp_messages::syndrome_shape worst;
    worst.planes = quantizer.bits();
    worst.blocks = code_blocks(*this);
    worst.tag_bytes = reconciliation::tag_bytes_for(eps_total / 2);
    worst.soft_levels = decodes_soft(quantizer.mode) ? quantizer.levels() : 0;
    worst.disclosed_bits = quantizer.disclosed_levels() * batch_rounds;
    // The seed and the syndrome take at most 2 key_bits together; split so that both
    // pad a byte.
    worst.seed_bits = 2 * key_bits - 1;
    worst.syndrome_bits = 1;
    return pp_messages::syndrome_bytes(worst);
}

post_processor::impl::impl(post_processor_config c) : cfg(std::move(c))
{
    cfg.validate();
    q = cfg.quantizer.bits();
    levels = cfg.quantizer.levels();
    disclosed = cfg.quantizer.disclosed_levels();
    eps_pa = cfg.eps_total / 2;
    eps_tag = cfg.eps_total / 2;
    tag_bytes = reconciliation::tag_bytes_for(eps_tag);
    if (cfg.role == pp_role::leader) {
        while (instance == 0) {
            std::array<std::uint8_t, 4> b{};
            random(b);
            instance = static_cast<std::uint32_t>(load_be(b.data(), b.size()));
        }
    } else {
        store_slots = std::bit_ceil(std::max<std::size_t>(4 * cfg.batch_rounds, 65536));
        store.reset(
            static_cast<stored_round*>(std::calloc(store_slots, sizeof(stored_round))));
        if (!store)
            throw std::bad_alloc();
    }
}

void post_processor::impl::random(std::span<std::uint8_t> out)
{
    if (cfg.random) {
        cfg.random(out);
        return;
    }
    if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
        throw std::runtime_error("post_processor: the CSPRNG failed");
}

void post_processor::impl::send(std::uint32_t batch, msg::body content)
{
    const msg::header h{ msg::type::bitmap,
                         cfg.direction,
                         cfg.role == pp_role::leader ? instance : leader_instance,
                         batch };
    outbox.push_back(msg::encode({ h, std::move(content) }));
}

message_verdict post_processor::impl::reject(std::string why)
{
    ++stats.messages_rejected;
    return { false, std::move(why) };
}

message_verdict post_processor::impl::ignore(std::string why)
{
    ++stats.messages_ignored;
    return { true, std::move(why) };
}

double
post_processor::impl::symbol_min_entropy(std::span<const std::uint8_t> symbols) const
{
    return std::min(reconciliation::exchangeable_min_entropy(symbols, levels),
                    cfg.min_entropy_per_bit * double(levels) * double(symbols.size()));
}

message_verdict post_processor::impl::handle(std::span<const std::uint8_t> message)
{
    const auto d = msg::decode(message, { soft(), disclosed });
    if (!d.msg)
        return reject(d.error);
    const auto& m = *d.msg;
    if (m.head.direction != cfg.direction)
        return reject("message of the other direction");
    if (msg::to_leader(m.head.kind) != (cfg.role == pp_role::leader))
        return reject("message for the other role");
    return cfg.role == pp_role::leader ? leader_handle(m) : follower_handle(m);
}

post_processor::post_processor(post_processor_config config)
    : d(std::make_unique<impl>(std::move(config)))
{
}

post_processor::~post_processor() = default;

void post_processor::add_round(std::uint16_t sequence, std::uint32_t count)
{
    ++d->stats.rounds_in;
    if (sequence == 0) {
        ++d->stats.rounds_dropped;
        return;
    }
    d->latest_sequence = sequence;
    // Extended even while held, so that a long hold is no wrap unseen.
    const auto extended = d->sequences.extend(sequence);
    if (d->held) {
        ++d->stats.rounds_held;
        return;
    }
    if (d->cfg.role == pp_role::leader)
        d->leader_add_round(extended, count);
    else
        d->follower_add_round(extended, count);
}

void post_processor::set_hold(bool hold)
{
    if (hold == d->held)
        return;
    d->held = hold;
    if (!hold)
        return;
    if (d->cfg.role == pp_role::leader) {
        secure_wipe(d->window);
        d->window.clear();
        if (d->in_flight) {
            ++d->stats.batches_abandoned;
            d->in_flight->report.reason = "leader: key agreement held (tap alarm)";
            d->finish_leader_batch(false);
        }
    } else {
        // Rounds not yet in a batch, and the batch in progress: its SYNDROME then fails
        // (unknown batch), and a COMMIT of it finds nothing to commit (the streams
        // resynchronise; the leader emits only keys the follower acknowledges).
        std::fill_n(d->store.get(), d->store_slots, impl::stored_round{});
        d->current.reset();
        d->pending.reset();
    }
}

bool post_processor::held() const { return d->held; }

std::uint16_t post_processor::latest_round_sequence() const { return d->latest_sequence; }

message_verdict post_processor::handle_message(std::span<const std::uint8_t> message)
{
    return d->handle(message);
}

std::vector<std::vector<std::uint8_t>> post_processor::take_messages()
{
    return std::exchange(d->outbox, {});
}

std::vector<seed_key> post_processor::take_keys() { return std::exchange(d->keys, {}); }

std::vector<batch_report> post_processor::take_reports()
{
    return std::exchange(d->reports, {});
}

const post_processor_stats& post_processor::stats() const { return d->stats; }

} // namespace fiberkey
