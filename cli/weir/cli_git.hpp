// The bits of Git that bootstrap needs beyond libs/git: a work tree for a repository that may be
// empty (or lack the branch), the commit a work tree is at, and SSH host keys for a URL.
#pragma once

#include <weir/core/result.hpp>
#include <weir/git/auth.hpp>

#include <filesystem>
#include <string>

namespace weir::cli {

// Clones `branch` of `url` into `dir`; when the remote has no such branch (or no commits at all),
// initialises an empty repository with `url` as origin and HEAD on the unborn `branch`.
// Returns true when it cloned.
result<bool> open_worktree(const std::string& url, const std::string& branch, const std::filesystem::path& dir,
                           const git::auth_options& auth);
// The commit HEAD points at (40 hex), or "" on an unborn branch.
result<std::string> head_commit(const std::filesystem::path& dir);
// known_hosts lines for an ssh:// URL's host, from ssh-keyscan.
result<std::string> scan_known_hosts(const std::string& url);

} // namespace weir::cli
