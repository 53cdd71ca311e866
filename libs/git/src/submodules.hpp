// Submodules (private): .gitmodules parsing and relative URL resolution.
#pragma once

#include "raii.hpp"

#include <weir/core/result.hpp>

#include <string>
#include <vector>

namespace weir::git::detail {

struct submodule {
    std::string path;   // in the superproject's tree
    std::string url;    // absolute (relative ones resolved against the superproject URL)
    std::string commit; // the gitlink in the tree
};

// The submodules of `tree` (gitlink entries with a .gitmodules entry); missing entries are errors.
result<std::vector<submodule>> list_submodules(git_repository* repo, git_tree* tree, const std::string& parent_url);

// "../lib.git" against "git://h/group/app.git" -> "git://h/group/lib.git".
std::string resolve_submodule_url(const std::string& parent, const std::string& url);

} // namespace weir::git::detail
