// What our last apply left on the server, per object, so that a no-op reconcile needs one request
// per object (the dry-run) instead of two (a read of the live object and the dry-run). (A create
// needs no read either way: the dry-run of a create comes back without a resourceVersion.) When the
// dry-run shows the object still at the resourceVersion our apply produced, and with the content it
// had then, nothing in Git changed and nobody else wrote to it: it is unchanged. Anything else
// falls back to reading the live object, so the cache can make a reconcile cheaper, never wrong.
//
//   ssa::apply_cache cache;   // one per controller, shared by its reconciles (thread-safe)
//   rm.apply_all(objects, {.field_manager = "kustomize-controller", .cache = &cache, .cache_scope =
//   "local"});
#pragma once

#include <weir/core/value.hpp>

#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace weir::ssa {

class apply_cache {
public:
    struct entry {
        std::string resource_version;
        std::size_t content_hash = 0; // of the object without managedFields, resourceVersion, generation
    };

    explicit apply_cache(std::size_t max_entries = 200'000) : max_entries_(max_entries) {}

    std::optional<entry> get(const std::string& key) const;
    void put(const std::string& key, entry e);
    void erase(const std::string& key);
    std::size_t size() const;

private:
    std::size_t max_entries_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

// The hash apply_cache compares: the object's JSON without the fields every write changes.
std::size_t content_hash(const value& obj);

} // namespace weir::ssa
