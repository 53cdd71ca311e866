// A persistent bare mirror per repository URL, fetched incrementally, and checkouts from it.
//
//   mirror_cache cache("/data/git");                       // one bare repo per URL under here
//   WEIR_TRY_ASSIGN(auto s, cache.sync(url, {.branch = "main"}, auth, last_revision));
//   if (s.unchanged) return;                               // remote ref has not moved: no-op
//   WEIR_TRY(cache.checkout(url, s.commit, "/tmp/checkout"));  // the tree only, no .git
//
// Debian's libgit2 (1.5) cannot clone shallow, so the first sync fetches everything and later ones
// only new objects. sync() first lists the remote refs (one round trip, like `git ls-remote`) and
// fetches only when the wanted commit is not in the mirror yet. Branches are fetched with force
// ("+refs/heads/x"), so a force-pushed branch simply moves.
//
// Errors say what failed and whether retrying helps (reason / kind):
//   AuthenticationFailed (terminal), HostKeyUnknown / HostKeyMismatch (terminal),
//   CertificateInvalid (terminal), Unreachable (transient), RepositoryNotFound (terminal),
//   ReferenceNotFound (transient: the ref may appear), EmptyRepository (transient),
//   InvalidReference (terminal), GitOperationFailed (transient).
// Thread-safety: calls for the same URL are serialized by the cache; different URLs run in parallel.
#pragma once

#include <weir/artifact/ignore.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/core/result.hpp>
#include <weir/git/auth.hpp>
#include <weir/git/reference.hpp>

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace weir::git {

struct remote_ref {
    std::string name;   // "refs/heads/main", "refs/tags/v1.0.0"
    std::string target; // the commit (peeled for annotated tags)
    std::string tag_object; // the annotated tag object itself ("" for branches and lightweight tags)
};

struct sync_result {
    std::string commit;   // 40 hex
    std::string revision; // Flux format, e.g. "main@sha1:<hex>"
    std::string ref_name; // full ref it came from ("" for a bare commit)
    std::string tag_object; // annotated tag object the ref points to ("" otherwise), in the mirror
    bool unchanged = false; // equal to last_revision and present: nothing to do
    bool fetched = false;   // objects were downloaded
};

struct checkout_result {
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
    std::vector<std::string> skipped; // submodules (not requested) and the like
};

// A signed git object: the armored signature and the exact bytes it signs.
struct signed_object {
    std::string signature; // "-----BEGIN PGP SIGNATURE-----..." (or SSH); "" when unsigned
    std::string payload;   // the object without its signature, as the signer hashed it
    std::string name;      // tag name, or the commit hash
    std::string target;    // for a tag: the commit it points to
};

struct tree_archive_options {
    // Flux's order, lowest priority first: `defaults` (VCS + default exclusions), then the
    // .sourceignore files of the tree (when `sourceignore`), then `overrides` (spec.ignore).
    const artifact::ignore_matcher* defaults = nullptr;
    bool sourceignore = true;
    const artifact::ignore_matcher* overrides = nullptr;
    // Include submodules (fetched first with sync_submodules) at their paths.
    bool submodules = false;
    artifact::build_options build;
};

// One `git ls-remote`: every ref of the remote with the commit it points to.
result<std::vector<remote_ref>> ls_remote(const std::string& url, const auth_options& auth);

class mirror_cache {
public:
    explicit mirror_cache(std::filesystem::path dir);

    result<sync_result> sync(const std::string& url, const reference& ref, const auth_options& auth,
                             std::string_view last_revision = {});
    // Fetches the commits of `commit`'s submodules (recursively) into their own mirrors; relative
    // submodule URLs resolve against `url`; the same credentials are used (as Flux does).
    status sync_submodules(const std::string& url, const std::string& commit, const auth_options& auth);
    // Writes the tree of `commit` into `dir` (created; must be empty or absent): files with their
    // mode (0644/0755), symlinks as symlinks, no .git; submodules too when asked (after
    // sync_submodules), otherwise they are listed in `skipped`.
    result<checkout_result> checkout(const std::string& url, const std::string& commit,
                                     const std::filesystem::path& dir, bool submodules = false);
    // Builds the artifact tar.gz of `commit` straight from the object store (no checkout on disk):
    // the same bytes build_tarball would give for checkout() of that commit with the same rules.
    // Symlinks are kept only when they resolve inside the tree (links followed through the tree).
    result<artifact::build_result> archive(const std::string& url, const std::string& commit,
                                           const std::filesystem::path& out, const tree_archive_options& options = {});
    // The signature of `commit` (its gpgsig header) and the commit without it.
    result<signed_object> commit_signature(const std::string& url, const std::string& commit);
    // The signature of the annotated tag object `tag_object` (sync_result::tag_object) and the tag
    // without it.
    result<signed_object> tag_signature(const std::string& url, const std::string& tag_object);
    // The bare repository used for `url` (for tests and tools).
    std::filesystem::path mirror_path(const std::string& url) const;

private:
    status sync_submodules(const std::string& url, const std::string& commit, const auth_options& auth, int depth);
    std::shared_ptr<std::mutex> lock_for(const std::string& url);
    std::filesystem::path dir_;
    std::mutex mu_;
    std::map<std::string, std::shared_ptr<std::mutex>> locks_;
};

} // namespace weir::git
