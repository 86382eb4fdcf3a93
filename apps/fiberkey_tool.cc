/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// fiberkey-tool: conformance vectors and diagnostics from the command line.
// Output is lowercase hex on one line; bad arguments print one line on stderr and
// exit with status 2.
#include <fiberkey/eea3_lanes.h>
#include <fiberkey/g709_fec.h>
#include <fiberkey/g709_scrambler.h>
#include <fiberkey/hex.h>
#include <fiberkey/sm2_kex.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace fiberkey;

namespace {

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const char* const usage_text =
    "usage: fiberkey-tool COMMAND [OPTIONS]\n"
    "  zuc128 --key HEX(16 bytes) --iv HEX(16 bytes) --words N\n"
    "  zuc256 --key HEX(32 bytes) --iv HEX(25 bytes) --words N\n"
    "  eea3 --key HEX(16 bytes) --count HEX --bearer N --direction N --length BITS --in HEX\n"
    "  eia3 --key HEX(16 bytes) --count HEX --bearer N --direction N --length BITS --in HEX\n"
    "  zuc256-mac --key HEX(32 bytes) --iv HEX(25 bytes) --tag-bits 32|64|128 --length BITS\n"
    "             --in HEX\n"
    "  rs255 --encode HEX(239 bytes)\n"
    "  scrambler --bytes N\n"
    "  sm2-keygen PREFIX [--force]\n"
    "                           writes PREFIX.pub and PREFIX.key (private, mode 0600);\n"
    "                           existing files are kept unless --force replaces them\n"
    "  backends\n";

// --name value pairs; every option is required once and nothing else is accepted.
std::map<std::string, std::string>
parse_options(int argc, char** argv, const std::vector<std::string>& names)
{
    std::map<std::string, std::string> opts;
    for (int i = 2; i < argc; i += 2) {
        const std::string flag = argv[i];
        if (flag.rfind("--", 0) != 0 || i + 1 >= argc)
            throw usage_error("expected --option VALUE, got '" + flag + "'");
        const std::string name = flag.substr(2);
        bool known = false;
        for (const auto& n : names)
            known = known || n == name;
        if (!known)
            throw usage_error("unknown option '" + flag + "'");
        if (!opts.emplace(name, argv[i + 1]).second)
            throw usage_error("option '" + flag + "' given twice");
    }
    for (const auto& n : names)
        if (!opts.count(n))
            throw usage_error("missing --" + n);
    return opts;
}

std::vector<uint8_t> hex_arg(const std::map<std::string, std::string>& o,
                             const std::string& name,
                             std::size_t bytes)
{
    std::vector<uint8_t> v;
    try {
        v = from_hex(o.at(name));
    } catch (const std::invalid_argument& e) {
        throw usage_error("--" + name + ": " + e.what());
    }
    if (bytes != 0 && v.size() != bytes)
        throw usage_error("--" + name + " must be " + std::to_string(bytes) + " bytes");
    return v;
}

uint64_t number_arg(const std::map<std::string, std::string>& o,
                    const std::string& name,
                    int base,
                    uint64_t max)
{
    const std::string& s = o.at(name);
    char* end = nullptr;
    errno = 0;
    const unsigned long long v = std::strtoull(s.c_str(), &end, base);
    if (s.empty() || s[0] == '-' || *end != '\0' || errno != 0 || v > max)
        throw usage_error("--" + name + ": '" + s + "' is not a number in 0.." +
                          std::to_string(max));
    return v;
}

// --length BITS and --in HEX of a message: the bytes, exactly ceil(length / 8) of them.
std::pair<std::vector<uint8_t>, uint64_t>
message_arg(const std::map<std::string, std::string>& o, uint64_t max_bits)
{
    const auto bits = number_arg(o, "length", 10, max_bits);
    auto data = hex_arg(o, "in", 0);
    if (data.size() != (bits + 7) / 8)
        throw usage_error("--in must hold exactly ceil(length/8) = " +
                          std::to_string((bits + 7) / 8) + " bytes");
    return { std::move(data), bits };
}

void print_words(zuc& z, uint64_t n)
{
    for (uint64_t i = 0; i < n; ++i)
        std::printf("%08x", z.next_word());
    std::printf("\n");
}

int run(int argc, char** argv)
{
    if (argc < 2)
        throw usage_error("no command given");
    const std::string cmd = argv[1];
    if (cmd == "-h" || cmd == "--help") {
        std::fputs(usage_text, stdout);
        return 0;
    }
    constexpr uint64_t max_words = 1u << 24;
    // The message of a MAC is given in hex on the command line: 2^24 bytes at most.
    constexpr uint64_t max_mac_bits = uint64_t(1) << 27;
    if (cmd == "zuc128") {
        const auto o = parse_options(argc, argv, { "key", "iv", "words" });
        const auto key = hex_arg(o, "key", 16);
        const auto iv = hex_arg(o, "iv", 16);
        zuc z = zuc::zuc128(std::span<const uint8_t, 16>(key.data(), 16),
                            std::span<const uint8_t, 16>(iv.data(), 16));
        print_words(z, number_arg(o, "words", 10, max_words));
        return 0;
    }
    if (cmd == "zuc256") {
        const auto o = parse_options(argc, argv, { "key", "iv", "words" });
        const auto key = hex_arg(o, "key", 32);
        const auto iv = hex_arg(o, "iv", 25);
        const auto words = number_arg(o, "words", 10, max_words);
        try {
            zuc z = zuc::zuc256(std::span<const uint8_t, 32>(key.data(), 32),
                                std::span<const uint8_t, 25>(iv.data(), 25));
            print_words(z, words);
        } catch (const std::invalid_argument& e) {
            throw usage_error(std::string("--iv: ") + e.what());
        }
        return 0;
    }
    if (cmd == "eea3") {
        const auto o = parse_options(
            argc, argv, { "key", "count", "bearer", "direction", "length", "in" });
        const auto key = hex_arg(o, "key", 16);
        const auto count = number_arg(o, "count", 16, UINT32_MAX);
        const auto bearer = number_arg(o, "bearer", 0, eea3::max_bearer);
        const auto direction = number_arg(o, "direction", 0, 1);
        auto [data, bits] = message_arg(o, uint64_t(eea3_lanes::max_lane_bytes) * 8);
        eea3::crypt(std::span<const uint8_t, 16>(key.data(), 16),
                    static_cast<uint32_t>(count),
                    static_cast<unsigned>(bearer),
                    static_cast<unsigned>(direction),
                    data,
                    bits);
        std::printf("%s\n", to_hex(data).c_str());
        return 0;
    }
    if (cmd == "eia3") {
        const auto o = parse_options(
            argc, argv, { "key", "count", "bearer", "direction", "length", "in" });
        const auto key = hex_arg(o, "key", 16);
        const auto count = number_arg(o, "count", 16, UINT32_MAX);
        const auto bearer = number_arg(o, "bearer", 0, eia3::max_bearer);
        const auto direction = number_arg(o, "direction", 0, 1);
        const auto [data, bits] = message_arg(o, max_mac_bits);
        const uint32_t mac = eia3::mac(std::span<const uint8_t, 16>(key.data(), 16),
                                       static_cast<uint32_t>(count),
                                       static_cast<unsigned>(bearer),
                                       static_cast<unsigned>(direction),
                                       data,
                                       bits);
        std::printf("%08x\n", mac);
        return 0;
    }
    if (cmd == "zuc256-mac") {
        const auto o =
            parse_options(argc, argv, { "key", "iv", "tag-bits", "length", "in" });
        const auto key = hex_arg(o, "key", zuc256_mac::key_bytes);
        const auto iv = hex_arg(o, "iv", zuc256_mac::iv_bytes);
        const auto tag_bits = number_arg(o, "tag-bits", 10, 128);
        const auto [data, bits] = message_arg(o, max_mac_bits);
        std::array<uint8_t, zuc256_mac::max_tag_bytes> tag{};
        try { // the core checks the tag size and the 6-bit IV bytes
            zuc256_mac::compute(std::span<const uint8_t, zuc256_mac::key_bytes>(
                                    key.data(), zuc256_mac::key_bytes),
                                std::span<const uint8_t, zuc256_mac::iv_bytes>(
                                    iv.data(), zuc256_mac::iv_bytes),
                                data,
                                bits,
                                static_cast<unsigned>(tag_bits),
                                tag);
        } catch (const std::invalid_argument& e) {
            throw usage_error(e.what());
        }
        std::printf("%s\n", to_hex(std::span(tag).first(tag_bits / 8)).c_str());
        return 0;
    }
    if (cmd == "rs255") {
        const auto o = parse_options(argc, argv, { "encode" });
        const auto info = hex_arg(o, "encode", rs255::k);
        std::array<uint8_t, rs255::parity_bytes> parity;
        rs255::encode(std::span<const uint8_t, rs255::k>(info.data(), rs255::k), parity);
        std::printf("%s\n", to_hex(parity).c_str());
        return 0;
    }
    if (cmd == "scrambler") {
        const auto o = parse_options(argc, argv, { "bytes" });
        const auto seq = g709_scrambler::sequence();
        const auto n = number_arg(o, "bytes", 10, seq.size());
        std::printf("%s\n", to_hex(seq.first(n)).c_str());
        return 0;
    }
    if (cmd == "sm2-keygen") {
        const bool force = argc == 4 && std::string(argv[3]) == "--force";
        if ((argc != 3 && !force) || argv[2][0] == '\0' || argv[2][0] == '-')
            throw usage_error("sm2-keygen takes one PREFIX, then --force or nothing");
        const std::string prefix = argv[2];
        const std::filesystem::path base(prefix);
        const std::string name = base.filename().string();
        if (name.empty() || name == "." || name == "..")
            throw usage_error("PREFIX names the key files, e.g. keys/node_a (got '" +
                              prefix + "')");
        const auto dir = base.parent_path();
        if (!dir.empty() && !std::filesystem::is_directory(dir))
            throw usage_error("no directory " + dir.string() + " for the key files");
        const std::filesystem::path key_file = prefix + ".key",
                                    pub_file = prefix + ".pub";
        using existing = sm2_keypair::existing_file;
        if (!force)
            for (const auto& f : { pub_file, key_file }) {
                std::error_code ec; // a link counts, even a dangling one
                if (std::filesystem::symlink_status(f, ec).type() !=
                    std::filesystem::file_type::not_found)
                    throw std::runtime_error(f.string() +
                                             " exists: nothing written (--force replaces "
                                             "the key pair)");
            }
        // The public key first: if anything fails, an old private key is still there.
        const auto pair = sm2_keypair::generate();
        const auto mode = force ? existing::replace : existing::refuse;
        pair.save_public_pem(pub_file, mode);
        pair.save_private_pem(key_file, mode);
        std::printf("%s %s\n", key_file.c_str(), pub_file.c_str());
        return 0;
    }
    if (cmd == "backends") {
        if (argc != 2)
            throw usage_error("backends takes no options");
        for (auto b : available_zuc_backends())
            if (b != zuc_backend::automatic)
                std::printf("%s\n", to_string(b).c_str());
        return 0;
    }
    throw usage_error("unknown command '" + cmd + "'");
}

} // namespace

int main(int argc, char** argv)
{
    try {
        return run(argc, argv);
    } catch (const usage_error& e) {
        std::fprintf(stderr, "fiberkey-tool: %s (see fiberkey-tool --help)\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fiberkey-tool: %s\n", e.what());
        return 1;
    }
}
