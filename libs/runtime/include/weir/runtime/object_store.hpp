// The informer's cache: objects of one kind keyed "namespace/name", held as immutable snapshots
// (shared_ptr<const value>) so readers keep a consistent object however long they use it, with
// secondary indexes ("kustomizations by sourceRef").
//
//   store.add_indexer("by-source", [](const weir::value& o) { return std::vector<std::string>{ref_of(o)}; });
//   for (auto& ks : store.by_index("by-source", "flux-system/podinfo")) ...
//
// One writer (the informer), many readers; all methods are thread-safe.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/types.hpp>

#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace weir::runtime {

using kube::object_ptr;

// Rebuilds arrays and objects at their exact size (parsers grow them by doubling): a cached
// object lives long, so the slack is worth dropping once. Used by informers on every snapshot.
weir::value compact(weir::value&& v);

class object_store {
public:
    using index_fn = std::function<std::vector<std::string>(const weir::value&)>;

    // Add indexers before the informer starts; objects already stored are indexed too.
    void add_indexer(std::string name, index_fn fn);

    object_ptr get(const std::string& key) const;
    std::vector<object_ptr> list() const;
    std::vector<object_ptr> list_namespace(std::string_view namespace_) const;
    std::vector<object_ptr> by_index(const std::string& index, const std::string& value) const;
    std::vector<std::string> keys() const;
    std::size_t size() const;
    // Typed view of a cached object through an api/ struct (`static result<T> from(const value&)`);
    // nullopt when the key is not cached.
    template <class T>
    std::optional<result<T>> get_as(const std::string& key) const
    {
        object_ptr obj = get(key);
        if (!obj) return std::nullopt;
        return T::from(*obj);
    }

    // Writer side. Returns the previous object for the key (null when new / absent).
    object_ptr upsert(object_ptr obj);
    object_ptr erase(const std::string& key);

private:
    void index_locked(const std::string& key, const weir::value& obj, bool add);
    mutable std::shared_mutex mutex_;
    std::unordered_map<std::string, object_ptr> items_;
    std::map<std::string, index_fn> indexers_;
    std::map<std::string, std::unordered_map<std::string, std::unordered_set<std::string>>> indexes_;
};

} // namespace weir::runtime
