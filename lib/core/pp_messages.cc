/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/byte_order.h>
#include <fiberkey/pp_messages.h>
#include <fiberkey/toeplitz.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <stdexcept>

namespace fiberkey {
namespace pp_messages {

namespace {

constexpr std::size_t max_bit_planes = 8;
// Levels of a symbol (a byte): bit planes plus disclosed levels.
constexpr std::size_t max_levels = 8;

type kind_of(const body& b)
{
    return std::visit(
        [](const auto& x) -> type {
            using T = std::decay_t<decltype(x)>;
            if constexpr (std::is_same_v<T, bitmap>)
                return type::bitmap;
            else if constexpr (std::is_same_v<T, bitmap_reply>)
                return type::bitmap_reply;
            else if constexpr (std::is_same_v<T, syndrome>)
                return type::syndrome;
            else if constexpr (std::is_same_v<T, result>)
                return type::result;
            else if constexpr (std::is_same_v<T, commit>)
                return type::commit;
            else
                return type::key_ack;
        },
        b);
}

void require(bool ok, const char* what)
{
    if (!ok)
        throw std::invalid_argument(std::string("pp_messages: ") + what);
}

// ------------------------------------------------------------------ writing

// A multilevel SYNDROME's disclosed levels d: the soft reference's levels less the bit
// planes; checks that the disclosed values fit them, one per used round.
unsigned disclosed_levels_of(const syndrome& s)
{
    require(s.soft.has_value() && !s.disagreement.empty(),
            "disclosed levels need the soft reference");
    const std::size_t boundaries = s.soft->boundaries_x2.size();
    std::size_t levels = 0;
    while (levels < max_levels && (std::size_t(1) << levels) - 1 < boundaries)
        ++levels;
    const std::size_t planes = s.disagreement.size();
    require((std::size_t(1) << levels) - 1 == boundaries && levels > planes,
            "the soft reference has no disclosed levels");
    const unsigned d = static_cast<unsigned>(levels - planes);
    require(s.key_bits % planes == 0 && s.disclosed.size() == s.key_bits / planes,
            "one disclosed value per used round needed");
    for (auto v : s.disclosed)
        require(v >> d == 0, "a disclosed value does not fit its levels");
    return d;
}

void write_claim(be_writer& w, const claim& c)
{
    w.u32(c.committed_batch);
    w.u64(c.committed_bits);
    w.u32(c.next_key_index);
}

void write_bitmap(be_writer& w, std::span<const std::uint8_t> kept)
{
    w.bytes(pack_bits(kept));
}

void write_acks(be_writer& w, std::span<const key_ack_entry> acks)
{
    require(acks.size() <= max_key_acks, "more than 2048 key acknowledgements");
    w.u16(acks.size());
    for (const auto& a : acks) {
        w.u32(a.index);
        w.u64(a.position);
    }
}

void write_body(be_writer& w, const bitmap& b)
{
    require(!b.kept.empty() && b.kept.size() <= max_span,
            "a bitmap spans 1..262144 rounds");
    write_claim(w, b.leader);
    w.u8(b.mode);
    w.u8(b.bits_per_round);
    w.u16(b.alpha_code);
    w.u16(b.first_sequence);
    w.u32(b.kept.size());
    write_bitmap(w, b.kept);
}

void write_body(be_writer& w, const bitmap_reply& b)
{
    require(b.kept.size() <= max_span, "a bitmap spans at most 262144 rounds");
    w.u32(b.kept.size());
    write_bitmap(w, b.kept);
    write_acks(w, b.acks);
}

void write_body(be_writer& w, const syndrome& s)
{
    require(s.disagreement.size() <= 0xff && s.syndrome_bits.size() <= 0xff &&
                s.tag.size() <= 0xff,
            "a SYNDROME count does not fit its byte");
    require(s.seed.size() == toeplitz::seed_bits(s.key_bits, s.output_bits),
            "the Toeplitz seed has the wrong length");
    require(s.syndrome.size() == std::accumulate(s.syndrome_bits.begin(),
                                                 s.syndrome_bits.end(),
                                                 std::size_t(0)),
            "the syndrome has the wrong length");
    write_claim(w, s.leader);
    w.u32(s.key_bits);
    w.u8(s.disagreement.size());
    for (auto p : s.disagreement)
        w.u16(p);
    w.u8(s.syndrome_bits.size());
    for (auto m : s.syndrome_bits)
        w.u16(m);
    w.bytes(s.nonce);
    w.u8(s.tag.size());
    w.bytes(s.tag);
    w.u32(s.output_bits);
    if (s.soft) {
        for (auto x : s.soft->boundaries_x2)
            w.u32(x);
        w.u32(s.soft->mean);
        w.u32(s.soft->deviation);
    }
    if (!s.disclosed.empty()) {
        const unsigned d = disclosed_levels_of(s);
        std::vector<std::uint8_t> bits;
        bits.reserve(d * s.disclosed.size());
        for (auto v : s.disclosed)
            for (unsigned b = d; b-- > 0;)
                bits.push_back(static_cast<std::uint8_t>((v >> b) & 1));
        write_bitmap(w, bits);
    }
    write_bitmap(w, s.seed);
    write_bitmap(w, s.syndrome);
}

void write_body(be_writer& w, const result& r)
{
    require(r.errors.size() <= max_bit_planes, "too many bit planes");
    w.u8(static_cast<std::uint8_t>(r.outcome));
    w.u8(r.errors.size());
    for (auto e : r.errors)
        w.u32(e);
    require(r.dispersion.empty() || r.dispersion.size() == r.entropy.size(),
            "one dispersion per cross-entropy needed");
    for (auto h : r.entropy)
        w.u32(h);
    for (auto v : r.dispersion)
        w.u32(v);
    if (r.outcome != result_code::blocks_dropped)
        return;
    require(!r.dropped_blocks.empty() && r.dropped_blocks.size() <= 255 &&
                std::is_sorted(r.dropped_blocks.begin(), r.dropped_blocks.end()) &&
                std::adjacent_find(r.dropped_blocks.begin(), r.dropped_blocks.end()) ==
                    r.dropped_blocks.end(),
            "dropped blocks must be 1 to 255 ascending indices");
    require(!r.tag.empty() && r.tag.size() <= max_tag_bytes,
            "a RESULT's tag must have 1 to 32 bytes");
    w.u8(r.dropped_blocks.size());
    for (auto b : r.dropped_blocks)
        w.u8(b);
    w.u8(r.tag.size());
    w.bytes(r.tag);
}

void write_body(be_writer& w, const commit& c)
{
    write_claim(w, c.leader);
    w.u8(c.committed ? 1 : 0);
}

void write_body(be_writer& w, const key_ack& k) { write_acks(w, k.acks); }

// ------------------------------------------------------------------ reading

// A malformed message: decode() turns this into its reason.
struct malformed {
    const char* why;
};

void check(bool ok, const char* why)
{
    if (!ok)
        throw malformed{ why };
}

claim read_claim(be_reader& r)
{
    claim c;
    c.committed_batch = static_cast<std::uint32_t>(r.u32());
    c.committed_bits = r.u64();
    c.next_key_index = static_cast<std::uint32_t>(r.u32());
    return c;
}

// n bits, MSB first. A bitmap's padding bits must be zero; those of a seed and a
// syndrome are not looked at (as since the first version of the format).
enum class padding { zero, ignored };
std::vector<std::uint8_t>
read_bits(be_reader& r, std::size_t n, const char* why, padding pad = padding::zero)
{
    const auto bytes = r.bytes((n + 7) / 8);
    check(r.ok(), why);
    check(pad == padding::ignored || n % 8 == 0 ||
              (bytes.back() & (0xff >> (n % 8))) == 0,
          why);
    return unpack_bits(bytes, n);
}

std::vector<key_ack_entry> read_acks(be_reader& r, const char* why)
{
    const std::size_t count = r.u16();
    check(r.ok() && count <= max_key_acks, why);
    std::vector<key_ack_entry> acks(count);
    for (auto& a : acks) {
        a.index = static_cast<std::uint32_t>(r.u32());
        a.position = r.u64();
    }
    check(r.ok(), why);
    return acks;
}

bitmap read_bitmap_message(be_reader& r)
{
    constexpr const char* why = "malformed BITMAP";
    bitmap b;
    b.leader = read_claim(r);
    b.mode = static_cast<std::uint8_t>(r.u8());
    b.bits_per_round = static_cast<std::uint8_t>(r.u8());
    b.alpha_code = static_cast<std::uint16_t>(r.u16());
    b.first_sequence = static_cast<std::uint16_t>(r.u16());
    const std::size_t span = r.u32();
    check(r.ok() && b.first_sequence != 0 && span != 0 && span <= max_span, why);
    b.kept = read_bits(r, span, why);
    check(r.at_end(), why);
    return b;
}

bitmap_reply read_bitmap_reply(be_reader& r)
{
    constexpr const char* why = "malformed BITMAP_REPLY";
    bitmap_reply b;
    const std::size_t span = r.u32();
    check(r.ok() && span <= max_span, why);
    b.kept = read_bits(r, span, why);
    b.acks = read_acks(r, why);
    check(r.at_end(), why);
    return b;
}

syndrome read_syndrome(be_reader& r, mode_fields fields)
{
    constexpr const char* why = "malformed SYNDROME";
    syndrome s;
    s.leader = read_claim(r);
    s.key_bits = static_cast<std::uint32_t>(r.u32());
    s.disagreement.resize(r.u8());
    for (auto& p : s.disagreement)
        p = static_cast<std::uint16_t>(r.u16());
    s.syndrome_bits.resize(r.u8());
    std::size_t total_syndrome = 0;
    for (auto& m : s.syndrome_bits)
        total_syndrome += (m = static_cast<std::uint16_t>(r.u16()));
    const auto nonce = r.bytes(nonce_bytes);
    const auto tag = r.bytes(r.u8());
    s.output_bits = static_cast<std::uint32_t>(r.u32());
    check(r.ok() && s.key_bits != 0 && s.key_bits <= max_key_bits &&
              !s.disagreement.empty() && s.disagreement.size() <= max_bit_planes &&
              !s.syndrome_bits.empty() && !tag.empty() && tag.size() <= max_tag_bytes &&
              s.output_bits <= s.key_bits,
          why);
    std::copy(nonce.begin(), nonce.end(), s.nonce.begin());
    s.tag.assign(tag.begin(), tag.end());
    const unsigned d = fields.disclosed_levels;
    check(d == 0 || fields.soft, why);
    if (fields.soft) {
        check(s.disagreement.size() + d <= max_levels, why);
        soft_reference_wire ref;
        ref.boundaries_x2.resize((std::size_t(1) << (s.disagreement.size() + d)) - 1);
        for (auto& x : ref.boundaries_x2)
            x = static_cast<std::uint32_t>(r.u32());
        ref.mean = static_cast<std::uint32_t>(r.u32());
        ref.deviation = static_cast<std::uint32_t>(r.u32());
        check(r.ok(), why);
        s.soft = std::move(ref);
    }
    if (d > 0) {
        const std::size_t planes = s.disagreement.size();
        check(s.key_bits % planes == 0, why);
        const auto bits = read_bits(r, d * (s.key_bits / planes), why);
        s.disclosed.resize(s.key_bits / planes);
        for (std::size_t i = 0; i < s.disclosed.size(); ++i) {
            unsigned v = 0;
            for (unsigned b = 0; b < d; ++b)
                v = (v << 1) | bits[i * d + b];
            s.disclosed[i] = static_cast<std::uint8_t>(v);
        }
    }
    s.seed = read_bits(
        r, toeplitz::seed_bits(s.key_bits, s.output_bits), why, padding::ignored);
    s.syndrome = read_bits(r, total_syndrome, why, padding::ignored);
    check(r.at_end(), why);
    return s;
}

result read_result(be_reader& r, mode_fields fields)
{
    const bool soft = fields.soft;
    constexpr const char* why = "malformed RESULT";
    result res;
    const auto outcome = r.u8();
    const std::size_t planes = r.u8();
    check(r.ok() && outcome <= static_cast<std::uint8_t>(result_code::blocks_dropped),
          why);
    res.outcome = static_cast<result_code>(outcome);
    const bool ok = reports_errors(res.outcome);
    check(ok ? planes >= 1 && planes <= max_bit_planes : planes == 0, why);
    res.errors.resize(planes);
    for (auto& e : res.errors)
        e = static_cast<std::uint32_t>(r.u32());
    if (soft && ok) {
        res.entropy.resize(planes);
        for (auto& h : res.entropy)
            h = static_cast<std::uint32_t>(r.u32());
        if (fields.disclosed_levels > 0) {
            res.dispersion.resize(planes);
            for (auto& v : res.dispersion)
                v = static_cast<std::uint32_t>(r.u32());
        }
    }
    if (res.outcome == result_code::blocks_dropped) {
        const std::size_t blocks = r.u8();
        check(r.ok() && blocks >= 1, why);
        for (std::size_t i = 0; i < blocks; ++i) {
            const auto b = static_cast<std::uint8_t>(r.u8());
            check(r.ok() && (res.dropped_blocks.empty() || b > res.dropped_blocks.back()),
                  why);
            res.dropped_blocks.push_back(b);
        }
        const auto tag = r.bytes(r.u8());
        check(r.ok() && !tag.empty() && tag.size() <= max_tag_bytes, why);
        res.tag.assign(tag.begin(), tag.end());
    }
    check(r.at_end(), why);
    return res;
}

commit read_commit(be_reader& r)
{
    commit c;
    c.leader = read_claim(r);
    const auto committed = r.u8();
    check(r.at_end() && committed <= 1, "malformed COMMIT");
    c.committed = committed == 1;
    return c;
}

} // namespace

const char* to_string(type t)
{
    switch (t) {
    case type::bitmap:
        return "BITMAP";
    case type::bitmap_reply:
        return "BITMAP_REPLY";
    case type::syndrome:
        return "SYNDROME";
    case type::result:
        return "RESULT";
    case type::commit:
        return "COMMIT";
    case type::key_ack:
        return "KEY_ACK";
    }
    return "unknown";
}

bool to_leader(type t)
{
    return t == type::bitmap_reply || t == type::result || t == type::key_ack;
}

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
    case result_code::blocks_dropped:
        return "follower: some blocks failed, the kept rounds were confirmed";
    }
    return "follower: unknown outcome";
}

std::vector<std::uint8_t> encode(const message& m)
{
    be_writer w;
    w.u8(static_cast<std::uint8_t>(kind_of(m.content)));
    w.u8(m.head.direction);
    w.u32(m.head.instance);
    w.u32(m.head.batch);
    w.u32(0); // body length, set below
    std::visit([&w](const auto& b) { write_body(w, b); }, m.content);
    auto& out = w.out();
    const std::size_t body_length = out.size() - header_bytes;
    store_be(out.data() + header_bytes - 4, body_length, 4);
    out.resize(out.size() + checksum_bytes);
    reseal(out);
    // What goes out is what a peer accepts: every rule of decode holds for it too.
    const auto* s = std::get_if<syndrome>(&m.content);
    const auto* r = std::get_if<result>(&m.content);
    const mode_fields fields((s && s->soft) || (r && !r->entropy.empty()),
                             s && !s->disclosed.empty()    ? disclosed_levels_of(*s)
                             : r && !r->dispersion.empty() ? 1
                                                           : 0);
    if (const auto d = decode(out, fields); !d.msg)
        throw std::invalid_argument("pp_messages: would not decode: " + d.error);
    return std::move(out);
}

std::size_t syndrome_bytes(const syndrome_shape& shape)
{
    constexpr std::size_t claim_bytes = 4 + 8 + 4;
    auto packed = [](std::size_t bits) { return (bits + 7) / 8; };
    return header_bytes + claim_bytes + 4 + 1 + 2 * shape.planes + 1 + 2 * shape.blocks +
           nonce_bytes + 1 + shape.tag_bytes + 4 +
           (shape.soft_levels > 0 ? 4 * ((std::size_t(1) << shape.soft_levels) - 1) + 8
                                  : 0) +
           packed(shape.disclosed_bits) + packed(shape.seed_bits) +
           packed(shape.syndrome_bits) + checksum_bytes;
}

std::uint32_t checksum(std::span<const std::uint8_t> bytes)
{
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1u)));
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t crc = 0xffffffffu;
    for (const auto b : bytes)
        crc = (crc >> 8) ^ table[(crc ^ b) & 0xffu];
    return crc ^ 0xffffffffu;
}

void reseal(std::vector<std::uint8_t>& message)
{
    if (message.size() < checksum_bytes)
        throw std::invalid_argument("pp_messages: no room for a checksum");
    const std::size_t covered = message.size() - checksum_bytes;
    store_be(message.data() + covered,
             checksum(std::span<const std::uint8_t>(message.data(), covered)),
             checksum_bytes);
}

decoded decode(std::span<const std::uint8_t> bytes, mode_fields fields)
{
    if (bytes.size() < header_bytes + checksum_bytes)
        return { std::nullopt, "shorter than the header" };
    const std::size_t covered = bytes.size() - checksum_bytes;
    if (load_be(bytes.data() + covered, checksum_bytes) != checksum(bytes.first(covered)))
        return { std::nullopt, "checksum mismatch (corrupted on the way)" };
    bytes = bytes.first(covered);
    be_reader r(bytes);
    header h;
    const auto kind = r.u8();
    h.direction = static_cast<std::uint8_t>(r.u8());
    h.instance = static_cast<std::uint32_t>(r.u32());
    h.batch = static_cast<std::uint32_t>(r.u32());
    const std::size_t body_length = r.u32();
    if (!r.ok())
        return { std::nullopt, "shorter than the header" };
    if (body_length != bytes.size() - header_bytes)
        return { std::nullopt, "body length field disagrees with the message length" };
    if (kind < 1 || kind > 6)
        return { std::nullopt, "unknown message type" };
    if (h.batch == 0)
        return { std::nullopt, "batch id 0" };
    h.kind = static_cast<type>(kind);
    try {
        switch (h.kind) {
        case type::bitmap:
            return { message{ h, read_bitmap_message(r) }, {} };
        case type::bitmap_reply:
            return { message{ h, read_bitmap_reply(r) }, {} };
        case type::syndrome:
            return { message{ h, read_syndrome(r, fields) }, {} };
        case type::result:
            return { message{ h, read_result(r, fields) }, {} };
        case type::commit:
            return { message{ h, read_commit(r) }, {} };
        case type::key_ack: {
            key_ack k{ read_acks(r, "malformed KEY_ACK") };
            check(r.at_end(), "malformed KEY_ACK");
            return { message{ h, std::move(k) }, {} };
        }
        }
    } catch (const malformed& m) {
        return { std::nullopt, m.why };
    }
    return { std::nullopt, "unknown message type" };
}

} // namespace pp_messages
} // namespace fiberkey
