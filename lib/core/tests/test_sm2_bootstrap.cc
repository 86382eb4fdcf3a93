/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/sm2_bootstrap.h>

#include <gtest/gtest.h>

using namespace fiberkey;
using node = sm2_bootstrap::node;
using state = sm2_bootstrap::state;

namespace {
struct pair_of_nodes {
    sm2_keypair a_key = sm2_keypair::generate();
    sm2_keypair b_key = sm2_keypair::generate();
    sm2_bootstrap a{ node::a, a_key, "node-A", b_key.public_key(), "node-B" };
    sm2_bootstrap b{ node::b, b_key, "node-B", a_key.public_key(), "node-A" };
};
} // namespace

TEST(sm2_bootstrap, both_nodes_get_the_same_distinct_directional_keys)
{
    for (int trial = 0; trial < 10; ++trial) {
        pair_of_nodes n;
        const auto m1 = n.a.start();
        ASSERT_TRUE(m1);
        EXPECT_FALSE(n.b.start()) << "B never speaks first";
        const auto m2 = n.b.on_message(*m1);
        ASSERT_TRUE(m2);
        EXPECT_EQ(n.b.current(), state::running) << "B waits for S_A";
        const auto early = n.b.take_early_receive_key();
        ASSERT_TRUE(early);
        EXPECT_FALSE(n.b.take_early_receive_key()) << "handed out once";
        const auto m3 = n.a.on_message(*m2);
        ASSERT_TRUE(m3);
        EXPECT_EQ(n.a.current(), state::done);
        EXPECT_FALSE(n.b.on_message(*m3));
        EXPECT_EQ(n.b.current(), state::done);
        const auto ka = n.a.take_keys();
        const auto kb = n.b.take_keys();
        ASSERT_TRUE(ka && kb);
        EXPECT_EQ(ka->k_ab, kb->k_ab);
        EXPECT_EQ(*early, kb->k_ab);
        EXPECT_EQ(ka->k_ba, kb->k_ba);
        EXPECT_NE(ka->k_ab, ka->k_ba);
        EXPECT_FALSE(n.a.take_keys()) << "handed out once";
    }
}

TEST(sm2_bootstrap, tampering_fails_without_a_key)
{
    {
        pair_of_nodes n;
        auto m1 = *n.a.start();
        auto m2 = *n.b.on_message(m1);
        m2.back() ^= 1; // S_B
        EXPECT_FALSE(n.a.on_message(m2));
        EXPECT_EQ(n.a.current(), state::failed);
        EXPECT_FALSE(n.a.take_keys());
        EXPECT_NE(n.a.reason().find("S_B"), std::string::npos);
    }
    {
        pair_of_nodes n;
        auto m1 = *n.a.start();
        m1[10] ^= 0x40; // R_A off the curve
        EXPECT_FALSE(n.b.on_message(m1));
        EXPECT_EQ(n.b.current(), state::failed);
    }
    {
        pair_of_nodes n;
        auto m2 = *n.b.on_message(*n.a.start());
        auto m3 = *n.a.on_message(m2);
        m3[5] ^= 0x80; // S_A
        n.b.on_message(m3);
        EXPECT_EQ(n.b.current(), state::failed);
        EXPECT_FALSE(n.b.take_keys());
    }
}

TEST(sm2_bootstrap, wrong_identity_or_peer_key_fails)
{
    auto a_key = sm2_keypair::generate();
    auto b_key = sm2_keypair::generate();
    auto mallory = sm2_keypair::generate();
    sm2_bootstrap a(node::a, a_key, "node-A", b_key.public_key(), "node-B");
    // B believes it talks to someone else.
    sm2_bootstrap b(node::b, b_key, "node-B", mallory.public_key(), "node-A");
    auto m2 = b.on_message(*a.start());
    ASSERT_TRUE(m2);
    EXPECT_FALSE(a.on_message(*m2));
    EXPECT_EQ(a.current(), state::failed);

    sm2_bootstrap a2(node::a, a_key, "node-A", b_key.public_key(), "node-B");
    sm2_bootstrap b2(node::b, b_key, "node-X", a_key.public_key(), "node-A");
    auto m2b = b2.on_message(*a2.start());
    ASSERT_TRUE(m2b);
    EXPECT_FALSE(a2.on_message(*m2b));
    EXPECT_EQ(a2.current(), state::failed);
}

TEST(sm2_bootstrap, malformed_and_out_of_order_messages_fail_cleanly)
{
    const std::vector<std::vector<uint8_t>> bad = {
        {}, { 1 }, { 9, 1, 2 }, std::vector<uint8_t>(66, 0), { 3, 1 },
    };
    for (const auto& m : bad) {
        pair_of_nodes n;
        EXPECT_FALSE(n.b.on_message(m));
        EXPECT_EQ(n.b.current(), state::failed);
        EXPECT_FALSE(n.b.take_keys());
    }
    pair_of_nodes n;
    auto m1 = *n.a.start();
    EXPECT_FALSE(n.a.on_message(m1)) << "A does not accept its own message";
    EXPECT_EQ(n.a.current(), state::failed);
    EXPECT_THROW(sm2_bootstrap(node::a, n.a_key, "A", std::vector<uint8_t>(65, 0), "B"),
                 std::invalid_argument);
}
