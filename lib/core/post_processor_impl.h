/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// Private to the post-processor: its state, shared by the leader's half
// (post_processor_leader.cc) and the follower's (post_processor_follower.cc).
#ifndef FIBERKEY_CORE_POST_PROCESSOR_IMPL_H
#define FIBERKEY_CORE_POST_PROCESSOR_IMPL_H

#include "key_pool.h"

#include <fiberkey/post_processor.h>
#include <fiberkey/pp_messages.h>
#include <fiberkey/reconciliation.h>
#include <fiberkey/secure_memory.h>

#include <cmath>
#include <cstdlib>
#include <deque>
#include <memory>

namespace fiberkey {

namespace msg = pp_messages;

inline constexpr std::uint32_t sequence_space = 65535; // 1..65535, 0 = none

//! Serial order of sequence numbers 1..65535: offset of s from first.
inline std::uint32_t sequence_offset(std::uint16_t first, std::uint16_t s)
{
    return (std::uint32_t(s) + sequence_space - first) % sequence_space;
}

inline std::uint16_t sequence_at(std::uint16_t first, std::uint32_t offset)
{
    return static_cast<std::uint16_t>(
        (std::uint32_t(first) - 1 + offset) % sequence_space + 1);
}

//! The sequence of the last round of a batch of span rounds from first.
inline std::uint16_t last_sequence_of(std::uint16_t first, std::size_t span)
{
    return sequence_at(first, span == 0 ? 0 : static_cast<std::uint32_t>(span - 1));
}

inline std::uint16_t alpha_code(double alpha)
{
    return static_cast<std::uint16_t>(std::lround(alpha * 1000.0));
}

struct post_processor::impl {
    // Rounds older than this (in rounds fed to the follower) are stale: their sequence
    // numbers may already have wrapped.
    static constexpr std::uint64_t follower_horizon = 32768;
    // The leader's pool keeps at most leader_pool_limit() bits that the follower has
    // not acknowledged as keys: a follower that never answers must not grow memory.
    static constexpr std::size_t leader_pool_floor = 64 * seed_key_bits;
    // Soft mode: rho is the mean (in atanh) of the fits on the last few confirmed batches.
    static constexpr std::size_t soft_fits_kept = 4;

    post_processor_config cfg;
    unsigned q;         // key bits per used round: the reconciled bit planes
    unsigned levels;    // levels of a symbol (2^levels bins)
    unsigned disclosed; // multilevel: its levels sent in the clear (levels - q)
    double eps_pa, eps_tag;
    std::size_t tag_bytes;
    post_processor_stats stats;
    std::vector<std::vector<std::uint8_t>> outbox;
    std::vector<seed_key> keys;
    std::vector<batch_report> reports;
    key_pool pool;
    std::uint64_t committed_bits = 0;
    std::uint32_t next_key_index = 0;
    bool held = false; // set_hold: rounds are refused
    std::uint16_t latest_sequence = 0;

    // Leader.
    enum class phase { idle, awaiting_reply, awaiting_result };
    struct leader_batch {
        std::uint32_t id = 0;
        std::uint16_t first_sequence = 0;
        std::size_t span = 0;
        quantized_batch quantized;
        std::vector<std::uint8_t> key;
        std::vector<std::uint8_t> hash_out;
        batch_report report;
        ~leader_batch()
        {
            secure_wipe(key);
            secure_wipe(hash_out);
            secure_wipe(quantized.symbol);
        }
    };
    std::uint32_t instance = 0;
    std::uint32_t next_batch = 1;
    std::uint32_t committed_batch = 0;
    phase leader_phase = phase::idle;
    std::unique_ptr<leader_batch> in_flight;
    std::size_t rounds_since_open = 0;
    std::vector<std::pair<std::uint16_t, std::uint32_t>> window;
    // Disagreement per bit plane, pooled over the last batches: (errors + 1) / (bits + 2)
    // stays finite after error-free batches and follows drifts within a few batches.
    struct observation {
        std::vector<double> errors;
        double bits_per_plane = 0;
        std::vector<double>
            dispersion; // multilevel, confirmed batches: per plane, summed
    };
    static constexpr std::size_t history_length = 8;
    std::deque<observation> history;

    // Follower.
    struct stored_round {
        std::uint32_t count = 0;
        std::uint64_t stamp = 0; // 0 = empty
    };
    struct follower_batch {
        std::uint32_t id = 0;
        bool decided = false;
        std::size_t span = 0;
        std::uint16_t last_sequence = 0;
        quantized_batch quantized;
        std::vector<std::uint32_t> used_counts;
        std::vector<std::uint8_t> key;
        ~follower_batch()
        {
            secure_wipe(key);
            secure_wipe(used_counts);
            secure_wipe(quantized.symbol);
        }
    };
    struct pending_output {
        std::uint32_t id = 0;
        std::vector<std::uint8_t> bits;
        segment meta;
        ~pending_output() { secure_wipe(bits); }
    };
    // By sequence number. calloc: the kernel's zero pages, touched only where rounds
    // land, where a vector's value-initialization writes all 1 MiB (the cost of a
    // follower's construction; the fuzzers build thousands).
    struct free_store {
        void operator()(stored_round* p) const { std::free(p); }
    };
    std::unique_ptr<stored_round[], free_store> store;
    std::uint64_t stamp = 0;
    std::uint32_t leader_instance = 0;
    std::uint32_t latest_batch = 0;
    msg::claim latest_claim;
    std::unique_ptr<follower_batch> current;
    std::unique_ptr<pending_output> pending;
    std::vector<msg::key_ack_entry> recent_acks;
    std::deque<double> soft_fits; // atanh(rho) of the last confirmed batches

    explicit impl(post_processor_config c);

    // Shared (post_processor.cc).
    void random(std::span<std::uint8_t> out);
    void send(std::uint32_t batch, msg::body content);
    // The soft and multilevel modes decode with the soft model.
    bool soft() const
    {
        return cfg.quantizer.mode == quantizer_mode::soft ||
               cfg.quantizer.mode == quantizer_mode::multilevel;
    }
    // Two batches' key bits at most (a batch's output is at most its key bits): the
    // acknowledgements of a batch's keys arrive before the next batch commits, unless
    // lost, so no key acknowledged in time is dropped, however long the batches
    // (at n = 16,384 a multilevel batch yields about 96 keys).
    std::size_t leader_pool_limit() const
    {
        return std::max(leader_pool_floor, 2 * cfg.batch_rounds * q);
    }
    // The multilevel mode has codes of its own (both ends know the mode, so the codes).
    const reconciliation::code_family& mode_codes() const
    {
        return cfg.quantizer.mode == quantizer_mode::multilevel
                   ? reconciliation::multilevel_codes
                   : reconciliation::short_codes;
    }
    // Min-entropy of the used rounds' whole symbols (all levels, disclosed ones too:
    // their bits are counted in the leak), capped per symbol bit.
    double symbol_min_entropy(std::span<const std::uint8_t> symbols) const;
    message_verdict reject(std::string why);
    message_verdict ignore(std::string why);
    message_verdict handle(std::span<const std::uint8_t> message);

    // Leader (post_processor_leader.cc).
    msg::claim own_claim() const
    {
        return { committed_batch, committed_bits, next_key_index };
    }
    void leader_add_round(std::uint16_t sequence, std::uint32_t count);
    void open_batch();
    void finish_leader_batch(bool committed);
    std::vector<double> estimate() const;
    void observe(std::vector<double> errors,
                 double bits_per_plane,
                 std::vector<double> dispersion = {});
    // Multilevel: the pooled dispersion per bit of each plane; empty before any (and in
    // the other modes, whose codes assume a binary symmetric channel's).
    std::vector<double> estimate_dispersion() const;
    std::vector<double> design_disagreement(std::span<const double> e,
                                            std::size_t key_bits) const;
    message_verdict leader_handle(const msg::message& m);
    message_verdict leader_on_reply(std::uint32_t batch, const msg::bitmap_reply& reply);
    message_verdict leader_on_result(std::uint32_t batch, const msg::result& result);
    void on_key_acks(std::span<const msg::key_ack_entry> acks);

    // Follower (post_processor_follower.cc).
    void follower_add_round(std::uint16_t sequence, std::uint32_t count);
    message_verdict follower_handle(const msg::message& m);
    void apply_claim(msg::type type, std::uint32_t batch, const msg::claim& c);
    message_verdict follower_on_bitmap(std::uint32_t batch, const msg::bitmap& bitmap);
    double soft_rho() const;
    message_verdict
    follower_fail(std::uint32_t batch, msg::result_code code, batch_report& rep);
    message_verdict follower_on_syndrome(std::uint32_t batch, const msg::syndrome& s);
};

} // namespace fiberkey

#endif
