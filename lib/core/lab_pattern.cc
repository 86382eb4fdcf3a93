/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/hex.h>
#include <fiberkey/lab_pattern.h>
#include <fiberkey/neg_block.h>
#include <fiberkey/round_arithmetic.h>
#include <fiberkey/secure_memory.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <tuple>
#include <utility>

namespace fiberkey {

namespace {

using json = nlohmann::json;
constexpr std::size_t block_bytes = frame_layout::block_bytes;
// A manifest is a few hundred bytes; anything far larger is not one.
constexpr std::uintmax_t max_manifest_bytes = 1 << 16;

[[noreturn]] void fail(const std::string& path, const std::string& what)
{
    throw lab_pattern_error(path + ": " + what);
}

std::vector<std::uint8_t> read_file(const std::string& path, std::uintmax_t max_bytes)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        fail(path, "not a readable regular file");
    if (std::filesystem::file_size(path, ec) > max_bytes)
        fail(path, "larger than a pattern file can be");
    std::ifstream in(path, std::ios::binary);
    std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
    if (!in.eof() && in.fail())
        fail(path, "cannot be read");
    return data;
}

std::string sha256_hex(const std::vector<std::uint8_t>& data)
{
    std::array<unsigned char, 32> digest{};
    unsigned int length = 0;
    if (EVP_Digest(
            data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) !=
            1 ||
        length != digest.size())
        throw lab_pattern_error("SHA-256 failed");
    return to_hex(digest);
}

//! A non-negative integer field (written as one: not 3.5, not -1, not 1e30).
std::uint64_t count_field(const json& m, const char* name, const std::string& path)
{
    const auto it = m.find(name);
    if (it == m.end())
        fail(path, std::string("no field ") + name);
    if (!it->is_number_unsigned())
        fail(path, std::string("field ") + name + " must be a non-negative integer");
    return it->get<std::uint64_t>();
}

template <typename T>
T field(const json& m, const char* name, const std::string& path)
{
    const auto it = m.find(name);
    if (it == m.end())
        fail(path, std::string("no field ") + name);
    try {
        return it->get<T>();
    } catch (const json::exception&) {
        fail(path, std::string("field ") + name + " has the wrong type");
    }
}

} // namespace

lab_pattern::~lab_pattern()
{
    secure_wipe(session_key);
    secure_wipe(blocks);
}

lab_pattern lab_pattern::read(const std::string& prefix)
{
    const std::string path = prefix.ends_with(".json") ? prefix : prefix + ".json";
    // The manifest holds the session key: its text and the parsed copy are wiped.
    auto text = read_file(path, max_manifest_bytes);
    json m = json::parse(text.begin(), text.end(), nullptr, false);
    secure_wipe(text);
    struct wipe_key {
        json& m;
        ~wipe_key()
        {
            if (m.is_object() && m.contains("session_key") &&
                m["session_key"].is_string())
                secure_wipe(m["session_key"].get_ref<std::string&>());
        }
    } wipe{ m };
    if (!m.is_object() || !m.contains("fiberkey_lab_pattern") ||
        m["fiberkey_lab_pattern"] != manifest_version)
        fail(path, "not a fiberkey-lab pattern manifest (version 1)");
    lab_pattern p;
    const auto node = field<std::string>(m, "node", path);
    if (node != "A" && node != "B")
        fail(path, "node must be A or B");
    p.node = node[0];
    if (count_field(m, "direction", path) != (p.node == 'A' ? 0u : 1u))
        fail(path, "direction does not match the node");
    p.direction = p.node == 'A' ? 0 : 1;
    const auto frames = count_field(m, "frames", path);
    const auto first = count_field(m, "first_counter", path);
    if (frames < 1 || frames > max_frames || first > (std::uint64_t{ 1 } << 32) - frames)
        fail(path, "frames must be 1..65535 and the counters within 32 bits");
    p.frames = static_cast<std::uint32_t>(frames);
    p.first_counter = static_cast<std::uint32_t>(first);
    if (count_field(m, "m", path) != frame_layout::nd_array_bytes * 8)
        fail(path, "m is not the module's array length");
    p.fec = field<bool>(m, "fec", path);
    p.integrity = field<bool>(m, "integrity", path);
    auto key_hex = field<std::string>(m, "session_key", path);
    std::vector<std::uint8_t> key;
    try {
        key = from_hex(key_hex);
    } catch (const std::exception&) {
    }
    secure_wipe(key_hex);
    if (key.size() != p.session_key.size())
        fail(path, "session_key must be 32 hex digits");
    std::copy(key.begin(), key.end(), p.session_key.begin());
    secure_wipe(key);
    // The arrays file sits beside the manifest: a name, never a path elsewhere.
    const auto arrays_name = field<std::string>(m, "arrays_file", path);
    if (arrays_name.empty() || arrays_name.find('/') != std::string::npos ||
        arrays_name == "." || arrays_name == "..")
        fail(path, "arrays_file must be a file name beside the manifest");
    const std::string arrays =
        (std::filesystem::path(path).parent_path() / arrays_name).string();
    p.blocks = read_file(arrays, std::uintmax_t{ max_frames } * block_bytes);
    if (p.blocks.size() != frames * block_bytes ||
        sha256_hex(p.blocks) != field<std::string>(m, "arrays_sha256", path))
        fail(arrays, "does not match its manifest (length or SHA-256)");
    return p;
}

lab_rounds::lab_rounds(lab_pattern a, lab_pattern b)
    : d_pattern{ std::move(a), std::move(b) }
{
    if (d_pattern[0].node != 'A' || d_pattern[1].node != 'B')
        throw std::invalid_argument("lab_rounds: node A's pattern, then node B's");
    const std::size_t n = std::min(d_pattern[0].frames, d_pattern[1].frames);
    for (int at = 0; at < 2; ++at) {
        d_decided[at].resize(n);
        d_seen[at].resize(n);
    }
}

lab_rounds::~lab_rounds()
{
    for (auto& decided : d_decided)
        for (auto& d : decided)
            secure_wipe(d);
}

std::optional<lab_round_counts>
lab_rounds::add(char at, std::uint32_t counter, std::span<const std::uint8_t> decided)
{
    if ((at != 'A' && at != 'B') || decided.size() != block_bytes)
        throw std::invalid_argument("lab_rounds: a 255-byte NEG block decided at A or B");
    const int here = at == 'A' ? 0 : 1;
    // At A the frames are B's, and the other way round.
    const lab_pattern& sender = d_pattern[1 - here];
    const std::uint64_t index = std::uint64_t{ counter } - sender.first_counter;
    if (counter < sender.first_counter || index >= frames()) {
        ++d_outside;
        return std::nullopt;
    }
    const auto i = static_cast<std::size_t>(index);
    if (d_seen[here][i]) {
        ++d_repeated;
        return std::nullopt;
    }
    d_seen[here][i] = true;
    d_decided[here][i].assign(decided.begin(), decided.end());
    auto& at_a = d_decided[0][i];
    auto& at_b = d_decided[1][i];
    if (at_a.empty() || at_b.empty())
        return std::nullopt;

    const auto fields = [](std::span<const std::uint8_t> b) {
        return neg_block::decode(b.first<block_bytes>()).fields;
    };
    neg_fields sent[2] = { fields(d_pattern[0].block(i)), fields(d_pattern[1].block(i)) };
    neg_fields got[2] = { fields(at_a), fields(at_b) }; // of B's frame, of A's
    namespace ra = round_arithmetic;
    // Direction led by L with follower F: C2 = F's decision of L's X1 ^ F's Y2, C1 = L's
    // decision of F's Y1 ^ L's X2; F at L = |L's decision of F's Y2 ^ L's X1 ^ C2|,
    // F at F = |F's decision of L's X2 ^ F's Y1 ^ C1|.
    const auto counts = [&](int lead, int follow) {
        nd_array c1{}, c2{};
        ra::follower_feedback(got[follow].x1, sent[follow].y2, c2);
        ra::leader_feedback(got[lead].y1, sent[lead].x2, c1);
        const auto f_lead = ra::leader_error_count(got[lead].y2, sent[lead].x1, c2);
        const auto f_follow =
            ra::follower_error_count(got[follow].x2, sent[follow].y1, c1);
        secure_wipe(c1);
        secure_wipe(c2);
        return std::pair{ static_cast<std::uint32_t>(f_lead),
                          static_cast<std::uint32_t>(f_follow) };
    };
    lab_round_counts r;
    r.index = i;
    r.sequence = lab_pattern::sequence(i);
    std::tie(r.ab_at_a, r.ab_at_b) = counts(0, 1);
    std::tie(r.ba_at_b, r.ba_at_a) = counts(1, 0);
    secure_wipe(sent, sizeof sent);
    secure_wipe(got, sizeof got);
    secure_wipe(at_a);
    secure_wipe(at_b);
    at_a = {};
    at_b = {};
    ++d_rounds;
    return r;
}

} // namespace fiberkey
