#include <weir/git/push.hpp>

#include "transport.hpp"

namespace weir::git {
namespace fs = std::filesystem;
using namespace detail;

namespace {

error local_error(std::string_view what, const fs::path& dir)
{
    const git_error* e = git_error_last();
    return transient_error(std::string(what) + " in '" + dir.string() + "': " + (e ? e->message : "unknown error"),
                           "GitOperationFailed");
}

result<repository_ptr> open_worktree(const fs::path& dir)
{
    ensure_init();
    git_repository* raw = nullptr;
    if (git_repository_open(&raw, dir.c_str()) < 0) return local_error("cannot open repository", dir);
    return repository_ptr(raw);
}

struct push_state {
    std::string rejected;
};

int push_update_cb(const char* refname, const char* status, void* data)
{
    auto* st = static_cast<push_state*>(static_cast<session*>(data)->push_payload_);
    if (status) st->rejected = std::string(refname) + ": " + status;
    return 0;
}

// The commit text is built first, signed by the caller's function, then stored with its signature;
// the branch HEAD names moves to it (also when HEAD is unborn).
result<std::string> commit_signed(git_repository* repo, const fs::path& dir, const git_signature* sig, const git_tree* tree,
                                  const git_commit* parent, const commit_options& options)
{
    const git_commit* parents[] = {parent};
    git_buf buf = GIT_BUF_INIT;
    if (git_commit_create_buffer(&buf, repo, sig, sig, nullptr, options.message.c_str(), tree, parent ? 1 : 0,
                                 parent ? parents : nullptr) < 0)
        return local_error("cannot build the commit", dir);
    std::string content(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    WEIR_TRY_ASSIGN(auto signature, options.sign(content));
    git_oid commit_id;
    if (git_commit_create_with_signature(&commit_id, repo, content.c_str(), signature.c_str(), nullptr) < 0)
        return local_error("cannot store the signed commit", dir);
    git_reference* hraw = nullptr;
    if (git_reference_lookup(&hraw, repo, "HEAD") < 0) return local_error("cannot read HEAD", dir);
    reference_ptr head(hraw);
    const char* branch = git_reference_symbolic_target(head.get());
    if (!branch) return local_error("HEAD is detached", dir);
    git_reference* moved = nullptr;
    if (git_reference_create(&moved, repo, branch, &commit_id, 1, "commit (signed)") < 0)
        return local_error("cannot move the branch to the signed commit", dir);
    git_reference_free(moved);
    return oid_hex(commit_id);
}

} // namespace

status clone_worktree(const std::string& url, const std::string& branch, const fs::path& dir, const auth_options& auth)
{
    session s(url, auth);
    WEIR_TRY(s.check());
    git_clone_options co = GIT_CLONE_OPTIONS_INIT;
    co.fetch_opts.callbacks = s.callbacks();
    co.fetch_opts.custom_headers = *s.headers();
    co.fetch_opts.proxy_opts = *s.proxy();
    co.checkout_branch = branch.c_str();
    git_repository* raw = nullptr;
    int rc = git_clone(&raw, url.c_str(), dir.c_str(), &co);
    if (rc < 0) return s.fail(rc, "clone");
    git_repository_free(raw);
    return ok();
}

result<std::string> commit_all(const fs::path& dir, const commit_options& options)
{
    WEIR_TRY_ASSIGN(auto repo, open_worktree(dir));
    git_index* iraw = nullptr;
    if (git_repository_index(&iraw, repo.get()) < 0) return local_error("cannot read the index", dir);
    index_ptr index(iraw);
    char star[] = "*";
    char* pats[] = {star};
    git_strarray all{pats, 1};
    if (git_index_add_all(index.get(), &all, GIT_INDEX_ADD_DEFAULT, nullptr, nullptr) < 0 ||
        git_index_update_all(index.get(), &all, nullptr, nullptr) < 0 || git_index_write(index.get()) < 0)
        return local_error("cannot stage changes", dir);
    git_oid tree_id;
    if (git_index_write_tree(&tree_id, index.get()) < 0) return local_error("cannot write tree", dir);
    git_tree* traw = nullptr;
    if (git_tree_lookup(&traw, repo.get(), &tree_id) < 0) return local_error("cannot read tree", dir);
    tree_ptr tree(traw);

    git_object* head_raw = nullptr;
    commit_ptr parent;
    if (git_revparse_single(&head_raw, repo.get(), "HEAD^{commit}") == 0) {
        parent.reset(reinterpret_cast<git_commit*>(head_raw));
        if (git_oid_equal(git_commit_tree_id(parent.get()), &tree_id)) return std::string{}; // nothing changed
    }
    git_signature* sraw = nullptr;
    if (git_signature_now(&sraw, options.author_name.c_str(), options.author_email.c_str()) < 0)
        return terminal_error("invalid commit author '" + options.author_name + " <" + options.author_email + ">'",
                              "InvalidAuthor");
    signature_ptr sig(sraw);
    git_oid commit_id;
    const git_commit* parents[] = {parent.get()};
    if (options.sign) return commit_signed(repo.get(), dir, sig.get(), tree.get(), parent.get(), options);
    if (git_commit_create(&commit_id, repo.get(), "HEAD", sig.get(), sig.get(), nullptr, options.message.c_str(),
                          tree.get(), parent ? 1 : 0, parent ? parents : nullptr) < 0)
        return local_error("cannot commit", dir);
    return oid_hex(commit_id);
}

status push(const fs::path& dir, const std::string& branch, const auth_options& auth)
{
    return push_refspecs(dir, {"refs/heads/" + branch + ":refs/heads/" + branch}, auth);
}

status push_refspecs(const fs::path& dir, const std::vector<std::string>& refspecs, const auth_options& auth)
{
    for (const auto& r : refspecs)
        if (r.starts_with("+"))
            return terminal_error("refspec '" + r + "' forces the push; weir never force-pushes", "InvalidRefspec");
    WEIR_TRY_ASSIGN(auto repo, open_worktree(dir));
    git_remote* rraw = nullptr;
    if (git_remote_lookup(&rraw, repo.get(), "origin") < 0) return local_error("no remote 'origin'", dir);
    remote_ptr remote(rraw);
    session s(git_remote_url(remote.get()), auth);
    WEIR_TRY(s.check());
    push_state st;
    s.push_payload_ = &st;
    git_push_options po = GIT_PUSH_OPTIONS_INIT;
    po.callbacks = s.callbacks();
    po.callbacks.push_update_reference = push_update_cb;
    po.custom_headers = *s.headers();
    po.proxy_opts = *s.proxy();
    // No '+': the remote must fast-forward, a force push is never made.
    std::vector<std::string> specs_copy = refspecs;
    std::vector<char*> specs;
    for (auto& r : specs_copy) specs.push_back(r.data());
    git_strarray arr{specs.data(), specs.size()};
    int rc = git_remote_push(remote.get(), &arr, &po);
    std::string what = refspecs.size() == 1 ? refspecs.front() : std::to_string(refspecs.size()) + " refspecs";
    auto non_ff = [&](std::string why) {
        return transient_error("push of '" + what + "' to " + s.url_ + " rejected: " + why +
                                   "; the remote branch moved on, fetch and apply the change again (weir never "
                                   "force-pushes)",
                               "NonFastForward");
    };
    if (rc == GIT_ENONFASTFORWARD) return non_ff("not a fast-forward");
    if (rc < 0) {
        const git_error* e = git_error_last();
        if (e && e->message && std::string_view(e->message).find("fast") != std::string_view::npos)
            return non_ff(e->message);
        return s.fail(rc, "push to");
    }
    if (!st.rejected.empty()) return non_ff(st.rejected);
    return ok();
}

} // namespace weir::git
