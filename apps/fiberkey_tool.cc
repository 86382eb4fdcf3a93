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
#include <fiberkey/key_files.h>
#include <fiberkey/openssl_util.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/sm2_kex.h>
#include <fiberkey/zuc.h>
#include <fiberkey/zuc_mac.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
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
    "  kme-pki DIR [--sae ID]... [--kme-a ID] [--kme-b ID] [--days N] [--force]\n"
    "                           test PKI for ETSI GS QKD 014 (mutual TLS), ECDSA P-256:\n"
    "                           ca.pem, kme_a.pem, kme_b.pem (CN KME_A, KME_B) and ID.pem\n"
    "                           (CN ID) per --sae (SAE_A, SAE_B if none), each with its\n"
    "                           .key (0600), valid --days (825; 1..3650); an ID is 1 to\n"
    "                           64 of A-Za-z0-9_.-; with a CA in DIR, new --sae IDs are\n"
    "                           added to it; --force makes a new CA, replacing the files\n"
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

// ---------------------------------------------------------------------------------------
// kme-pki: test PKI for the ETSI GS QKD 014 key delivery (HTTPS with mutual TLS).

using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_free>>;
using x509_ext_ptr =
    std::unique_ptr<X509_EXTENSION, openssl_deleter<X509_EXTENSION_free>>;

template <typename T>
T* pki_check(T* p, const char* what)
{
    if (p == nullptr)
        openssl_failure("kme-pki", what);
    return p;
}

void pki_check(int result, const char* what)
{
    if (result != 1)
        openssl_failure("kme-pki", what);
}

// Refuses encrypted PEM instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

// A file to write: a certificate, or a private key (owner_only), wiped when dropped.
struct pki_file {
    std::filesystem::path path;
    std::vector<uint8_t> data;
    bool owner_only;
    std::string what;

    pki_file(std::filesystem::path p, std::vector<uint8_t> d, bool secret, std::string w)
        : path(std::move(p)), data(std::move(d)), owner_only(secret), what(std::move(w))
    {
    }
    pki_file(pki_file&&) noexcept = default;
    pki_file(const pki_file&) = delete;
    pki_file& operator=(const pki_file&) = delete;
    ~pki_file() { secure_wipe(data); }
};

std::vector<uint8_t> bio_contents(BIO* memory_bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(memory_bio, &data);
    return std::vector<uint8_t>(data, data + size);
}

// PKCS#8 PEM through a secure-memory BIO (cleared when freed), as sm2_kex.cc does.
std::vector<uint8_t> private_key_pem(EVP_PKEY* key)
{
    bio_ptr bio(pki_check(BIO_new(BIO_s_secmem()), "BIO_new"));
    pki_check(PEM_write_bio_PKCS8PrivateKey(
                  bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr),
              "PEM_write_bio_PKCS8PrivateKey");
    return bio_contents(bio.get());
}

std::vector<uint8_t> certificate_pem(X509* cert)
{
    bio_ptr bio(pki_check(BIO_new(BIO_s_mem()), "BIO_new"));
    pki_check(PEM_write_bio_X509(bio.get(), cert), "PEM_write_bio_X509");
    return bio_contents(bio.get());
}

std::string until_date(const ASN1_TIME* t)
{
    std::tm tm{};
    char text[16] = "?";
    if (ASN1_TIME_to_tm(t, &tm) == 1)
        std::strftime(text, sizeof text, "%Y-%m-%d", &tm);
    return text;
}

// The CN of the certificate in a PEM file; empty if there is none to read.
std::string certificate_cn(const std::filesystem::path& path)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec))
        return "";
    bio_ptr bio(BIO_new_file(path.c_str(), "r"));
    x509_ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)
                      : nullptr);
    char cn[256] = "";
    if (cert && X509_NAME_get_text_by_NID(
                    X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn) < 0)
        cn[0] = '\0';
    ERR_clear_error();
    return cn;
}

enum class cert_role { ca, kme, sae };

/*
 * An X.509 v3 certificate for \p subject_key with CN \p cn, signed with SHA-256 by
 * \p issuer_key (\p issuer the CA's certificate, null for the self-signed CA). Its serial
 * is 16 random bytes (the OS CSPRNG through RAND_bytes), the top bit clear so that it is
 * positive, the next set so that it takes all 16; valid from an hour ago (a clock a little
 * behind) for \p days, never past the CA's own end.
 */
x509_ptr make_certificate(const std::string& cn,
                          EVP_PKEY* subject_key,
                          cert_role role,
                          X509* issuer,
                          EVP_PKEY* issuer_key,
                          long days)
{
    x509_ptr cert(pki_check(X509_new(), "X509_new"));
    X509* const x = cert.get();
    pki_check(X509_set_version(x, X509_VERSION_3), "X509_set_version");
    std::array<unsigned char, 16> serial;
    pki_check(RAND_bytes(serial.data(), int(serial.size())), "RAND_bytes");
    serial[0] = static_cast<unsigned char>((serial[0] & 0x7f) | 0x40);
    bn_ptr serial_bn(
        pki_check(BN_bin2bn(serial.data(), int(serial.size()), nullptr), "BN_bin2bn"));
    pki_check(BN_to_ASN1_INTEGER(serial_bn.get(), X509_get_serialNumber(x)),
              "BN_to_ASN1_INTEGER");

    X509_NAME* name = X509_get_subject_name(x);
    pki_check(
        X509_NAME_add_entry_by_txt(name,
                                   "CN",
                                   MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(cn.c_str()),
                                   -1,
                                   -1,
                                   0),
        "X509_NAME_add_entry_by_txt");
    pki_check(
        X509_set_issuer_name(x, issuer != nullptr ? X509_get_subject_name(issuer) : name),
        "X509_set_issuer_name");
    pki_check(X509_gmtime_adj(X509_getm_notBefore(x), -3600), "X509_gmtime_adj");
    pki_check(X509_time_adj_ex(X509_getm_notAfter(x), int(days), 0, nullptr),
              "X509_time_adj_ex");
    if (issuer != nullptr &&
        ASN1_TIME_compare(X509_get0_notAfter(x), X509_get0_notAfter(issuer)) > 0)
        pki_check(X509_set1_notAfter(x, X509_get0_notAfter(issuer)),
                  "X509_set1_notAfter");
    pki_check(X509_set_pubkey(x, subject_key), "X509_set_pubkey");

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer != nullptr ? issuer : x, x, nullptr, nullptr, 0);
    pki_check(X509V3_set_issuer_pkey(&ctx, issuer_key), "X509V3_set_issuer_pkey");
    auto add = [&](int nid, const char* value) {
        x509_ext_ptr ext(pki_check(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value),
                                   "X509V3_EXT_conf_nid"));
        pki_check(X509_add_ext(x, ext.get(), -1), "X509_add_ext");
    };
    if (role == cert_role::ca) {
        add(NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add(NID_key_usage, "critical,keyCertSign,cRLSign");
    } else {
        add(NID_basic_constraints, "critical,CA:FALSE");
        add(NID_key_usage, "critical,digitalSignature");
    }
    if (role == cert_role::kme) {
        add(NID_ext_key_usage, "serverAuth,clientAuth");
        add(NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1,IP:::1");
    } else if (role == cert_role::sae) {
        add(NID_ext_key_usage, "clientAuth");
    }
    add(NID_subject_key_identifier, "hash"); // before the CA's own authority key id
    add(NID_authority_key_identifier, "keyid:always");
    if (X509_sign(x, issuer_key, EVP_sha256()) <= 0)
        openssl_failure("kme-pki", "X509_sign");
    return cert;
}

// An ETSI GS QKD 014 SAE or KME ID, which goes into URL paths: 1..64 of [A-Za-z0-9_.-],
// not a dot segment.
bool valid_id(const std::string& id)
{
    if (id.empty() || id.size() > 64 || id == "." || id == "..")
        return false;
    for (const char c : id)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
            return false;
    return true;
}

// A path as a shell word, for the line that shows how to use the directory.
std::string shell_word(const std::string& s)
{
    bool plain = !s.empty();
    for (const char c : s)
        plain = plain && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                          (c >= '0' && c <= '9') ||
                          std::string("_./-+:,=@%").find(c) != std::string::npos);
    if (plain)
        return s;
    std::string quoted = "'";
    for (const char c : s)
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return quoted + "'";
}

int kme_pki(int argc, char** argv)
{
    if (argc < 3 || argv[2][0] == '\0' || argv[2][0] == '-')
        throw usage_error("kme-pki takes a DIR, then its options");
    const std::filesystem::path dir = argv[2];
    std::vector<std::string> saes;
    std::string kme_ids[2] = { "KME_A", "KME_B" };
    bool kme_given[2] = { false, false };
    long days = 825;
    bool days_given = false, force = false;
    const char* const id_form =
        "an ID is 1 to 64 characters of A-Z a-z 0-9 _ . -, not . or .. (it goes into "
        "URL paths)";
    for (int i = 3; i < argc; ++i) {
        const std::string flag = argv[i];
        if (flag == "--force") {
            if (force)
                throw usage_error("option '--force' given twice");
            force = true;
            continue;
        }
        if (flag.rfind("--", 0) != 0 || i + 1 >= argc)
            throw usage_error("expected --option VALUE, got '" + flag + "'");
        const std::string value = argv[++i];
        if (flag == "--days") {
            if (days_given)
                throw usage_error("option '--days' given twice");
            days_given = true;
            char* end = nullptr;
            errno = 0;
            const unsigned long v = std::strtoul(value.c_str(), &end, 10);
            if (value.empty() || value[0] < '0' || value[0] > '9' || *end != '\0' ||
                errno != 0 || v < 1 || v > 3650)
                throw usage_error("--days: '" + value + "' is not a number in 1..3650");
            days = long(v);
            continue;
        }
        const bool sae = flag == "--sae", kme_a = flag == "--kme-a";
        if (!sae && !kme_a && flag != "--kme-b")
            throw usage_error("unknown option '" + flag + "'");
        if (!valid_id(value))
            throw usage_error(flag + " '" + value + "': " + id_form);
        if (sae) {
            if (value == "ca" || value == "kme_a" || value == "kme_b")
                throw usage_error(
                    "--sae '" + value +
                    "': ca, kme_a and kme_b name the CA's and the KMEs' files");
            for (const auto& s : saes)
                if (s == value)
                    throw usage_error("--sae '" + value + "' given twice");
            saes.push_back(value);
        } else {
            const int k = kme_a ? 0 : 1;
            if (kme_given[k])
                throw usage_error("option '" + flag + "' given twice");
            kme_given[k] = true;
            kme_ids[k] = value;
        }
    }
    if (saes.empty())
        saes = { "SAE_A", "SAE_B" };
    if (kme_ids[0] == kme_ids[1])
        throw usage_error("the two KMEs need two IDs (both are '" + kme_ids[0] + "')");

    std::error_code ec;
    const auto dir_type = std::filesystem::status(dir, ec).type();
    const bool dir_exists = dir_type != std::filesystem::file_type::not_found;
    if (ec && dir_exists)
        throw std::runtime_error("kme-pki: " + dir.string() + ": " + ec.message());
    if (dir_exists && dir_type != std::filesystem::file_type::directory)
        throw usage_error(dir.string() + " is not a directory");
    auto exists = [](const std::filesystem::path& f) {
        std::error_code e; // a link counts, even a dangling one
        return std::filesystem::symlink_status(f, e).type() !=
               std::filesystem::file_type::not_found;
    };
    const auto ca_pem = dir / "ca.pem", ca_key = dir / "ca.key";
    // Without --force, a CA already there takes new SAE certificates: nothing else.
    const bool add = !force && exists(ca_pem) && exists(ca_key);
    if (add && (kme_given[0] || kme_given[1]))
        throw std::runtime_error(dir.string() +
                                 " has a CA: nothing written (without --force only new "
                                 "--sae certificates are added to it)");
    // An SAE may not take a KME's ID (the CN of the KMEs' certificates already there).
    std::vector<std::string> kme_names(kme_ids, kme_ids + 2);
    if (add) {
        kme_names.clear();
        for (const char* f : { "kme_a.pem", "kme_b.pem" })
            kme_names.push_back(certificate_cn(dir / f));
    }
    for (const auto& s : saes)
        for (const auto& k : kme_names)
            if (s == k)
                throw usage_error("--sae '" + s + "' is the ID of a KME");
    std::vector<std::filesystem::path> targets;
    for (const auto& s : saes)
        for (const char* ext : { ".pem", ".key" })
            targets.push_back(dir / (s + ext));
    if (!add)
        for (const char* f :
             { "kme_a.pem", "kme_a.key", "kme_b.pem", "kme_b.key", "ca.pem", "ca.key" })
            targets.push_back(dir / f);
    if (!force)
        for (const auto& f : targets)
            if (exists(f))
                throw std::runtime_error(
                    f.string() + " exists: nothing written (--force makes a new CA "
                                 "and replaces the files; new --sae IDs alone are "
                                 "added to the CA there)");

    pkey_ptr ca_private;
    x509_ptr ca_cert;
    std::vector<pki_file> files;
    if (add) {
        // (A regular file: a FIFO in its place cannot hang the tool.)
        bio_ptr bio(std::filesystem::is_regular_file(ca_pem, ec)
                        ? BIO_new_file(ca_pem.c_str(), "r")
                        : nullptr);
        if (!bio) {
            ERR_clear_error();
            throw std::runtime_error("kme-pki: cannot read " + ca_pem.string());
        }
        ca_cert.reset(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
        if (!ca_cert) {
            ERR_clear_error();
            throw std::runtime_error("kme-pki: " + ca_pem.string() +
                                     " is not a PEM certificate");
        }
        // The CA key is checked as its owner's alone, on the opened file (key_files.h).
        const int fd = open_owner_only(ca_key, "kme-pki: CA private key");
        bio_ptr key_bio(BIO_new_fd(fd, BIO_CLOSE));
        if (!key_bio) {
            ::close(fd);
            ERR_clear_error();
            throw std::runtime_error("kme-pki: cannot read " + ca_key.string());
        }
        ca_private.reset(
            PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
        if (!ca_private) {
            ERR_clear_error();
            throw std::runtime_error("kme-pki: " + ca_key.string() +
                                     " is not an unencrypted PEM private key");
        }
        if (X509_check_private_key(ca_cert.get(), ca_private.get()) != 1) {
            ERR_clear_error();
            throw std::runtime_error("kme-pki: " + ca_key.string() +
                                     " is not the key of " + ca_pem.string());
        }
        if (X509_check_ca(ca_cert.get()) == 0)
            throw std::runtime_error("kme-pki: " + ca_pem.string() +
                                     " is not a CA certificate");
        if (X509_cmp_current_time(X509_get0_notAfter(ca_cert.get())) <= 0)
            throw std::runtime_error("kme-pki: " + ca_pem.string() + " expired on " +
                                     until_date(X509_get0_notAfter(ca_cert.get())) +
                                     " (--force makes a new CA)");
    } else {
        ca_private.reset(pki_check(EVP_EC_gen("P-256"), "EVP_EC_gen"));
        ca_cert = make_certificate("fiberkey KME test CA",
                                   ca_private.get(),
                                   cert_role::ca,
                                   nullptr,
                                   ca_private.get(),
                                   days);
    }
    // Every certificate and key in memory first; then the files, the CA's last (so
    // that a directory with a CA in it is a whole one).
    auto issue = [&](const std::string& id,
                     const std::string& base,
                     cert_role role,
                     const std::string& what) {
        pkey_ptr key(pki_check(EVP_EC_gen("P-256"), "EVP_EC_gen"));
        const x509_ptr cert =
            make_certificate(id, key.get(), role, ca_cert.get(), ca_private.get(), days);
        files.emplace_back(dir / (base + ".pem"),
                           certificate_pem(cert.get()),
                           false,
                           what + ", CN=" + id + ", until " +
                               until_date(X509_get0_notAfter(cert.get())));
        files.emplace_back(
            dir / (base + ".key"), private_key_pem(key.get()), true, "its private key");
    };
    for (const auto& s : saes)
        issue(s, s, cert_role::sae, "SAE client certificate");
    if (!add) {
        issue(kme_ids[0], "kme_a", cert_role::kme, "KME server certificate");
        issue(kme_ids[1], "kme_b", cert_role::kme, "KME server certificate");
        files.emplace_back(ca_pem,
                           certificate_pem(ca_cert.get()),
                           false,
                           "CA certificate, until " +
                               until_date(X509_get0_notAfter(ca_cert.get())));
        files.emplace_back(
            ca_key, private_key_pem(ca_private.get()), true, "the CA's private key");
    }

    if (!dir_exists && ::mkdir(dir.c_str(), 0700) != 0)
        throw std::system_error(
            errno, std::generic_category(), "kme-pki: creating " + dir.string());
    const auto mode = force ? existing_file::replace : existing_file::refuse;
    for (const auto& f : files) {
        write_key_file(f.path, f.data, f.owner_only, mode, "kme-pki");
        std::printf("%s: %s (mode %s)\n",
                    f.path.c_str(),
                    f.what.c_str(),
                    f.owner_only ? "0600" : "0644");
    }
    std::printf("use: fiberkey-sim --kme-a 127.0.0.1:8443 --kme-b 127.0.0.1:8444 "
                "--tls-dir %s (a KME serves kme_a.pem or kme_b.pem with its .key, an SAE "
                "connects with ID.pem and ID.key, all trust ca.pem)\n",
                shell_word(dir.string()).c_str());
    return 0;
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
        using existing = existing_file;
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
    if (cmd == "kme-pki")
        return kme_pki(argc, argv);
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
