// The few Git operations libgit2 1.5 cannot do, through the git command line: moving a work tree to
// a tag or commit (a checkout ref that is not a branch) and pushing with push options
// (spec.git.push.options, which libgit2 gained only in 1.8). Credentials are handed over per call
// (http extra header, CA file, ssh command with the identity) in a scratch directory that is removed
// afterwards; the user's and the system's git configuration are not read.
//
//   WEIR_TRY(checkout_detached(dir, "auto-update", sha, scratch));  // local only, no network
//   WEIR_TRY(push_with_options(dir, {"refs/heads/a:refs/heads/a"}, {{"ci.skip", ""}}, auth, scratch));
#pragma once

#include <weir/core/result.hpp>
#include <weir/git/auth.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weir::image {

// Creates (or resets) local branch `branch` at `commit` in the work tree and checks it out.
status checkout_detached(const std::filesystem::path& dir, const std::string& branch,
                         const std::string& commit, const std::filesystem::path& scratch_parent);

// `git push --porcelain -o <key>[=<value>]... origin <refspecs>`: never forces (a '+' refspec is
// refused); a rejected update is NonFastForward (transient), as git::push_refspecs reports it.
status push_with_options(const std::filesystem::path& dir, const std::vector<std::string>& refspecs,
                         const std::map<std::string, std::string>& options, const git::auth_options& auth,
                         const std::filesystem::path& scratch_parent);

} // namespace weir::image
