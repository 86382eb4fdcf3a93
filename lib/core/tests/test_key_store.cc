/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/key_files.h>
#include <fiberkey/key_store.h>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

namespace fiberkey {
namespace {

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;
using key_array = std::array<std::uint8_t, 32>;

// Fixed data: seed key n has ID id(n), index n and the key key_of(n), unique for n < 256.
std::string id(unsigned n)
{
    char text[40];
    std::snprintf(text, sizeof text, "00000000-0000-4000-8000-%012x", n);
    return text;
}

key_array key_of(unsigned n)
{
    key_array k;
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(n * 37 + i * 11 + 0x5a);
    return k;
}

const bytes kek_raw = [] {
    bytes k(32);
    for (std::size_t i = 0; i < k.size(); ++i)
        k[i] = static_cast<std::uint8_t>(0xc0 + 3 * i);
    return k;
}();

std::string hex(const bytes& b)
{
    std::string s;
    for (const auto x : b) {
        char two[3];
        std::snprintf(two, sizeof two, "%02x", x);
        s += two;
    }
    return s;
}

bytes text_bytes(std::string_view s) { return bytes(s.begin(), s.end()); }

bytes read_all(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return bytes(std::istreambuf_iterator<char>(f), {});
}

bool contains(const bytes& haystack, std::span<const std::uint8_t> needle)
{
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

mode_t mode_of(const fs::path& p)
{
    struct stat st {
    };
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st.st_mode & 07777;
}

// The key_store_error message \p f throws, or a note that it threw none.
std::string error_of(const std::function<void()>& f)
{
    try {
        f();
    } catch (const key_store_error& e) {
        return e.what();
    }
    return "(no key_store_error)";
}

#define EXPECT_ERROR(statement, part)                                \
    do {                                                             \
        const std::string message = error_of([&] { statement; });    \
        EXPECT_NE(message.find(part), std::string::npos) << message; \
    } while (false)

void expect_key(const stored_key& k, unsigned n, std::uint8_t direction)
{
    EXPECT_EQ(k.key_id, id(n));
    EXPECT_EQ(k.direction, direction);
    EXPECT_EQ(k.key_index, n);
    EXPECT_EQ(k.key, key_of(n)) << id(n);
}

void add_keys(key_store& s, unsigned first, unsigned count, std::uint8_t direction)
{
    for (unsigned n = first; n < first + count; ++n)
        ASSERT_TRUE(s.add(id(n), direction, n, key_of(n))) << id(n);
}

key_reservation reservation_of(const std::vector<unsigned>& seeds,
                               std::uint8_t direction = 0)
{
    key_reservation r;
    r.direction = direction;
    for (const unsigned n : seeds)
        r.seed_ids.push_back(id(n));
    r.key_id = r.seed_ids.empty() ? "" : r.seed_ids[0];
    r.size_bits = static_cast<std::uint32_t>(256 * seeds.size());
    r.master_sae = "sae-master";
    r.slave_sae = "sae-slave";
    return r;
}

// The store file opened directly with SQLite, as anyone who can write it could.
class raw_db
{
public:
    explicit raw_db(const fs::path& p)
    {
        EXPECT_EQ(
            sqlite3_open_v2(
                p.c_str(), &d_db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr),
            SQLITE_OK);
    }
    ~raw_db() { sqlite3_close(d_db); }
    raw_db(const raw_db&) = delete;
    raw_db& operator=(const raw_db&) = delete;

    void exec(const std::string& sql)
    {
        EXPECT_EQ(sqlite3_exec(d_db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sql << ": " << sqlite3_errmsg(d_db);
    }
    bytes sealed(const std::string& key_id)
    {
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(
            sqlite3_prepare_v2(
                d_db, "SELECT sealed FROM seed_keys WHERE key_id = ?", -1, &s, nullptr),
            SQLITE_OK);
        sqlite3_bind_text(s, 1, key_id.c_str(), -1, SQLITE_TRANSIENT);
        bytes out;
        if (sqlite3_step(s) == SQLITE_ROW) {
            const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s, 0));
            out.assign(p, p + sqlite3_column_bytes(s, 0));
        }
        sqlite3_finalize(s);
        EXPECT_FALSE(out.empty()) << key_id;
        return out;
    }
    void set_sealed(const std::string& key_id, const bytes& value)
    {
        sqlite3_stmt* s = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(d_db,
                                     "UPDATE seed_keys SET sealed = ? WHERE key_id = ?",
                                     -1,
                                     &s,
                                     nullptr),
                  SQLITE_OK);
        sqlite3_bind_blob(s, 1, value.data(), int(value.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, key_id.c_str(), -1, SQLITE_TRANSIENT);
        EXPECT_EQ(sqlite3_step(s), SQLITE_DONE);
        sqlite3_finalize(s);
        EXPECT_EQ(sqlite3_changes(d_db), 1);
    }

private:
    sqlite3* d_db = nullptr;
};

class KeyStore : public ::testing::Test
{
protected:
    void SetUp() override
    {
        std::string pattern =
            (fs::temp_directory_path() / "key_store_test.XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        dir = pattern;
        kek = dir / "kek";
        write(kek, kek_raw);
        opts.path = (dir / "keys.db").string();
        opts.kek_path = kek.string();
    }
    void TearDown() override { fs::remove_all(dir); }

    static void write(const fs::path& p, const bytes& data, bool owner_only = true)
    {
        write_key_file(p, data, owner_only, existing_file::replace, "test");
    }

    fs::path dir, kek;
    key_store::options opts;
};

TEST_F(KeyStore, TakeOldestInInsertionOrderAllOrNothing)
{
    key_store s(opts);
    EXPECT_EQ(s.path(), opts.path);
    add_keys(s, 0, 4, 0);
    EXPECT_TRUE(s.take_oldest(0, 5).empty()); // fewer held: nothing taken
    EXPECT_TRUE(s.take_oldest(1, 1).empty());
    EXPECT_TRUE(s.take_oldest(0, 0).empty());
    EXPECT_EQ(s.available(0), 4u);

    const auto first = s.take_oldest(0, 3);
    ASSERT_EQ(first.size(), 3u);
    for (unsigned n = 0; n < 3; ++n)
        expect_key(first[n], n, 0);
    EXPECT_EQ(s.available(0), 1u);
    add_keys(s, 4, 1, 0);
    const auto rest = s.take_oldest(0, 2);
    ASSERT_EQ(rest.size(), 2u);
    expect_key(rest[0], 3, 0);
    expect_key(rest[1], 4, 0);
    EXPECT_EQ(s.size(), 0u);
    EXPECT_EQ(s.stats().added, 5u);
    EXPECT_EQ(s.stats().delivered, 5u);
}

TEST_F(KeyStore, AvailableCountsUnreservedKeysPerDirection)
{
    key_store s(opts);
    add_keys(s, 0, 3, 0);
    add_keys(s, 10, 2, 1);
    EXPECT_EQ(s.available(0), 3u);
    EXPECT_EQ(s.available(1), 2u);
    EXPECT_EQ(s.available(2), 0u);
    ASSERT_EQ(s.reserve(reservation_of({ 1 })), key_store::reserve_result::ok);
    ASSERT_EQ(s.reserve(reservation_of({ 10 }, 1)), key_store::reserve_result::ok);
    EXPECT_EQ(s.available(0), 2u);
    EXPECT_EQ(s.available(1), 1u);
    EXPECT_EQ(s.size(), 5u);
    // take_oldest passes over reserved keys.
    const auto keys = s.take_oldest(0, 2);
    ASSERT_EQ(keys.size(), 2u);
    expect_key(keys[0], 0, 0);
    expect_key(keys[1], 2, 0);
    EXPECT_TRUE(s.take_oldest(1, 2).empty());
    expect_key(s.take_oldest(1, 1).at(0), 11, 1);
}

TEST_F(KeyStore, DuplicateAddChangesNothing)
{
    key_store s(opts);
    add_keys(s, 0, 2, 0);
    EXPECT_FALSE(s.add(id(0), 1, 99, key_of(99)));
    ASSERT_EQ(s.reserve(reservation_of({ 1 })), key_store::reserve_result::ok);
    EXPECT_FALSE(s.add(id(1), 0, 1, key_of(1))); // reserved keys are held too
    EXPECT_EQ(s.size(), 2u);
    EXPECT_EQ(s.available(1), 0u);
    EXPECT_EQ(s.stats().duplicates, 2u);
    EXPECT_EQ(s.stats().added, 2u);
    expect_key(s.take_oldest(0, 1).at(0), 0, 0);
    // Once taken, an ID is not held any more.
    EXPECT_TRUE(s.add(id(0), 0, 0, key_of(0)));
}

TEST_F(KeyStore, FullStoreDropsOldestAvailableNeverReserved)
{
    opts.capacity = 3;
    {
        key_store s(opts);
        s.add(id(0), 0, 0, key_of(0));
        s.add(id(1), 1, 1, key_of(1));
        s.add(id(2), 0, 2, key_of(2));
        ASSERT_EQ(s.reserve(reservation_of({ 0 })), key_store::reserve_result::ok);
        // Key 0 is older but reserved: key 1 (the oldest available, either direction) goes.
        EXPECT_TRUE(s.add(id(3), 0, 3, key_of(3)));
        EXPECT_EQ(s.size(), 3u);
        EXPECT_EQ(s.available(1), 0u);
        EXPECT_EQ(s.stats().dropped_full, 1u);

        ASSERT_EQ(s.reserve(reservation_of({ 2, 3 })), key_store::reserve_result::ok);
        EXPECT_FALSE(
            s.add(id(4), 0, 4, key_of(4))); // all reserved: the new key is dropped
        EXPECT_EQ(s.size(), 3u);
        EXPECT_EQ(s.stats().dropped_full, 2u);
        EXPECT_EQ(s.stats().added, 4u);
        expect_key(s.take_reserved(id(0)).at(0), 0, 0);
        EXPECT_TRUE(s.add(id(4), 0, 4, key_of(4)));
    }
    // Reopened smaller: the one available key cannot make room for another.
    opts.capacity = 2;
    key_store s(opts);
    EXPECT_FALSE(s.add(id(5), 0, 5, key_of(5)));
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.available(0), 1u);
    EXPECT_EQ(s.stats().dropped_full, 1u);
}

TEST_F(KeyStore, ReserveResults)
{
    using rr = key_store::reserve_result;
    key_store s(opts);
    add_keys(s, 0, 6, 0);
    EXPECT_EQ(s.reserve(reservation_of({ 0, 1 })), rr::ok);
    EXPECT_EQ(s.reserve(reservation_of({ 0, 2 })), rr::duplicate);
    EXPECT_EQ(s.reserve(reservation_of({ 2, 99 })), rr::missing);
    EXPECT_EQ(s.reserve(reservation_of({ 3, 1 })), rr::taken);
    EXPECT_EQ(s.reserve(reservation_of({ 4, 1, 98 })), rr::missing);
    // The refused ones changed nothing.
    EXPECT_EQ(s.available(0), 4u);
    EXPECT_FALSE(s.reservation(id(2)).has_value());
    EXPECT_FALSE(s.reservation(id(3)).has_value());
    EXPECT_EQ(s.reserve(reservation_of({ 3, 2 })), rr::ok);
    EXPECT_EQ(s.available(0), 2u);
    EXPECT_EQ(s.stats().reserved, 4u);

    const auto r = s.reservation(id(3));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->key_id, id(3));
    EXPECT_EQ(r->seed_ids, (std::vector<std::string>{ id(3), id(2) }));
    EXPECT_EQ(r->size_bits, 512u);
    EXPECT_EQ(r->master_sae, "sae-master");
    EXPECT_EQ(r->slave_sae, "sae-slave");
}

TEST_F(KeyStore, MalformedReservationsAndKeysThrow)
{
    key_store s(opts);
    add_keys(s, 0, 3, 0);
    const auto refused = [&](const std::function<void(key_reservation&)>& change) {
        key_reservation r = reservation_of({ 0, 1 });
        change(r);
        EXPECT_THROW(s.reserve(r), std::invalid_argument);
    };
    refused([](auto& r) { r.seed_ids.clear(); });
    refused([](auto& r) { r.seed_ids.resize(65, id(0)); });
    refused([](auto& r) { r.size_bits = 0; });
    refused([](auto& r) { r.size_bits = 4; });
    refused([](auto& r) { r.size_bits = 12; });
    refused([](auto& r) { r.size_bits = 520; });
    refused([](auto& r) { r.master_sae.clear(); });
    refused([](auto& r) { r.slave_sae.clear(); });
    refused([](auto& r) { r.key_id = id(1); });
    refused([](auto& r) { r.seed_ids[1] = id(0); });
    refused([](auto& r) { r.seed_ids[1] = "00000000-0000-4000-8000-00000000000A"; });
    refused([](auto& r) { r.seed_ids[1] = "not a uuid"; });
    EXPECT_THROW(s.add("00000000-0000-4000-8000-00000000000A", 0, 9, key_of(9)),
                 std::invalid_argument);
    EXPECT_THROW(s.add("0000000000000-4000-8000-00000000000a", 0, 9, key_of(9)),
                 std::invalid_argument);
    EXPECT_THROW(s.add(id(9), 2, 9, key_of(9)), std::invalid_argument);
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.available(0), 3u);
    // The limits themselves are fine.
    key_reservation one = reservation_of({ 0 });
    one.size_bits = 8;
    EXPECT_EQ(s.reserve(one), key_store::reserve_result::ok);
    std::vector<unsigned> many(64);
    for (unsigned n = 0; n < 64; ++n)
        many[n] = 100 + n;
    EXPECT_EQ(s.reserve(reservation_of(many)), key_store::reserve_result::missing);
    EXPECT_THROW(key_store(key_store::options{ opts.path, opts.kek_path, 0 }),
                 key_store_error);
}

TEST_F(KeyStore, TakeReservedReturnsSeedOrderAndDeletes)
{
    key_store s(opts);
    add_keys(s, 0, 5, 0);
    add_keys(s, 5, 1, 1);
    // Only keys of the reservation's direction: key 5 is of the other one.
    EXPECT_EQ(s.reserve(reservation_of({ 3, 5 })), key_store::reserve_result::missing);
    key_reservation r = reservation_of({ 3, 0, 4 });
    r.size_bits = 3 * 256 - 8;
    ASSERT_EQ(s.reserve(r), key_store::reserve_result::ok);
    EXPECT_TRUE(s.take_reserved(id(0)).empty()); // a seed key's ID, not the key's
    const auto keys = s.take_reserved(id(3));
    ASSERT_EQ(keys.size(), 3u);
    expect_key(keys[0], 3, 0);
    expect_key(keys[1], 0, 0);
    expect_key(keys[2], 4, 0);
    EXPECT_FALSE(s.reservation(id(3)).has_value());
    EXPECT_TRUE(s.take_reserved(id(3)).empty());
    EXPECT_EQ(s.size(), 3u);
    EXPECT_EQ(s.available(0), 2u);
    EXPECT_EQ(s.stats().delivered, 3u);
    // The seed keys are gone, so their IDs may be stored and reserved again.
    EXPECT_TRUE(s.add(id(3), 0, 3, key_of(3)));
    EXPECT_EQ(s.reserve(reservation_of({ 3 })), key_store::reserve_result::ok);
}

TEST_F(KeyStore, EverythingSurvivesReopening)
{
    {
        key_store s(opts);
        add_keys(s, 0, 5, 0);
        add_keys(s, 5, 3, 1);
        key_reservation r = reservation_of({ 6, 5 }, 1);
        r.size_bits = 304;
        ASSERT_EQ(s.reserve(r), key_store::reserve_result::ok);
        expect_key(s.take_oldest(0, 1).at(0), 0, 0);
    }
    key_store s(opts);
    EXPECT_EQ(s.stats().added, 0u); // the counters are the process's
    EXPECT_EQ(s.size(), 7u);
    EXPECT_EQ(s.available(0), 4u);
    EXPECT_EQ(s.available(1), 1u);
    const auto r = s.reservation(id(6));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->seed_ids, (std::vector<std::string>{ id(6), id(5) }));
    EXPECT_EQ(r->size_bits, 304u);
    EXPECT_EQ(r->direction, 1);
    EXPECT_EQ(r->master_sae, "sae-master");
    EXPECT_EQ(r->slave_sae, "sae-slave");
    EXPECT_EQ(s.reserve(reservation_of({ 5 }, 1)), key_store::reserve_result::taken);
    add_keys(s, 8, 1, 0);
    const auto keys = s.take_oldest(0, 5);
    ASSERT_EQ(keys.size(), 5u);
    for (unsigned i = 0; i < 5; ++i)
        expect_key(keys[i], i < 4 ? i + 1 : 8, 0);
    const auto reserved = s.take_reserved(id(6));
    ASSERT_EQ(reserved.size(), 2u);
    expect_key(reserved[0], 6, 1);
    expect_key(reserved[1], 5, 1);
    expect_key(s.take_oldest(1, 1).at(0), 7, 1);
    EXPECT_EQ(s.size(), 0u);
}

TEST_F(KeyStore, WrongKekIsRefusedAtOpen)
{
    {
        key_store s(opts);
        add_keys(s, 0, 1, 0);
    }
    bytes other = kek_raw;
    other[31] ^= 1;
    write(kek, other);
    EXPECT_ERROR(key_store s(opts), "is not the one the store was created with");
    write(kek, kek_raw);
    key_store s(opts);
    expect_key(s.take_oldest(0, 1).at(0), 0, 0);
}

TEST_F(KeyStore, AlteredRowsFailAuthenticationAndAreKept)
{
    key_store s(opts);
    add_keys(s, 0, 4, 0);
    ASSERT_EQ(s.reserve(reservation_of({ 3 })), key_store::reserve_result::ok);
    raw_db db(opts.path);
    const bytes original = db.sealed(id(1));
    ASSERT_EQ(original.size(), 12u + 32u + 16u);
    for (const std::size_t at : { 0u, 20u, 59u }) { // nonce, ciphertext, tag
        bytes flipped = original;
        flipped[at] ^= 0x01;
        db.set_sealed(id(1), flipped);
        EXPECT_ERROR(s.take_oldest(0, 2), "key " + id(1) + " failed authentication");
        EXPECT_EQ(s.available(0), 3u);
    }
    db.set_sealed(id(1), bytes(original.begin(), original.end() - 1)); // truncated
    EXPECT_ERROR(s.take_oldest(0, 2), "failed authentication");
    // A row's ciphertext moved to another ID, or its index changed, fails too.
    db.set_sealed(id(1), db.sealed(id(2)));
    EXPECT_ERROR(s.take_oldest(0, 2), "failed authentication");
    db.set_sealed(id(1), original);
    db.exec("UPDATE seed_keys SET key_index = 7 WHERE key_id = '" + id(2) + "'");
    EXPECT_ERROR(s.take_oldest(0, 3), "key " + id(2) + " failed authentication");
    db.exec("UPDATE seed_keys SET key_index = 2, direction = 1 WHERE key_id = '" + id(2) +
            "'");
    EXPECT_ERROR(s.take_oldest(1, 1), "key " + id(2) + " failed authentication");
    db.exec("UPDATE seed_keys SET direction = 0 WHERE key_id = '" + id(2) + "'");
    // Reserved keys likewise, the reservation kept; a direction that would wrap to the
    // right byte in the AAD (256) is refused too.
    db.exec("UPDATE seed_keys SET direction = 256 WHERE key_id = '" + id(3) + "'");
    EXPECT_ERROR(s.take_reserved(id(3)), "key " + id(3) + " failed authentication");
    db.exec("UPDATE seed_keys SET direction = 0 WHERE key_id = '" + id(3) + "'");
    bytes flipped = db.sealed(id(3));
    flipped[30] ^= 0x80;
    db.set_sealed(id(3), flipped);
    EXPECT_ERROR(s.take_reserved(id(3)), "failed authentication");
    EXPECT_TRUE(s.reservation(id(3)).has_value());
    EXPECT_EQ(s.size(), 4u);
    EXPECT_EQ(s.stats().delivered, 0u);
    // Repaired, every key comes out as it went in.
    const auto keys = s.take_oldest(0, 3);
    ASSERT_EQ(keys.size(), 3u);
    for (unsigned n = 0; n < 3; ++n)
        expect_key(keys[n], n, 0);
}

TEST_F(KeyStore, NewStoreIsOwnerOnlyWhateverTheUmask)
{
    {
        struct umask_guard {
            mode_t old = umask(0);
            ~umask_guard() { umask(old); }
        } guard;
        key_store s(opts);
        add_keys(s, 0, 2, 0);
        EXPECT_EQ(mode_of(opts.path), 0600u);
    }
    EXPECT_EQ(mode_of(opts.path), 0600u);
    // No side file outlives a transaction (no WAL, the journal deleted).
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(dir))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{ "kek", "keys.db" }));
}

TEST_F(KeyStore, StoreOpenToOthersIsRefused)
{
    {
        key_store s(opts);
    }
    for (const mode_t mode : { 0644, 0640, 0604, 0620 }) {
        ASSERT_EQ(chmod(opts.path.c_str(), mode), 0);
        EXPECT_ERROR(key_store s(opts), "chmod 600 " + opts.path);
    }
    ASSERT_EQ(chmod(opts.path.c_str(), 0600), 0);
    EXPECT_NO_THROW(key_store s(opts));
}

TEST_F(KeyStore, LinksAndOtherFilesAreRefused)
{
    {
        key_store s(opts);
    }
    auto at = [&](const fs::path& p) {
        key_store::options o = opts;
        o.path = p.string();
        return o;
    };
    fs::create_symlink(opts.path, dir / "link.db");
    EXPECT_ERROR(key_store s(at(dir / "link.db")), "symbolic link");
    fs::create_symlink(dir / "nowhere.db", dir / "dangling.db");
    EXPECT_ERROR(key_store s(at(dir / "dangling.db")), "symbolic link");
    EXPECT_FALSE(fs::exists(dir / "nowhere.db"));

    fs::create_directory(dir / "dir.db");
    EXPECT_ERROR(key_store s(at(dir / "dir.db")), "not a regular file");
    ASSERT_EQ(mkfifo((dir / "fifo.db").c_str(), 0600), 0);
    EXPECT_ERROR(key_store s(at(dir / "fifo.db")), "not a regular file");

    write(dir / "text.db", text_bytes("not a database, but long enough to look at it\n"));
    EXPECT_ERROR(key_store s(at(dir / "text.db")), "not a database");
    {
        raw_db db(dir / "other.db");
        db.exec("CREATE TABLE t(x)");
    }
    ASSERT_EQ(chmod((dir / "other.db").c_str(), 0600), 0);
    EXPECT_ERROR(key_store s(at(dir / "other.db")), "not a fiberkey key store");
    {
        raw_db db(opts.path);
        db.exec("PRAGMA user_version = 2");
    }
    EXPECT_ERROR(key_store s(opts), "schema version 2");
}

TEST_F(KeyStore, KekOpenToOthersIsRefused)
{
    write(kek, kek_raw, false);
    EXPECT_EQ(mode_of(kek), 0644u);
    EXPECT_ERROR(key_store s(opts), "chmod 600 " + kek.string());
    EXPECT_FALSE(fs::exists(opts.path)); // the KEK is read before the store is created
}

TEST_F(KeyStore, KekFormats)
{
    {
        key_store s(opts); // 32 raw bytes
        add_keys(s, 0, 1, 0);
    }
    // The same key as hex: with one newline, and in capitals without.
    write(kek, text_bytes(hex(kek_raw) + "\n"));
    EXPECT_NO_THROW(key_store s(opts));
    std::string upper = hex(kek_raw);
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    write(kek, text_bytes(upper));
    {
        key_store s(opts);
        expect_key(s.take_oldest(0, 1).at(0), 0, 0);
    }
    const std::string digits = hex(kek_raw);
    for (const bytes& bad : {
             bytes(kek_raw.begin(), kek_raw.end() - 1), // 31 bytes
             [] {
                 bytes b = kek_raw;
                 b.push_back(0);
                 return b;
             }(),                                  // 33 bytes
             text_bytes(digits + "a"),             // 65 hex digits
             text_bytes(digits + "a\n"),           // 65 and a newline
             text_bytes(digits.substr(1) + "g"),   // not hex
             text_bytes(digits.substr(2) + " \n"), // nor this
             text_bytes(digits + "\r\n"),          // two line ends
             text_bytes(digits + "\n\n"),          // two newlines
             bytes{},                              // empty
         }) {
        SCOPED_TRACE(std::to_string(bad.size()) + " bytes");
        write(kek, bad);
        EXPECT_ERROR(key_store s(opts), "must hold 32 bytes or 64 hex digits");
    }
    write(kek, bytes(129, 'a'));
    EXPECT_ERROR(key_store s(opts), "longer than 128 bytes");
    fs::remove(kek);
    EXPECT_ERROR(key_store s(opts), kek.string());
}

TEST_F(KeyStore, FileNeverHoldsPlaintextKeys)
{
    {
        key_store s(opts);
        add_keys(s, 0, 40, 0);
        add_keys(s, 40, 40, 1);
        ASSERT_EQ(s.reserve(reservation_of({ 41, 42, 43 }, 1)),
                  key_store::reserve_result::ok);
        ASSERT_EQ(s.take_oldest(0, 10).size(), 10u);
        ASSERT_EQ(s.take_reserved(id(41)).size(), 3u);
    }
    const bytes file = read_all(opts.path);
    ASSERT_TRUE(contains(file, text_bytes(id(79)))); // what the search can see
    for (unsigned n = 0; n < 80; ++n) {
        const key_array k = key_of(n);
        EXPECT_FALSE(contains(file, std::span(k).first(16))) << id(n);
        EXPECT_FALSE(contains(file, std::span(k).last(16))) << id(n);
    }
    EXPECT_FALSE(contains(file, std::span(kek_raw).first(16)));
    EXPECT_FALSE(contains(file, text_bytes(hex(kek_raw).substr(0, 16))));
}

} // namespace
} // namespace fiberkey
