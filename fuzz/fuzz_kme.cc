/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The KME's inputs from the wire: the peer's notices (INT stream 5) and the SAEs' JSON
// bodies and key IDs, through a KME on a real key store (a private directory made once
// per process on /dev/shm when there is one, removed at exit).
//
// Input: [mode u8] then the rest, by mode % 3:
//   0 a notice: decoded; a notice that decodes encodes back to the same bytes. Its seed
//     keys are put in the store first (so that reservations can succeed), the notice
//     goes to the KME, and the slave SAE then asks for every key it names: each answer
//     is 200 with the key's bytes or 400, and afterwards the store is empty again.
//   1 a Key request body: refused with 400 and an Error object, or taken; a Get key
//     with it answers 200, 400 or 503 and leaves the store as it was (empty).
//   2 a Key IDs body: refused with 400, or a Get key with key IDs on it answers 400 (the
//     store holds nothing).
// Besides the sanitizers: every answer's body is a JSON object.
#include "fuzz_input.h"

#include <fiberkey/kme.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

using namespace fiberkey;
namespace fs = std::filesystem;

namespace {

struct fixture {
    fs::path dir;
    std::unique_ptr<key_store> store;
    std::unique_ptr<kme> api;

    fixture()
    {
        std::string name = (fs::exists("/dev/shm") ? "/dev/shm" : "/tmp") +
                           std::string("/fiberkey-fuzz-kme-XXXXXX");
        FUZZ_CHECK(mkdtemp(name.data()) != nullptr);
        dir = name;
        {
            std::ofstream kek(dir / "kek");
            kek << std::string(64, '5') << "\n";
        }
        fs::permissions(dir / "kek", fs::perms::owner_read | fs::perms::owner_write);
        key_store::options o;
        o.path = (dir / "store.sqlite").string();
        o.kek_path = (dir / "kek").string();
        o.capacity = 4096;
        store = std::make_unique<key_store>(o);
        kme_config c; // KME_A, serving SAE_A towards SAE_B; its peer is the master here
        c.notice_wait = std::chrono::milliseconds(0);
        c.sae_id = "SAE_B";
        c.peer_sae_id = "SAE_A";
        api = std::make_unique<kme>(c, *store, [](std::vector<std::uint8_t>) {});
    }
    ~fixture()
    {
        api.reset();
        store.reset();
        std::error_code ignored;
        fs::remove_all(dir, ignored);
    }
};

fixture& the_fixture()
{
    static fixture f;
    return f;
}

void check_reply(const kme_reply& r, std::initializer_list<int> allowed)
{
    bool ok = false;
    for (int s : allowed)
        ok = ok || r.status == s;
    FUZZ_CHECK(ok);
    FUZZ_CHECK(nlohmann::json::parse(r.body, nullptr, false).is_object());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fixture& f = the_fixture();
    fuzz::input in(data, size);
    const unsigned mode = in.u8() % 3;
    const auto rest = in.rest();
    const std::string text(rest.begin(), rest.end());
    if (mode == 0) {
        const auto keys = decode_notice(rest);
        if (!keys) {
            FUZZ_CHECK(f.api->on_notice(rest) == false);
            return 0;
        }
        FUZZ_CHECK(encode_notice(*keys) ==
                   std::vector<std::uint8_t>(rest.begin(), rest.end()));
        std::array<std::uint8_t, 32> material{};
        std::uint32_t index = 0;
        for (const auto& k : *keys)
            for (const auto& id : k.seed_ids)
                f.store->add(id, 0, index++, material);
        FUZZ_CHECK(f.api->on_notice(rest));
        for (const auto& k : *keys) {
            const auto r = f.api->dec_keys(k.slave_sae, k.master_sae, { k.key_id });
            check_reply(r, { 200, 400, 401 });
        }
        // Whatever was not delivered goes, so that every input starts from an empty store.
        while (!f.store->take_oldest(0, 1).empty()) {
        }
        for (const auto& k : *keys)
            f.store->take_reserved(k.key_id);
        FUZZ_CHECK(f.store->size() == 0);
    } else if (mode == 1) {
        key_request r;
        if (const auto refused = kme::parse_key_request(text, r)) {
            check_reply(*refused, { 400 });
            return 0;
        }
        check_reply(f.api->enc_keys("SAE_B", "SAE_A", r), { 400, 503 });
    } else {
        std::vector<std::string> ids;
        if (const auto refused = kme::parse_key_ids(text, ids)) {
            check_reply(*refused, { 400 });
            return 0;
        }
        check_reply(f.api->dec_keys("SAE_B", "SAE_A", ids), { 400 });
    }
    return 0;
}
