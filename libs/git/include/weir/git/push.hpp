// A working clone to change, commit and push (image-update automation).
//
//   WEIR_TRY(clone_worktree(url, "main", "/tmp/wt", auth));
//   ... edit files under /tmp/wt ...
//   WEIR_TRY_ASSIGN(auto sha, commit_all("/tmp/wt", {.author_name = "weir", .author_email = "w@x",
//                                                    .message = "update image"}));
//   if (!sha.empty()) WEIR_TRY(push("/tmp/wt", "main", auth));
//
// push never forces: when the remote branch moved on, it fails with reason NonFastForward
// (transient: fetch, re-apply, and try again). commit_options::sign makes signed commits.
#pragma once

#include <weir/core/result.hpp>
#include <weir/git/auth.hpp>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace weir::git {

struct commit_options {
    std::string author_name;
    std::string author_email;
    std::string message;
    // When set, the commit is signed: it receives the raw commit object text and returns the
    // armored signature (OpenPGP or SSH) to store in the commit's gpgsig header.
    std::function<result<std::string>(const std::string& commit_buffer)> sign;
};

// Clones `url` (non-bare) into `dir`, with `branch` checked out.
status clone_worktree(const std::string& url, const std::string& branch, const std::filesystem::path& dir,
                      const auth_options& auth);
// Stages every change (new, modified, deleted files) and commits on the current branch; returns the
// new commit's sha, or "" when there was nothing to commit.
result<std::string> commit_all(const std::filesystem::path& dir, const commit_options& options);
// Pushes the local `branch` to the remote "origin" branch of the same name.
status push(const std::filesystem::path& dir, const std::string& branch, const auth_options& auth);
// Pushes refspecs ("refs/heads/main:refs/heads/auto", "HEAD:refs/for/main") to "origin" in one
// push; a forcing refspec ("+...") is refused. A rejected update is NonFastForward, as above.
status push_refspecs(const std::filesystem::path& dir, const std::vector<std::string>& refspecs,
                     const auth_options& auth);

} // namespace weir::git
