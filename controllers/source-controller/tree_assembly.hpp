// The steps between a GitRepository's checkout and its tarball, besides the ignore rules:
// spec.sparseCheckout keeps only the listed directories, and spec.include copies other
// GitRepositories' artifacts into the tree, as Flux does.
#pragma once

#include <weir/api/meta.hpp>
#include <weir/api/source_v1.hpp>
#include <weir/artifact/storage.hpp>
#include <weir/core/result.hpp>
#include <weir/runtime/object_store.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace weir::source {

// Removes everything from `tree` that is not in or above one of `dirs` (relative paths). A listed
// directory missing from the revision is an error naming it.
status apply_sparse_checkout(const std::filesystem::path& tree, const std::vector<std::string>& dirs);

// The current artifact of each included GitRepository (same namespace as the includer), in
// spec order. One without an artifact yet is a transient error: the include will be retried.
result<std::vector<api::artifact>> resolve_includes(const runtime::object_store& git_repositories,
                                                    std::string_view namespace_,
                                                    const std::vector<api::source_v1::git_include>& includes);

// Copies fromPath of each included artifact (read from local storage) to toPath in `tree`.
status copy_includes(const artifact::storage& storage,
                     const std::vector<api::source_v1::git_include>& includes,
                     const std::vector<api::artifact>& artifacts, const std::filesystem::path& tree,
                     const std::filesystem::path& scratch);

// status.includedArtifacts as Flux writes it, and whether it still matches `artifacts`.
weir::value included_artifacts_value(const std::vector<api::artifact>& artifacts);
bool same_included_artifacts(const weir::value* status_list, const std::vector<api::artifact>& artifacts);

} // namespace weir::source
