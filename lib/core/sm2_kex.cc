/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_files.h>
#include <fiberkey/openssl_util.h>
#include <fiberkey/secure_memory.h>
#include <fiberkey/sm2_kex.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/pem.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace fiberkey {
namespace {

constexpr std::size_t coordinate_bytes = 32;

using bn_ptr = std::unique_ptr<BIGNUM, openssl_deleter<BN_clear_free>>;
using bn_ctx_ptr = std::unique_ptr<BN_CTX, openssl_deleter<BN_CTX_free>>;
using group_ptr = std::unique_ptr<EC_GROUP, openssl_deleter<EC_GROUP_free>>;
using point_ptr = std::unique_ptr<EC_POINT, openssl_deleter<EC_POINT_clear_free>>;
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, openssl_deleter<EVP_MD_CTX_free>>;
using pkey_ctx_ptr = std::unique_ptr<EVP_PKEY_CTX, openssl_deleter<EVP_PKEY_CTX_free>>;
using param_bld_ptr =
    std::unique_ptr<OSSL_PARAM_BLD, openssl_deleter<OSSL_PARAM_BLD_free>>;
using params_ptr = std::unique_ptr<OSSL_PARAM, openssl_deleter<OSSL_PARAM_free>>;

// OpenSSL's reason for the failure (never key material), and a clean error queue.
[[noreturn]] void throw_openssl_error(const std::string& what)
{
    openssl_failure("SM2", what);
}

void check(int result, const char* what)
{
    if (result != 1)
        throw_openssl_error(what);
}

template <typename T>
T* check(T* p, const char* what)
{
    if (p == nullptr)
        throw_openssl_error(what);
    return p;
}

bn_ptr new_bn() { return bn_ptr(check(BN_new(), "BN_new")); }

// For secrets: secure-heap storage where one is set up, and constant-time arithmetic.
bn_ptr new_secret_bn()
{
    bn_ptr bn(check(BN_secure_new(), "BN_secure_new"));
    BN_set_flags(bn.get(), BN_FLG_CONSTTIME);
    return bn;
}

bn_ptr secret_bn_from(std::span<const std::uint8_t> bytes)
{
    bn_ptr bn = new_secret_bn();
    check(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), bn.get()), "BN_bin2bn");
    return bn;
}

bn_ctx_ptr new_bn_ctx() { return bn_ctx_ptr(check(BN_CTX_secure_new(), "BN_CTX_new")); }

// Writes a coordinate or a scalar as 32 big-endian bytes.
void write_be256(const BIGNUM* value, std::uint8_t* out)
{
    if (BN_bn2binpad(value, out, coordinate_bytes) != coordinate_bytes)
        throw_openssl_error("BN_bn2binpad");
}

// The curve and the constants the exchange needs, built once (read-only afterwards).
struct sm2_curve {
    group_ptr group;
    bn_ptr p, a, b, n, cofactor;
    bn_ptr n_minus_1, n_minus_2;
    std::array<std::uint8_t, 4 * coordinate_bytes> a_b_xg_yg; // the curve part of Z
};

sm2_curve make_curve()
{
    sm2_curve c;
    c.group.reset(check(EC_GROUP_new_by_curve_name(NID_sm2), "loading the SM2 curve"));
    c.p = new_bn();
    c.a = new_bn();
    c.b = new_bn();
    bn_ctx_ptr ctx = new_bn_ctx();
    check(EC_GROUP_get_curve(c.group.get(), c.p.get(), c.a.get(), c.b.get(), ctx.get()),
          "EC_GROUP_get_curve");
    c.n.reset(check(BN_dup(EC_GROUP_get0_order(c.group.get())), "BN_dup"));
    c.cofactor.reset(check(BN_dup(EC_GROUP_get0_cofactor(c.group.get())), "BN_dup"));
    c.n_minus_1.reset(check(BN_dup(c.n.get()), "BN_dup"));
    check(BN_sub_word(c.n_minus_1.get(), 1), "BN_sub_word");
    c.n_minus_2.reset(check(BN_dup(c.n.get()), "BN_dup"));
    check(BN_sub_word(c.n_minus_2.get(), 2), "BN_sub_word");

    bn_ptr xg = new_bn(), yg = new_bn();
    check(EC_POINT_get_affine_coordinates(c.group.get(),
                                          EC_GROUP_get0_generator(c.group.get()),
                                          xg.get(),
                                          yg.get(),
                                          ctx.get()),
          "EC_POINT_get_affine_coordinates");
    std::uint8_t* out = c.a_b_xg_yg.data();
    for (const BIGNUM* v : { c.a.get(), c.b.get(), xg.get(), yg.get() }) {
        write_be256(v, out);
        out += coordinate_bytes;
    }
    // x̄ below takes w = ceil(ceil(log2 n) / 2) - 1 = 127, which holds for a 256-bit n.
    if (BN_num_bits(c.n.get()) != 256)
        throw std::runtime_error("SM2: unexpected curve order size");
    return c;
}

const sm2_curve& curve()
{
    static const sm2_curve c = make_curve();
    return c;
}

sm3_digest sm3_concat(std::initializer_list<std::span<const std::uint8_t>> parts)
{
    md_ctx_ptr ctx(check(EVP_MD_CTX_new(), "EVP_MD_CTX_new"));
    check(EVP_DigestInit_ex(ctx.get(), EVP_sm3(), nullptr), "SM3 init");
    for (auto part : parts)
        check(EVP_DigestUpdate(ctx.get(), part.data(), part.size()), "SM3 update");
    sm3_digest digest;
    unsigned int length = 0;
    check(EVP_DigestFinal_ex(ctx.get(), digest.data(), &length), "SM3 final");
    return digest;
}

/*
 * Decodes a point given as 04 || x || y and validates it as GB/T 32918.1 6.2 and the
 * exchange's steps A6/B5 ask: coordinates in [0, p-1], y² = x³ + ax + b. The point at
 * infinity has no such encoding (its own is the single byte 00), so the length check
 * rejects it. With cofactor h = 1 every point on the curve has order n, so no [n]P
 * test is needed.
 */
point_ptr decode_point(std::span<const std::uint8_t> encoded, const std::string& what)
{
    if (encoded.size() != std::tuple_size_v<sm2_point>)
        throw std::invalid_argument(what + ": expected 65 bytes (04 || x || y), got " +
                                    std::to_string(encoded.size()));
    if (encoded[0] != 0x04)
        throw std::invalid_argument(what + ": not an uncompressed point (prefix 04)");

    const sm2_curve& c = curve();
    bn_ctx_ptr ctx = new_bn_ctx();
    bn_ptr x = new_bn(), y = new_bn();
    check(BN_bin2bn(encoded.data() + 1, coordinate_bytes, x.get()), "BN_bin2bn");
    check(BN_bin2bn(encoded.data() + 1 + coordinate_bytes, coordinate_bytes, y.get()),
          "BN_bin2bn");
    if (BN_cmp(x.get(), c.p.get()) >= 0 || BN_cmp(y.get(), c.p.get()) >= 0)
        throw std::invalid_argument(what + ": coordinate not below the field prime p");

    bn_ptr lhs = new_bn(), rhs = new_bn();
    check(BN_mod_sqr(lhs.get(), y.get(), c.p.get(), ctx.get()), "BN_mod_sqr");
    check(BN_mod_sqr(rhs.get(), x.get(), c.p.get(), ctx.get()), "BN_mod_sqr");
    check(BN_mod_add(rhs.get(), rhs.get(), c.a.get(), c.p.get(), ctx.get()),
          "BN_mod_add");
    check(BN_mod_mul(rhs.get(), rhs.get(), x.get(), c.p.get(), ctx.get()), "BN_mod_mul");
    check(BN_mod_add(rhs.get(), rhs.get(), c.b.get(), c.p.get(), ctx.get()),
          "BN_mod_add");
    if (BN_cmp(lhs.get(), rhs.get()) != 0)
        throw std::invalid_argument(what + ": point is not on the SM2 curve");

    point_ptr point(check(EC_POINT_new(c.group.get()), "EC_POINT_new"));
    check(EC_POINT_set_affine_coordinates(
              c.group.get(), point.get(), x.get(), y.get(), ctx.get()),
          "EC_POINT_set_affine_coordinates");
    return point;
}

sm2_point validated_point(std::span<const std::uint8_t> encoded, const std::string& what)
{
    decode_point(encoded, what);
    sm2_point copy;
    std::copy(encoded.begin(), encoded.end(), copy.begin());
    return copy;
}

sm2_point encode_point(const EC_POINT* point, BN_CTX* ctx)
{
    sm2_point out;
    if (EC_POINT_point2oct(curve().group.get(),
                           point,
                           POINT_CONVERSION_UNCOMPRESSED,
                           out.data(),
                           out.size(),
                           ctx) != out.size())
        throw_openssl_error("EC_POINT_point2oct");
    return out;
}

// [k]G; a single-scalar multiplication, which OpenSSL runs as a constant-time ladder.
sm2_point multiply_generator(const BIGNUM* k)
{
    const sm2_curve& c = curve();
    bn_ctx_ptr ctx = new_bn_ctx();
    point_ptr point(check(EC_POINT_new(c.group.get()), "EC_POINT_new"));
    check(EC_POINT_mul(c.group.get(), point.get(), k, nullptr, nullptr, ctx.get()),
          "EC_POINT_mul");
    return encode_point(point.get(), ctx.get());
}

// x̄ = 2^w + (x mod 2^w) with w = 127: the low 16 bytes of x with the top bit set.
bn_ptr x_bar(const sm2_point& point)
{
    std::array<std::uint8_t, 16> bytes;
    std::copy_n(
        point.begin() + 1 + coordinate_bytes - bytes.size(), bytes.size(), bytes.begin());
    bytes[0] |= 0x80;
    bn_ptr value = new_bn();
    check(BN_bin2bn(bytes.data(), bytes.size(), value.get()), "BN_bin2bn");
    return value;
}

std::span<const std::uint8_t, coordinate_bytes> x_of(std::span<const std::uint8_t> xy)
{
    return xy.subspan<0, coordinate_bytes>();
}

std::span<const std::uint8_t, coordinate_bytes> y_of(std::span<const std::uint8_t> xy)
{
    return xy.subspan<coordinate_bytes, coordinate_bytes>();
}

std::span<const std::uint8_t, 2 * coordinate_bytes> xy_of(const sm2_point& point)
{
    return std::span<const std::uint8_t, 65>(point).subspan<1, 2 * coordinate_bytes>();
}

pkey_ptr make_pkey(const sm2_keypair& keys, bool with_private)
{
    param_bld_ptr builder(check(OSSL_PARAM_BLD_new(), "OSSL_PARAM_BLD_new"));
    check(OSSL_PARAM_BLD_push_utf8_string(
              builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, SN_sm2, 0),
          "OSSL_PARAM_BLD_push_utf8_string");
    check(OSSL_PARAM_BLD_push_octet_string(builder.get(),
                                           OSSL_PKEY_PARAM_PUB_KEY,
                                           keys.public_key().data(),
                                           keys.public_key().size()),
          "OSSL_PARAM_BLD_push_octet_string");
    bn_ptr d; // must outlive the builder's reference to it
    int selection = EVP_PKEY_PUBLIC_KEY;
    if (with_private) {
        d = secret_bn_from(keys.private_key());
        check(OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_PRIV_KEY, d.get()),
              "OSSL_PARAM_BLD_push_BN");
        selection = EVP_PKEY_KEYPAIR;
    }
    params_ptr params(check(OSSL_PARAM_BLD_to_param(builder.get()), "building params"));

    pkey_ctx_ptr ctx(
        check(EVP_PKEY_CTX_new_from_name(nullptr, "SM2", nullptr), "EVP_PKEY_CTX_new"));
    check(EVP_PKEY_fromdata_init(ctx.get()), "EVP_PKEY_fromdata_init");
    EVP_PKEY* pkey = nullptr;
    check(EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()),
          "EVP_PKEY_fromdata");
    return pkey_ptr(pkey);
}

std::vector<std::uint8_t> contents(BIO* memory_bio)
{
    char* data = nullptr;
    const long size = BIO_get_mem_data(memory_bio, &data);
    return std::vector<std::uint8_t>(data, data + size);
}

bio_ptr open_for_reading(const std::filesystem::path& path)
{
    BIO* bio = BIO_new_file(path.c_str(), "r");
    if (bio == nullptr) {
        ERR_clear_error();
        throw std::runtime_error("SM2: cannot read " + path.string());
    }
    return bio_ptr(bio);
}

// A private key file, checked as its owner's alone (key_files.h).
bio_ptr open_private_for_reading(const std::filesystem::path& path)
{
    const int fd = open_owner_only(path, "SM2: private key file");
    BIO* bio = BIO_new_fd(fd, BIO_CLOSE);
    if (bio == nullptr) {
        ::close(fd);
        ERR_clear_error();
        throw std::runtime_error("SM2: cannot read " + path.string());
    }
    return bio_ptr(bio);
}

// Refuses encrypted PEM instead of prompting on the terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

void require_sm2_curve(const EVP_PKEY* pkey, const std::filesystem::path& path)
{
    char group[32] = {};
    if (EVP_PKEY_get_utf8_string_param(
            pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), nullptr) != 1 ||
        std::strcmp(group, SN_sm2) != 0) {
        ERR_clear_error();
        throw std::runtime_error("SM2: " + path.string() +
                                 " does not hold a key on the SM2 curve");
    }
}

} // namespace

sm3_digest sm3(std::span<const std::uint8_t> data) { return sm3_concat({ data }); }

// ---------------------------------------------------------------------------------------
// sm2_keypair

sm2_keypair sm2_keypair::generate()
{
    const sm2_curve& c = curve();
    bn_ptr d = new_secret_bn();
    // [0, n-3] shifted to [1, n-2].
    check(BN_priv_rand_range(d.get(), c.n_minus_2.get()), "BN_priv_rand_range");
    check(BN_add_word(d.get(), 1), "BN_add_word");
    std::array<std::uint8_t, private_key_bytes> bytes;
    write_be256(d.get(), bytes.data());
    sm2_keypair keys = from_private_key(bytes);
    secure_wipe(bytes);
    return keys;
}

sm2_keypair sm2_keypair::from_private_key(
    std::span<const std::uint8_t, private_key_bytes> private_key)
{
    const sm2_curve& c = curve();
    bn_ptr d = secret_bn_from(private_key);
    if (BN_is_zero(d.get()) || BN_cmp(d.get(), c.n_minus_2.get()) > 0)
        throw std::invalid_argument("SM2 private key is not in [1, n-2]");
    sm2_keypair keys;
    std::copy(private_key.begin(), private_key.end(), keys.d_private.begin());
    keys.d_public = multiply_generator(d.get());
    return keys;
}

sm2_keypair sm2_keypair::load_pem(const std::filesystem::path& private_key_file)
{
    bio_ptr bio = open_private_for_reading(private_key_file);
    pkey_ptr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!pkey) {
        ERR_clear_error();
        throw std::runtime_error("SM2: " + private_key_file.string() +
                                 " is not an unencrypted PEM private key");
    }
    require_sm2_curve(pkey.get(), private_key_file);

    BIGNUM* raw = nullptr;
    check(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_PRIV_KEY, &raw),
          "reading the private key");
    bn_ptr d(raw);
    std::array<std::uint8_t, private_key_bytes> bytes;
    write_be256(d.get(), bytes.data());
    try {
        sm2_keypair keys = from_private_key(bytes);
        secure_wipe(bytes);
        return keys;
    } catch (...) {
        secure_wipe(bytes);
        throw;
    }
}

void sm2_keypair::save_private_pem(const std::filesystem::path& private_key_file,
                                   existing_file existing) const
{
    pkey_ptr pkey = make_pkey(*this, true);
    // Secure-memory BIO: its buffer is cleared when freed.
    bio_ptr bio(check(BIO_new(BIO_s_secmem()), "BIO_new"));
    check(PEM_write_bio_PKCS8PrivateKey(
              bio.get(), pkey.get(), nullptr, nullptr, 0, nullptr, nullptr),
          "PEM_write_bio_PKCS8PrivateKey");
    std::vector<std::uint8_t> pem = contents(bio.get());
    try {
        write_key_file(private_key_file, pem, true, existing, "SM2");
    } catch (...) {
        secure_wipe(pem);
        throw;
    }
    secure_wipe(pem);
}

void sm2_keypair::save_public_pem(const std::filesystem::path& public_key_file,
                                  existing_file existing) const
{
    pkey_ptr pkey = make_pkey(*this, false);
    bio_ptr bio(check(BIO_new(BIO_s_mem()), "BIO_new"));
    check(PEM_write_bio_PUBKEY(bio.get(), pkey.get()), "PEM_write_bio_PUBKEY");
    write_key_file(public_key_file, contents(bio.get()), false, existing, "SM2");
}

sm2_keypair::~sm2_keypair() { secure_wipe(d_private); }

sm2_point sm2_load_public_pem(const std::filesystem::path& public_key_file)
{
    bio_ptr bio = open_for_reading(public_key_file);
    pkey_ptr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
    if (!pkey) {
        // OpenSSL refuses a point off its curve as it refuses garbage: tell them apart
        // by the PEM label.
        ERR_clear_error();
        std::ifstream text(public_key_file);
        std::string line;
        bool labelled = false;
        for (int i = 0; i < 64 && !labelled && std::getline(text, line); ++i)
            labelled = line.rfind("-----BEGIN PUBLIC KEY-----", 0) == 0;
        throw std::runtime_error(
            "SM2: " + public_key_file.string() +
            (labelled
                 ? " holds a PEM public key that is damaged or not a point on its curve"
                 : " is not a PEM public key"));
    }
    require_sm2_curve(pkey.get(), public_key_file);

    // Affine coordinates, whichever point form the file uses.
    BIGNUM* raw_x = nullptr;
    BIGNUM* raw_y = nullptr;
    check(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, &raw_x),
          "reading the public key");
    bn_ptr x(raw_x);
    check(EVP_PKEY_get_bn_param(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, &raw_y),
          "reading the public key");
    bn_ptr y(raw_y);
    sm2_point point;
    point[0] = 0x04;
    write_be256(x.get(), point.data() + 1);
    write_be256(y.get(), point.data() + 1 + coordinate_bytes);
    return validated_point(point, "SM2 public key in " + public_key_file.string());
}

sm3_digest sm2_za(std::span<const std::uint8_t> id,
                  std::span<const std::uint8_t> public_key)
{
    // ENTL is the identifier's length in bits, as two big-endian bytes.
    if (id.size() >= 8192)
        throw std::invalid_argument("SM2 identifier must be shorter than 8192 bytes");
    const sm2_point point = validated_point(public_key, "SM2 public key");
    const std::size_t bits = id.size() * 8;
    const std::array<std::uint8_t, 2> entl = { static_cast<std::uint8_t>(bits >> 8),
                                               static_cast<std::uint8_t>(bits) };
    return sm3_concat({ entl, id, curve().a_b_xg_yg, xy_of(point) });
}

// ---------------------------------------------------------------------------------------
// sm2_key_exchange

sm2_key_exchange::sm2_key_exchange(sm2_role role,
                                   const sm2_keypair& own,
                                   std::span<const std::uint8_t> own_id,
                                   std::span<const std::uint8_t> peer_public,
                                   std::span<const std::uint8_t> peer_id,
                                   std::size_t key_bits)
    : sm2_key_exchange(role, own, own_id, peer_public, peer_id, key_bits, {})
{
}

sm2_key_exchange sm2_key_exchange::with_fixed_ephemeral(
    sm2_role role,
    const sm2_keypair& own,
    std::span<const std::uint8_t> own_id,
    std::span<const std::uint8_t> peer_public,
    std::span<const std::uint8_t> peer_id,
    std::size_t key_bits,
    std::span<const std::uint8_t, 32> ephemeral_private)
{
    return sm2_key_exchange(
        role, own, own_id, peer_public, peer_id, key_bits, ephemeral_private);
}

sm2_key_exchange::sm2_key_exchange(sm2_role role,
                                   const sm2_keypair& own,
                                   std::span<const std::uint8_t> own_id,
                                   std::span<const std::uint8_t> peer_public,
                                   std::span<const std::uint8_t> peer_id,
                                   std::size_t key_bits,
                                   std::span<const std::uint8_t> ephemeral_private)
    : d_role(role), d_key_bytes(key_bits / 8)
{
    // The KDF's 32-bit counter bounds klen to (2^32 - 1) SM3 blocks.
    if (key_bits == 0 || key_bits % 8 != 0 ||
        d_key_bytes / sizeof(sm3_digest) >= 0xffffffffu)
        throw std::invalid_argument(
            "SM2 key exchange: key length must be a positive multiple of 8 bits");
    d_peer_public = validated_point(peer_public, "SM2 peer public key");
    const sm3_digest own_z = sm2_za(own_id, own.public_key());
    const sm3_digest peer_z = sm2_za(peer_id, d_peer_public);
    d_za = role == sm2_role::initiator ? own_z : peer_z;
    d_zb = role == sm2_role::initiator ? peer_z : own_z;

    // A1-A5 (B1-B4): r in [1, n-1], R = [r]G, t = (d + x̄·r) mod n.
    const sm2_curve& c = curve();
    bn_ptr r = new_secret_bn();
    if (ephemeral_private.empty()) {
        check(BN_priv_rand_range(r.get(), c.n_minus_1.get()), "BN_priv_rand_range");
        check(BN_add_word(r.get(), 1), "BN_add_word");
    } else {
        r = secret_bn_from(ephemeral_private);
        if (BN_is_zero(r.get()) || BN_cmp(r.get(), c.n_minus_1.get()) > 0)
            throw std::invalid_argument("SM2 ephemeral private key is not in [1, n-1]");
    }
    d_own_ephemeral = multiply_generator(r.get());
    d_key.resize(d_key_bytes);

    bn_ctx_ptr ctx = new_bn_ctx();
    bn_ptr t = new_secret_bn();
    const bn_ptr d = secret_bn_from(own.private_key());
    check(
        BN_mod_mul(t.get(), x_bar(d_own_ephemeral).get(), r.get(), c.n.get(), ctx.get()),
        "BN_mod_mul");
    check(BN_mod_add(t.get(), t.get(), d.get(), c.n.get(), ctx.get()), "BN_mod_add");
    write_be256(t.get(), d_t.data());
}

sm2_key_exchange::~sm2_key_exchange() { wipe(); }

void sm2_key_exchange::wipe() noexcept
{
    secure_wipe(d_t);
    secure_wipe(d_shared);
    secure_wipe(d_key);
    secure_wipe(d_responder_tag);
    secure_wipe(d_initiator_tag);
}

void sm2_key_exchange::fail() noexcept
{
    wipe();
    d_state = state::failed;
}

void sm2_key_exchange::require_keyed() const
{
    if (d_state == state::failed)
        throw std::logic_error("SM2 key exchange: the exchange has failed");
    if (d_state == state::awaiting_peer)
        throw std::logic_error("SM2 key exchange: the peer's R is not processed yet");
}

void sm2_key_exchange::process_peer_ephemeral(
    std::span<const std::uint8_t> peer_ephemeral)
{
    if (d_state != state::awaiting_peer)
        throw std::logic_error("SM2 key exchange: the peer's R was already processed");
    try {
        // A6-A7 (B5-B6): U = [h·t](P_peer + [x̄_peer]R_peer); x̄ and the sum are
        // public, so only the last multiplication involves a secret.
        const point_ptr peer_r =
            decode_point(peer_ephemeral, "SM2 peer ephemeral point R");
        std::copy(peer_ephemeral.begin(), peer_ephemeral.end(), d_peer_ephemeral.begin());
        const sm2_curve& c = curve();
        const EC_GROUP* group = c.group.get();
        bn_ctx_ptr ctx = new_bn_ctx();
        point_ptr sum(check(EC_POINT_new(group), "EC_POINT_new"));
        check(EC_POINT_mul(group,
                           sum.get(),
                           nullptr,
                           peer_r.get(),
                           x_bar(d_peer_ephemeral).get(),
                           ctx.get()),
              "EC_POINT_mul");
        check(EC_POINT_add(group,
                           sum.get(),
                           sum.get(),
                           decode_point(d_peer_public, "P").get(),
                           ctx.get()),
              "EC_POINT_add");

        bn_ptr scalar = new_secret_bn();
        check(
            BN_mul(scalar.get(), c.cofactor.get(), secret_bn_from(d_t).get(), ctx.get()),
            "BN_mul");
        point_ptr shared(check(EC_POINT_new(group), "EC_POINT_new"));
        check(EC_POINT_mul(
                  group, shared.get(), nullptr, sum.get(), scalar.get(), ctx.get()),
              "EC_POINT_mul");
        if (EC_POINT_is_at_infinity(group, shared.get()))
            throw std::runtime_error("SM2 key exchange: shared point is at infinity");
        sm2_point encoded = encode_point(shared.get(), ctx.get());
        std::copy_n(encoded.begin() + 1, d_shared.size(), d_shared.begin());
        secure_wipe(encoded);
        secure_wipe(d_t); // t is spent

        // A8 (B7): K = KDF(xU || yU || ZA || ZB, klen), KDF block i = SM3(Z || i).
        std::uint32_t counter = 1;
        for (std::size_t done = 0; done < d_key_bytes; ++counter) {
            const std::array<std::uint8_t, 4> ct = {
                static_cast<std::uint8_t>(counter >> 24),
                static_cast<std::uint8_t>(counter >> 16),
                static_cast<std::uint8_t>(counter >> 8),
                static_cast<std::uint8_t>(counter),
            };
            sm3_digest block = sm3_concat({ d_shared, d_za, d_zb, ct });
            const std::size_t n = std::min(block.size(), d_key_bytes - done);
            std::copy_n(block.begin(), n, d_key.begin() + done);
            done += n;
            secure_wipe(block);
        }

        // A9-A10 (B8, B10): S = SM3(tag || yU || inner) with tag 02 for S_B/S1 and 03
        // for S_A/S2, inner = SM3(xU || ZA || ZB || x1 || y1 || x2 || y2).
        const sm2_point& ra =
            d_role == sm2_role::initiator ? d_own_ephemeral : d_peer_ephemeral;
        const sm2_point& rb =
            d_role == sm2_role::initiator ? d_peer_ephemeral : d_own_ephemeral;
        sm3_digest inner =
            sm3_concat({ x_of(d_shared), d_za, d_zb, xy_of(ra), xy_of(rb) });
        const std::array<std::uint8_t, 1> tag_02 = { 0x02 }, tag_03 = { 0x03 };
        d_responder_tag = sm3_concat({ tag_02, y_of(d_shared), inner });
        d_initiator_tag = sm3_concat({ tag_03, y_of(d_shared), inner });
        secure_wipe(inner);
        d_state = state::keyed;
    } catch (...) {
        fail();
        throw;
    }
}

const sm3_digest& sm2_key_exchange::confirmation_tag() const
{
    require_keyed();
    if (d_role == sm2_role::responder)
        return d_responder_tag;
    if (d_state != state::confirmed)
        throw std::logic_error(
            "SM2 key exchange: the initiator sends S_A only after verifying S_B");
    return d_initiator_tag;
}

bool sm2_key_exchange::verify_peer_confirmation(std::span<const std::uint8_t> tag)
{
    require_keyed();
    if (d_state == state::confirmed)
        throw std::logic_error("SM2 key exchange: the peer's tag was already verified");
    const sm3_digest& expected =
        d_role == sm2_role::initiator ? d_responder_tag : d_initiator_tag;
    if (tag.size() != expected.size() ||
        CRYPTO_memcmp(tag.data(), expected.data(), expected.size()) != 0) {
        fail();
        return false;
    }
    d_state = state::confirmed;
    return true;
}

std::span<const std::uint8_t> sm2_key_exchange::key() const
{
    require_keyed();
    return d_key;
}

std::span<const std::uint8_t, 64> sm2_key_exchange::shared_point() const
{
    require_keyed();
    return d_shared;
}

const sm3_digest& sm2_key_exchange::responder_tag() const
{
    require_keyed();
    return d_responder_tag;
}

const sm3_digest& sm2_key_exchange::initiator_tag() const
{
    require_keyed();
    return d_initiator_tag;
}

} // namespace fiberkey
