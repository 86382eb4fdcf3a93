/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/post_processor.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/toeplitz.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <optional>
#include <stdexcept>
#include <utility>

namespace fiberkey {
namespace {

namespace rec = reconciliation;

enum class msg_type : std::uint8_t {
    bitmap = 1,
    bitmap_reply = 2,
    syndrome = 3,
    result = 4,
    commit = 5,
    key_ack = 6,
};

enum class result_code : std::uint8_t {
    ok = 0,
    decoding_failed = 1,
    tag_mismatch = 2,
    unknown_batch = 3,
    invalid_request = 4,
};

const char* describe(result_code c)
{
    switch (c) {
    case result_code::ok:
        return "ok";
    case result_code::decoding_failed:
        return "follower: belief propagation did not converge";
    case result_code::tag_mismatch:
        return "follower: confirmation tag mismatch after decoding";
    case result_code::unknown_batch:
        return "follower: unknown batch (restarted, or its bitmap was lost)";
    case result_code::invalid_request:
        return "follower: syndrome request inconsistent with its batch";
    }
    return "follower: unknown outcome";
}

constexpr std::size_t header_bytes = 12;
constexpr std::size_t seed_key_bits = 256;
constexpr std::size_t max_key_acks = 16;
constexpr std::size_t max_span = 32768;
constexpr std::size_t max_tag_bytes = 32;
constexpr std::uint32_t sequence_space = 65535; // 1..65535, 0 = none
// Rounds older than this (in rounds fed to the follower) are stale: their sequence
// numbers may already have wrapped.
constexpr std::uint64_t follower_horizon = 32768;
// The leader's pool keeps at most this many bits that the follower has not
// acknowledged as keys: a follower that never answers must not grow memory.
constexpr std::size_t leader_pool_limit = 64 * seed_key_bits;
// Soft mode: rho is the mean (in atanh) of the fits on the last few confirmed batches.
constexpr std::size_t soft_fits_kept = 4;
// Fixed-point units on the wire: soft reference values and cross-entropies.
constexpr double stable_unit = 65536.0;
constexpr double entropy_unit = 1024.0;

struct claim {
    std::uint32_t committed_batch = 0;
    std::uint64_t committed_bits = 0;
    std::uint32_t next_key_index = 0;
};

struct key_ack_entry {
    std::uint32_t index = 0;
    std::uint64_t position = 0;
};

class writer
{
public:
    void u8(std::uint64_t x) { d_out.push_back(static_cast<std::uint8_t>(x)); }
    void u16(std::uint64_t x) { be(x, 2); }
    void u32(std::uint64_t x) { be(x, 4); }
    void u64(std::uint64_t x) { be(x, 8); }
    void bytes(std::span<const std::uint8_t> b)
    {
        d_out.insert(d_out.end(), b.begin(), b.end());
    }
    void claim_of(const claim& c)
    {
        u32(c.committed_batch);
        u64(c.committed_bits);
        u32(c.next_key_index);
    }
    std::vector<std::uint8_t>& out() { return d_out; }

private:
    void be(std::uint64_t x, int n)
    {
        for (int i = n - 1; i >= 0; --i)
            d_out.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
    }
    std::vector<std::uint8_t> d_out;
};

// Bounds-checked reading: the first failure sticks and every later read returns 0.
class reader
{
public:
    explicit reader(std::span<const std::uint8_t> in) : d_in(in) {}
    std::uint64_t u8() { return be(1); }
    std::uint64_t u16() { return be(2); }
    std::uint64_t u32() { return be(4); }
    std::uint64_t u64() { return be(8); }
    std::span<const std::uint8_t> bytes(std::size_t n)
    {
        if (!d_ok || d_in.size() - d_at < n) {
            d_ok = false;
            return {};
        }
        auto s = d_in.subspan(d_at, n);
        d_at += n;
        return s;
    }
    claim claim_of()
    {
        claim c;
        c.committed_batch = static_cast<std::uint32_t>(u32());
        c.committed_bits = u64();
        c.next_key_index = static_cast<std::uint32_t>(u32());
        return c;
    }
    bool ok() const { return d_ok; }
    bool at_end() const { return d_ok && d_at == d_in.size(); }

private:
    std::uint64_t be(std::size_t n)
    {
        std::uint64_t x = 0;
        for (auto b : bytes(n))
            x = (x << 8) | b;
        return x;
    }
    std::span<const std::uint8_t> d_in;
    std::size_t d_at = 0;
    bool d_ok = true;
};

// Unpacks a bitmap of span bits, requiring zero padding.
std::optional<std::vector<std::uint8_t>> read_bitmap(reader& r, std::size_t span)
{
    const auto bytes = r.bytes((span + 7) / 8);
    if (!r.ok())
        return std::nullopt;
    if (span % 8 != 0 && (bytes.back() & (0xff >> (span % 8))) != 0)
        return std::nullopt;
    return unpack_bits(bytes, span);
}

void write_key_acks(writer& w, std::span<const key_ack_entry> acks)
{
    w.u8(acks.size());
    for (const auto& a : acks) {
        w.u32(a.index);
        w.u64(a.position);
    }
}

std::optional<std::vector<key_ack_entry>> read_key_acks(reader& r)
{
    const std::size_t count = r.u8();
    if (!r.ok() || count > max_key_acks)
        return std::nullopt;
    std::vector<key_ack_entry> acks(count);
    for (auto& a : acks) {
        a.index = static_cast<std::uint32_t>(r.u32());
        a.position = r.u64();
    }
    if (!r.ok())
        return std::nullopt;
    return acks;
}

// Where a segment of the committed stream came from, for the keys' metadata.
struct segment {
    std::uint64_t start = 0, end = 0;
    std::uint64_t rounds = 0, key_bits = 0, errors = 0, leaked = 0;
    double epsilon = 0.0;
};

// The bits of the committed stream from position start() on.
class key_pool
{
public:
    ~key_pool() { secure_wipe(d_bits); }
    std::uint64_t start() const { return d_start; }
    std::uint64_t end() const { return d_start + d_bits.size(); }
    std::size_t size() const { return d_bits.size(); }

    void append(std::span<const std::uint8_t> bits, segment meta)
    {
        meta.start = end();
        meta.end = meta.start + bits.size();
        d_bits.insert(d_bits.end(), bits.begin(), bits.end());
        if (meta.end > meta.start)
            d_segments.push_back(meta);
    }

    //! Forgets everything and continues the stream at \p position.
    void reset(std::uint64_t position)
    {
        secure_wipe(d_bits);
        d_bits.clear();
        d_segments.clear();
        d_start = position;
    }

    void drop_before(std::uint64_t position)
    {
        if (position <= d_start)
            return;
        if (position >= end()) {
            reset(position);
            return;
        }
        const auto n = static_cast<std::ptrdiff_t>(position - d_start);
        secure_wipe(d_bits.data(), std::size_t(n));
        d_bits.erase(d_bits.begin(), d_bits.begin() + n);
        d_start = position;
        while (!d_segments.empty() && d_segments.front().end <= position)
            d_segments.erase(d_segments.begin());
    }

    bool holds_key_at(std::uint64_t position) const
    {
        return position >= d_start && end() - d_start >= seed_key_bits &&
               position - d_start <= end() - d_start - seed_key_bits;
    }

    //! The key at \p position; the pool then starts after it.
    seed_key take_key(std::uint64_t position, std::uint8_t direction, std::uint32_t index)
    {
        seed_key k;
        k.direction = direction;
        k.key_index = index;
        k.stream_position = position;
        const auto first = static_cast<std::ptrdiff_t>(position - d_start);
        auto packed =
            pack_bits(std::span(d_bits).subspan(std::size_t(first), seed_key_bits));
        std::copy(packed.begin(), packed.end(), k.key.begin());
        secure_wipe(packed);
        std::uint64_t bits = 0, errors = 0;
        for (const auto& s : d_segments) {
            if (s.end <= position || s.start >= position + seed_key_bits)
                continue;
            k.rounds_used += s.rounds;
            k.bits_leaked += s.leaked;
            k.epsilon += s.epsilon;
            bits += s.key_bits;
            errors += s.errors;
        }
        k.disagreement = bits == 0 ? 0.0 : double(errors) / double(bits);
        drop_before(position + seed_key_bits);
        return k;
    }

private:
    std::uint64_t d_start = 0;
    std::vector<std::uint8_t> d_bits;
    std::vector<segment> d_segments;
};

// Serial order of sequence numbers 1..65535: offset of s from first.
std::uint32_t sequence_offset(std::uint16_t first, std::uint16_t s)
{
    return (std::uint32_t(s) + sequence_space - first) % sequence_space;
}

std::uint16_t sequence_at(std::uint16_t first, std::uint32_t offset)
{
    return static_cast<std::uint16_t>(
        (std::uint32_t(first) - 1 + offset) % sequence_space + 1);
}

std::uint16_t alpha_code(double alpha)
{
    return static_cast<std::uint16_t>(std::lround(alpha * 1000.0));
}

} // namespace

seed_key::~seed_key() { secure_wipe(key); }

void post_processor_config::validate() const
{
    quantizer.validate();
    if (direction > 1)
        throw std::invalid_argument("post_processor: direction must be 0 or 1");
    if (batch_rounds < 64 || batch_rounds > max_span / 2)
        throw std::invalid_argument("post_processor: batch_rounds must be 64..16384");
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

struct post_processor::impl {
    post_processor_config cfg;
    unsigned q;
    double eps_pa, eps_tag;
    std::size_t tag_bytes;
    post_processor_stats stats;
    std::vector<std::vector<std::uint8_t>> outbox;
    std::vector<seed_key> keys;
    std::vector<batch_report> reports;
    key_pool pool;
    std::uint64_t committed_bits = 0;
    std::uint32_t next_key_index = 0;

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
    std::vector<stored_round> store;
    std::uint64_t stamp = 0;
    std::uint32_t leader_instance = 0;
    std::uint32_t latest_batch = 0;
    claim latest_claim;
    std::unique_ptr<follower_batch> current;
    std::unique_ptr<pending_output> pending;
    std::vector<key_ack_entry> recent_acks;
    std::deque<double> soft_fits; // atanh(rho) of the last confirmed batches

    explicit impl(post_processor_config c) : cfg(std::move(c))
    {
        cfg.validate();
        q = cfg.quantizer.bits();
        eps_pa = cfg.eps_total / 2;
        eps_tag = cfg.eps_total / 2;
        tag_bytes = rec::tag_bytes_for(eps_tag);
        if (cfg.role == pp_role::leader) {
            while (instance == 0) {
                std::array<std::uint8_t, 4> b{};
                random(b);
                instance = (std::uint32_t(b[0]) << 24) | (std::uint32_t(b[1]) << 16) |
                           (std::uint32_t(b[2]) << 8) | b[3];
            }
        } else {
            store.resize(sequence_space + 1);
        }
    }

    void random(std::span<std::uint8_t> out)
    {
        if (cfg.random) {
            cfg.random(out);
            return;
        }
        if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1)
            throw std::runtime_error("post_processor: the CSPRNG failed");
    }

    writer start(msg_type t, std::uint32_t batch)
    {
        writer w;
        w.u8(static_cast<std::uint8_t>(t));
        w.u8(cfg.direction);
        w.u32(cfg.role == pp_role::leader ? instance : leader_instance);
        w.u32(batch);
        w.u16(0); // body length, patched by send()
        return w;
    }

    void send(writer& w)
    {
        auto& m = w.out();
        const std::size_t body = m.size() - header_bytes;
        if (body > 0xffff)
            throw std::logic_error("post_processor: message body too long");
        m[10] = static_cast<std::uint8_t>(body >> 8);
        m[11] = static_cast<std::uint8_t>(body);
        outbox.push_back(std::move(m));
    }

    bool soft() const { return cfg.quantizer.mode == quantizer_mode::soft; }

    claim own_claim() const
    {
        return { committed_batch, committed_bits, next_key_index };
    }

    // ---------------------------------------------------------------- leader

    void leader_add_round(std::uint16_t sequence, std::uint32_t count)
    {
        window.emplace_back(sequence, count);
        if (leader_phase != phase::idle &&
            ++rounds_since_open >= cfg.abandon_after_rounds) {
            ++stats.batches_abandoned;
            in_flight->report.reason =
                "leader: no answer within abandon_after_rounds rounds";
            finish_leader_batch(false);
        }
        if (leader_phase == phase::idle && window.size() >= cfg.batch_rounds)
            open_batch();
    }

    void open_batch()
    {
        // After an abandoned batch the window may hold more than a batch: use the newest.
        const std::size_t extra = window.size() - cfg.batch_rounds;
        stats.rounds_dropped += extra;
        const auto first = window[extra].first;
        std::size_t span = 0;
        for (std::size_t i = extra; i < window.size(); ++i) {
            const auto off = sequence_offset(first, window[i].first);
            if (off < max_span)
                span = std::max<std::size_t>(span, off + 1);
        }
        std::vector<std::uint32_t> counts(span, 0);
        std::vector<std::uint8_t> present(span, 0);
        for (std::size_t i = extra; i < window.size(); ++i) {
            const auto off = sequence_offset(first, window[i].first);
            if (off >= max_span) {
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
        b.first_sequence = first;
        b.span = span;
        b.quantized = quantize(counts, present, cfg.quantizer);
        b.report.batch = b.id;
        secure_wipe(counts);
        ++stats.batches_started;
        leader_phase = phase::awaiting_reply;
        rounds_since_open = 0;

        auto w = start(msg_type::bitmap, b.id);
        w.claim_of(own_claim());
        w.u8(static_cast<std::uint8_t>(cfg.quantizer.mode));
        w.u8(q);
        w.u16(alpha_code(cfg.quantizer.alpha));
        w.u16(first);
        w.u16(span);
        w.bytes(pack_bits(b.quantized.kept));
        send(w);
    }

    // Closes the batch in flight: committed (ok) or dropped; tells the follower.
    void finish_leader_batch(bool committed)
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
                pool.append(b.hash_out, meta);
                committed_bits += b.hash_out.size();
                stats.secret_bits += b.hash_out.size();
                if (pool.size() > leader_pool_limit)
                    pool.drop_before(pool.end() - leader_pool_limit);
            }
        }
        auto w = start(msg_type::commit, b.id);
        w.claim_of(own_claim());
        w.u8(committed ? 1 : 0);
        send(w);
        reports.push_back(b.report);
        in_flight.reset();
        leader_phase = phase::idle;
    }

    std::vector<double> estimate() const
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

    void observe(std::vector<double> errors, double bits_per_plane)
    {
        history.push_back({ std::move(errors), bits_per_plane });
        if (history.size() > history_length)
            history.pop_front();
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
    std::vector<double> design_disagreement(std::span<const double> e,
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

    message_verdict leader_on_reply(std::uint32_t batch, reader& r)
    {
        const std::size_t span = r.u16();
        auto bitmap = read_bitmap(r, span);
        auto acks = bitmap ? read_key_acks(r) : std::nullopt;
        if (!bitmap || !acks || !r.at_end())
            return reject("malformed BITMAP_REPLY");
        on_key_acks(*acks);
        if (leader_phase != phase::awaiting_reply || batch != in_flight->id)
            return ignore("BITMAP_REPLY for a batch not awaiting one");
        auto& b = *in_flight;
        if (span != b.span)
            return reject("BITMAP_REPLY span differs from the batch's");

        std::vector<std::uint8_t> used(span);
        std::size_t rounds = 0;
        for (std::size_t i = 0; i < span; ++i) {
            used[i] = b.quantized.kept[i] & (*bitmap)[i];
            rounds += used[i];
        }
        b.report.rounds_used = rounds;
        if (rounds < cfg.min_used_rounds) {
            ++stats.batches_too_small;
            b.report.reason =
                "only " + std::to_string(rounds) + " rounds kept by both sides";
            finish_leader_batch(false);
            return {};
        }
        b.key = key_bits(b.quantized.symbol, used, q);
        const std::size_t n = b.key.size();
        b.report.key_bits = n;
        const auto estimated = estimate();
        const auto codes = rec::choose_codes_for_fer(
            n, design_disagreement(estimated, n), cfg.target_fer);
        const auto syn = rec::syndrome(b.key, codes);

        auto symbols = symbols_of(b.key, q);
        b.report.min_entropy = std::min(rec::exchangeable_min_entropy(symbols, q),
                                        cfg.min_entropy_per_bit * double(n));
        secure_wipe(symbols);
        b.report.leak = { syn.size(), 8 * tag_bytes };
        const auto length =
            rec::amplification_bits(b.report.min_entropy, b.report.leak, eps_pa);
        b.report.reason = length.reason;

        std::array<std::uint8_t, rec::nonce_bytes> nonce{};
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

        auto w = start(msg_type::syndrome, b.id);
        w.claim_of(own_claim());
        w.u32(n);
        w.u8(q);
        for (unsigned j = 0; j < q; ++j)
            w.u16(static_cast<std::uint64_t>(std::lround(estimated[j] * 65535.0)));
        w.u8(codes.size());
        for (const auto& c : codes)
            w.u16(c.syndrome_bits);
        w.bytes(nonce);
        w.u8(tag.size());
        w.bytes(tag);
        w.u32(length.out_bits);
        if (soft()) {
            // Functions of the multiset of the leader's counts: see
            // reconciliation::exchangeable_min_entropy for why they cost no key.
            const auto ref = soft_reference::of(b.quantized);
            for (double x : ref.boundaries)
                w.u32(static_cast<std::uint64_t>(std::lround(2.0 * x)));
            w.u32(static_cast<std::uint64_t>(std::lround(ref.mean * stable_unit)));
            // At least one unit: constant counts must not make the message invalid.
            w.u32(static_cast<std::uint64_t>(
                std::max<long>(1, std::lround(ref.deviation * stable_unit))));
        }
        w.bytes(pack_bits(seed));
        w.bytes(pack_bits(syn));
        send(w);
        leader_phase = phase::awaiting_result;
        return {};
    }

    message_verdict leader_on_result(std::uint32_t batch, reader& r)
    {
        const auto outcome = static_cast<result_code>(r.u8());
        const std::size_t planes = r.u8();
        std::vector<std::uint64_t> errors(planes), entropy;
        for (auto& e : errors)
            e = r.u32();
        if (soft() && outcome == result_code::ok) {
            entropy.resize(planes);
            for (auto& h : entropy)
                h = r.u32();
        }
        if (!r.at_end() || static_cast<std::uint8_t>(outcome) > 4 ||
            (outcome == result_code::ok && planes != q) ||
            (outcome != result_code::ok && planes != 0))
            return reject("malformed RESULT");
        if (leader_phase != phase::awaiting_result || batch != in_flight->id)
            return ignore("RESULT for a batch not awaiting one");
        auto& b = *in_flight;
        if (outcome != result_code::ok) {
            ++stats.batches_failed;
            b.report.reason = describe(outcome);
            // The codes were too weak (or the batch went astray): count the batch as if
            // it had twice the estimated errors, so that the next codes are stronger.
            auto e = estimate();
            const double per_plane = double(b.key.size() / q);
            for (auto& x : e)
                x = std::max(1.0, 2.0 * x * per_plane);
            observe(std::move(e), per_plane);
            finish_leader_batch(false);
            return {};
        }
        const double per_plane = double(b.key.size() / q);
        std::uint64_t total = 0;
        for (auto e : errors)
            total += e;
        if (total > b.key.size())
            return reject("RESULT reports more errors than key bits");
        std::vector<double> observed(errors.begin(), errors.end());
        if (soft())
            // What the codes must carry is the follower's cross-entropy: as the errors
            // of a binary symmetric channel of that capacity.
            for (unsigned j = 0; j < q; ++j)
                observed[j] =
                    per_plane * rec::inverse_binary_entropy(std::min(
                                    1.0, double(entropy[j]) / entropy_unit / per_plane));
        observe(std::move(observed), per_plane);
        ++stats.batches_reconciled;
        b.report.reconciled = true;
        b.report.errors = total;
        b.report.secret_bits = b.hash_out.size();
        finish_leader_batch(true);
        return {};
    }

    void on_key_acks(std::span<const key_ack_entry> acks)
    {
        for (const auto& a : acks) {
            if (a.index < next_key_index || !pool.holds_key_at(a.position))
                continue; // already emitted, or bits this side no longer (or never) had
            keys.push_back(pool.take_key(a.position, cfg.direction, a.index));
            ++stats.keys_emitted;
            next_key_index = a.index + 1;
        }
    }

    // -------------------------------------------------------------- follower

    void follower_add_round(std::uint16_t sequence, std::uint32_t count)
    {
        if (sequence == 0) {
            ++stats.rounds_dropped;
            return;
        }
        store[sequence] = { count, ++stamp };
    }

    // What every leader message says about the committed stream.
    void apply_claim(msg_type type, std::uint32_t batch, const claim& c)
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
            } else if (batch != pending->id || type == msg_type::commit) {
                pending.reset(); // the leader moved on without committing it
            }
        }
        if (committed_bits != c.committed_bits) {
            ++stats.resyncs;
            pool.reset(c.committed_bits);
            committed_bits = c.committed_bits;
        }
        next_key_index = std::max(next_key_index, c.next_key_index);
        std::vector<key_ack_entry> acks;
        while (pool.size() >= seed_key_bits) {
            const auto position = pool.start();
            keys.push_back(pool.take_key(position, cfg.direction, next_key_index));
            acks.push_back({ next_key_index++, position });
            ++stats.keys_emitted;
        }
        // A KEY_ACK holds at most max_key_acks keys; a batch may yield more (long
        // batches in soft mode), so they go out in as many messages as needed.
        for (std::size_t first = 0; first < acks.size(); first += max_key_acks) {
            const std::span<const key_ack_entry> part(
                acks.data() + first, std::min(max_key_acks, acks.size() - first));
            auto w = start(msg_type::key_ack, batch);
            write_key_acks(w, part);
            send(w);
        }
        if (!acks.empty()) // repeated in BITMAP_REPLY, in case a KEY_ACK is lost
            recent_acks.assign(acks.end() -
                                   std::ptrdiff_t(std::min(max_key_acks, acks.size())),
                               acks.end());
    }

    message_verdict follower_on_bitmap(std::uint32_t batch, reader& r)
    {
        const auto mode = r.u8();
        const auto planes = r.u8();
        const auto alpha = r.u16();
        const auto first = static_cast<std::uint16_t>(r.u16());
        const std::size_t span = r.u16();
        auto bitmap = read_bitmap(r, span);
        if (!bitmap || !r.at_end() || first == 0 || span == 0 || span > max_span)
            return reject("malformed BITMAP");
        if (mode != static_cast<std::uint8_t>(cfg.quantizer.mode) || planes != q ||
            (cfg.quantizer.mode == quantizer_mode::patent &&
             alpha != alpha_code(cfg.quantizer.alpha)))
            return reject("BITMAP: the leader's quantizer settings differ from ours");
        if (current && current->id == batch)
            return ignore("duplicate BITMAP");

        current = std::make_unique<follower_batch>();
        auto& b = *current;
        b.id = batch;
        b.span = span;
        std::vector<std::uint32_t> counts(span, 0);
        std::vector<std::uint8_t> present(span, 0);
        for (std::size_t off = 0; off < span; ++off) {
            auto& slot = store[sequence_at(first, std::uint32_t(off))];
            if (slot.stamp != 0 && stamp - slot.stamp < follower_horizon) {
                counts[off] = slot.count;
                present[off] = 1;
            }
            slot = {};
        }
        b.quantized = quantize(counts, present, cfg.quantizer);
        std::vector<std::uint8_t> used(span);
        for (std::size_t i = 0; i < span; ++i) {
            used[i] = b.quantized.kept[i] & (*bitmap)[i];
            if (used[i])
                b.used_counts.push_back(counts[i]);
        }
        secure_wipe(counts);
        b.key = key_bits(b.quantized.symbol, used, q);
        ++stats.batches_started;

        auto w = start(msg_type::bitmap_reply, batch);
        w.u16(span);
        w.bytes(pack_bits(b.quantized.kept));
        write_key_acks(w, recent_acks);
        send(w);
        return {};
    }

    void send_result(std::uint32_t batch,
                     result_code code,
                     std::span<const std::uint64_t> errors,
                     std::span<const std::uint64_t> entropy = {})
    {
        auto w = start(msg_type::result, batch);
        w.u8(static_cast<std::uint8_t>(code));
        w.u8(errors.size());
        for (auto e : errors)
            w.u32(e);
        for (auto h : entropy)
            w.u32(h);
        send(w);
    }

    // The follower's rho for the soft model: the configured guess until a batch is
    // confirmed, then the mean of the recent fits.
    double soft_rho() const
    {
        if (soft_fits.empty())
            return cfg.initial_correlation;
        double sum = 0.0;
        for (double x : soft_fits)
            sum += x;
        return std::tanh(sum / double(soft_fits.size()));
    }

    message_verdict
    follower_fail(std::uint32_t batch, result_code code, batch_report& rep)
    {
        ++stats.batches_failed;
        rep.reason = describe(code);
        reports.push_back(rep);
        send_result(batch, code, {});
        if (current && current->id == batch)
            current->decided = true;
        return {};
    }

    message_verdict follower_on_syndrome(std::uint32_t batch, reader& r)
    {
        const std::size_t n = r.u32();
        const std::size_t planes = r.u8();
        std::vector<double> disagreement(planes);
        for (auto& p : disagreement)
            p = double(r.u16()) / 65535.0;
        const std::size_t blocks = r.u8();
        std::vector<std::size_t> syndrome_bits(blocks);
        std::size_t total_syndrome = 0;
        for (auto& m : syndrome_bits)
            total_syndrome += (m = r.u16());
        const auto nonce = r.bytes(rec::nonce_bytes);
        const std::size_t tag_length = r.u8();
        const auto tag = r.bytes(tag_length);
        const std::size_t out_bits = r.u32();
        if (!r.ok() || n == 0 || n > 3 * max_span || planes != q || blocks == 0 ||
            tag_length == 0 || tag_length > max_tag_bytes || out_bits > n)
            return reject("malformed SYNDROME");
        soft_reference reference;
        if (soft()) {
            reference.boundaries.resize((std::size_t(1) << q) - 1);
            for (auto& x : reference.boundaries)
                x = double(r.u32()) / 2.0;
            reference.mean = double(r.u32()) / stable_unit;
            reference.deviation = double(r.u32()) / stable_unit;
            if (!r.ok() || !reference.valid(q))
                return reject("malformed SYNDROME");
        }
        const std::size_t seed_length = toeplitz::seed_bits(n, out_bits);
        const auto seed_bytes = r.bytes((seed_length + 7) / 8);
        const auto syndrome_bytes = r.bytes((total_syndrome + 7) / 8);
        if (!r.at_end())
            return reject("malformed SYNDROME");
        const auto codes = rec::codes_from(n, syndrome_bits);
        if (codes.empty())
            return reject("SYNDROME: invalid code parameters");

        if (!current || current->id != batch) {
            batch_report rep;
            rep.batch = batch;
            return follower_fail(batch, result_code::unknown_batch, rep);
        }
        if (current->decided)
            return ignore("duplicate SYNDROME");
        auto& b = *current;
        batch_report rep;
        rep.batch = batch;
        rep.rounds_used = b.used_counts.size();
        rep.key_bits = n;
        rep.leak = { total_syndrome, 8 * tag_length };
        if (n != b.key.size() || tag_length < tag_bytes)
            return follower_fail(batch, result_code::invalid_request, rep);

        const auto seed = unpack_bits(seed_bytes, seed_length);
        const auto syndrome = unpack_bits(syndrome_bytes, total_syndrome);
        const auto llr =
            soft() ? soft_llrs(b.used_counts, b.quantized, reference, q, soft_rho())
                   : rec::hard_llrs(b.key, disagreement);
        auto decoded = rec::decode(llr, syndrome, codes, cfg.max_iterations);
        rep.iterations = decoded.max_iterations;
        if (!decoded.converged)
            return follower_fail(batch, result_code::decoding_failed, rep);
        const auto own_tag =
            rec::confirmation_tag(std::span<const std::uint8_t, rec::nonce_bytes>(
                                      nonce.data(), rec::nonce_bytes),
                                  cfg.direction,
                                  leader_instance,
                                  batch,
                                  decoded.bits,
                                  tag_length);
        if (CRYPTO_memcmp(own_tag.data(), tag.data(), tag_length) != 0) {
            secure_wipe(decoded.bits);
            return follower_fail(batch, result_code::tag_mismatch, rep);
        }

        std::vector<std::uint64_t> errors(q, 0);
        for (std::size_t i = 0; i < n; ++i)
            errors[i % q] += decoded.bits[i] != b.key[i];
        auto symbols = symbols_of(decoded.bits, q);
        rep.min_entropy = std::min(rec::exchangeable_min_entropy(symbols, q),
                                   cfg.min_entropy_per_bit * double(n));
        const auto bound = rec::amplification_bits(rep.min_entropy, rep.leak, eps_pa);
        if (out_bits > bound.out_bits) {
            secure_wipe(decoded.bits);
            secure_wipe(symbols);
            return follower_fail(batch, result_code::invalid_request, rep);
        }
        std::vector<std::uint64_t> entropy;
        if (soft()) {
            soft_fits.push_back(std::atanh(
                fit_soft_correlation(b.used_counts, b.quantized, reference, symbols, q)));
            if (soft_fits.size() > soft_fits_kept)
                soft_fits.pop_front();
            for (double h : soft_plane_entropy(
                     b.used_counts, b.quantized, reference, symbols, q, soft_rho()))
                entropy.push_back(static_cast<std::uint64_t>(
                    std::min(std::ceil(h * entropy_unit), 4294967295.0)));
        }
        secure_wipe(symbols);

        rep.reconciled = true;
        for (auto e : errors)
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
        secure_wipe(decoded.bits);
        ++stats.batches_reconciled;
        reports.push_back(rep);
        b.decided = true;
        send_result(batch, result_code::ok, errors, entropy);
        return {};
    }

    // -------------------------------------------------------------- dispatch

    message_verdict reject(std::string why)
    {
        ++stats.messages_rejected;
        return { false, std::move(why) };
    }

    message_verdict ignore(std::string why)
    {
        ++stats.messages_ignored;
        return { true, std::move(why) };
    }

    message_verdict handle(std::span<const std::uint8_t> message)
    {
        reader r(message);
        const auto type = r.u8();
        const auto direction = r.u8();
        const auto msg_instance = static_cast<std::uint32_t>(r.u32());
        const auto batch = static_cast<std::uint32_t>(r.u32());
        const std::size_t body = r.u16();
        if (!r.ok())
            return reject("shorter than the header");
        if (body != message.size() - header_bytes)
            return reject("body length field disagrees with the message length");
        if (direction != cfg.direction)
            return reject("message of the other direction");
        if (type < 1 || type > 6)
            return reject("unknown message type");
        const auto t = static_cast<msg_type>(type);
        const bool to_leader = t == msg_type::bitmap_reply || t == msg_type::result ||
                               t == msg_type::key_ack;
        if (to_leader != (cfg.role == pp_role::leader))
            return reject("message for the other role");
        if (batch == 0)
            return reject("batch id 0");

        if (cfg.role == pp_role::leader) {
            if (msg_instance != instance)
                return ignore("message for an earlier leader instance");
            switch (t) {
            case msg_type::bitmap_reply:
                return leader_on_reply(batch, r);
            case msg_type::result:
                return leader_on_result(batch, r);
            default: {
                auto acks = read_key_acks(r);
                if (!acks || !r.at_end())
                    return reject("malformed KEY_ACK");
                on_key_acks(*acks);
                return {};
            }
            }
        }

        const claim c = r.claim_of();
        if (!r.ok())
            return reject("shorter than the leader's claim");
        if (t == msg_type::commit) {
            const auto committed = r.u8();
            if (!r.at_end() || committed > 1)
                return reject("malformed COMMIT");
        }
        if (msg_instance != leader_instance) {
            // A new leader (first contact or a restart): nothing of the old one holds.
            leader_instance = msg_instance;
            latest_batch = 0;
            latest_claim = {};
            current.reset();
            pending.reset();
            recent_acks.clear();
        }
        if (batch < latest_batch)
            return ignore("stale message of an earlier batch");
        latest_batch = batch;
        apply_claim(t, batch, c);
        switch (t) {
        case msg_type::bitmap:
            return follower_on_bitmap(batch, r);
        case msg_type::syndrome:
            return follower_on_syndrome(batch, r);
        default:
            return {};
        }
    }
};

post_processor::post_processor(post_processor_config config)
    : d(std::make_unique<impl>(std::move(config)))
{
}

post_processor::~post_processor() = default;

void post_processor::add_round(std::uint16_t sequence, std::uint32_t count)
{
    ++d->stats.rounds_in;
    if (d->cfg.role == pp_role::leader)
        d->leader_add_round(sequence, count);
    else
        d->follower_add_round(sequence, count);
}

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
