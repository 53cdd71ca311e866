// The Bucket's objects as an index and a local tree: what the bucket_reconciler asks the store.
//
//   WEIR_TRY_ASSIGN(auto index, bucket::list_index(s3, "fleet", "apps/", spec.ignore));
//   bucket::index_revision(index);                        // "sha256:<hex>", Flux's revision
//   WEIR_TRY_ASSIGN(auto synced, bucket::sync_tree(s3, "fleet", index, cache_dir, 4));
//
// The cache directory holds tree/ (the objects at their keys) and index (the "<key> <etag>" lines
// of what tree/ holds), so a later sync downloads only objects whose etag changed.
#pragma once

#include <weir/core/result.hpp>
#include <weir/objectstore/s3.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace weir::source::bucket {

using object_index = std::map<std::string, std::string>; // key -> etag

// sha256 over the sorted "<key> <etag>\n" lines, as Flux computes a Bucket's revision.
std::string index_revision(const object_index& index);

// A key that can be a relative file path: no leading '/', no empty, "." or ".." component, not a
// directory marker (trailing '/').
bool safe_key(std::string_view key);

// Every object under `prefix` that the ignore rules keep: the bucket root's .sourceignore and
// spec.ignore (gitignore syntax) over the VCS exclusions, or Flux's default exclusions when there
// are no user patterns (the same rules as the other sources).
result<object_index> list_index(const objectstore::s3_client& s3, const std::string& bucket,
                                const std::string& prefix, const std::optional<std::string>& spec_ignore);

struct sync_result {
    std::size_t downloaded = 0;
    std::size_t removed = 0;
    std::filesystem::path tree;
};

// Makes <cache>/tree hold exactly `want`, downloading only new and changed objects with up to
// `workers` in parallel. The cache index is rewritten even after a failed download, without the
// objects that failed, so a retry fetches them again.
result<sync_result> sync_tree(const objectstore::s3_client& s3, const std::string& bucket,
                              const object_index& want, const std::filesystem::path& cache,
                              std::size_t workers);

} // namespace weir::source::bucket
