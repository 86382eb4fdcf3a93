/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The SM2 link-start exchange on the wire: sm2_bootstrap::on_message (messages 1-3 of
// protocol.md section 2) and, beneath it, sm2_key_exchange's parsers of the peer's
// bytes (process_peer_ephemeral, verify_peer_confirmation, the peer's static key in the
// constructor, the fixed ephemeral scalar) and sm2_za.
// Two nodes with fixed test key pairs (made once per process) run an exchange; the
// input decides what happens to each message on the way.
//
// Input: [config u8]
//   bit 0: the key exchange objects directly, with ephemeral scalars from the input
//          (sm2_key_exchange::with_fixed_ephemeral: reproducible), instead of
//          sm2_bootstrap, whose ephemerals come from OpenSSL's CSPRNG (so the messages
//          differ from run to run; the ops below act on them the same way)
//   bit 1: B expects another identity for A; bit 2: A expects another static key for B
//          (both must make the exchange fail)
//   bit 0 set: [r_A 32 bytes][r_B 32 bytes] (with_fixed_ephemeral refuses 0 and >= n
//          with std::invalid_argument)
//   then for each message in turn (1: A to B, 2: B to A, 3: A to B), [action u8]:
//     0 delivered          1 [at u8][xor u8] one byte changed
//     2 [length u8] cut to that length      3 [length u8][bytes] replaced
//     4 [length u8][bytes] appended          5 not delivered (the exchange stops)
//     6 delivered twice    7 the previous message delivered instead (a replay)
//   then, the exchange over, [length u8][bytes] of a peer public key given to sm2_za
//   and to a key exchange's constructor: both accept it or both refuse it.
// Checks, besides the sanitizers: on_message never throws; a failed node has a reason
// and no key; refusals by the key exchange are std::invalid_argument (bad bytes) or
// std::logic_error (out of order) or std::runtime_error (a shared point at infinity),
// with a message; when both nodes finish they hold the
// same two keys (and B's early receive key is K_AB), and that only happens when every
// message arrived as sent (a copy delivered again may only make a node fail); an
// exchange whose messages all arrive as sent, once, completes; a node given a wrong
// peer identity or key never finishes.
#include "fuzz_input.h"

#include <fiberkey/sm2_bootstrap.h>
#include <fiberkey/sm2_kex.h>

#include <array>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

using namespace fiberkey;

namespace {

using bytes = std::vector<std::uint8_t>;

struct identities {
    sm2_keypair a, b, other;
};

const identities& ids()
{
    static const identities i = [] {
        auto key = [](std::uint8_t seed) {
            std::array<std::uint8_t, 32> d{};
            for (std::size_t k = 0; k < d.size(); ++k)
                d[k] = static_cast<std::uint8_t>(seed + 13 * k);
            d[0] = 0x35; // well below n
            return sm2_keypair::from_private_key(d);
        };
        return identities{ key(1), key(2), key(3) };
    }();
    return i;
}

const std::string id_a = "node-A", id_b = "node-B", id_x = "node-X";

std::span<const std::uint8_t> as_bytes(const std::string& s)
{
    return { reinterpret_cast<const std::uint8_t*>(s.data()), s.size() };
}

//! What the channel did to one message: the bytes delivered (0, 1 or 2 times).
struct delivery {
    std::vector<bytes> copies;
    bool as_sent = true; // the first (or only) copy is exactly the message
    bool twice = false;
};

delivery carry(fuzz::input& in, const bytes& message, const bytes& previous)
{
    delivery d;
    bytes m = message;
    switch (in.u8() % 8) {
    case 0:
        break;
    case 1: {
        const std::size_t at = in.u8();
        const std::uint8_t x = in.u8();
        if (!m.empty())
            m[at % m.size()] ^= x;
        break;
    }
    case 2:
        m.resize(std::min<std::size_t>(in.u8(), m.size()));
        break;
    case 3: {
        const auto b = in.bytes(in.u8());
        m.assign(b.begin(), b.end());
        break;
    }
    case 4: {
        const auto b = in.bytes(in.u8());
        m.insert(m.end(), b.begin(), b.end());
        break;
    }
    case 5:
        d.as_sent = false;
        return d;
    case 6:
        d.copies.push_back(m);
        d.twice = true;
        break;
    case 7:
        m = previous;
        break;
    }
    d.copies.push_back(m);
    d.as_sent = d.as_sent && m == message;
    return d;
}

void check_failed(sm2_bootstrap& n)
{
    if (n.current() != sm2_bootstrap::state::failed)
        return;
    FUZZ_CHECK(!n.reason().empty());
    FUZZ_CHECK(!n.take_keys());
    FUZZ_CHECK(!n.take_early_receive_key());
}

std::optional<bytes> deliver(sm2_bootstrap& to, const bytes& m)
{
    try {
        auto reply = to.on_message(m);
        check_failed(to);
        return reply;
    } catch (...) {
        fuzz::fail("on_message threw", __FILE__, __LINE__);
    }
}

void bootstrap(fuzz::input& in, std::uint8_t config)
{
    const auto& k = ids();
    const bool wrong_id = config & 2, wrong_key = config & 4;
    sm2_bootstrap a(sm2_bootstrap::node::a,
                    k.a,
                    id_a,
                    (wrong_key ? k.other : k.b).public_key(),
                    id_b);
    sm2_bootstrap b(
        sm2_bootstrap::node::b, k.b, id_b, k.a.public_key(), wrong_id ? id_x : id_a);
    FUZZ_CHECK(!b.start());

    bool honest = true, twice = false;
    bytes previous;
    auto step = [&](const bytes& m, sm2_bootstrap& to, std::optional<bytes>& reply) {
        const delivery d = carry(in, m, previous);
        honest = honest && d.as_sent;
        twice = twice || d.twice;
        previous = m;
        for (const auto& c : d.copies) {
            auto r = deliver(to, c);
            if (r && !reply)
                reply = std::move(r);
        }
    };
    const auto m1 = a.start();
    FUZZ_CHECK(m1 && !a.start());
    std::optional<bytes> m2, m3, none;
    step(*m1, b, m2);
    const auto early = b.take_early_receive_key();
    // B's early key comes with its answer, and goes if B fails (a second message 1).
    FUZZ_CHECK(!early || m2);
    FUZZ_CHECK(early || !m2 || b.current() == sm2_bootstrap::state::failed);
    if (m2)
        step(*m2, a, m3);
    if (m3)
        step(*m3, b, none);
    FUZZ_CHECK(!none); // B never answers message 3

    const bool a_done = a.current() == sm2_bootstrap::state::done;
    const bool b_done = b.current() == sm2_bootstrap::state::done;
    const auto ka = a.take_keys();
    const auto kb = b.take_keys();
    FUZZ_CHECK(a_done == bool(ka) && b_done == bool(kb));
    FUZZ_CHECK(!a.take_keys() && !b.take_keys()); // handed out once
    if (wrong_key)
        FUZZ_CHECK(!a_done && !b_done);
    if (wrong_id)
        FUZZ_CHECK(!b_done);
    if (a_done && b_done) {
        FUZZ_CHECK(honest);
        FUZZ_CHECK(ka->k_ab == kb->k_ab && ka->k_ba == kb->k_ba);
        FUZZ_CHECK(ka->k_ab != ka->k_ba);
        FUZZ_CHECK(early && *early == kb->k_ab);
    }
    if (honest && !twice && !wrong_id && !wrong_key)
        FUZZ_CHECK(a_done && b_done);
}

//! Calls \p f, which may refuse with std::invalid_argument, std::logic_error or
//! std::runtime_error only, each with a message.
template <class F>
bool refused(F&& f)
{
    try {
        f();
        return false;
    } catch (const std::invalid_argument& e) {
        FUZZ_CHECK(*e.what());
    } catch (const std::logic_error& e) {
        FUZZ_CHECK(*e.what());
    } catch (const std::runtime_error& e) { // the shared point at infinity
        FUZZ_CHECK(*e.what());
    } catch (...) {
        fuzz::fail("not a documented exception", __FILE__, __LINE__);
    }
    return true;
}

void key_exchange(fuzz::input& in, std::uint8_t config)
{
    const auto& k = ids();
    const bool wrong_id = config & 2, wrong_key = config & 4;
    std::array<std::uint8_t, 32> ra{}, rb{};
    const auto ga = in.bytes(32);
    std::copy(ga.begin(), ga.end(), ra.begin());
    const auto gb = in.bytes(32);
    std::copy(gb.begin(), gb.end(), rb.begin());
    std::optional<sm2_key_exchange> a, b;
    const bool a_refused = refused([&] {
        a.emplace(sm2_key_exchange::with_fixed_ephemeral(
            sm2_role::initiator,
            k.a,
            as_bytes(id_a),
            (wrong_key ? k.other : k.b).public_key(),
            as_bytes(id_b),
            256,
            ra));
    });
    const bool b_refused = refused([&] {
        b.emplace(sm2_key_exchange::with_fixed_ephemeral(sm2_role::responder,
                                                         k.b,
                                                         as_bytes(id_b),
                                                         k.a.public_key(),
                                                         as_bytes(wrong_id ? id_x : id_a),
                                                         256,
                                                         rb));
    });
    if (a_refused || b_refused)
        return;
    // Out of order: nothing before the peer's R.
    FUZZ_CHECK(refused([&] { a->key(); }));
    FUZZ_CHECK(refused([&] { b->confirmation_tag(); }));

    bool honest = true;
    bytes previous;
    bool a_failed = false, b_failed = false;
    auto carry_to = [&](const bytes& m, auto&& take) {
        const delivery d = carry(in, m, previous);
        honest = honest && d.as_sent;
        previous = m;
        for (const auto& c : d.copies)
            take(c);
        return !d.copies.empty();
    };
    const bytes r_a(a->ephemeral_public().begin(), a->ephemeral_public().end());
    carry_to(r_a, [&](const bytes& c) {
        b_failed = refused([&] { b->process_peer_ephemeral(c); }) || b_failed;
    });
    if (b_failed || !honest)
        return; // a refused or changed R_A: B's tag cannot verify at A
    bytes m2(b->ephemeral_public().begin(), b->ephemeral_public().end());
    const auto& s_b = b->confirmation_tag();
    m2.insert(m2.end(), s_b.begin(), s_b.end());
    bool a_confirmed = false;
    carry_to(m2, [&](const bytes& c) {
        if (a_confirmed) { // delivered twice: out of order now, and no harm done
            FUZZ_CHECK(refused([&] { a->process_peer_ephemeral(c); }));
            return;
        }
        if (a_failed)
            return;
        if (refused([&] {
                a->process_peer_ephemeral(
                    std::span(c).first(std::min<std::size_t>(65, c.size())));
                a_confirmed = a->verify_peer_confirmation(
                    std::span(c).subspan(std::min<std::size_t>(65, c.size())));
            }))
            a_failed = true;
        else
            a_failed = !a_confirmed;
    });
    if (!a_confirmed || a_failed)
        return;
    const auto& s_a = a->confirmation_tag();
    bool b_confirmed = false;
    carry_to(bytes(s_a.begin(), s_a.end()), [&](const bytes& c) {
        if (b_confirmed) {
            FUZZ_CHECK(refused([&] { b->verify_peer_confirmation(c); }));
            return;
        }
        if (b_failed)
            return;
        if (refused([&] { b_confirmed = b->verify_peer_confirmation(c); }))
            b_failed = true;
        else
            b_failed = !b_confirmed;
    });
    if (a_confirmed && b_confirmed) {
        FUZZ_CHECK(honest && !wrong_id && !wrong_key);
        const auto ka = a->key(), kb = b->key();
        FUZZ_CHECK(std::equal(ka.begin(), ka.end(), kb.begin(), kb.end()));
    }
    if (b_failed)
        FUZZ_CHECK(refused([&] { b->key(); })); // a failed exchange is wiped for good
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    if (config & 1)
        key_exchange(in, config);
    else
        bootstrap(in, config);

    // A peer public key from the input: sm2_za and the key exchange agree on it.
    const auto given = in.bytes(in.u8());
    bool za_ok = false;
    const bool za_refused = refused([&] {
        sm2_za(as_bytes(id_a), given);
        za_ok = true;
    });
    FUZZ_CHECK(za_refused != za_ok);
    static const std::array<std::uint8_t, 32> r{ 1 };
    const bool kex_refused = refused([&] {
        sm2_key_exchange::with_fixed_ephemeral(
            sm2_role::initiator, ids().a, as_bytes(id_a), given, as_bytes(id_b), 128, r);
    });
    FUZZ_CHECK(kex_refused == za_refused);
    return 0;
}
