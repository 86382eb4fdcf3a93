/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/kme.h>
#include <fiberkey/secure_memory.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <set>
#include <stdexcept>

namespace fiberkey {

namespace {

using json = nlohmann::json;

constexpr std::uint8_t notice_version = 1;
constexpr std::uint8_t notice_delivered = 1;
constexpr std::size_t max_seeds_per_key = 64;
constexpr std::size_t max_notice_keys = 1024;

// A Key container written straight into one buffer reserved for all of it, so that no
// copy of a key is left behind; the reply's owner wipes it once it is sent.
class key_container
{
public:
    key_container(std::size_t keys, std::size_t key_bytes)
    {
        d_body.reserve(16 + keys * (64 + base64_length(key_bytes)));
        d_body = "{\"keys\":[";
    }
    key_container(const key_container&) = delete;
    key_container& operator=(const key_container&) = delete;
    ~key_container() { secure_wipe(d_body); }

    //! The first \p bytes of the seed keys end to end, as the key \p id.
    void add(const std::string& id, std::span<const stored_key> seeds, std::size_t bytes)
    {
        std::array<std::uint8_t, 32 * max_seeds_per_key> material;
        for (std::size_t s = 0; s < seeds.size(); ++s)
            std::copy(
                seeds[s].key.begin(), seeds[s].key.end(), material.begin() + 32 * s);
        d_body += d_keys++ ? ",{\"key_ID\":\"" : "{\"key_ID\":\"";
        d_body += id;
        d_body += "\",\"key\":\"";
        const std::size_t at = d_body.size();
        d_body.resize(at + base64_length(bytes)); // within the reserve: no copy moves
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(d_body.data() + at),
                        material.data(),
                        static_cast<int>(bytes));
        secure_wipe(material);
        d_body += "\"}";
    }
    std::string finish()
    {
        d_body += "]}";
        return std::move(d_body);
    }

private:
    static std::size_t base64_length(std::size_t bytes) { return 4 * ((bytes + 2) / 3); }

    std::string d_body;
    std::size_t d_keys = 0;
};

// Whether the body parses as a JSON object; what to answer when not.
std::optional<kme_reply> parse_object(std::string_view text, json& out)
{
    out = json::parse(text, nullptr, false);
    if (out.is_discarded())
        return kme::error(400, "the body is not JSON");
    if (!out.is_object())
        return kme::error(400, "the body must be a JSON object");
    return std::nullopt;
}

// The spec's extension_mandatory: a KME that does not support one must refuse the request.
std::optional<kme_reply> refuse_mandatory_extensions(const json& body)
{
    const auto it = body.find("extension_mandatory");
    if (it == body.end() || it->is_null() || (it->is_array() && it->empty()))
        return std::nullopt;
    return kme::error(400, "extension_mandatory: this KME supports no extension");
}

void put_u16(std::vector<std::uint8_t>& out, std::uint32_t v)
{
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}

void put_id(std::vector<std::uint8_t>& out, const std::string& id)
{
    out.push_back(static_cast<std::uint8_t>(id.size()));
    out.insert(out.end(), id.begin(), id.end());
}

} // namespace

bool valid_entity_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 &&
           std::all_of(id.begin(), id.end(), [](char c) {
               return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
           });
}

void validate(const kme_config& c)
{
    for (const auto* id : { &c.kme_id, &c.peer_kme_id, &c.sae_id, &c.peer_sae_id })
        if (!valid_entity_id(*id))
            throw std::invalid_argument("KME: the ID \"" + *id +
                                        "\" is not 1..64 of A-Z a-z 0-9 _ . -");
    if (c.kme_id == c.peer_kme_id)
        throw std::invalid_argument("KME: the peer KME needs another ID than this one");
    if (c.sae_id == c.peer_sae_id)
        throw std::invalid_argument(
            "KME: the peer's SAE needs another ID than this one's");
    if (c.master_direction > 1)
        throw std::invalid_argument("KME: the master direction is 0 (AB) or 1 (BA)");
    const auto size_ok = [](unsigned bits) {
        return bits >= 8 && bits % 8 == 0 && bits <= 256 * max_seeds_per_key;
    };
    if (!size_ok(c.min_key_size) || !size_ok(c.max_key_size) ||
        c.min_key_size > c.max_key_size)
        throw std::invalid_argument("KME: key sizes are multiples of 8 bits, 8.." +
                                    std::to_string(256 * max_seeds_per_key) +
                                    ", the least no more than the most");
    if (c.key_size < c.min_key_size || c.key_size > c.max_key_size || c.key_size % 8)
        throw std::invalid_argument(
            "KME: the default key size must be a multiple of 8 between the least and the "
            "most");
    if (c.max_keys_per_request < 1 || c.max_keys_per_request > max_notice_keys)
        throw std::invalid_argument("KME: keys per request must be 1.." +
                                    std::to_string(max_notice_keys));
    const std::size_t seeds = (c.max_key_size + 255) / 256;
    const std::size_t notice_bytes =
        3 + 2 * 65 + 2 + c.max_keys_per_request * (5 + 16 * seeds);
    if (notice_bytes > c.max_notice_bytes)
        throw std::invalid_argument(
            "KME: a request of " + std::to_string(c.max_keys_per_request) + " keys of " +
            std::to_string(c.max_key_size) + " bits needs a notice of " +
            std::to_string(notice_bytes) + " bytes, more than the link carries (" +
            std::to_string(c.max_notice_bytes) +
            "): fewer keys per request or smaller keys");
    if (c.notice_wait.count() < 0 || c.notice_wait > std::chrono::minutes(1))
        throw std::invalid_argument("KME: the notice wait must be 0..60 s");
}

kme::kme(kme_config config, key_store& store, notice_sender send)
    : d_config(std::move(config)), d_store(store), d_send(std::move(send))
{
    validate(d_config);
}

kme_reply kme::error(int status,
                     const std::string& message,
                     const std::vector<std::string>& details)
{
    json body = { { "message", message } };
    if (!details.empty()) {
        json list = json::array();
        for (const auto& d : details)
            list.push_back({ { "reason", d } });
        body["details"] = list;
    }
    // A message may quote the client's bytes, which need not be UTF-8.
    return { status, body.dump(-1, ' ', false, json::error_handler_t::replace) };
}

kme_reply kme::refused(kme_reply reply)
{
    std::lock_guard lock(d_mutex);
    ++d_stats.requests;
    return refuse_locked(std::move(reply));
}

kme_reply kme::refuse_locked(kme_reply reply)
{
    ++d_stats.requests_refused;
    return reply;
}

void kme::add_key(const uuid_bytes& id,
                  std::uint8_t direction,
                  std::uint32_t key_index,
                  std::span<const std::uint8_t, 32> key)
{
    std::lock_guard lock(d_mutex);
    if (d_store.add(uuid_text(id), direction, key_index, key))
        ++d_stats.keys_added;
    else
        ++d_stats.keys_unstored;
}

std::optional<kme_reply> kme::check_caller(const std::string& caller,
                                           const std::string& peer_in_path,
                                           const char* role) const
{
    if (caller.empty())
        return error(401, "a client certificate signed by this KME's CA is required");
    if (caller != d_config.sae_id)
        return error(401, "SAE " + caller + " is not served by " + d_config.kme_id);
    if (peer_in_path != d_config.peer_sae_id)
        return error(400,
                     std::string(role) + " SAE " + peer_in_path + " is unknown to " +
                         d_config.kme_id + " (it knows " + d_config.peer_sae_id + ")");
    return std::nullopt;
}

kme_reply kme::status(const std::string& caller, const std::string& slave_sae)
{
    std::lock_guard lock(d_mutex);
    ++d_stats.requests;
    if (auto refused = check_caller(caller, slave_sae, "slave"))
        return refuse_locked(*refused);
    const unsigned per_key = seeds_per_key(d_config.key_size);
    const json body = {
        { "source_KME_ID", d_config.kme_id },
        { "target_KME_ID", d_config.peer_kme_id },
        { "master_SAE_ID", caller },
        { "slave_SAE_ID", slave_sae },
        { "key_size", d_config.key_size },
        { "stored_key_count", d_store.available(d_config.master_direction) / per_key },
        { "max_key_count", d_store.capacity() / per_key },
        { "max_key_per_request", d_config.max_keys_per_request },
        { "max_key_size", d_config.max_key_size },
        { "min_key_size", d_config.min_key_size },
        { "max_SAE_ID_count", 0 },
    };
    return { 200, body.dump() };
}

std::optional<kme_reply> kme::parse_key_request(std::string_view text, key_request& out)
{
    json body;
    if (auto bad = parse_object(text, body))
        return bad;
    if (auto bad = refuse_mandatory_extensions(body))
        return bad;
    for (const char* field : { "number", "size" }) {
        const auto it = body.find(field);
        if (it == body.end())
            continue;
        if (!it->is_number_integer())
            return error(400, std::string(field) + " must be an integer");
        (std::string_view(field) == "number" ? out.number : out.size) =
            it->get<long long>();
    }
    const auto slaves = body.find("additional_slave_SAE_IDs");
    if (slaves != body.end() && !(slaves->is_array() && slaves->empty()))
        return error(400,
                     "additional_slave_SAE_IDs: this KME delivers to one slave SAE "
                     "(max_SAE_ID_count 0)");
    return std::nullopt;
}

std::optional<kme_reply> kme::parse_key_ids(std::string_view text,
                                            std::vector<std::string>& out)
{
    json body;
    if (auto bad = parse_object(text, body))
        return bad;
    if (auto bad = refuse_mandatory_extensions(body))
        return bad;
    const auto ids = body.find("key_IDs");
    if (ids == body.end() || !ids->is_array())
        return error(400, "key_IDs must be an array of {\"key_ID\": UUID}");
    for (const auto& entry : *ids) {
        if (!entry.is_object() || !entry.contains("key_ID") ||
            !entry["key_ID"].is_string())
            return error(400, "each member of key_IDs must be {\"key_ID\": UUID}");
        out.push_back(entry["key_ID"].get<std::string>());
    }
    return std::nullopt;
}

kme_reply kme::enc_keys(const std::string& caller,
                        const std::string& slave_sae,
                        const key_request& r)
{
    std::lock_guard lock(d_mutex);
    ++d_stats.requests;
    if (auto refused = check_caller(caller, slave_sae, "slave"))
        return refuse_locked(*refused);
    const long long number = r.number.value_or(1);
    const long long size = r.size.value_or(d_config.key_size);
    if (number < 1 || number > d_config.max_keys_per_request)
        return refuse_locked(error(
            400, "number must be 1.." + std::to_string(d_config.max_keys_per_request)));
    if (size < d_config.min_key_size || size > d_config.max_key_size || size % 8 != 0)
        return refuse_locked(error(400,
                                   "size must be a multiple of 8 bits, " +
                                       std::to_string(d_config.min_key_size) + ".." +
                                       std::to_string(d_config.max_key_size)));
    const unsigned per_key = seeds_per_key(static_cast<unsigned>(size));
    const auto needed = static_cast<std::size_t>(number) * per_key;
    auto seeds = d_store.take_oldest(d_config.master_direction, needed);
    if (seeds.empty())
        return refuse_locked(
            error(503,
                  "not enough key material: " + std::to_string(number) + " keys of " +
                      std::to_string(size) + " bits need " + std::to_string(needed) +
                      " seed keys, " +
                      std::to_string(d_store.available(d_config.master_direction)) +
                      " held; try again later"));
    std::vector<key_reservation> delivered;
    key_container container(std::size_t(number), std::size_t(size) / 8);
    for (std::size_t k = 0; k < std::size_t(number); ++k) {
        const auto mine =
            std::span<const stored_key>(seeds).subspan(k * per_key, per_key);
        key_reservation d;
        d.key_id = mine.front().key_id;
        d.size_bits = static_cast<std::uint32_t>(size);
        d.master_sae = caller;
        d.slave_sae = slave_sae;
        d.direction = d_config.master_direction;
        for (const auto& seed : mine)
            d.seed_ids.push_back(seed.key_id);
        container.add(d.key_id, mine, std::size_t(size) / 8);
        delivered.push_back(std::move(d));
    }
    // Queued to the peer KME before the master SAE has its keys; INT delivers in order.
    d_send(encode_notice(delivered));
    ++d_stats.notices_sent;
    d_stats.keys_delivered_as_master += std::size_t(number);
    std::string body = container.finish();
    return { 200, std::move(body) };
}

bool kme::on_notice(std::span<const std::uint8_t> notice)
{
    auto keys = decode_notice(notice);
    std::lock_guard lock(d_mutex);
    if (!keys) {
        ++d_stats.notices_refused;
        return false;
    }
    ++d_stats.notices_received;
    key_store::batch batch(d_store);
    for (const auto& k : *keys)
        // Keys of the direction the peer leads only: this KME is the master of the other.
        if (k.master_sae != d_config.peer_sae_id || k.slave_sae != d_config.sae_id ||
            k.direction == d_config.master_direction ||
            d_store.reserve(k) != key_store::reserve_result::ok)
            ++d_stats.reservations_refused;
    batch.commit();
    d_noticed.notify_all();
    return true;
}

kme_reply kme::dec_keys(const std::string& caller,
                        const std::string& master_sae,
                        const std::vector<std::string>& key_ids)
{
    std::unique_lock lock(d_mutex);
    ++d_stats.requests;
    if (auto refused = check_caller(caller, master_sae, "master"))
        return refuse_locked(*refused);
    if (key_ids.empty() || key_ids.size() > d_config.max_keys_per_request)
        return refuse_locked(error(400,
                                   "key_IDs must name 1.." +
                                       std::to_string(d_config.max_keys_per_request) +
                                       " keys"));
    std::vector<std::string> ids;
    std::set<std::string> seen;
    for (const auto& text : key_ids) {
        const auto id = parse_uuid(text);
        if (!id)
            return refuse_locked(
                error(400, "key_ID " + text.substr(0, 64) + " is not a UUID"));
        ids.push_back(uuid_text(*id));
        if (!seen.insert(ids.back()).second)
            return refuse_locked(error(400, "key_ID " + ids.back() + " is named twice"));
    }
    // The master's notice may still be on its way over the link.
    // The reservations, read once per wake-up: the missing ones' IDs, or all of them.
    std::vector<std::string> missing;
    std::vector<key_reservation> found;
    d_noticed.wait_for(lock, d_config.notice_wait, [&] {
        missing.clear();
        found.clear();
        for (const auto& id : ids) {
            auto r = d_store.reservation(id);
            if (!r || r->master_sae != master_sae || r->slave_sae != caller)
                missing.push_back(id);
            else
                found.push_back(std::move(*r));
        }
        return missing.empty();
    });
    if (!missing.empty()) {
        std::vector<std::string> details;
        for (const auto& id : missing)
            details.push_back("key_ID " + id + " was not issued to " + caller + " by " +
                              master_sae + ", or was delivered already");
        return refuse_locked(error(400, "key not found", details));
    }
    std::size_t most_bytes = 0;
    for (const auto& r : found)
        most_bytes = std::max<std::size_t>(most_bytes, r.size_bits / 8);
    key_container container(found.size(), most_bytes);
    key_store::batch batch(d_store);
    for (const auto& r : found) {
        auto seeds = d_store.take_reserved(r.key_id);
        if (seeds.size() != seeds_per_key(r.size_bits))
            throw key_store_error("the reservation of " + r.key_id +
                                  " does not match its seed keys"); // rolled back
        container.add(r.key_id, seeds, r.size_bits / 8);
    }
    batch.commit(); // deleted for good before the SAE has them
    d_stats.keys_delivered_as_slave += ids.size();
    std::string body = container.finish();
    return { 200, std::move(body) };
}

kme::counters kme::stats() const
{
    std::lock_guard lock(d_mutex);
    return d_stats;
}

std::size_t kme::keys_available(std::uint8_t direction) const
{
    std::lock_guard lock(d_mutex);
    return d_store.available(direction);
}

key_store::counters kme::store_stats() const
{
    std::lock_guard lock(d_mutex);
    return d_store.stats();
}

std::vector<std::uint8_t> encode_notice(const std::vector<key_reservation>& keys)
{
    if (keys.empty() || keys.size() > max_notice_keys || keys.front().direction > 1)
        throw std::invalid_argument("a notice names 1..1024 keys of direction 0 or 1");
    std::vector<std::uint8_t> out{ notice_version,
                                   notice_delivered,
                                   keys.front().direction };
    put_id(out, keys.front().master_sae);
    put_id(out, keys.front().slave_sae);
    put_u16(out, static_cast<std::uint32_t>(keys.size()));
    for (const auto& k : keys) {
        for (int shift = 24; shift >= 0; shift -= 8)
            out.push_back(static_cast<std::uint8_t>(k.size_bits >> shift));
        out.push_back(static_cast<std::uint8_t>(k.seed_ids.size()));
        for (const auto& id : k.seed_ids) {
            const auto bytes = parse_uuid(id);
            if (!bytes)
                throw std::invalid_argument("a seed key ID is not a UUID");
            out.insert(out.end(), bytes->begin(), bytes->end());
        }
    }
    return out;
}

std::optional<std::vector<key_reservation>> decode_notice(std::span<const std::uint8_t> n)
{
    std::size_t at = 0;
    auto take = [&](std::size_t bytes) -> std::optional<std::span<const std::uint8_t>> {
        if (n.size() - at < bytes)
            return std::nullopt;
        auto part = n.subspan(at, bytes);
        at += bytes;
        return part;
    };
    auto take_id = [&]() -> std::optional<std::string> {
        const auto length = take(1);
        if (!length)
            return std::nullopt;
        const auto text = take((*length)[0]);
        if (!text)
            return std::nullopt;
        std::string id(text->begin(), text->end());
        if (!valid_entity_id(id))
            return std::nullopt;
        return id;
    };
    const auto head = take(3);
    if (!head || (*head)[0] != notice_version || (*head)[1] != notice_delivered ||
        (*head)[2] > 1)
        return std::nullopt;
    const auto master = take_id();
    const auto slave = master ? take_id() : std::nullopt;
    const auto count = slave ? take(2) : std::nullopt;
    if (!count)
        return std::nullopt;
    const std::size_t keys = std::size_t((*count)[0]) << 8 | (*count)[1];
    if (keys < 1 || keys > max_notice_keys)
        return std::nullopt;
    std::vector<key_reservation> out;
    std::set<std::string> seen; // a seed key is in one key only
    for (std::size_t k = 0; k < keys; ++k) {
        const auto fields = take(5);
        if (!fields)
            return std::nullopt;
        key_reservation r;
        r.size_bits = std::uint32_t((*fields)[0]) << 24 |
                      std::uint32_t((*fields)[1]) << 16 |
                      std::uint32_t((*fields)[2]) << 8 | (*fields)[3];
        const std::size_t seeds = (*fields)[4];
        if (seeds < 1 || seeds > max_seeds_per_key || r.size_bits < 8 ||
            r.size_bits % 8 != 0 || r.size_bits > 256 * seeds ||
            r.size_bits <= 256 * (seeds - 1))
            return std::nullopt;
        for (std::size_t s = 0; s < seeds; ++s) {
            const auto id = take(16);
            if (!id)
                return std::nullopt;
            uuid_bytes bytes;
            std::copy(id->begin(), id->end(), bytes.begin());
            r.seed_ids.push_back(uuid_text(bytes));
            if (!seen.insert(r.seed_ids.back()).second)
                return std::nullopt;
        }
        r.key_id = r.seed_ids.front();
        r.master_sae = *master;
        r.slave_sae = *slave;
        r.direction = (*head)[2];
        out.push_back(std::move(r));
    }
    if (at != n.size())
        return std::nullopt;
    return out;
}

} // namespace fiberkey
