#include <weir/apiserver/store.hpp>

#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <sqlite3.h>

namespace weir::apiserver {

namespace {

error db_error(sqlite3* db, std::string_view what)
{
    return transient_error(fmt::format("store: {}: {}", what, db ? sqlite3_errmsg(db) : "no database"),
                           "StorageError");
}

} // namespace

// Prepared statements are made once: a write is then bind + step, with no SQL parsing.
struct store::db {
    sqlite3* handle = nullptr;
    sqlite3_stmt* begin = nullptr;
    sqlite3_stmt* commit = nullptr;
    sqlite3_stmt* rollback = nullptr;
    sqlite3_stmt* upsert = nullptr;
    sqlite3_stmt* remove = nullptr;
    sqlite3_stmt* set_rev = nullptr;

    ~db()
    {
        for (auto* s : {begin, commit, rollback, upsert, remove, set_rev}) sqlite3_finalize(s);
        if (handle) sqlite3_close(handle);
    }
    status exec(const char* sql)
    {
        char* msg = nullptr;
        if (sqlite3_exec(handle, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            std::string m = msg ? msg : "unknown";
            sqlite3_free(msg);
            return transient_error(fmt::format("store: {}: {}", sql, m), "StorageError");
        }
        return ok();
    }
    status prepare(const char* sql, sqlite3_stmt** out)
    {
        if (sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, out, nullptr) != SQLITE_OK)
            return db_error(handle, sql);
        return ok();
    }
    bool step(sqlite3_stmt* s)
    {
        int rc = sqlite3_step(s);
        sqlite3_reset(s);
        sqlite3_clear_bindings(s);
        return rc == SQLITE_DONE || rc == SQLITE_ROW;
    }
};

labels_t labels_of(const value& obj)
{
    labels_t out;
    if (const value* l = obj.find_path({"metadata", "labels"}); l && l->is_object())
        for (const auto& [k, v] : l->as_object())
            if (v.is_string()) out.emplace_back(k, v.as_string());
    return out;
}

void index_object(stored_object& so, const value& obj)
{
    so.labels = labels_of(obj);
    const value* md = obj.find("metadata");
    if (!md) return;
    so.uid = std::string(md->get_string("uid"));
    so.owners.clear();
    if (const value* refs = md->find("ownerReferences"); refs && refs->is_array())
        for (const auto& r : refs->as_array()) so.owners.emplace_back(r.get_string("uid"));
    so.terminating = md->find("deletionTimestamp") != nullptr;
}

result<std::unique_ptr<store>> store::open(const std::filesystem::path& file, std::size_t ring_capacity)
{
    std::unique_ptr<store> st(new store());
    st->ring_capacity_ = ring_capacity;
    st->db_ = std::make_unique<db>();
    auto& d = *st->db_;
    if (sqlite3_open_v2(file.c_str(), &d.handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        return db_error(d.handle, "open " + file.string()).wrap("check that the data directory is writable");
    // WAL with synchronous=NORMAL: a commit is in the OS once sqlite3_step returns, so a killed
    // process loses nothing it acknowledged; only a power loss can drop the last commits.
    WEIR_TRY(d.exec("PRAGMA busy_timeout=5000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                    "CREATE TABLE IF NOT EXISTS objects(key TEXT PRIMARY KEY, rv INTEGER NOT NULL,"
                    " data TEXT NOT NULL) WITHOUT ROWID;"
                    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v INTEGER NOT NULL);"));
    WEIR_TRY(d.prepare("BEGIN", &d.begin));
    WEIR_TRY(d.prepare("COMMIT", &d.commit));
    WEIR_TRY(d.prepare("ROLLBACK", &d.rollback));
    WEIR_TRY(d.prepare("INSERT INTO objects(key, rv, data) VALUES(?1, ?2, ?3) "
                       "ON CONFLICT(key) DO UPDATE SET rv = excluded.rv, data = excluded.data",
                       &d.upsert));
    WEIR_TRY(d.prepare("DELETE FROM objects WHERE key = ?1", &d.remove));
    WEIR_TRY(d.prepare("INSERT INTO meta(k, v) VALUES('revision', ?1) "
                       "ON CONFLICT(k) DO UPDATE SET v = excluded.v",
                       &d.set_rev));

    sqlite3_stmt* q = nullptr;
    WEIR_TRY(d.prepare("SELECT v FROM meta WHERE k = 'revision'", &q));
    if (sqlite3_step(q) == SQLITE_ROW) st->revision_ = sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    WEIR_TRY(d.prepare("SELECT key, rv, data FROM objects", &q));
    while (sqlite3_step(q) == SQLITE_ROW) {
        std::string key(reinterpret_cast<const char*>(sqlite3_column_text(q, 0)));
        stored_object so;
        so.rv = sqlite3_column_int64(q, 1);
        auto text = std::make_shared<std::string>(reinterpret_cast<const char*>(sqlite3_column_text(q, 2)),
                                                  static_cast<std::size_t>(sqlite3_column_bytes(q, 2)));
        if (auto parsed = parse_json(*text)) index_object(so, *parsed);
        so.json = std::move(text);
        st->revision_ = std::max(st->revision_, so.rv);
        st->count(so, 1);
        st->objects_.emplace(std::move(key), std::move(so));
    }
    sqlite3_finalize(q);
    st->ring_floor_ = st->revision_;
    return st;
}

store::~store() = default;

const stored_object* store::get(std::string_view key) const
{
    auto it = objects_.find(key);
    return it == objects_.end() ? nullptr : &it->second;
}

void store::scan(std::string_view prefix, std::string_view after,
                 const std::function<bool(const std::string&, const stored_object&)>& fn) const
{
    auto it = after.empty() ? objects_.lower_bound(prefix) : objects_.upper_bound(after);
    for (; it != objects_.end(); ++it) {
        if (it->first.compare(0, prefix.size(), prefix) != 0) break;
        if (!fn(it->first, it->second)) break;
    }
}

result<std::int64_t> store::write(const std::string& key, const std::string* json, std::int64_t rv)
{
    auto& d = *db_;
    if (!d.step(d.begin)) return db_error(d.handle, "begin");
    bool ok_write;
    if (json) {
        sqlite3_bind_text(d.upsert, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
        sqlite3_bind_int64(d.upsert, 2, rv);
        sqlite3_bind_text(d.upsert, 3, json->data(), static_cast<int>(json->size()), SQLITE_STATIC);
        ok_write = d.step(d.upsert);
    } else {
        sqlite3_bind_text(d.remove, 1, key.data(), static_cast<int>(key.size()), SQLITE_STATIC);
        ok_write = d.step(d.remove);
    }
    // A put's revision is in its row; only a delete must record the revision on its own, so that
    // it is not reused after a restart.
    bool ok_rev = true;
    if (!json) {
        sqlite3_bind_int64(d.set_rev, 1, rv);
        ok_rev = d.step(d.set_rev);
    }
    if (!ok_write || !ok_rev || !d.step(d.commit)) {
        auto err = db_error(d.handle, "write " + key);
        d.step(d.rollback);
        return err;
    }
    return rv;
}

result<std::int64_t> store::put(const std::string& key, value& obj)
{
    std::int64_t rv = revision_ + 1;
    value& rv_field = obj["metadata"]["resourceVersion"];
    value previous = std::move(rv_field);
    rv_field = std::to_string(rv);
    auto json = std::make_shared<std::string>(to_json(obj));
    if (auto w = write(key, json.get(), rv); !w) {
        rv_field = std::move(previous);
        return std::move(w).err();
    }
    revision_ = rv;
    store_event ev{rv, event_type::added, key, json, labels_of(obj), {}};
    auto [it, inserted] = objects_.try_emplace(key);
    if (!inserted) {
        ev.type = event_type::modified;
        ev.old_labels = std::move(it->second.labels);
    }
    if (!inserted) count(it->second, -1);
    it->second.rv = rv;
    it->second.json = json;
    index_object(it->second, obj);
    count(it->second, 1);
    record(std::move(ev));
    return rv;
}

result<std::int64_t> store::erase(const std::string& key, value last)
{
    auto it = objects_.find(key);
    if (it == objects_.end()) return terminal_error("store: " + key + " not found", "NotFound");
    std::int64_t rv = revision_ + 1;
    WEIR_TRY(write(key, nullptr, rv));
    revision_ = rv;
    // Watchers see the deleted object at the revision of its deletion, as etcd-backed servers do.
    last["metadata"]["resourceVersion"] = std::to_string(rv);
    store_event ev{rv, event_type::deleted, key, std::make_shared<std::string>(to_json(last)),
                   labels_of(last), std::move(it->second.labels)};
    count(it->second, -1);
    objects_.erase(it);
    record(std::move(ev));
    return rv;
}

void store::count(const stored_object& so, int sign)
{
    if (!so.owners.empty()) owned_ += static_cast<std::size_t>(sign);
    if (so.terminating) terminating_ += static_cast<std::size_t>(sign);
}

void store::record(store_event ev)
{
    ring_.push_back(std::move(ev));
    if (ring_.size() > ring_capacity_) {
        ring_floor_ = ring_.front().rv;
        ring_.pop_front();
    }
    if (listener_) listener_(ring_.back());
}

std::int64_t store::oldest_event_rv() const { return ring_floor_; }

bool store::events_since(std::int64_t since, std::vector<const store_event*>& out) const
{
    if (since < ring_floor_) return false;
    // Revisions in the ring are increasing: binary search for the first newer one.
    auto it = std::upper_bound(ring_.begin(), ring_.end(), since,
                               [](std::int64_t v, const store_event& e) { return v < e.rv; });
    for (; it != ring_.end(); ++it) out.push_back(&*it);
    return true;
}

} // namespace weir::apiserver
