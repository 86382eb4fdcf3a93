/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/pp_messages.h>
#include <fiberkey/toeplitz.h>

#include <gtest/gtest.h>

#include <random>
#include <stdexcept>

using namespace fiberkey;
namespace pm = fiberkey::pp_messages;

namespace {

// FIXED SEED: reproducible test data.
struct generator {
    std::mt19937_64 rng;
    explicit generator(std::uint64_t seed) : rng(seed) {}

    std::uint64_t below(std::uint64_t n) { return rng() % n; }
    std::vector<std::uint8_t> bits(std::size_t n)
    {
        std::vector<std::uint8_t> b(n);
        for (auto& x : b)
            x = rng() & 1;
        return b;
    }
    pm::claim claim() { return { std::uint32_t(rng()), rng(), std::uint32_t(rng()) }; }
    std::vector<pm::key_ack_entry> acks()
    {
        std::vector<pm::key_ack_entry> a(below(pm::max_key_acks + 1));
        for (auto& x : a)
            x = { std::uint32_t(rng()), rng() };
        return a;
    }

    pm::message any(pm::mode_fields fields)
    {
        const bool soft = fields.soft;
        const unsigned disclosed = fields.disclosed_levels;
        pm::message m;
        m.head.direction = static_cast<std::uint8_t>(below(2));
        m.head.instance = std::uint32_t(rng());
        m.head.batch = std::uint32_t(1 + below(0xfffffffe));
        switch (below(6)) {
        case 0:
            m.content = pm::bitmap{ claim(),
                                    std::uint8_t(below(3)),
                                    std::uint8_t(1 + below(4)),
                                    std::uint16_t(rng()),
                                    std::uint16_t(1 + below(65535)),
                                    bits(1 + below(2000)) };
            break;
        case 1:
            m.content = pm::bitmap_reply{ bits(below(2000)), acks() };
            break;
        case 2: {
            pm::syndrome s;
            s.leader = claim();
            s.key_bits = std::uint32_t(1 + below(3000));
            s.disagreement.resize(1 + below(4));
            for (auto& p : s.disagreement)
                p = std::uint16_t(rng());
            if (disclosed > 0) // whole rounds of key bits, one disclosed value each
                s.key_bits = std::uint32_t(s.disagreement.size() * (1 + below(1000)));
            s.syndrome_bits.resize(1 + below(4));
            std::size_t total = 0;
            for (auto& b : s.syndrome_bits)
                total += (b = std::uint16_t(below(1000)));
            for (auto& b : s.nonce)
                b = std::uint8_t(rng());
            s.tag.resize(1 + below(pm::max_tag_bytes));
            for (auto& b : s.tag)
                b = std::uint8_t(rng());
            s.output_bits = std::uint32_t(below(s.key_bits + 1));
            if (soft) {
                pm::soft_reference_wire ref;
                ref.boundaries_x2.resize(
                    (std::size_t(1) << (s.disagreement.size() + disclosed)) - 1);
                for (auto& x : ref.boundaries_x2)
                    x = std::uint32_t(rng());
                ref.mean = std::uint32_t(rng());
                ref.deviation = std::uint32_t(1 + below(1000000));
                s.soft = ref;
            }
            if (disclosed > 0) {
                s.disclosed.resize(s.key_bits / s.disagreement.size());
                for (auto& v : s.disclosed)
                    v = std::uint8_t(below(1u << disclosed));
            }
            s.seed = bits(toeplitz::seed_bits(s.key_bits, s.output_bits));
            s.syndrome = bits(total);
            m.content = s;
            break;
        }
        case 3: {
            pm::result r;
            r.outcome = static_cast<pm::result_code>(below(6));
            if (r.outcome == pm::result_code::blocks_dropped) {
                // Ascending distinct indices, and a tag.
                for (unsigned b = 0; b < 256; ++b)
                    if (below(40) == 0)
                        r.dropped_blocks.push_back(static_cast<std::uint8_t>(b));
                if (r.dropped_blocks.empty())
                    r.dropped_blocks.push_back(static_cast<std::uint8_t>(below(256)));
                r.tag.resize(1 + below(pm::max_tag_bytes));
                for (auto& x : r.tag)
                    x = static_cast<std::uint8_t>(rng());
            }
            if (pm::reports_errors(r.outcome)) {
                r.errors.resize(1 + below(4));
                for (auto& e : r.errors)
                    e = std::uint32_t(rng());
                if (soft) {
                    r.entropy.resize(r.errors.size());
                    for (auto& h : r.entropy)
                        h = std::uint32_t(rng());
                    if (disclosed > 0) {
                        r.dispersion.resize(r.errors.size());
                        for (auto& v : r.dispersion)
                            v = std::uint32_t(rng());
                    }
                }
            }
            m.content = r;
            break;
        }
        case 4:
            m.content = pm::commit{ claim(), below(2) == 1 };
            break;
        default:
            m.content = pm::key_ack{ acks() };
        }
        // The variant holds the bodies in the order of their type numbers.
        m.head.kind = static_cast<pm::type>(m.content.index() + 1);
        return m;
    }
};

bool same(const pm::claim& a, const pm::claim& b)
{
    return a.committed_batch == b.committed_batch &&
           a.committed_bits == b.committed_bits && a.next_key_index == b.next_key_index;
}

bool same(const std::vector<pm::key_ack_entry>& a,
          const std::vector<pm::key_ack_entry>& b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].index != b[i].index || a[i].position != b[i].position)
            return false;
    return true;
}

bool same(const pm::message& a, const pm::message& b)
{
    if (a.head.kind != b.head.kind || a.head.direction != b.head.direction ||
        a.head.instance != b.head.instance || a.head.batch != b.head.batch ||
        a.content.index() != b.content.index())
        return false;
    if (const auto* x = std::get_if<pm::bitmap>(&a.content)) {
        const auto& y = std::get<pm::bitmap>(b.content);
        return same(x->leader, y.leader) && x->mode == y.mode &&
               x->bits_per_round == y.bits_per_round && x->alpha_code == y.alpha_code &&
               x->first_sequence == y.first_sequence && x->kept == y.kept;
    }
    if (const auto* x = std::get_if<pm::bitmap_reply>(&a.content)) {
        const auto& y = std::get<pm::bitmap_reply>(b.content);
        return x->kept == y.kept && same(x->acks, y.acks);
    }
    if (const auto* x = std::get_if<pm::syndrome>(&a.content)) {
        const auto& y = std::get<pm::syndrome>(b.content);
        const bool soft_same =
            x->soft.has_value() == y.soft.has_value() &&
            (!x->soft ||
             (x->soft->boundaries_x2 == y.soft->boundaries_x2 &&
              x->soft->mean == y.soft->mean && x->soft->deviation == y.soft->deviation));
        return same(x->leader, y.leader) && x->key_bits == y.key_bits &&
               x->disagreement == y.disagreement && x->syndrome_bits == y.syndrome_bits &&
               x->nonce == y.nonce && x->tag == y.tag &&
               x->output_bits == y.output_bits && soft_same && x->seed == y.seed &&
               x->syndrome == y.syndrome && x->disclosed == y.disclosed;
    }
    if (const auto* x = std::get_if<pm::result>(&a.content)) {
        const auto& y = std::get<pm::result>(b.content);
        return x->outcome == y.outcome && x->errors == y.errors &&
               x->entropy == y.entropy && x->dispersion == y.dispersion &&
               x->dropped_blocks == y.dropped_blocks && x->tag == y.tag;
    }
    if (const auto* x = std::get_if<pm::commit>(&a.content)) {
        const auto& y = std::get<pm::commit>(b.content);
        return same(x->leader, y.leader) && x->committed == y.committed;
    }
    return same(std::get<pm::key_ack>(a.content).acks,
                std::get<pm::key_ack>(b.content).acks);
}

// The three kinds of mode: hard (patent, equiprobable), soft, multilevel (d = 1..3).
pm::mode_fields fields_of_case(int i)
{
    switch (i % 3) {
    case 0:
        return { false, 0 };
    case 1:
        return { true, 0 };
    default:
        return { true, 1 + unsigned(i / 3) % 3 };
    }
}

} // namespace

// The layout of post_processor.h's wire format, byte by byte, for one COMMIT and one
// BITMAP (a format change must show up here).
// The bytes followed by their CRC-32C, as the format ends every message.
std::vector<std::uint8_t> sealed(std::vector<std::uint8_t> bytes)
{
    bytes.resize(bytes.size() + pm::checksum_bytes);
    pm::reseal(bytes);
    return bytes;
}

TEST(pp_messages, known_encodings)
{
    pm::message commit{ { pm::type::commit, 1, 0x01020304, 0x0a0b0c0d },
                        pm::commit{ { 7, 0x100, 3 }, true } };
    // clang-format off: one field a line
    const std::vector<std::uint8_t> commit_bytes{
        5, 1, 1, 2, 3, 4, 0x0a, 0x0b, 0x0c, 0x0d, 0, 0, 0, 17, // header, body 17 bytes
        0, 0, 0, 7, 0, 0, 0,    0,    0,    0,    1, 0, 0, 0,  0, 3, // claim
        1,
    };
    EXPECT_EQ(pm::encode(commit), sealed(commit_bytes));

    pm::message bitmap{ { pm::type::bitmap, 0, 9, 2 },
                        pm::bitmap{
                            {}, 2, 3, 500, 0xfffe, { 1, 0, 1, 1, 0, 0, 0, 0, 1 } } };
    const std::vector<std::uint8_t> bitmap_bytes{
        1,    0,    0,    0,    0,    9,    0, 0, 0, 2, 0, 0, 0, 28, // header, body 16 + 10 + 2 bytes
        0,    0,    0,    0,    0,    0,    0, 0, 0, 0, 0, 0, 0, 0,  0, 0, // claim
        2,    3,    0x01, 0xf4, 0xff, 0xfe, 0, 0, 0, 9, // mode, q, alpha, first, span
        0xb0, 0x80,                                     // bitmap, zero padded
    };
    // clang-format on
    EXPECT_EQ(pm::encode(bitmap), sealed(bitmap_bytes));
}

TEST(pp_messages, checksum_is_crc32c_and_catches_every_bit_flip)
{
    const std::string check = "123456789";
    EXPECT_EQ(pm::checksum(std::span(reinterpret_cast<const std::uint8_t*>(check.data()),
                                     check.size())),
              0xe3069283u); // the CRC-32C check value
    generator gen(4);
    for (int i = 0; i < 50; ++i) {
        const auto bytes = pm::encode(gen.any(false));
        for (std::size_t bit = 0; bit < 8 * bytes.size(); bit += 7) {
            auto flipped = bytes;
            flipped[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
            ASSERT_FALSE(pm::decode(flipped, false).msg) << "bit " << bit;
        }
    }
    std::vector<std::uint8_t> tiny(3);
    EXPECT_THROW(pm::reseal(tiny), std::invalid_argument);
}

TEST(pp_messages, random_messages_round_trip)
{
    generator gen(1);
    for (int i = 0; i < 3000; ++i) {
        const auto fields = fields_of_case(i);
        const auto m = gen.any(fields);
        const auto bytes = pm::encode(m);
        const auto d = pm::decode(bytes, fields);
        ASSERT_TRUE(d.msg) << d.error;
        ASSERT_TRUE(same(m, *d.msg)) << "message " << i;
        ASSERT_EQ(pm::encode(*d.msg), bytes);
        if (const auto* s = std::get_if<pm::syndrome>(&m.content)) {
            pm::syndrome_shape shape{ s->disagreement.size(),
                                      s->syndrome_bits.size(),
                                      s->tag.size() };
            shape.soft_levels =
                s->soft ? s->disagreement.size() + fields.disclosed_levels : 0;
            shape.disclosed_bits = fields.disclosed_levels * s->disclosed.size();
            shape.seed_bits = s->seed.size();
            shape.syndrome_bits = s->syndrome.size();
            ASSERT_EQ(pm::syndrome_bytes(shape), bytes.size()) << "message " << i;
        }
    }
}

TEST(pp_messages, multilevel_syndromes_need_their_own_fields)
{
    generator gen(5);
    int syndromes = 0;
    for (int i = 0; syndromes < 50; ++i) {
        const pm::mode_fields fields{ true, 2 };
        const auto m = gen.any(fields);
        const auto* s = std::get_if<pm::syndrome>(&m.content);
        if (!s)
            continue;
        ++syndromes;
        const auto bytes = pm::encode(m);
        EXPECT_TRUE(pm::decode(bytes, fields).msg);
        // Read as another mode's, the same bytes do not parse.
        for (const auto other : { pm::mode_fields{ true, 0 },
                                  pm::mode_fields{ true, 1 },
                                  pm::mode_fields{ true, 3 },
                                  pm::mode_fields{ false, 2 } })
            EXPECT_FALSE(pm::decode(bytes, other).msg) << other.disclosed_levels;
        // What the encoder refuses: a value wider than its levels, a value missing.
        auto wide = *s;
        wide.disclosed[0] = 4;
        EXPECT_THROW(pm::encode({ m.head, wide }), std::invalid_argument);
        auto missing = *s;
        missing.disclosed.pop_back();
        EXPECT_THROW(pm::encode({ m.head, missing }), std::invalid_argument);
        auto hard = *s;
        hard.soft.reset();
        EXPECT_THROW(pm::encode({ m.head, hard }), std::invalid_argument);
    }
}

TEST(pp_messages, every_truncation_and_extension_is_rejected_with_a_reason)
{
    generator gen(2);
    for (int i = 0; i < 300; ++i) {
        const auto soft = fields_of_case(i);
        const auto bytes = pm::encode(gen.any(soft));
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            const auto d = pm::decode(std::span(bytes).first(n), soft);
            ASSERT_FALSE(d.msg) << "prefix of " << n << " of " << bytes.size();
            ASSERT_FALSE(d.error.empty());
        }
        auto longer = bytes;
        longer.insert(longer.end() - pm::checksum_bytes, 0);
        EXPECT_FALSE(pm::decode(longer, soft).msg); // the checksum no longer holds
        pm::reseal(longer);
        EXPECT_FALSE(pm::decode(longer, soft).msg); // nor the body length
        // A body length that admits the extra byte: the body itself must then not parse.
        const auto body = longer.size() - pm::header_bytes - pm::checksum_bytes;
        longer[10] = static_cast<std::uint8_t>(body >> 8);
        longer[11] = static_cast<std::uint8_t>(body);
        pm::reseal(longer);
        EXPECT_FALSE(pm::decode(longer, soft).msg);
    }
}

TEST(pp_messages, format_violations_are_named)
{
    pm::message bitmap{ { pm::type::bitmap, 0, 9, 2 },
                        pm::bitmap{ {}, 2, 3, 500, 1, { 1, 0, 1 } } };
    auto bytes = pm::encode(bitmap);
    bytes[bytes.size() - 1 - pm::checksum_bytes] |= 0x01; // a padding bit set
    EXPECT_EQ(pm::decode(bytes, false).error, "checksum mismatch (corrupted on the way)");
    pm::reseal(bytes);
    EXPECT_EQ(pm::decode(bytes, false).error, "malformed BITMAP");
    bytes = pm::encode(bitmap);
    bytes[0] = 7;
    pm::reseal(bytes);
    EXPECT_EQ(pm::decode(bytes, false).error, "unknown message type");
    bytes = pm::encode(bitmap);
    bytes[9] = 0; // batch 0
    pm::reseal(bytes);
    EXPECT_EQ(pm::decode(bytes, false).error, "batch id 0");
    bytes = pm::encode(bitmap);
    bytes[11] ^= 1;
    pm::reseal(bytes);
    EXPECT_EQ(pm::decode(bytes, false).error,
              "body length field disagrees with the message length");
    EXPECT_EQ(pm::decode(std::vector<std::uint8_t>(11), false).error,
              "shorter than the header");

    // RESULT: planes only with ok; the soft part only in soft mode.
    pm::message failed{ { pm::type::result, 0, 1, 1 },
                        pm::result{ pm::result_code::tag_mismatch, {}, {}, {}, {}, {} } };
    bytes = pm::encode(failed);
    EXPECT_TRUE(pm::decode(bytes, true).msg);
    bytes[pm::header_bytes] = 6; // an outcome beyond blocks_dropped
    pm::reseal(bytes);
    EXPECT_EQ(pm::decode(bytes, false).error, "malformed RESULT");
    pm::message ok{ { pm::type::result, 0, 1, 1 },
                    pm::result{
                        pm::result_code::ok, { 3, 4 }, { 100, 200 }, {}, {}, {} } };
    EXPECT_TRUE(pm::decode(pm::encode(ok), true).msg);
    EXPECT_FALSE(pm::decode(pm::encode(ok), false).msg);
    EXPECT_FALSE(pm::decode(pm::encode(ok), { true, 2 }).msg);
    std::get<pm::result>(ok.content).dispersion = { 50, 60 }; // multilevel
    EXPECT_TRUE(pm::decode(pm::encode(ok), { true, 2 }).msg);
    EXPECT_FALSE(pm::decode(pm::encode(ok), true).msg);

    // Blocks dropped: after the planes' figures, the blocks ascending and a tag.
    pm::message dropped{
        { pm::type::result, 0, 1, 1 },
        pm::result{
            pm::result_code::blocks_dropped, { 3, 4 }, {}, {}, { 0, 2 }, { 9, 8, 7 } }
    };
    bytes = pm::encode(dropped);
    // clang-format off: one field a line
    const std::vector<std::uint8_t> dropped_body{
        5, 2, 0, 0, 0, 3, 0, 0, 0, 4, // outcome, planes, errors
        2, 0, 2,                      // failed blocks: 0 and 2
        3, 9, 8, 7,                   // tag
    };
    // clang-format on
    ASSERT_EQ(bytes.size(), pm::header_bytes + dropped_body.size() + pm::checksum_bytes);
    EXPECT_TRUE(std::equal(
        dropped_body.begin(), dropped_body.end(), bytes.begin() + pm::header_bytes));
    EXPECT_TRUE(pm::decode(bytes, false).msg);
    const auto corrupt = [&](std::size_t at, std::uint8_t value) {
        auto b = bytes;
        b[pm::header_bytes + at] = value;
        pm::reseal(b);
        return pm::decode(b, false).error;
    };
    EXPECT_EQ(corrupt(10, 0), "malformed RESULT");  // no failed block
    EXPECT_EQ(corrupt(11, 2), "malformed RESULT");  // not ascending
    EXPECT_EQ(corrupt(13, 0), "malformed RESULT");  // no tag
    EXPECT_EQ(corrupt(13, 4), "malformed RESULT");  // beyond the message
    EXPECT_EQ(corrupt(13, 33), "malformed RESULT"); // longer than any tag
    std::get<pm::result>(dropped.content).dropped_blocks = { 2, 0 };
    EXPECT_THROW(pm::encode(dropped), std::invalid_argument);
    std::get<pm::result>(dropped.content).dropped_blocks = { 1 };
    std::get<pm::result>(dropped.content).tag.clear();
    EXPECT_THROW(pm::encode(dropped), std::invalid_argument);
}

TEST(pp_messages, encode_refuses_what_the_format_cannot_carry)
{
    pm::message m{ {},
                   pm::key_ack{ std::vector<pm::key_ack_entry>(pm::max_key_acks + 1) } };
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
    m.content = pm::bitmap{ {}, 0, 1, 0, 1, std::vector<std::uint8_t>(pm::max_span + 1) };
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
    pm::syndrome s;
    s.key_bits = 100;
    s.output_bits = 10;
    s.disagreement = { 1 };
    s.syndrome_bits = { 8 };
    s.tag = { 1 };
    s.syndrome.resize(8);
    s.seed.resize(10); // should be 109
    m.content = s;
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
    // What decode would refuse is refused here already.
    m.content = pm::bitmap{ {}, 0, 1, 0, 0, { 1 } }; // first sequence 0
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
    m.head.batch = 0;
    m.content = pm::commit{};
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
    m.head.batch = 1;
    m.content = pm::result{
        pm::result_code::tag_mismatch, { 3 }, {}, {}, {}, {}
    }; // errors of a failure
    EXPECT_THROW(pm::encode(m), std::invalid_argument);
}

// The padding bits of a SYNDROME's seed and syndrome are not looked at (only bitmaps'
// are), as in every earlier version of the format.
TEST(pp_messages, seed_and_syndrome_padding_is_ignored)
{
    pm::syndrome s;
    s.key_bits = 10;
    s.output_bits = 2; // an 11-bit seed: 5 padding bits
    s.disagreement = { 100 };
    s.syndrome_bits = { 5 }; // 3 padding bits
    s.tag = { 0xaa };
    s.seed.assign(11, 1);
    s.syndrome.assign(5, 1);
    auto bytes = pm::encode({ { pm::type::syndrome, 0, 1, 1 }, s });
    const auto end = bytes.size() - pm::checksum_bytes;
    bytes[end - 1] |= 0x07; // the syndrome's padding
    bytes[end - 2] |= 0x1f; // the seed's
    pm::reseal(bytes);
    const auto d = pm::decode(bytes, false);
    ASSERT_TRUE(d.msg) << d.error;
    const auto& got = std::get<pm::syndrome>(d.msg->content);
    EXPECT_EQ(got.seed, s.seed);
    EXPECT_EQ(got.syndrome, s.syndrome);
}

TEST(pp_messages, random_bytes_never_throw)
{
    std::mt19937_64 rng(3);
    for (int i = 0; i < 100000; ++i) {
        std::vector<std::uint8_t> m(rng() % 200);
        for (auto& b : m)
            b = static_cast<std::uint8_t>(rng());
        if (m.size() >= pm::header_bytes + pm::checksum_bytes && i % 2 == 0) {
            // A plausible header and a valid checksum: the body parsers get the bytes.
            const auto body = m.size() - pm::header_bytes - pm::checksum_bytes;
            m[0] = static_cast<std::uint8_t>(1 + rng() % 6);
            m[10] = static_cast<std::uint8_t>(body >> 8);
            m[11] = static_cast<std::uint8_t>(body);
            pm::reseal(m);
        }
        pm::decoded d;
        ASSERT_NO_THROW(d = pm::decode(m, i % 3 == 0));
        ASSERT_TRUE(d.msg.has_value() != !d.error.empty());
    }
}
