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

/*!
 * Round sequences extended past their 16 bits, as an RTP receiver extends its sequence
 * numbers: each end counts the wraps of what it is given, so that a batch can span
 * more than 65,535 rounds. The two ends' extended values need not be equal, only their
 * differences: a BITMAP carries its first round's 16-bit sequence, and the follower
 * places it by its own newest round.
 */
class sequence_extender
{
public:
    //! The extended value of \p s (1..65535): the one nearest the newest so far.
    std::uint64_t extend(std::uint16_t s)
    {
        const auto e = d_newest == 0 ? origin + s - 1 : nearest(s, d_newest);
        d_newest = std::max(d_newest, e);
        return e;
    }
    //! The newest extended sequence, 0 before the first.
    std::uint64_t newest() const { return d_newest; }
    //! The extended value of \p s nearest \p reference (> 2^32).
    static std::uint64_t nearest(std::uint16_t s, std::uint64_t reference)
    {
        const std::uint64_t ahead =
            (std::uint64_t(s) - 1 + sequence_space - reference % sequence_space) %
            sequence_space;
        return ahead <= sequence_space / 2 ? reference + ahead
                                           : reference - (sequence_space - ahead);
    }
    //! The 16-bit sequence of extended value \p e.
    static std::uint16_t sequence_of(std::uint64_t e)
    {
        return static_cast<std::uint16_t>(e % sequence_space + 1);
    }

private:
    // Far from 0, so that no late round extends below it.
    static constexpr std::uint64_t origin = std::uint64_t(sequence_space) << 32;
    std::uint64_t d_newest = 0;
};

inline std::uint16_t alpha_code(double alpha)
{
    return static_cast<std::uint16_t>(std::lround(alpha * 1000.0));
}

// The soft and multilevel modes decode with the soft model.
inline bool decodes_soft(quantizer_mode mode)
{
    return mode == quantizer_mode::soft || mode == quantizer_mode::multilevel;
}

// The multilevel mode has codes of its own (both ends know the mode, so the codes).
inline const reconciliation::code_family& codes_of(quantizer_mode mode)
{
    return mode == quantizer_mode::multilevel ? reconciliation::multilevel_codes
                                              : reconciliation::short_codes;
}

struct post_processor::impl {
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
        // What a RESULT that drops blocks needs: the codes, the nonce of the tags, the
        // seed and the whole batch's output length.
        std::vector<reconciliation::block_code> codes;
        std::array<std::uint8_t, reconciliation::nonce_bytes> nonce{};
        std::vector<std::uint8_t> seed;
        std::size_t batch_output_bits = 0;
        batch_report report;
        ~leader_batch()
        {
            secure_wipe(key);
            secure_wipe(hash_out);
            secure_wipe(seed);
            secure_wipe(quantized.symbol);
        }
    };
    std::uint32_t instance = 0;
    std::uint32_t next_batch = 1;
    std::uint32_t committed_batch = 0;
    phase leader_phase = phase::idle;
    std::unique_ptr<leader_batch> in_flight;
    std::size_t rounds_since_open = 0;
    sequence_extender sequences;
    std::vector<std::pair<std::uint64_t, std::uint32_t>> window; // extended sequence, F
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
        std::uint64_t sequence = 0; // extended; 0 = empty
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
    // By extended sequence modulo store_slots: a round stays until one store_slots
    // rounds newer takes its slot, 4 batches or more. calloc: the kernel's zero pages,
    // touched only where rounds land, where a vector's value-initialization writes all
    // of it (1 MiB at n <= 16,384: the cost of a follower's construction; the fuzzers
    // build thousands).
    struct free_store {
        void operator()(stored_round* p) const { std::free(p); }
    };
    std::unique_ptr<stored_round[], free_store> store;
    std::size_t store_slots = 0; // a power of 2
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
    bool soft() const { return decodes_soft(cfg.quantizer.mode); }
    // Two batches' key bits at most (a batch's output is at most its key bits): the
    // acknowledgements of a batch's keys arrive before the next batch commits, unless
    // lost, so no key acknowledged in time is dropped, however long the batches
    // (at n = 16,384 a multilevel batch yields about 96 keys).
    std::size_t leader_pool_limit() const
    {
        return std::max(leader_pool_floor, 2 * cfg.batch_rounds * q);
    }
    const reconciliation::code_family& mode_codes() const
    {
        return codes_of(cfg.quantizer.mode);
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
    void leader_add_round(std::uint64_t sequence, std::uint32_t count);
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
    // RESULT with blocks dropped: the kept rounds' tag checked, their hash taken; the
    // batch is left as it was unless taken.
    enum class kept_outcome { taken, tag_mismatch, too_many_errors };
    kept_outcome leader_take_kept_rounds(leader_batch& b,
                                         const msg::result& result,
                                         std::uint64_t errors);
    // A failed batch: as if it had twice the estimated errors, so that the next codes
    // are stronger.
    void observe_failure(std::size_t key_bits);
    void on_key_acks(std::span<const msg::key_ack_entry> acks);

    // Follower (post_processor_follower.cc).
    void follower_add_round(std::uint64_t sequence, std::uint32_t count);
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
