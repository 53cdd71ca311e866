// weir::apiserver::store: the durable object store of weir-apiserver.
//
// Every object lives in memory as its JSON text (what get, list and watch send, so reads never
// parse) and in a SQLite file in WAL mode (what survives a restart). Each write is one SQLite
// transaction and takes the next value of one global revision counter, which becomes the
// object's metadata.resourceVersion. Recent changes stay in a bounded ring for watches.
//
//   WEIR_TRY_ASSIGN(auto st, store::open(dir / "state.db"));
//   WEIR_TRY_ASSIGN(auto rv, st->put("apps/deployments/default/web", std::move(obj)));
//
// Keys are "<group>/<resource>/<namespace>/<name>" (namespace empty for cluster-scoped objects),
// so a key prefix selects a resource or one namespace of it. Not thread-safe: one thread owns it.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace weir::apiserver {

using labels_t = std::vector<std::pair<std::string, std::string>>;

struct stored_object {
    std::int64_t rv = 0;
    std::shared_ptr<const std::string> json; // the object as served, resourceVersion included
    labels_t labels;
    std::string uid;
    std::vector<std::string> owners; // uids in metadata.ownerReferences
    bool terminating = false;        // has metadata.deletionTimestamp
};

enum class event_type : std::uint8_t { added, modified, deleted };

struct store_event {
    std::int64_t rv = 0;
    event_type type = event_type::added;
    std::string key;
    std::shared_ptr<const std::string> json;
    labels_t labels;      // of the new object (of the last state for deletes)
    labels_t old_labels;  // of the previous state (empty for adds)
};

class store {
public:
    // Opens or creates the database; loads every object into memory.
    static result<std::unique_ptr<store>> open(const std::filesystem::path& file,
                                               std::size_t ring_capacity = 10000);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    std::int64_t revision() const { return revision_; }
    const stored_object* get(std::string_view key) const;
    std::size_t size() const { return objects_.size(); }
    // How many objects have ownerReferences, and how many are being deleted: when both are zero
    // the garbage collector has nothing to look at.
    std::size_t owned_count() const { return owned_; }
    std::size_t terminating_count() const { return terminating_; }

    // Calls fn(key, object) for keys starting with prefix, in key order, from the first key
    // greater than `after` (all when empty) until fn returns false.
    void scan(std::string_view prefix, std::string_view after,
              const std::function<bool(const std::string&, const stored_object&)>& fn) const;

    // Writes obj under key with the next revision, which it also sets into obj's
    // metadata.resourceVersion. Errors are transient (the disk); the store is unchanged on error.
    result<std::int64_t> put(const std::string& key, value& obj);
    result<std::int64_t> put(const std::string& key, value&& obj) { return put(key, obj); }
    // Removes key; `last` is the object as it was deleted (sent to watchers).
    result<std::int64_t> erase(const std::string& key, value last);

    // Events with rv > since, oldest first; false when `since` is older than the ring keeps.
    bool events_since(std::int64_t since, std::vector<const store_event*>& out) const;
    std::int64_t oldest_event_rv() const;
    void set_listener(std::function<void(const store_event&)> fn) { listener_ = std::move(fn); }

private:
    store() = default;
    result<std::int64_t> write(const std::string& key, const std::string* json, std::int64_t rv);
    void record(store_event ev);

    struct db;
    std::unique_ptr<db> db_;
    std::map<std::string, stored_object, std::less<>> objects_;
    std::deque<store_event> ring_;
    std::size_t ring_capacity_ = 10000;
    std::int64_t revision_ = 0;
    std::int64_t ring_floor_ = 0;
    std::size_t owned_ = 0, terminating_ = 0;
    void count(const stored_object& so, int sign); // events with rv > ring_floor_ are all in the ring
    std::function<void(const store_event&)> listener_;
};

labels_t labels_of(const value& obj);
// The in-memory index fields of an object (labels, uid, owners, terminating).
void index_object(stored_object& so, const value& obj);

} // namespace weir::apiserver
