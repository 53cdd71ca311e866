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
result<bool> open_worktree(const std::string& url, const std::string& branch,
                           const std::filesystem::path& dir, const git::auth_options& auth);
// The commit HEAD points at (40 hex), or "" on an unborn branch.
result<std::string> head_commit(const std::filesystem::path& dir);
// known_hosts lines for an ssh:// URL's host, from ssh-keyscan.
result<std::string> scan_known_hosts(const std::string& url);

struct ssh_key_pair {
    std::string private_pem; // unencrypted, in a format libgit2's SSH transport reads
    std::string public_line; // "ecdsa-sha2-nistp384 AAAA... weir"
};
// A new deploy key (ssh-keygen): algorithm ecdsa (curve p256|p384|p521), ed25519 or rsa (bits).
result<ssh_key_pair> generate_ssh_key(const std::string& algorithm, const std::string& ecdsa_curve,
                                      int rsa_bits);

} // namespace weir::cli
