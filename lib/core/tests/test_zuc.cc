/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/hex.h>
#include <fiberkey/zuc.h>

#include <gtest/gtest.h>

#include <random>

#ifdef FIBERKEY_HAVE_IPSEC_MB
#include <intel-ipsec-mb.h>
#endif

using namespace fiberkey;

namespace {

template <std::size_t N>
std::array<uint8_t, N> bytes(const std::string& hex)
{
    const auto v = from_hex(hex);
    EXPECT_EQ(v.size(), N);
    std::array<uint8_t, N> a{};
    std::copy_n(v.begin(), std::min(N, v.size()), a.begin());
    return a;
}

std::string words_hex(zuc& z, std::size_t n)
{
    std::vector<uint32_t> w(n);
    z.generate(w);
    std::string s;
    char buf[9];
    for (auto x : w) {
        snprintf(buf, sizeof buf, "%08x", x);
        s += buf;
    }
    return s;
}

struct zuc128_vector {
    const char* key;
    const char* iv;
    const char* words;
};

// 3GPP 128-EEA3/EIA3 Document 3 (implementors' test data), section 3.
const zuc128_vector zuc128_vectors[] = {
    { "00000000000000000000000000000000",
      "00000000000000000000000000000000",
      "27bede74018082da87d4e5b69f18bf6632070e0f39b7b692b4673edc3184a48e27636f4414510d62" },
    { "ffffffffffffffffffffffffffffffff",
      "ffffffffffffffffffffffffffffffff",
      "0657cfa07096398b734b6cb4883eedf4257a76eb97595208d884adcdb1cbffb8e0f9d15846a0eed0" },
    { "3d4c4be96a82fdaeb58f641db17b455b",
      "84319aa8de6915ca1f6bda6bfbd8c766",
      "14f1c2723279c4194b8ea41d0cc80863d28062e1e71d3ddae3c4d158a7f067ac949350568ee5c63d" },
};

} // namespace

TEST(zuc128, published_keystream)
{
    for (const auto& v : zuc128_vectors) {
        auto z = zuc::zuc128(bytes<16>(v.key), bytes<16>(v.iv));
        EXPECT_EQ(words_hex(z, 10), v.words) << v.key;
    }
}

TEST(zuc256, published_keystream)
{
    // "The ZUC-256 Stream Cipher" (2018), appendix: all-zero and all-one key and IV.
    std::array<uint8_t, 32> key{};
    std::array<uint8_t, 25> iv{};
    auto z0 = zuc::zuc256(key, iv);
    EXPECT_EQ(words_hex(z0, 20),
              "58d03ad62e032ce2dafc683a39bdcb0352a2bc67f1b7de74163ce3a101ef5558"
              "9639d75b95fa681b7f090df756391ccc903b7612744d544c17bc3fad8b163b08"
              "21787c0b97775bb84943c6bbe8ad8afd");
    key.fill(0xff);
    std::fill(iv.begin(), iv.begin() + 17, 0xff);
    std::fill(iv.begin() + 17, iv.end(), 0x3f);
    auto z1 = zuc::zuc256(key, iv);
    EXPECT_EQ(words_hex(z1, 20),
              "3356cbaed1a1c18b6baa4ffe343f777c9e15128f251ab65b949f7b26ef7157f2"
              "96dd2fa9df95e3ee7a5be02ec32ba585505af316c2f9ded27cdbd935e441ce11"
              "15fd0a80bb7aef6768989416b8fac8c2");
}

TEST(zuc256, rejects_iv_bytes_wider_than_6_bits)
{
    std::array<uint8_t, 32> key{};
    std::array<uint8_t, 25> iv{};
    iv[20] = 0x40;
    EXPECT_THROW(zuc::zuc256(key, iv), std::invalid_argument);
}

TEST(zuc, word_byte_and_block_paths_agree)
{
    std::mt19937 rng(7);
    for (int trial = 0; trial < 200; ++trial) {
        std::array<uint8_t, 16> key, iv;
        for (auto& b : key)
            b = rng();
        for (auto& b : iv)
            b = rng();
        const std::size_t n = rng() % 300;
        auto a = zuc::zuc128(key, iv);
        std::vector<uint32_t> one_by_one(n);
        for (auto& w : one_by_one)
            w = a.next_word();
        // Blocks after an odd start exercise the unrolled path from every LFSR position.
        auto b = zuc::zuc128(key, iv);
        std::vector<uint32_t> blocks(n);
        const std::size_t head = n ? rng() % n : 0;
        b.generate(std::span<uint32_t>(blocks).first(head));
        b.generate(std::span<uint32_t>(blocks).subspan(head));
        EXPECT_EQ(one_by_one, blocks);

        auto c = zuc::zuc128(key, iv);
        std::vector<uint8_t> ks(4 * n);
        c.generate_bytes(ks);
        for (std::size_t i = 0; i < n; ++i)
            EXPECT_EQ((uint32_t(ks[4 * i]) << 24 | uint32_t(ks[4 * i + 1]) << 16 |
                       uint32_t(ks[4 * i + 2]) << 8 | ks[4 * i + 3]),
                      one_by_one[i]);

        std::vector<uint8_t> data(rng() % 1000);
        for (auto& x : data)
            x = rng();
        const auto plain = data;
        zuc::zuc128(key, iv).apply(data);
        zuc::zuc128(key, iv).apply(data);
        EXPECT_EQ(data, plain);
    }
}

TEST(eea3, published_sets)
{
    struct set {
        const char* ck;
        uint32_t count;
        unsigned bearer, direction;
        uint64_t bits;
        const char* pt;
        const char* ct;
    };
    const set sets[] = {
        { "173d14ba5003731d7a60049470f00a29",
          0x66035492,
          0x0f,
          0,
          193,
          "6cf65340735552ab0c9752fa6f9025fe0bd675d9005875b200",
          "a6c85fc66afb8533aafc2518dfe784940ee1e4b030238cc800" },
        { "e5bd3ea0eb55ade866c6ac58bd54302a",
          0x00056823,
          0x18,
          1,
          800,
          "14a8ef693d678507bbe7270a7f67ff5006c3525b9807e467c4e56000ba338f5d429559036751822246c8"
          "0d3b38f07f4be2d8ff5805f5132229bde93bbbdcaf382bf1ee972fbf9977bada8945847a2a6c9ad34a"
          "667554e04d1f7fa2c33241bd8f01ba220d",
          "131d43e0dea1be5c5a1bfd971d852cbf712d7b4f57961fea3208afa8bca433f456ad09c7417e58bc69cf"
          "8866d1353f74865e80781d202dfb3ecff7fcbc3b190fe82a204ed0e350fc0f6f2613b2f2bca6df5a47"
          "3a57a4a00d985ebad880d6f23864a07b01" },
        // The LFSR-initialisation corner case (Intel's later known-answer tests).
        { "000102030405060708090a0b0c0d0e0f",
          0xcf50724b,
          0,
          0,
          296,
          "00000000000000000000000000000000000000000000000000000000000000000000000000",
          "f555336501312ed77208c8fc30b5a44a7d097d6e744e1040075f4785126999d56eb23b972a" },
    };
    for (const auto& s : sets) {
        auto data = from_hex(s.pt);
        eea3::crypt(bytes<16>(s.ck), s.count, s.bearer, s.direction, data, s.bits);
        EXPECT_EQ(to_hex(data), s.ct) << s.ck;
        eea3::crypt(bytes<16>(s.ck), s.count, s.bearer, s.direction, data, s.bits);
        auto plain = from_hex(s.pt);
        if (s.bits % 8)
            plain.back() &= static_cast<uint8_t>(0xff << (8 - s.bits % 8));
        EXPECT_EQ(data, plain) << "decryption restores the plaintext";
    }
}

TEST(eea3, iv_layout_and_bad_arguments)
{
    const auto iv = eea3::iv(0x01020304, 0x1f, 1);
    EXPECT_EQ(to_hex(iv), "01020304fc00000001020304fc000000");
    EXPECT_THROW(eea3::iv(0, 32, 0), std::invalid_argument);
    EXPECT_THROW(eea3::iv(0, 0, 2), std::invalid_argument);
    std::array<uint8_t, 16> key{};
    std::vector<uint8_t> buf(4);
    EXPECT_THROW(eea3::crypt(key, 0, 0, 0, buf, 33), std::invalid_argument);
}

#ifdef FIBERKEY_HAVE_IPSEC_MB
namespace {
struct ipsec_mb {
    IMB_MGR* mgr = alloc_mb_mgr(0);
    ipsec_mb()
    {
        IMB_ARCH arch;
        init_mb_mgr_auto(mgr, &arch);
    }
    ~ipsec_mb() { free_mb_mgr(mgr); }
    // ZUC-256 through the job API, the only ZUC-256 entry point of ipsec-mb 1.3.
    std::vector<uint8_t> zuc256(const uint8_t* key, const uint8_t* iv, std::size_t n)
    {
        std::vector<uint8_t> zeros(n, 0), out(n);
        IMB_JOB* job = IMB_GET_NEXT_JOB(mgr);
        job->cipher_direction = IMB_DIR_ENCRYPT;
        job->chain_order = IMB_ORDER_CIPHER_HASH;
        job->cipher_mode = IMB_CIPHER_ZUC_EEA3;
        job->hash_alg = IMB_AUTH_NULL;
        job->enc_keys = key;
        job->key_len_in_bytes = 32;
        job->iv = iv;
        job->iv_len_in_bytes = 25;
        job->src = zeros.data();
        job->dst = out.data();
        job->cipher_start_src_offset_in_bytes = 0;
        job->msg_len_to_cipher_in_bytes = n;
        job = IMB_SUBMIT_JOB(mgr);
        if (job == nullptr)
            job = IMB_FLUSH_JOB(mgr);
        EXPECT_TRUE(job != nullptr && job->status == IMB_STATUS_COMPLETED);
        return out;
    }
};
} // namespace

TEST(zuc256, agrees_with_ipsec_mb_on_random_keys_and_ivs)
{
    ipsec_mb peer;
    std::mt19937 rng(256);
    for (int trial = 0; trial < 2000; ++trial) {
        std::array<uint8_t, 32> key;
        std::array<uint8_t, 25> iv;
        for (auto& b : key)
            b = rng();
        for (std::size_t i = 0; i < iv.size(); ++i)
            iv[i] = static_cast<uint8_t>(i < 17 ? rng() : rng() & 0x3f);
        const std::size_t n = 1 + rng() % 512;
        std::vector<uint8_t> ours(n);
        zuc::zuc256(key, iv).generate_bytes(ours);
        ASSERT_EQ(ours, peer.zuc256(key.data(), iv.data(), n)) << "trial " << trial;
    }
}
#endif
