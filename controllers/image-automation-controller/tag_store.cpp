#include "tag_store.hpp"

#include <sqlite3.h>

namespace weir::image {
namespace fs = std::filesystem;

namespace {

error db_error(sqlite3* db, std::string_view what)
{
    return transient_error("tag database: " + std::string(what) + ": " + sqlite3_errmsg(db), "StorageOperationFailed");
}

struct stmt {
    sqlite3_stmt* s = nullptr;
    ~stmt() { sqlite3_finalize(s); }
};

} // namespace

result<std::unique_ptr<tag_store>> tag_store::open(const fs::path& dir)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return terminal_error("cannot create storage directory '" + dir.string() + "': " + ec.message(), "StorageOperationFailed");
    sqlite3* db = nullptr;
    auto path = (dir / "tags.db").string();
    if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
        auto e = terminal_error("cannot open tag database '" + path + "': " + sqlite3_errmsg(db), "StorageOperationFailed");
        sqlite3_close(db);
        return e;
    }
    const char* setup = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                        "CREATE TABLE IF NOT EXISTS tags (key TEXT PRIMARY KEY, tags BLOB NOT NULL);";
    if (sqlite3_exec(db, setup, nullptr, nullptr, nullptr) != SQLITE_OK) {
        auto e = db_error(db, "cannot create schema in '" + path + "'");
        sqlite3_close(db);
        return e;
    }
    return std::unique_ptr<tag_store>(new tag_store(db));
}

tag_store::~tag_store() { sqlite3_close(db_); }

tag_list tag_store::get(const std::string& key)
{
    std::lock_guard lock(mu_);
    if (auto it = cache_.find(key); it != cache_.end()) return it->second;
    stmt q;
    if (sqlite3_prepare_v2(db_, "SELECT tags FROM tags WHERE key = ?", -1, &q.s, nullptr) != SQLITE_OK) return nullptr;
    sqlite3_bind_text(q.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(q.s) != SQLITE_ROW) return nullptr;
    std::string_view blob(static_cast<const char*>(sqlite3_column_blob(q.s, 0)),
                          static_cast<std::size_t>(sqlite3_column_bytes(q.s, 0)));
    auto tags = std::make_shared<std::vector<std::string>>();
    while (!blob.empty()) {
        auto nl = blob.find('\n');
        tags->emplace_back(blob.substr(0, nl));
        if (nl == std::string_view::npos) break;
        blob.remove_prefix(nl + 1);
    }
    cache_[key] = tags;
    return tags;
}

status tag_store::put(const std::string& key, std::vector<std::string> tags)
{
    std::string blob;
    for (const auto& t : tags) {
        if (!blob.empty()) blob += '\n';
        blob += t;
    }
    std::lock_guard lock(mu_);
    stmt q;
    if (sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO tags (key, tags) VALUES (?, ?)", -1, &q.s, nullptr) != SQLITE_OK)
        return db_error(db_, "prepare");
    sqlite3_bind_text(q.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    sqlite3_bind_blob(q.s, 2, blob.data(), static_cast<int>(blob.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(q.s) != SQLITE_DONE) return db_error(db_, "store tags of " + key);
    cache_[key] = std::make_shared<const std::vector<std::string>>(std::move(tags));
    return ok();
}

status tag_store::remove(const std::string& key)
{
    std::lock_guard lock(mu_);
    cache_.erase(key);
    stmt q;
    if (sqlite3_prepare_v2(db_, "DELETE FROM tags WHERE key = ?", -1, &q.s, nullptr) != SQLITE_OK)
        return db_error(db_, "prepare");
    sqlite3_bind_text(q.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
    if (sqlite3_step(q.s) != SQLITE_DONE) return db_error(db_, "remove tags of " + key);
    return ok();
}

} // namespace weir::image
