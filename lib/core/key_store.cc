/* -*- c++ -*- */
/*
 * Copyright 2026 The gr-fiberkey authors.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <fiberkey/application_keys.h>
#include <fiberkey/byte_order.h>
#include <fiberkey/hex.h>
#include <fiberkey/key_files.h>
#include <fiberkey/key_store.h>
#include <fiberkey/openssl_util.h>
#include <fiberkey/secure_memory.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>
#include <string_view>
#include <type_traits>

namespace fiberkey {

stored_key::~stored_key() { secure_wipe(key); }

namespace {

constexpr std::size_t key_bytes = 32, nonce_bytes = 12, tag_bytes = 16;
constexpr std::size_t sealed_bytes = nonce_bytes + key_bytes + tag_bytes;
using kek_bytes = std::array<std::uint8_t, key_bytes>;
using sealed_key = std::array<std::uint8_t, sealed_bytes>; // nonce || ciphertext || tag

constexpr std::size_t max_seeds = 64;
constexpr std::int64_t application_id = 0x464b4b53; // "FKKS": marks the file as ours
constexpr std::int64_t schema_version = 1;

// The AAD's labels keep the KEK check value and the keys apart (one KEK seals both).
constexpr std::string_view key_label = "fiberkey key store v1: seed key";
constexpr std::string_view check_label = "fiberkey key store v1: KEK check";

using cipher_ctx_ptr = openssl_ptr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;

// OpenSSL's reason (never key material), and a clean error queue.
[[noreturn]] void throw_openssl_error(const char* what)
{
    const char* reason = ERR_reason_error_string(ERR_peek_last_error());
    ERR_clear_error();
    throw key_store_error(std::string("key store: ") + what + " failed" +
                          (reason != nullptr ? std::string(": ") + reason : ""));
}

void check(int result, const char* what)
{
    if (result != 1)
        throw_openssl_error(what);
}

// AES-256-GCM with its default 12-byte IV.
cipher_ctx_ptr gcm(const kek_bytes& kek, const std::uint8_t* nonce, bool encrypt)
{
    cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        throw_openssl_error("EVP_CIPHER_CTX_new");
    check(EVP_CipherInit_ex(
              ctx.get(), EVP_aes_256_gcm(), nullptr, kek.data(), nonce, encrypt ? 1 : 0),
          "AES-256-GCM set-up");
    return ctx;
}

// Random nonces: a KEK may seal up to 2^32 keys before a repeat becomes a risk
// (SP 800-38D 8.3), far beyond a KME's lifetime at QKD rates.
sealed_key seal(const kek_bytes& kek,
                std::span<const std::uint8_t> aad,
                std::span<const std::uint8_t, key_bytes> plain)
{
    sealed_key out{};
    check(RAND_priv_bytes(out.data(), nonce_bytes), "RAND_priv_bytes");
    const cipher_ctx_ptr ctx = gcm(kek, out.data(), true);
    int n = 0;
    check(EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), int(aad.size())), "AAD");
    check(EVP_EncryptUpdate(
              ctx.get(), out.data() + nonce_bytes, &n, plain.data(), int(key_bytes)),
          "AES-256-GCM encryption");
    int tail = 0;
    check(EVP_EncryptFinal_ex(ctx.get(), out.data() + nonce_bytes + n, &tail),
          "AES-256-GCM encryption");
    if (std::size_t(n + tail) != key_bytes)
        throw key_store_error(
            "key store: AES-256-GCM gave a ciphertext of the wrong size");
    check(EVP_CIPHER_CTX_ctrl(ctx.get(),
                              EVP_CTRL_GCM_GET_TAG,
                              int(tag_bytes),
                              out.data() + nonce_bytes + key_bytes),
          "AES-256-GCM tag");
    return out;
}

// False (and \p plain wiped) when the tag does not authenticate \p sealed and \p aad.
bool unseal(const kek_bytes& kek,
            std::span<const std::uint8_t> aad,
            std::span<const std::uint8_t> sealed,
            std::span<std::uint8_t, key_bytes> plain)
{
    if (sealed.size() != sealed_bytes)
        return false;
    const cipher_ctx_ptr ctx = gcm(kek, sealed.data(), false);
    int n = 0;
    check(EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), int(aad.size())), "AAD");
    check(EVP_DecryptUpdate(
              ctx.get(), plain.data(), &n, sealed.data() + nonce_bytes, int(key_bytes)),
          "AES-256-GCM decryption");
    // SET_TAG only reads the tag; the API is not const-correct.
    check(EVP_CIPHER_CTX_ctrl(
              ctx.get(),
              EVP_CTRL_GCM_SET_TAG,
              int(tag_bytes),
              const_cast<std::uint8_t*>(sealed.data() + nonce_bytes + key_bytes)),
          "AES-256-GCM tag");
    std::uint8_t tail[16];
    if (std::size_t(n) != key_bytes || EVP_DecryptFinal_ex(ctx.get(), tail, &n) != 1) {
        ERR_clear_error();
        secure_wipe(plain.data(), plain.size());
        return false;
    }
    return true;
}

// Binds a key's ciphertext to its row: moved to another ID, direction or index, it fails.
std::vector<std::uint8_t>
key_aad(const std::string& key_id, std::uint8_t direction, std::uint32_t key_index)
{
    std::vector<std::uint8_t> aad(key_label.begin(), key_label.end());
    aad.reserve(aad.size() + 1 + key_id.size() + 1 + 4);
    aad.push_back(
        static_cast<std::uint8_t>(key_id.size())); // 36: IDs are checked on entry
    aad.insert(aad.end(), key_id.begin(), key_id.end());
    aad.push_back(direction);
    std::uint8_t index[4];
    store_be(index, key_index, 4);
    aad.insert(aad.end(), index, index + 4);
    return aad;
}

std::span<const std::uint8_t> check_aad()
{
    return { reinterpret_cast<const std::uint8_t*>(check_label.data()),
             check_label.size() };
}

void read_kek(const std::string& path, kek_bytes& kek)
{
    std::vector<std::uint8_t> data;
    try {
        data = read_owner_only(path, "key-encryption key", 128);
    } catch (const std::runtime_error& e) {
        throw key_store_error(e.what());
    }
    bool ok = data.size() == key_bytes;
    if (ok) {
        std::copy(data.begin(), data.end(), kek.begin());
    } else if (data.size() == 2 * key_bytes ||
               (data.size() == 2 * key_bytes + 1 && data.back() == '\n')) {
        try {
            auto bytes = from_hex(std::string_view(
                reinterpret_cast<const char*>(data.data()), 2 * key_bytes));
            std::copy(bytes.begin(), bytes.end(), kek.begin());
            secure_wipe(bytes);
            ok = true;
        } catch (const std::invalid_argument&) { // from_hex wiped what it had decoded
        }
    }
    secure_wipe(data);
    if (!ok) {
        secure_wipe(kek);
        throw key_store_error(
            "key-encryption key " + path +
            ": must hold 32 bytes or 64 hex digits (optionally followed "
            "by one newline); make one with: openssl rand -hex 32");
    }
}

// A UUID in the canonical lowercase text that both ends write.
bool valid_key_id(std::string_view id)
{
    const auto bytes = parse_uuid(id);
    return bytes && uuid_text(*bytes) == id;
}

void validate(const key_reservation& r)
{
    auto bad = [](const std::string& why) {
        throw std::invalid_argument("key reservation: " + why);
    };
    if (r.seed_ids.empty() || r.seed_ids.size() > max_seeds)
        bad("it needs 1 to 64 seed keys, not " + std::to_string(r.seed_ids.size()));
    if (r.key_id != r.seed_ids[0])
        bad("its key ID must be its first seed key's ID");
    if (r.size_bits < 8 || r.size_bits % 8 != 0 ||
        r.size_bits > r.seed_ids.size() * 8 * key_bytes)
        bad("a size of " + std::to_string(r.size_bits) +
            " bits is not a multiple of 8 from 8 to 256 per seed key");
    if (r.master_sae.empty() || r.slave_sae.empty())
        bad("empty SAE ID");
    std::set<std::string_view> seen;
    for (const auto& id : r.seed_ids) {
        if (!valid_key_id(id))
            bad("seed key ID \"" + id + "\" is not a lowercase UUID");
        if (!seen.insert(id).second)
            bad("seed key " + id + " appears twice");
    }
}

// The store file, opened to check it (and kept open while SQLite opens it by name). A
// new one is created here, owner-only whatever the umask; an existing one must be a
// regular file (not a link) that only its owner may use.
int open_store_file(const std::string& path)
{
    const int fd =
        ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0) {
        if (::fchmod(fd, 0600) != 0) {
            const int error = errno;
            ::close(fd);
            throw key_store_error("key store " + path +
                                  ": cannot set its mode: " + std::strerror(error));
        }
        return fd;
    }
    if (errno != EEXIST)
        throw key_store_error("key store " + path +
                              ": cannot create it: " + std::strerror(errno));
    struct stat st {
    };
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw key_store_error("key store " + path +
                              ": it is a symbolic link; give the store file's own path");
    try {
        return open_owner_only(path, "key store");
    } catch (const std::runtime_error& e) {
        throw key_store_error(e.what());
    }
}

struct stmt_free {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
};
using stmt_ptr = std::unique_ptr<sqlite3_stmt, stmt_free>;

} // namespace

struct key_store::impl {
    std::string path;
    std::size_t capacity = 0;
    kek_bytes kek{};
    sqlite3* db = nullptr;
    counters stats;

    impl() = default;
    impl(const impl&) = delete;
    impl& operator=(const impl&) = delete;
    ~impl()
    {
        secure_wipe(kek);
        sqlite3_close_v2(db); // every statement is finalized by then (stmt_ptr)
    }

    [[noreturn]] void fail(std::string_view what) const
    {
        throw key_store_error("key store " + path + ": " + std::string(what) + ": " +
                              sqlite3_errmsg(db));
    }

    template <typename T>
    int bind(sqlite3_stmt* s, int i, const T& v) const
    {
        if constexpr (std::is_integral_v<T>)
            return sqlite3_bind_int64(s, i, static_cast<sqlite3_int64>(v));
        else if constexpr (std::is_same_v<T, std::string>)
            return sqlite3_bind_text(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
        else
            return sqlite3_bind_blob(s, i, v.data(), int(v.size()), SQLITE_TRANSIENT);
    }

    //! \p sql with \p args bound to its parameters, in order.
    template <typename... Args>
    stmt_ptr prepare(std::string_view sql, const Args&... args) const
    {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &raw, nullptr) !=
            SQLITE_OK)
            fail(sql);
        stmt_ptr s(raw);
        [[maybe_unused]] int i = 0;
        ((++i, bind(s.get(), i, args) == SQLITE_OK || (fail(sql), false)), ...);
        return s;
    }

    //! True on a row, false when done.
    bool step(const stmt_ptr& s) const
    {
        const int rc = sqlite3_step(s.get());
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            fail(sqlite3_sql(s.get()));
        return rc == SQLITE_ROW;
    }

    template <typename... Args>
    void run(std::string_view sql, const Args&... args) const
    {
        const stmt_ptr s = prepare(sql, args...);
        while (step(s)) {
        }
    }

    //! The first column of the first row (0 when there is none).
    template <typename... Args>
    std::int64_t query_int(std::string_view sql, const Args&... args) const
    {
        const stmt_ptr s = prepare(sql, args...);
        return step(s) ? sqlite3_column_int64(s.get(), 0) : 0;
    }

    static std::string text(const stmt_ptr& s, int column)
    {
        const auto* t = sqlite3_column_text(s.get(), column);
        return t != nullptr ? reinterpret_cast<const char*>(t) : "";
    }

    //! Opens the row at \p s (key_id, direction, key_index, sealed from column \p first)
    //! into \p out; throws, with \p out wiped, when it does not authenticate.
    void unseal_row(const stmt_ptr& s, int first, stored_key& out) const
    {
        out.key_id = text(s, first);
        const auto direction = sqlite3_column_int64(s.get(), first + 1);
        const auto index = sqlite3_column_int64(s.get(), first + 2);
        const auto* blob =
            static_cast<const std::uint8_t*>(sqlite3_column_blob(s.get(), first + 3));
        const std::span<const std::uint8_t> sealed(
            blob, std::size_t(sqlite3_column_bytes(s.get(), first + 3)));
        // Values out of range would be truncated into another row's AAD: refused outright.
        const bool in_range = (direction == 0 || direction == 1) && index >= 0 &&
                              index <= std::int64_t(UINT32_MAX);
        out.direction = static_cast<std::uint8_t>(direction);
        out.key_index = static_cast<std::uint32_t>(index);
        if (!in_range ||
            !unseal(
                kek, key_aad(out.key_id, out.direction, out.key_index), sealed, out.key))
            throw key_store_error("key store " + path + ": key " + out.key_id +
                                  " failed authentication (wrong key-encryption key, or "
                                  "the file was altered)");
    }

    // BEGIN IMMEDIATE .. COMMIT; rolled back when left without commit (errors included).
    // Inside a key_store::batch it is a savepoint: its own all or nothing, synced with
    // the batch.
    class transaction
    {
    public:
        explicit transaction(const impl& s)
            : d_s(s), d_nested(sqlite3_get_autocommit(s.db) == 0)
        {
            s.run(d_nested ? "SAVEPOINT op" : "BEGIN IMMEDIATE");
        }
        transaction(const transaction&) = delete;
        transaction& operator=(const transaction&) = delete;
        ~transaction()
        {
            if (!d_open)
                return;
            // Errors ignored: this runs while an exception may be on its way.
            if (d_nested)
                sqlite3_exec(
                    d_s.db, "ROLLBACK TO op; RELEASE op", nullptr, nullptr, nullptr);
            else
                sqlite3_exec(d_s.db, "ROLLBACK", nullptr, nullptr, nullptr);
        }
        void commit()
        {
            d_s.run(d_nested ? "RELEASE op" : "COMMIT");
            d_open = false;
        }

    private:
        const impl& d_s;
        const bool d_nested;
        bool d_open = true;
    };

    void open(const std::string& kek_path);
};

void key_store::impl::open(const std::string& kek_path)
{
    const int fd = open_store_file(path);
    struct fd_closer {
        int fd;
        ~fd_closer() { ::close(fd); }
    } closer{ fd };
    // SQLite opens the file now; NOFOLLOW refuses a link put in the file's place since.
    if (sqlite3_open_v2(path.c_str(),
                        &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX |
                            SQLITE_OPEN_NOFOLLOW,
                        nullptr) != SQLITE_OK)
        fail("cannot open it");
    struct stat checked {
    }, named{};
    if (::fstat(fd, &checked) != 0 || ::lstat(path.c_str(), &named) != 0 ||
        checked.st_dev != named.st_dev || checked.st_ino != named.st_ino)
        throw key_store_error("key store " + path +
                              ": the file was replaced while it was opened; let only its "
                              "owner write to its directory");
    if (sqlite3_busy_timeout(db, 2000) != SQLITE_OK)
        fail("sqlite3_busy_timeout");
    // No WAL: its side files would outlive a transaction. The rollback journal gets the
    // store file's mode from SQLite and is deleted after each commit.
    {
        const stmt_ptr s = prepare("PRAGMA journal_mode = DELETE");
        if (!step(s) || text(s, 0) != "delete")
            throw key_store_error("key store " + path +
                                  ": cannot use journal_mode DELETE");
    }
    if (query_int("PRAGMA secure_delete = ON") != 1)
        throw key_store_error("key store " + path + ": this SQLite lacks secure_delete");
    run("PRAGMA synchronous = FULL");
    run("PRAGMA foreign_keys = ON");

    impl::transaction t(*this);
    const auto app = query_int("PRAGMA application_id");
    const auto version = query_int("PRAGMA user_version");
    if (app == 0 && version == 0 &&
        query_int("SELECT COUNT(*) FROM sqlite_master") == 0) {
        // A new (empty) file.
        run("CREATE TABLE meta(name TEXT PRIMARY KEY NOT NULL, value BLOB NOT NULL)");
        run("CREATE TABLE reservations(key_id TEXT PRIMARY KEY NOT NULL, "
            "size_bits INTEGER NOT NULL, master_sae TEXT NOT NULL, "
            "slave_sae TEXT NOT NULL)");
        // seq: insertion order. reservation/position: NULL while available.
        run("CREATE TABLE seed_keys(seq INTEGER PRIMARY KEY, key_id TEXT NOT NULL UNIQUE, "
            "direction INTEGER NOT NULL, key_index INTEGER NOT NULL, sealed BLOB NOT NULL, "
            "reservation TEXT REFERENCES reservations(key_id), position INTEGER)");
        run("CREATE INDEX seed_keys_available ON seed_keys(direction, seq) "
            "WHERE reservation IS NULL");
        run("CREATE INDEX seed_keys_reserved ON seed_keys(reservation, position) "
            "WHERE reservation IS NOT NULL");
        const kek_bytes zero{};
        run("INSERT INTO meta(name, value) VALUES ('kek_check', ?)",
            seal(kek, check_aad(), zero));
        run("PRAGMA application_id = " + std::to_string(application_id));
        run("PRAGMA user_version = " + std::to_string(schema_version));
    } else if (app != application_id) {
        throw key_store_error("key store " + path + ": not a fiberkey key store");
    } else if (version != schema_version) {
        throw key_store_error("key store " + path + ": schema version " +
                              std::to_string(version) + ", this build reads version " +
                              std::to_string(schema_version) + " only");
    }
    const stmt_ptr s = prepare("SELECT value FROM meta WHERE name = 'kek_check'");
    kek_bytes plain{};
    const bool ok =
        step(s) &&
        unseal(kek,
               check_aad(),
               { static_cast<const std::uint8_t*>(sqlite3_column_blob(s.get(), 0)),
                 std::size_t(sqlite3_column_bytes(s.get(), 0)) },
               plain);
    secure_wipe(plain);
    if (!ok)
        throw key_store_error("key store " + path + ": the key-encryption key " +
                              kek_path +
                              " is not the one the store was created with (or the file "
                              "was altered)");
    t.commit();
}

key_store::key_store(const options& o) : d(std::make_unique<impl>())
{
    if (o.path.empty() || o.kek_path.empty())
        throw key_store_error(
            "key store: a path and a key-encryption key path are needed");
    if (o.capacity == 0)
        throw key_store_error("key store " + o.path +
                              ": its capacity must be at least 1");
    d->path = o.path;
    d->capacity = o.capacity;
    read_kek(o.kek_path, d->kek); // first: a bad KEK leaves no new store file behind
    d->open(o.kek_path);
}

key_store::~key_store() = default;

key_store::batch::batch(key_store& store) : d_store(store)
{
    if (sqlite3_get_autocommit(store.d->db) == 0)
        throw std::logic_error("key_store: one batch at a time");
    store.d->run("BEGIN IMMEDIATE");
}

key_store::batch::~batch()
{
    if (d_open)
        sqlite3_exec(d_store.d->db, "ROLLBACK", nullptr, nullptr, nullptr);
}

void key_store::batch::commit()
{
    d_store.d->run("COMMIT");
    d_open = false;
}

bool key_store::add(const std::string& key_id,
                    std::uint8_t direction,
                    std::uint32_t key_index,
                    std::span<const std::uint8_t, 32> key)
{
    if (!valid_key_id(key_id))
        throw std::invalid_argument("key_store::add: key ID \"" + key_id +
                                    "\" is not a lowercase UUID");
    if (direction > 1)
        throw std::invalid_argument("key_store::add: direction " +
                                    std::to_string(direction) + " is neither 0 nor 1");
    const sealed_key sealed = seal(d->kek, key_aad(key_id, direction, key_index), key);
    impl::transaction t(*d);
    if (d->query_int("SELECT COUNT(*) FROM seed_keys WHERE key_id = ?", key_id) != 0) {
        ++d->stats.duplicates;
        return false;
    }
    const auto held = std::uint64_t(d->query_int("SELECT COUNT(*) FROM seed_keys"));
    std::uint64_t dropped = 0;
    if (held >= d->capacity) {
        dropped = held - d->capacity + 1;
        const auto unreserved = std::uint64_t(
            d->query_int("SELECT COUNT(*) FROM seed_keys WHERE reservation IS NULL"));
        if (unreserved < dropped) {
            ++d->stats.dropped_full;
            return false;
        }
        d->run("DELETE FROM seed_keys WHERE seq IN (SELECT seq FROM seed_keys WHERE "
               "reservation IS NULL ORDER BY seq LIMIT ?)",
               dropped);
    }
    d->run("INSERT INTO seed_keys(key_id, direction, key_index, sealed) "
           "VALUES (?, ?, ?, ?)",
           key_id,
           direction,
           key_index,
           sealed);
    t.commit();
    d->stats.dropped_full += dropped;
    ++d->stats.added;
    return true;
}

std::size_t key_store::available(std::uint8_t direction) const
{
    return std::size_t(d->query_int(
        "SELECT COUNT(*) FROM seed_keys WHERE direction = ? AND reservation IS NULL",
        direction));
}

std::size_t key_store::size() const
{
    return std::size_t(d->query_int("SELECT COUNT(*) FROM seed_keys"));
}

std::vector<stored_key> key_store::take_oldest(std::uint8_t direction, std::size_t count)
{
    std::vector<stored_key> keys;
    if (count == 0)
        return keys;
    impl::transaction t(*d);
    if (std::uint64_t(d->query_int("SELECT COUNT(*) FROM seed_keys WHERE direction = ? "
                                   "AND reservation IS NULL",
                                   direction)) < count)
        return keys;
    const stmt_ptr s =
        d->prepare("SELECT seq, key_id, direction, key_index, sealed FROM seed_keys "
                   "WHERE direction = ? AND reservation IS NULL ORDER BY seq LIMIT ?",
                   direction,
                   count);
    keys.reserve(count);
    std::int64_t last = 0;
    while (d->step(s)) {
        last = sqlite3_column_int64(s.get(), 0);
        d->unseal_row(s, 1, keys.emplace_back());
    }
    d->run(
        "DELETE FROM seed_keys WHERE direction = ? AND reservation IS NULL AND seq <= ?",
        direction,
        last);
    if (std::size_t(sqlite3_changes(d->db)) != count)
        throw key_store_error("key store " + d->path + ": deleted " +
                              std::to_string(sqlite3_changes(d->db)) + " keys, not " +
                              std::to_string(count));
    t.commit();
    d->stats.delivered += count;
    return keys;
}

key_store::reserve_result key_store::reserve(const key_reservation& r)
{
    validate(r);
    impl::transaction t(*d);
    if (d->query_int("SELECT COUNT(*) FROM reservations WHERE key_id = ?", r.key_id) != 0)
        return reserve_result::duplicate;
    bool taken = false;
    for (const auto& id : r.seed_ids) {
        const stmt_ptr s = d->prepare("SELECT reservation IS NOT NULL FROM seed_keys "
                                      "WHERE key_id = ? AND direction = ?",
                                      id,
                                      r.direction);
        if (!d->step(s))
            return reserve_result::missing;
        taken = taken || sqlite3_column_int(s.get(), 0) != 0;
    }
    if (taken)
        return reserve_result::taken;
    d->run("INSERT INTO reservations(key_id, size_bits, master_sae, slave_sae) "
           "VALUES (?, ?, ?, ?)",
           r.key_id,
           r.size_bits,
           r.master_sae,
           r.slave_sae);
    for (std::size_t i = 0; i < r.seed_ids.size(); ++i)
        d->run("UPDATE seed_keys SET reservation = ?, position = ? WHERE key_id = ?",
               r.key_id,
               i,
               r.seed_ids[i]);
    t.commit();
    d->stats.reserved += r.seed_ids.size();
    return reserve_result::ok;
}

std::optional<key_reservation> key_store::reservation(const std::string& key_id) const
{
    impl::transaction t(*d); // the two reads see one state
    const stmt_ptr s = d->prepare(
        "SELECT size_bits, master_sae, slave_sae FROM reservations WHERE key_id = ?",
        key_id);
    if (!d->step(s))
        return std::nullopt;
    key_reservation r;
    r.key_id = key_id;
    r.size_bits = static_cast<std::uint32_t>(sqlite3_column_int64(s.get(), 0));
    r.master_sae = impl::text(s, 1);
    r.slave_sae = impl::text(s, 2);
    const stmt_ptr seeds = d->prepare(
        "SELECT key_id, direction FROM seed_keys WHERE reservation = ? ORDER BY position",
        key_id);
    while (d->step(seeds)) {
        r.seed_ids.push_back(impl::text(seeds, 0));
        r.direction = static_cast<std::uint8_t>(sqlite3_column_int(seeds.get(), 1));
    }
    t.commit();
    return r;
}

std::vector<stored_key> key_store::take_reserved(const std::string& key_id)
{
    std::vector<stored_key> keys;
    impl::transaction t(*d);
    if (d->query_int("SELECT COUNT(*) FROM reservations WHERE key_id = ?", key_id) == 0)
        return keys;
    const stmt_ptr s =
        d->prepare("SELECT key_id, direction, key_index, sealed FROM seed_keys "
                   "WHERE reservation = ? ORDER BY position",
                   key_id);
    keys.reserve(max_seeds);
    while (d->step(s))
        d->unseal_row(s, 0, keys.emplace_back());
    if (keys.empty())
        throw key_store_error("key store " + d->path + ": reservation " + key_id +
                              " has no seed keys (the file was altered)");
    d->run("DELETE FROM seed_keys WHERE reservation = ?", key_id);
    d->run("DELETE FROM reservations WHERE key_id = ?", key_id);
    t.commit();
    d->stats.delivered += keys.size();
    return keys;
}

key_store::counters key_store::stats() const { return d->stats; }

std::size_t key_store::capacity() const { return d->capacity; }

const std::string& key_store::path() const { return d->path; }

} // namespace fiberkey
