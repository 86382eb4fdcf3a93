/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/sm2_kex.h>

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace fiberkey {
namespace {

using bytes = std::vector<std::uint8_t>;

bytes from_hex(std::string_view hex)
{
    bytes out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<std::uint8_t>(
            std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    return out;
}

bytes to_vector(std::span<const std::uint8_t> s) { return bytes(s.begin(), s.end()); }

bytes id_bytes(std::string_view id) { return bytes(id.begin(), id.end()); }

bytes point_hex(std::string_view x, std::string_view y)
{
    return from_hex("04" + std::string(x) + std::string(y));
}

// GB/T 32918.3 example on the recommended curve, as in /work/shared/vectors/README.md.
namespace vec {
const bytes id = id_bytes("1234567812345678");
constexpr std::size_t klen = 128;
const bytes dA =
    from_hex("81EB26E941BB5AF16DF116495F90695272AE2CD63D6C4AE1678418BE48230029");
const bytes PA =
    point_hex("160E12897DF4EDB61DD812FEB96748FBD3CCF4FFE26AA6F6DB9540AF49C94232",
              "4A7DAD08BB9A459531694BEB20AA489D6649975E1BFCF8C4741B78B4B223007F");
const bytes dB =
    from_hex("785129917D45A9EA5437A59356B82338EAADDA6CEB199088F14AE10DEFA229B5");
const bytes PB =
    point_hex("6AE848C57C53C7B1B5FA99EB2286AF078BA64C64591B8B566F7357D576F16DFB",
              "EE489D771621A27B36C5C7992062E9CD09A9264386F3FBEA54DFF69305621C4D");
const bytes rA =
    from_hex("D4DE15474DB74D06491C440D305E012400990F3E390C7E87153C12DB2EA60BB3");
const bytes RA =
    point_hex("64CED1BDBC99D590049B434D0FD73428CF608A5DB8FE5CE07F15026940BAE40E",
              "376629C7AB21E7DB260922499DDB118F07CE8EAAE3E7720AFEF6A5CC062070C0");
const bytes rB =
    from_hex("7E07124814B309489125EAED101113164EBF0F3458C5BD88335C1F9D596243D6");
const bytes RB =
    point_hex("ACC27688A6F7B706098BC91FF3AD1BFF7DC2802CDB14CCCCDB0A90471F9BD707",
              "2FEDAC0494B2FFC4D6853876C79B8F301C6573AD0AA50F39FC87181E1A1B46FE");
const bytes ZA =
    from_hex("3B85A57179E11E7E513AA622991F2CA74D1807A0BD4D4B38F90987A17AC245B1");
const bytes ZB =
    from_hex("79C988D63229D97EF19FE02CA1056E01E6A7411ED24694AA8F834F4A4AB022F7");
const bytes U =
    from_hex("C558B44BEE5301D9F52B44D939BB59584D75B9034DD6A9FC826872109A65739F"
             "3252B35B191D8AE01CD122C025204334C5EACF68A0CB4854C6A7D367ECAD4DE7");
const bytes K = from_hex("6C89347354DE2484C60B4AB1FDE4C6E5");
const bytes SB =
    from_hex("D3A0FE15DEE185CEAE907A6B595CC32A266ED7B3367E9983A896DC32FA20F8EB");
const bytes SA =
    from_hex("18C7894B3816DF16CF07B05C5EC0BEF5D655D58F779CC1B400A4F3884644DB88");
} // namespace vec

sm2_keypair keypair_from(const bytes& d)
{
    return sm2_keypair::from_private_key(std::span<const std::uint8_t, 32>(d.data(), 32));
}

sm2_key_exchange fixed_side(sm2_role role,
                            const sm2_keypair& own,
                            const bytes& peer_public,
                            const bytes& r)
{
    return sm2_key_exchange::with_fixed_ephemeral(
        role,
        own,
        vec::id,
        peer_public,
        vec::id,
        vec::klen,
        std::span<const std::uint8_t, 32>(r.data(), 32));
}

// Two sides with fresh keys and ephemerals, R exchanged, ready for confirmation.
struct random_exchange {
    sm2_keypair a = sm2_keypair::generate();
    sm2_keypair b = sm2_keypair::generate();
    bytes id_a = id_bytes("alice@fiberkey");
    bytes id_b = id_bytes("bob@fiberkey");
    sm2_key_exchange initiator{ sm2_role::initiator, a, id_a, b.public_key(), id_b, 256 };
    sm2_key_exchange responder{ sm2_role::responder, b, id_b, a.public_key(), id_a, 256 };
};

TEST(Sm3, Abc)
{
    const bytes abc = id_bytes("abc");
    EXPECT_EQ(
        to_vector(sm3(abc)),
        from_hex("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"));
}

TEST(Sm2Keypair, DerivesPublishedPublicKeys)
{
    EXPECT_EQ(to_vector(keypair_from(vec::dA).public_key()), vec::PA);
    EXPECT_EQ(to_vector(keypair_from(vec::dB).public_key()), vec::PB);
}

TEST(Sm2Keypair, RejectsPrivateKeyOutOfRange)
{
    EXPECT_THROW(keypair_from(bytes(32, 0x00)), std::invalid_argument);
    // n - 1 is a valid scalar but not an SM2 private key (1 + d must be invertible).
    const bytes n_minus_1 =
        from_hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122");
    EXPECT_THROW(keypair_from(n_minus_1), std::invalid_argument);
    EXPECT_THROW(keypair_from(bytes(32, 0xff)), std::invalid_argument);
}

TEST(Sm2Za, PublishedExample)
{
    EXPECT_EQ(to_vector(sm2_za(vec::id, vec::PA)), vec::ZA);
    EXPECT_EQ(to_vector(sm2_za(vec::id, vec::PB)), vec::ZB);
    EXPECT_THROW(sm2_za(bytes(8192, 'x'), vec::PA), std::invalid_argument);
}

TEST(Sm2KeyExchange, PublishedExample)
{
    const sm2_keypair a = keypair_from(vec::dA);
    const sm2_keypair b = keypair_from(vec::dB);
    sm2_key_exchange initiator = fixed_side(sm2_role::initiator, a, vec::PB, vec::rA);
    sm2_key_exchange responder = fixed_side(sm2_role::responder, b, vec::PA, vec::rB);
    EXPECT_EQ(to_vector(initiator.ephemeral_public()), vec::RA);
    EXPECT_EQ(to_vector(responder.ephemeral_public()), vec::RB);

    responder.process_peer_ephemeral(initiator.ephemeral_public());
    initiator.process_peer_ephemeral(responder.ephemeral_public());
    for (const sm2_key_exchange* side : { &initiator, &responder }) {
        EXPECT_EQ(to_vector(side->za()), vec::ZA);
        EXPECT_EQ(to_vector(side->zb()), vec::ZB);
        EXPECT_EQ(to_vector(side->shared_point()), vec::U); // U on A equals V on B
        EXPECT_EQ(to_vector(side->key()), vec::K);
        EXPECT_EQ(to_vector(side->responder_tag()), vec::SB);
        EXPECT_EQ(to_vector(side->initiator_tag()), vec::SA);
    }

    EXPECT_EQ(to_vector(responder.confirmation_tag()), vec::SB);
    EXPECT_TRUE(initiator.verify_peer_confirmation(responder.confirmation_tag()));
    EXPECT_EQ(to_vector(initiator.confirmation_tag()), vec::SA);
    EXPECT_TRUE(responder.verify_peer_confirmation(initiator.confirmation_tag()));
    EXPECT_EQ(to_vector(initiator.key()), vec::K);
    EXPECT_EQ(to_vector(responder.key()), vec::K);
}

TEST(Sm2KeyExchange, RandomExchangesAgree)
{
    for (int i = 0; i < 50; ++i) {
        random_exchange x;
        EXPECT_NE(x.initiator.ephemeral_public(), x.responder.ephemeral_public());
        x.responder.process_peer_ephemeral(x.initiator.ephemeral_public());
        x.initiator.process_peer_ephemeral(x.responder.ephemeral_public());
        ASSERT_EQ(x.initiator.key().size(), 32u);
        EXPECT_EQ(to_vector(x.initiator.key()), to_vector(x.responder.key()));
        EXPECT_EQ(x.initiator.shared_point()[0], x.responder.shared_point()[0]);
        ASSERT_TRUE(x.initiator.verify_peer_confirmation(x.responder.confirmation_tag()));
        ASSERT_TRUE(x.responder.verify_peer_confirmation(x.initiator.confirmation_tag()));
    }
}

TEST(Sm2KeyExchange, KeyLengthsNotAWholeDigest)
{
    for (std::size_t bits : { 8u, 248u, 264u, 1000u }) {
        random_exchange x;
        sm2_key_exchange a(
            sm2_role::initiator, x.a, x.id_a, x.b.public_key(), x.id_b, bits);
        sm2_key_exchange b(
            sm2_role::responder, x.b, x.id_b, x.a.public_key(), x.id_a, bits);
        b.process_peer_ephemeral(a.ephemeral_public());
        a.process_peer_ephemeral(b.ephemeral_public());
        EXPECT_EQ(a.key().size(), bits / 8);
        EXPECT_EQ(to_vector(a.key()), to_vector(b.key()));
    }
}

TEST(Sm2KeyExchange, RejectsBadConstruction)
{
    const sm2_keypair a = sm2_keypair::generate();
    const sm2_keypair b = sm2_keypair::generate();
    const bytes id = id_bytes("x");
    for (std::size_t bits : { 0u, 7u, 129u })
        EXPECT_THROW(
            sm2_key_exchange(sm2_role::initiator, a, id, b.public_key(), id, bits),
            std::invalid_argument);
    bytes off_curve = to_vector(b.public_key());
    off_curve[64] ^= 0x01;
    EXPECT_THROW(sm2_key_exchange(sm2_role::initiator, a, id, off_curve, id, 128),
                 std::invalid_argument);
    EXPECT_THROW(fixed_side(sm2_role::initiator, a, vec::PB, bytes(32, 0x00)),
                 std::invalid_argument);
}

// Each bad R must be refused with invalid_argument, after which the object is unusable.
void expect_rejected(const bytes& bad_r)
{
    random_exchange x;
    EXPECT_THROW(x.responder.process_peer_ephemeral(bad_r), std::invalid_argument);
    EXPECT_THROW(x.responder.key(), std::logic_error);
    EXPECT_THROW(x.responder.confirmation_tag(), std::logic_error);
    EXPECT_THROW(x.responder.process_peer_ephemeral(x.initiator.ephemeral_public()),
                 std::logic_error);
}

TEST(Sm2KeyExchange, RejectsFlippedBitsInR)
{
    const sm2_point good = sm2_keypair::generate().public_key();
    for (std::size_t bit : { 0u, 7u, 8u, 100u, 263u, 264u, 400u, 519u }) {
        bytes r = to_vector(good);
        r[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
        SCOPED_TRACE("bit " + std::to_string(bit));
        expect_rejected(r);
    }
}

TEST(Sm2KeyExchange, RejectsMalformedR)
{
    const sm2_point good = sm2_keypair::generate().public_key();
    bytes off_curve = to_vector(good);
    off_curve[33] ^= 0x01; // y changed, x kept
    expect_rejected(off_curve);
    expect_rejected(point_hex(std::string(64, '0'), std::string(64, '0'))); // (0, 0)
    expect_rejected(bytes{ 0x00 });   // encoding of the point at infinity
    expect_rejected(bytes(65, 0x00)); // infinity padded to full length
    expect_rejected(bytes(good.begin(), good.end() - 1)); // short
    bytes long_r = to_vector(good);
    long_r.push_back(0x00);
    expect_rejected(long_r);
    expect_rejected(bytes());
    bytes compressed(good.begin(), good.begin() + 33);
    compressed[0] = static_cast<std::uint8_t>(0x02 | (good[64] & 1));
    expect_rejected(
        compressed); // valid point, but only the uncompressed form is accepted
    // A coordinate equal to p: the same residue as 0, but not a canonical encoding.
    expect_rejected(
        point_hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF",
                  std::string(64, '0')));
}

TEST(Sm2KeyExchange, WrongConfirmationTagFails)
{
    random_exchange x;
    x.responder.process_peer_ephemeral(x.initiator.ephemeral_public());
    x.initiator.process_peer_ephemeral(x.responder.ephemeral_public());
    bytes tag = to_vector(x.responder.confirmation_tag());
    tag[31] ^= 0x80;
    EXPECT_FALSE(x.initiator.verify_peer_confirmation(tag));
    // The failed side releases neither a key nor its own tag.
    EXPECT_THROW(x.initiator.key(), std::logic_error);
    EXPECT_THROW(x.initiator.confirmation_tag(), std::logic_error);
}

TEST(Sm2KeyExchange, ResponderRejectsWrongInitiatorTag)
{
    random_exchange x;
    x.responder.process_peer_ephemeral(x.initiator.ephemeral_public());
    x.initiator.process_peer_ephemeral(x.responder.ephemeral_public());
    ASSERT_TRUE(x.initiator.verify_peer_confirmation(x.responder.confirmation_tag()));
    // S_B in place of S_A (a reflected tag) and a truncated S_A both fail.
    EXPECT_FALSE(x.responder.verify_peer_confirmation(x.responder.confirmation_tag()));
    random_exchange y;
    y.responder.process_peer_ephemeral(y.initiator.ephemeral_public());
    y.initiator.process_peer_ephemeral(y.responder.ephemeral_public());
    ASSERT_TRUE(y.initiator.verify_peer_confirmation(y.responder.confirmation_tag()));
    const bytes tag = to_vector(y.initiator.confirmation_tag());
    EXPECT_FALSE(y.responder.verify_peer_confirmation(bytes(tag.begin(), tag.end() - 1)));
}

TEST(Sm2KeyExchange, InitiatorTagOnlyAfterVerifyingResponder)
{
    random_exchange x;
    EXPECT_THROW(x.initiator.key(), std::logic_error);
    x.responder.process_peer_ephemeral(x.initiator.ephemeral_public());
    x.initiator.process_peer_ephemeral(x.responder.ephemeral_public());
    EXPECT_THROW(x.initiator.confirmation_tag(), std::logic_error);
}

TEST(Sm2KeyExchange, MismatchedIdentitiesFailConfirmation)
{
    random_exchange x;
    // The responder believes the initiator is someone else.
    sm2_key_exchange responder(sm2_role::responder,
                               x.b,
                               x.id_b,
                               x.a.public_key(),
                               id_bytes("mallory@fiberkey"),
                               256);
    responder.process_peer_ephemeral(x.initiator.ephemeral_public());
    x.initiator.process_peer_ephemeral(responder.ephemeral_public());
    EXPECT_NE(to_vector(x.initiator.key()), to_vector(responder.key()));
    EXPECT_FALSE(x.initiator.verify_peer_confirmation(responder.confirmation_tag()));
}

TEST(Sm2KeyExchange, WrongPeerPublicKeyFailsConfirmation)
{
    random_exchange x;
    const sm2_keypair other = sm2_keypair::generate();
    sm2_key_exchange initiator(
        sm2_role::initiator, x.a, x.id_a, other.public_key(), x.id_b, 256);
    x.responder.process_peer_ephemeral(initiator.ephemeral_public());
    initiator.process_peer_ephemeral(x.responder.ephemeral_public());
    EXPECT_FALSE(initiator.verify_peer_confirmation(x.responder.confirmation_tag()));
}

class Sm2Pem : public ::testing::Test
{
protected:
    void SetUp() override
    {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "sm2_kex_test.XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
    }
    void TearDown() override { std::filesystem::remove_all(dir); }

    std::filesystem::path dir;
};

int run_openssl(const std::string& args)
{
    return std::system(("openssl " + args + " >/dev/null 2>&1").c_str());
}

TEST_F(Sm2Pem, RoundTripWithOwnerOnlyPrivateFile)
{
    const sm2_keypair keys = sm2_keypair::generate();
    const auto key_file = dir / "node.key";
    const auto pub_file = dir / "node.pub";
    keys.save_private_pem(key_file);
    keys.save_public_pem(pub_file);

    struct stat st {
    };
    ASSERT_EQ(stat(key_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0600u);

    const sm2_keypair loaded = sm2_keypair::load_pem(key_file);
    EXPECT_EQ(loaded.private_key(), keys.private_key());
    EXPECT_EQ(loaded.public_key(), keys.public_key());
    EXPECT_EQ(sm2_load_public_pem(pub_file), keys.public_key());

    std::ifstream pem(key_file);
    std::string first_line;
    std::getline(pem, first_line);
    EXPECT_EQ(first_line, "-----BEGIN PRIVATE KEY-----");
}

mode_t mode_of(const std::filesystem::path& p)
{
    struct stat st {
    };
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st.st_mode;
}

std::string read_all(const std::filesystem::path& p)
{
    std::ifstream f(p);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

TEST_F(Sm2Pem, AnExistingFileIsKeptUnlessReplaced)
{
    const auto key_file = dir / "node.key";
    std::ofstream(key_file) << "placeholder\n";
    std::filesystem::permissions(key_file, std::filesystem::perms::all);
    const sm2_keypair keys = sm2_keypair::generate();
    EXPECT_THROW(keys.save_private_pem(key_file), std::system_error);
    EXPECT_EQ(read_all(key_file), "placeholder\n");
    // Replaced by a new file: owner-only whatever the old one's mode, no temporary left.
    keys.save_private_pem(key_file, sm2_keypair::existing_file::replace);
    EXPECT_EQ(mode_of(key_file) & 07777, 0600u);
    EXPECT_EQ(sm2_keypair::load_pem(key_file).private_key(), keys.private_key());
    EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), {}), 1);
}

TEST_F(Sm2Pem, ALinkIsReplacedNeverFollowed)
{
    const auto target = dir / "precious";
    std::ofstream(target) << "precious\n";
    std::filesystem::permissions(
        target,
        std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
            std::filesystem::perms::group_read | std::filesystem::perms::others_read);
    const auto key_file = dir / "node.key";
    std::filesystem::create_symlink(target, key_file);
    const auto dangling = dir / "other.key";
    std::filesystem::create_symlink(dir / "nowhere", dangling);
    const sm2_keypair keys = sm2_keypair::generate();
    EXPECT_THROW(keys.save_private_pem(key_file), std::system_error);
    EXPECT_THROW(keys.save_private_pem(dangling), std::system_error);
    EXPECT_FALSE(std::filesystem::exists(dir / "nowhere"));
    keys.save_private_pem(key_file, sm2_keypair::existing_file::replace);
    EXPECT_FALSE(std::filesystem::is_symlink(key_file));
    EXPECT_EQ(read_all(target), "precious\n");
    EXPECT_EQ(mode_of(target) & 07777, 0644u);
}

TEST_F(Sm2Pem, APrivateKeyOpenToOthersIsRefused)
{
    const auto key_file = dir / "node.key";
    sm2_keypair::generate().save_private_pem(key_file);
    for (const auto extra : { std::filesystem::perms::group_read,
                              std::filesystem::perms::others_read,
                              std::filesystem::perms::group_write }) {
        std::filesystem::permissions(key_file, extra, std::filesystem::perm_options::add);
        try {
            sm2_keypair::load_pem(key_file);
            ADD_FAILURE() << "loaded with mode " << std::oct
                          << (mode_of(key_file) & 07777);
        } catch (const std::runtime_error& e) {
            EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos)
                << e.what();
        }
        std::filesystem::permissions(
            key_file, extra, std::filesystem::perm_options::remove);
    }
    EXPECT_NO_THROW(sm2_keypair::load_pem(key_file));
    EXPECT_THROW(sm2_keypair::load_pem(dir), std::runtime_error); // not a regular file
}

TEST_F(Sm2Pem, AnOffCurvePublicKeyIsNamedAsSuch)
{
    const auto pub_file = dir / "node.pub";
    sm2_keypair::generate().save_public_pem(pub_file);
    // Flip one bit of y (a base64 digit a few before the end, all of whose 6 bits are
    // data): y no longer fits x.
    std::string pem = read_all(pub_file);
    const auto end = pem.find("\n-----END");
    ASSERT_NE(end, std::string::npos);
    std::size_t last = end - 1;
    while (pem[last] == '=')
        --last;
    last -= 4;
    pem[last] = pem[last] == 'A' ? 'B' : 'A';
    std::ofstream(pub_file, std::ios::trunc) << pem;
    try {
        sm2_load_public_pem(pub_file);
        ADD_FAILURE() << "an off-curve point loaded";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("not a point on its curve"),
                  std::string::npos)
            << e.what();
    }
    std::ofstream(pub_file, std::ios::trunc) << "no key here\n";
    try {
        sm2_load_public_pem(pub_file);
        ADD_FAILURE();
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("is not a PEM public key"),
                  std::string::npos)
            << e.what();
    }
}

TEST_F(Sm2Pem, OpensslCommandLineReadsTheFiles)
{
    const sm2_keypair keys = keypair_from(vec::dA);
    const auto key_file = dir / "a.key";
    const auto pub_file = dir / "a.pub";
    keys.save_private_pem(key_file);
    keys.save_public_pem(pub_file);
    if (run_openssl("version") != 0)
        GTEST_SKIP() << "openssl command line not installed";
    EXPECT_EQ(run_openssl("pkey -in " + key_file.string() + " -noout"), 0);
    EXPECT_EQ(run_openssl("pkey -pubin -in " + pub_file.string() + " -noout"), 0);
}

TEST_F(Sm2Pem, ReadsKeysMadeByOpenssl)
{
    const auto key_file = dir / "ossl.key";
    const auto pub_file = dir / "ossl.pub";
    if (run_openssl("version") != 0)
        GTEST_SKIP() << "openssl command line not installed";
    ASSERT_EQ(run_openssl("genpkey -algorithm SM2 -out " + key_file.string()), 0);
    ASSERT_EQ(run_openssl("pkey -in " + key_file.string() + " -pubout -out " +
                          pub_file.string()),
              0);
    const sm2_keypair keys = sm2_keypair::load_pem(key_file);
    EXPECT_EQ(sm2_load_public_pem(pub_file), keys.public_key());
}

TEST_F(Sm2Pem, RejectsOtherKeysAndMissingFiles)
{
    EXPECT_THROW(sm2_keypair::load_pem(dir / "missing.key"), std::runtime_error);
    EXPECT_THROW(sm2_load_public_pem(dir / "missing.pub"), std::runtime_error);
    const auto garbage = dir / "garbage.key";
    std::ofstream(garbage) << "not a key\n";
    EXPECT_THROW(sm2_keypair::load_pem(garbage), std::runtime_error);
    if (run_openssl("version") != 0)
        GTEST_SKIP() << "openssl command line not installed";
    const auto p256 = dir / "p256.key";
    ASSERT_EQ(run_openssl("genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " +
                          p256.string()),
              0);
    EXPECT_THROW(sm2_keypair::load_pem(p256), std::runtime_error);
}

} // namespace
} // namespace fiberkey
