/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
// The SM2 key files: sm2_keypair::load_pem (with its file checks: a regular file that
// only its owner may read) and sm2_load_public_pem, on fuzzed file contents and file
// kinds, in a private directory made once per process (mkdtemp, removed at exit).
//
// Input: [config u8]
//   bit 0: a public key file (sm2_load_public_pem) rather than a private one (load_pem)
//   bits 1-3, what is at the path: 0, 5-7 a regular file of mode 0600; 1 a regular file
//     of mode 0600 | ([mode u8] & 077); 2 a directory; 3 a symbolic link to a regular
//     file of mode 0600; 4 nothing (a FIFO for a private key, whose open must not block;
//     a public key is read with fopen, which would)
//   bit 4: the contents are the input after the header, as they are; otherwise a PEM
//     file that the library wrote for a fixed test key, changed by the ops below
//   then, for the library's PEM, ops [op u8], by op % 4:
//     0 [at u16][xor u8]            a byte of the PEM text
//     1 [at u16][xor u8]            a byte of the DER inside (base64-decoded, changed,
//                                   encoded again, lines of 64 as PEM writes them)
//     2 [at u16][length u8]         that many bytes of the text removed
//     3 [at u16][length u8][bytes]  bytes inserted into the text
// Checks, besides the sanitizers and the leak checker: a refusal is std::runtime_error
// with a message, as both functions document, and nothing else; a private key file open
// to its group or others, a directory and a FIFO are refused whatever they hold, naming
// the reason; the library's own files, unchanged, load back as the key that wrote them;
// a private key that loads has the public key of its private key, a public key that
// loads is a valid point.
#include "fuzz_input.h"

#include <fiberkey/sm2_kex.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

using namespace fiberkey;
namespace fs = std::filesystem;

namespace {

using bytes = std::vector<std::uint8_t>;

//! The directory of this process, removed at exit.
const fs::path& dir()
{
    static const fs::path d = [] {
        char name[] = "/tmp/fiberkey-fuzz-keys-XXXXXX";
        FUZZ_CHECK(mkdtemp(name) != nullptr);
        static fs::path p = name;
        std::atexit([] {
            std::error_code ignored;
            fs::remove_all(p, ignored);
        });
        return p;
    }();
    return d;
}

const sm2_keypair& test_key()
{
    static const sm2_keypair k = [] {
        std::array<std::uint8_t, 32> d{};
        for (std::size_t i = 0; i < d.size(); ++i)
            d[i] = static_cast<std::uint8_t>(0x42 + 29 * i);
        return sm2_keypair::from_private_key(d);
    }();
    return k;
}

bytes read_all(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(f), {});
}

//! The PEM files the library writes for the test key: private, public.
const std::array<bytes, 2>& library_pem()
{
    static const std::array<bytes, 2> pem = [] {
        const fs::path priv = dir() / "written.pem", pub = dir() / "written.pub";
        test_key().save_private_pem(priv);
        test_key().save_public_pem(pub);
        std::array<bytes, 2> out{ read_all(priv), read_all(pub) };
        fs::remove(priv);
        fs::remove(pub);
        return out;
    }();
    return pem;
}

// Base64 as PEM uses it (RFC 4648 alphabet, '=' padding).
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bytes base64_decode(const std::string& text)
{
    bytes out;
    unsigned acc = 0, bits = 0;
    for (char c : text) {
        const char* p = c ? std::strchr(b64, c) : nullptr;
        if (!p)
            continue; // newlines, padding
        acc = acc << 6 | unsigned(p - b64);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    return out;
}

std::string base64_lines(const bytes& der)
{
    std::string out;
    std::size_t column = 0;
    for (std::size_t i = 0; i < der.size(); i += 3) {
        const unsigned n =
            static_cast<unsigned>(std::min<std::size_t>(3, der.size() - i));
        unsigned v = 0;
        for (unsigned k = 0; k < 3; ++k)
            v = v << 8 | (k < n ? der[i + k] : 0);
        for (unsigned k = 0; k < 4; ++k) {
            out += k <= n ? b64[(v >> (18 - 6 * k)) & 63] : '=';
            if (++column == 64) {
                out += '\n';
                column = 0;
            }
        }
    }
    if (column)
        out += '\n';
    return out;
}

//! Changes one byte of the DER inside a PEM text (between its BEGIN and END lines).
void change_der(bytes& pem, std::size_t at, std::uint8_t x)
{
    std::string text(pem.begin(), pem.end());
    const auto body = text.find('\n');
    const auto end = text.find("-----END");
    if (body == std::string::npos || end == std::string::npos || end <= body)
        return;
    bytes der = base64_decode(text.substr(body + 1, end - body - 1));
    if (der.empty())
        return;
    der[at % der.size()] ^= x;
    text = text.substr(0, body + 1) + base64_lines(der) + text.substr(end);
    pem.assign(text.begin(), text.end());
}

void write_file(const fs::path& p, const bytes& contents, mode_t mode)
{
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(::write(fd, contents.data(), contents.size()) ==
               static_cast<ssize_t>(contents.size()));
    FUZZ_CHECK(::fchmod(fd, mode) == 0);
    FUZZ_CHECK(::close(fd) == 0);
}

bool contains(const char* what, const char* part) { return std::strstr(what, part); }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    fuzz::input in(data, size);
    const std::uint8_t config = in.u8();
    const bool is_public = config & 1;
    static constexpr unsigned kinds[8] = { 0, 1, 2, 3, 4, 0, 0, 0 };
    const unsigned kind = kinds[(config >> 1) & 7];
    const mode_t mode = 0600 | (kind == 1 ? in.u8() & 077 : 0);

    bytes contents;
    bool as_written = false;
    if (config & 0x10) {
        const auto rest = in.rest();
        contents.assign(rest.begin(), rest.end());
    } else {
        contents = library_pem()[is_public];
        as_written = true;
        while (!in.empty()) {
            const std::uint8_t op = in.u8();
            const std::size_t at = in.u16();
            switch (op % 4) {
            case 0:
                if (!contents.empty())
                    contents[at % contents.size()] ^= in.u8();
                break;
            case 1:
                change_der(contents, at, in.u8());
                break;
            case 2: {
                const std::size_t from = std::min(at, contents.size());
                const std::size_t n =
                    std::min<std::size_t>(in.u8(), contents.size() - from);
                contents.erase(contents.begin() + from, contents.begin() + from + n);
                break;
            }
            case 3: {
                const auto b = in.bytes(in.u8());
                contents.insert(
                    contents.begin() + std::min(at, contents.size()), b.begin(), b.end());
                break;
            }
            }
        }
        as_written = contents == library_pem()[is_public];
    }

    // What is at the path.
    const fs::path path = dir() / "key.pem", target = dir() / "target.pem";
    std::error_code ignored;
    fs::remove_all(path, ignored);
    switch (kind) {
    case 0:
    case 1:
        write_file(path, contents, mode);
        break;
    case 2:
        fs::create_directory(path);
        break;
    case 3:
        write_file(target, contents, 0600);
        fs::create_symlink(target, path);
        break;
    case 4:
        if (!is_public)
            FUZZ_CHECK(::mkfifo(path.c_str(), 0600) == 0);
        break;
    }

    bool loaded = false;
    try {
        if (is_public) {
            const sm2_point p = sm2_load_public_pem(path);
            loaded = true;
            sm2_za({}, p); // throws if it is not a valid point
            if (as_written)
                FUZZ_CHECK(p == test_key().public_key());
        } else {
            const sm2_keypair k = sm2_keypair::load_pem(path);
            loaded = true;
            FUZZ_CHECK(sm2_keypair::from_private_key(k.private_key()).public_key() ==
                       k.public_key());
            if (as_written)
                FUZZ_CHECK(k.private_key() == test_key().private_key() &&
                           k.public_key() == test_key().public_key());
        }
        FUZZ_CHECK(kind != 2 && kind != 4);
        FUZZ_CHECK(is_public || (mode & 077) == 0);
    } catch (const std::runtime_error& e) {
        FUZZ_CHECK(!loaded && *e.what());
        if (!is_public && kind == 1 && (mode & 077))
            FUZZ_CHECK(contains(e.what(), "mode"));
        if (!is_public && (kind == 2 || kind == 4))
            FUZZ_CHECK(contains(e.what(), "not a regular file"));
    }
    // The library's own files load back, when nothing else is wrong.
    if (as_written &&
        (kind == 0 || kind == 3 || (kind == 1 && (is_public || mode == 0600))))
        FUZZ_CHECK(loaded);
    fs::remove_all(path, ignored);
    fs::remove(target, ignored);
    return 0;
}
