/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The KME without HTTP: the split and naming of application keys, the notice format,
// and two KMEs wired back to back over their notices (qa_key_delivery.py takes the same
// through HTTPS and the link).
#include <fiberkey/application_keys.h>
#include <fiberkey/kme.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <unistd.h>
#include <vector>

namespace fiberkey {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using key_bytes = std::array<std::uint8_t, 32>;

TEST(KeySplit, EveryPeriodthKeyReKeysTheLinkWithEpochsInTurn)
{
    const key_split split(4);
    std::vector<unsigned> epochs;
    for (std::uint32_t i = 0; i < 24; ++i) {
        EXPECT_EQ(split.for_link(i), i % 4 == 0);
        EXPECT_EQ(split.link_key_of(i), i / 4 * 4);
        if (split.for_link(i))
            epochs.push_back(split.link_epoch(i));
    }
    EXPECT_EQ(epochs, (std::vector<unsigned>{ 1, 2, 3, 0, 1, 2 }));
    // Period 1 is the link's old rule: every key, epoch (index + 1) mod 4.
    const key_split every(1);
    for (std::uint32_t i = 0; i < 9; ++i) {
        EXPECT_TRUE(every.for_link(i));
        EXPECT_EQ(every.link_epoch(i), (i + 1) % 4);
    }
    EXPECT_THROW(key_split(0), std::invalid_argument);
    EXPECT_THROW(key_split(1025), std::invalid_argument);
}

TEST(ApplicationKeyId, AVersion8UuidThatNamesOneKeyOfOneLinkSession)
{
    key_bytes link{};
    link[0] = 1;
    const auto id = application_key_id(link, 0, 5, 1280);
    EXPECT_EQ(id[6] >> 4, 8);
    EXPECT_EQ(id[8] >> 6, 2);
    EXPECT_EQ(id, application_key_id(link, 0, 5, 1280));
    EXPECT_EQ(id, key_namer(link, 4).id(0, 5, 1280));
    std::set<uuid_bytes> seen{ id };
    seen.insert(application_key_id(link, 1, 5, 1280));
    seen.insert(application_key_id(link, 0, 6, 1280));
    // Index 5 formed again at another position (a restarted follower): another key.
    seen.insert(application_key_id(link, 0, 5, 1536));
    key_bytes other = link;
    other[31] ^= 0x80;
    seen.insert(application_key_id(other, 0, 5, 1280));
    EXPECT_EQ(seen.size(), 5u);

    const std::string text = uuid_text(id);
    EXPECT_EQ(text.size(), 36u);
    EXPECT_EQ(parse_uuid(text), id);
    std::string upper = text;
    for (auto& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(parse_uuid(upper), id);
    for (const char* bad : { "",
                             "not-a-uuid",
                             "0123456789abcdef0123456789abcdef0123",
                             "01234567-89ab-cdef-0123-456789abcdeg",
                             "01234567-89ab-cdef-0123-456789abcde",
                             "01234567+89ab-cdef-0123-456789abcdef" })
        EXPECT_FALSE(parse_uuid(bad)) << bad;
}

// Each call names seed keys of its own.
key_reservation reservation(unsigned seeds, std::uint32_t bits)
{
    static std::uint32_t next_index = 0;
    key_reservation r;
    for (unsigned s = 0; s < seeds; ++s) {
        r.seed_ids.push_back(
            uuid_text(application_key_id(key_bytes{}, 0, next_index, 256 * next_index)));
        ++next_index;
    }
    r.key_id = r.seed_ids.front();
    r.size_bits = bits;
    r.master_sae = "SAE_A";
    r.slave_sae = "SAE_B";
    return r;
}

TEST(KmeNotice, RoundTripsAndRefusesEveryMalformedForm)
{
    const std::vector<key_reservation> keys{
        reservation(1, 256), reservation(2, 512), reservation(1, 8), reservation(3, 520)
    };
    const auto wire = encode_notice(keys);
    const auto back = decode_notice(wire);
    ASSERT_TRUE(back);
    ASSERT_EQ(back->size(), keys.size());
    for (std::size_t i = 0; i < keys.size(); ++i) {
        EXPECT_EQ((*back)[i].key_id, keys[i].key_id);
        EXPECT_EQ((*back)[i].seed_ids, keys[i].seed_ids);
        EXPECT_EQ((*back)[i].size_bits, keys[i].size_bits);
        EXPECT_EQ((*back)[i].master_sae, "SAE_A");
        EXPECT_EQ((*back)[i].slave_sae, "SAE_B");
        EXPECT_EQ((*back)[i].direction, 0);
    }
    // Every truncation, and one byte too many.
    for (std::size_t n = 0; n < wire.size(); ++n)
        EXPECT_FALSE(decode_notice(std::span(wire).first(n))) << n;
    auto longer = wire;
    longer.push_back(0);
    EXPECT_FALSE(decode_notice(longer));
    // A size that needs another number of seed keys than it names; version; kind.
    for (const auto& bad : { std::vector<key_reservation>{ reservation(2, 256) },
                             std::vector<key_reservation>{ reservation(1, 264) },
                             std::vector<key_reservation>{ reservation(1, 12) } }) {
        EXPECT_FALSE(decode_notice(encode_notice(bad)));
    }
    auto version = wire;
    version[0] = 2;
    EXPECT_FALSE(decode_notice(version));
    auto kind = wire;
    kind[1] = 7;
    EXPECT_FALSE(decode_notice(kind));
    auto direction = wire;
    direction[2] = 2;
    EXPECT_FALSE(decode_notice(direction));
    // A seed key named twice, in one key or in two.
    auto twice = keys;
    twice[1].seed_ids[1] = twice[1].seed_ids[0];
    EXPECT_FALSE(decode_notice(encode_notice(twice)));
    twice = keys;
    twice[2].seed_ids[0] = twice[0].seed_ids[0];
    twice[2].key_id = twice[2].seed_ids[0];
    EXPECT_FALSE(decode_notice(encode_notice(twice)));
    // Random bytes, with a valid head: refused or parsed, never a crash.
    std::mt19937 rng(7);
    for (int trial = 0; trial < 2000; ++trial) {
        std::vector<std::uint8_t> junk(rng() % 200 + 2);
        for (auto& b : junk)
            b = static_cast<std::uint8_t>(rng());
        junk[0] = 1;
        junk[1] = 1;
        (void)decode_notice(junk);
    }
}

// Two KMEs, each on its own store, whose notices go straight to each other.
class KmePair : public ::testing::Test
{
protected:
    void SetUp() override
    {
        dir = fs::temp_directory_path() /
              ("fiberkey-kme-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir);
        fs::create_directories(dir);
        const auto kek = dir / "kek";
        {
            std::ofstream f(kek);
            f << std::string(64, 'a') << "\n";
        }
        fs::permissions(kek, fs::perms::owner_read | fs::perms::owner_write);
        for (int n = 0; n < 2; ++n) {
            key_store::options o;
            o.path = (dir / (n == 0 ? "a.sqlite" : "b.sqlite")).string();
            o.kek_path = kek.string();
            o.capacity = 1000;
            stores[n] = std::make_unique<key_store>(o);
        }
        kme_config ca;
        ca.notice_wait = std::chrono::milliseconds(0);
        kme_config cb = ca;
        cb.kme_id = "KME_B";
        cb.peer_kme_id = "KME_A";
        cb.sae_id = "SAE_B";
        cb.peer_sae_id = "SAE_A";
        cb.master_direction = 1;
        a = std::make_unique<kme>(
            ca, *stores[0], [this](std::vector<std::uint8_t> n) { b->on_notice(n); });
        b = std::make_unique<kme>(
            cb, *stores[1], [this](std::vector<std::uint8_t> n) { a->on_notice(n); });
        // The same application keys at both ends, as both post-processors give them.
        key_bytes link{};
        for (std::uint8_t d = 0; d < 2; ++d)
            for (std::uint32_t i = 1; i <= 20; ++i) {
                key_bytes k{};
                for (std::size_t j = 0; j < k.size(); ++j)
                    k[j] = static_cast<std::uint8_t>(i * 7 + j + 100 * d);
                const auto id = application_key_id(link, d, i, 256 * i);
                a->add_key(id, d, i, k);
                b->add_key(id, d, i, k);
            }
    }
    void TearDown() override
    {
        a.reset();
        b.reset();
        stores[0].reset();
        stores[1].reset();
        fs::remove_all(dir);
    }

    static json body(const kme_reply& r) { return json::parse(r.body); }
    static std::vector<std::string> ids(const kme_reply& r)
    {
        std::vector<std::string> out;
        const json container = body(r); // alive for the loop
        for (const auto& k : container["keys"])
            out.push_back(k["key_ID"]);
        return out;
    }

    fs::path dir;
    std::unique_ptr<key_store> stores[2];
    std::unique_ptr<kme> a, b;
};

TEST_F(KmePair, MasterAndSlaveDeliverTheSameKeysOnce)
{
    key_request r;
    r.number = 2;
    r.size = 512;
    const auto taken = a->enc_keys("SAE_A", "SAE_B", r);
    ASSERT_EQ(taken.status, 200) << taken.body;
    const auto given = b->dec_keys("SAE_B", "SAE_A", ids(taken));
    ASSERT_EQ(given.status, 200) << given.body;
    EXPECT_EQ(body(taken), body(given));
    EXPECT_EQ(body(taken)["keys"][0]["key"].get<std::string>().size(), 88u); // 64 bytes
    EXPECT_EQ(a->keys_available(0), 16u);
    EXPECT_EQ(b->keys_available(0), 16u);
    // Once: the slave's store no longer holds them.
    EXPECT_EQ(b->dec_keys("SAE_B", "SAE_A", ids(taken)).status, 400);
    // The other direction's master is B.
    const auto back = b->enc_keys("SAE_B", "SAE_A", key_request{});
    ASSERT_EQ(back.status, 200);
    EXPECT_EQ(body(back), body(a->dec_keys("SAE_A", "SAE_B", ids(back))));
    EXPECT_EQ(b->keys_available(1), 19u);
    EXPECT_EQ(a->stats().keys_delivered_as_master, 2u);
    EXPECT_EQ(b->stats().keys_delivered_as_slave, 2u);
}

TEST_F(KmePair, RefusesWithTheSpecsStatusAndTakesNothing)
{
    const auto status = [](const kme_reply& r) { return r.status; };
    key_request one;
    EXPECT_EQ(status(a->status("", "SAE_B")), 401);
    EXPECT_EQ(status(a->status("SAE_C", "SAE_B")), 401);
    EXPECT_EQ(status(a->enc_keys("SAE_B", "SAE_A", one)), 401);
    EXPECT_EQ(status(a->status("SAE_A", "SAE_X")), 400);
    for (long long n : { 0LL, -1LL, 129LL })
        EXPECT_EQ(status(a->enc_keys("SAE_A", "SAE_B", key_request{ n, {} })), 400);
    for (long long s : { 0LL, 7LL, 260LL - 1, 4104LL })
        EXPECT_EQ(status(a->enc_keys("SAE_A", "SAE_B", key_request{ {}, s })), 400);
    EXPECT_EQ(status(a->enc_keys("SAE_A", "SAE_B", key_request{ 11, 512 })), 503);
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", {})), 400);
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", { "nope" })), 400);
    // The client's bytes quoted in the message need not be UTF-8 (fuzz_kme found it).
    const auto not_utf8 = b->dec_keys("SAE_B", "SAE_A", { "\xff\xfe id" });
    EXPECT_EQ(not_utf8.status, 400);
    EXPECT_TRUE(json::parse(not_utf8.body).contains("message"));
    const auto unknown = uuid_text(application_key_id(key_bytes{}, 0, 99, 0));
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", { unknown })), 400);
    EXPECT_EQ(a->keys_available(0), 20u);
    EXPECT_EQ(b->keys_available(0), 20u);

    // A slave asking for keys with one ID it may not have gets none of them.
    const auto taken = a->enc_keys("SAE_A", "SAE_B", key_request{ 2, {} });
    auto both = ids(taken);
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", { both[0], unknown })), 400);
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", { both[0], both[0] })), 400);
    EXPECT_EQ(status(b->dec_keys("SAE_B", "SAE_A", both)), 200);

    // A notice for keys of the direction B hands out itself: B is their master, not a
    // slave, so it reserves none (two masters would hand out the same key).
    key_reservation own;
    own.seed_ids = { uuid_text(application_key_id(key_bytes{}, 1, 3, 0)) };
    own.key_id = own.seed_ids[0];
    own.size_bits = 256;
    own.master_sae = "SAE_A";
    own.slave_sae = "SAE_B";
    own.direction = 1;
    const auto refused_before = b->stats().reservations_refused;
    EXPECT_TRUE(b->on_notice(encode_notice({ own })));
    EXPECT_EQ(b->stats().reservations_refused, refused_before + 1);
    EXPECT_EQ(b->keys_available(1), 20u);

    const auto st = body(a->status("SAE_A", "SAE_B"));
    EXPECT_EQ(st["stored_key_count"], 18);
    EXPECT_EQ(st["max_key_count"], 1000);
    EXPECT_EQ(st["max_SAE_ID_count"], 0);
}

TEST(KmeBodies, ParsesTheSpecsObjectsAndRefusesTheRest)
{
    key_request r;
    EXPECT_FALSE(kme::parse_key_request(R"({"number": 3, "size": 512})", r));
    EXPECT_EQ(r.number, 3);
    EXPECT_EQ(r.size, 512);
    key_request empty;
    EXPECT_FALSE(kme::parse_key_request(R"({"extension_optional": [{"x": 1}]})", empty));
    EXPECT_FALSE(empty.number);
    for (const char* bad : { "",
                             "{",
                             "[]",
                             R"({"number": "3"})",
                             R"({"size": 1.5})",
                             R"({"additional_slave_SAE_IDs": ["SAE_C"]})",
                             R"({"extension_mandatory": [{"x": 1}]})" }) {
        key_request x;
        const auto refused = kme::parse_key_request(bad, x);
        ASSERT_TRUE(refused) << bad;
        EXPECT_EQ(refused->status, 400);
        EXPECT_TRUE(json::parse(refused->body).contains("message"));
    }
    std::vector<std::string> ids;
    EXPECT_FALSE(
        kme::parse_key_ids(R"({"key_IDs": [{"key_ID": "a"}, {"key_ID": "b"}]})", ids));
    EXPECT_EQ(ids, (std::vector<std::string>{ "a", "b" }));
    for (const char* bad : { R"({"key_IDs": "a"})",
                             R"({"key_IDs": [1]})",
                             R"({"key_IDs": [{"id": "a"}]})",
                             R"({})" }) {
        std::vector<std::string> x;
        EXPECT_TRUE(kme::parse_key_ids(bad, x)) << bad;
    }
}

TEST(KmeConfig, RefusesBadSettings)
{
    const auto refused = [](auto change) {
        kme_config c;
        change(c);
        EXPECT_THROW(validate(c), std::invalid_argument);
    };
    refused([](kme_config& c) { c.sae_id = "a/b"; });
    refused([](kme_config& c) { c.kme_id = ""; });
    refused([](kme_config& c) { c.peer_kme_id = c.kme_id; });
    refused([](kme_config& c) { c.peer_sae_id = c.sae_id; });
    refused([](kme_config& c) { c.master_direction = 2; });
    refused([](kme_config& c) { c.key_size = 12; });
    refused([](kme_config& c) { c.max_key_size = 16392; });
    refused([](kme_config& c) { c.max_keys_per_request = 0; });
    EXPECT_NO_THROW(validate(kme_config{}));
    EXPECT_TRUE(valid_entity_id(std::string(64, 'x')));
    EXPECT_FALSE(valid_entity_id(std::string(65, 'x')));
}

} // namespace
} // namespace fiberkey
