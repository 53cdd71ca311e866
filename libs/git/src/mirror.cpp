#include <weir/core/semver.hpp>
#include <weir/git/mirror.hpp>

#include "submodules.hpp"
#include "transport.hpp"

#include <openssl/evp.h>

#include <cstring>
#include <fcntl.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::git {
namespace fs = std::filesystem;
using namespace detail;

namespace {

struct resolved {
    std::string ref_name; // full name to fetch, "" for a bare commit
    std::string label;    // what goes before "@sha1:" in the revision
    std::string commit;
    std::string tag_object;
};

// Connects `remote` and lists its refs, peeling annotated tags to their commits.
result<std::vector<remote_ref>> list_refs(session& s, git_remote* remote)
{
    auto cb = s.callbacks();
    int rc = git_remote_connect(remote, GIT_DIRECTION_FETCH, &cb, s.proxy(), s.headers());
    if (rc < 0) return s.fail(rc, "connect to");
    const git_remote_head** heads = nullptr;
    size_t n = 0;
    rc = git_remote_ls(&heads, &n, remote);
    if (rc < 0) return s.fail(rc, "list refs of");
    std::vector<remote_ref> out;
    std::map<std::string, std::string> peeled;
    for (size_t i = 0; i < n; ++i) {
        std::string name = heads[i]->name;
        if (name.ends_with("^{}")) peeled[name.substr(0, name.size() - 3)] = oid_hex(heads[i]->oid);
        else if (name != "HEAD" && !git_oid_is_zero(&heads[i]->oid)) out.push_back({name, oid_hex(heads[i]->oid), {}});
    }
    for (auto& r : out)
        if (auto it = peeled.find(r.name); it != peeled.end()) {
            r.tag_object = r.target;
            r.target = it->second;
        }
    return out;
}

const remote_ref* find_ref(const std::vector<remote_ref>& refs, std::string_view name)
{
    for (auto& r : refs)
        if (r.name == name) return &r;
    return nullptr;
}

result<resolved> resolve(const std::string& url, const std::vector<remote_ref>& refs, const reference& ref)
{
    if (refs.empty())
        return transient_error("repository " + url + " is empty: it has no branches or tags yet", "EmptyRepository");
    auto missing = [&](const std::string& what) {
        return transient_error(what + " not found in " + url, "ReferenceNotFound");
    };
    if (!ref.name.empty()) {
        auto r = find_ref(refs, ref.name);
        if (!r) return missing("reference '" + ref.name + "'");
        return resolved{r->name, r->name, r->target, r->tag_object};
    }
    if (!ref.semver.empty()) {
        WEIR_TRY_ASSIGN(auto range, semver_range::parse(ref.semver));
        const remote_ref* best = nullptr;
        semver best_v;
        for (auto& r : refs) {
            if (!r.name.starts_with("refs/tags/")) continue;
            auto v = semver::parse(std::string_view(r.name).substr(10));
            if (!v || !range.matches(*v)) continue;
            if (!best || best_v < *v) {
                best = &r;
                best_v = *v;
            }
        }
        if (!best) return missing("no tag matching semver range '" + ref.semver + "'; a tag");
        return resolved{best->name, best->name.substr(10), best->target, best->tag_object};
    }
    if (!ref.tag.empty()) {
        auto r = find_ref(refs, "refs/tags/" + ref.tag);
        if (!r) return missing("tag '" + ref.tag + "'");
        return resolved{r->name, ref.tag, r->target, r->tag_object};
    }
    std::string branch = ref.branch.empty() ? std::string(default_branch) : ref.branch;
    auto r = find_ref(refs, "refs/heads/" + branch);
    if (!r) return missing("branch '" + branch + "'");
    return resolved{r->name, branch, r->target, r->tag_object};
}

result<repository_ptr> open_mirror(const fs::path& path)
{
    git_repository* raw = nullptr;
    if (git_repository_open_bare(&raw, path.c_str()) == 0) return repository_ptr(raw);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (git_repository_init(&raw, path.c_str(), 1) < 0) {
        const git_error* e = git_error_last();
        return transient_error("cannot create git mirror '" + path.string() + "': " + (e ? e->message : "?"),
                               "StorageOperationFailed");
    }
    return repository_ptr(raw);
}

bool has_object(git_repository* repo, const std::string& hex)
{
    git_oid oid;
    git_odb* odb = nullptr;
    if (git_oid_fromstr(&oid, hex.c_str()) < 0 || git_repository_odb(&odb, repo) < 0) return false;
    bool found = git_odb_exists(odb, &oid) == 1;
    git_odb_free(odb);
    return found;
}

bool has_commit(git_repository* repo, const std::string& hex)
{
    git_oid oid;
    if (git_oid_fromstr(&oid, hex.c_str()) < 0) return false;
    git_commit* c = nullptr;
    if (git_commit_lookup(&c, repo, &oid) < 0) return false;
    git_commit_free(c);
    return true;
}

status fetch_into(session& s, git_remote* remote, const std::vector<std::string>& specs)
{
    std::vector<char*> ptrs;
    for (auto& sp : specs) ptrs.push_back(const_cast<char*>(sp.c_str()));
    git_strarray arr{ptrs.data(), ptrs.size()};
    git_fetch_options fo = GIT_FETCH_OPTIONS_INIT;
    fo.callbacks = s.callbacks();
    fo.custom_headers = *s.headers();
    fo.proxy_opts = *s.proxy();
    fo.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    fo.update_fetchhead = 0;
    fo.prune = GIT_FETCH_NO_PRUNE;
    int rc = git_remote_download(remote, &arr, &fo);
    if (rc < 0) return s.fail(rc, "fetch");
    rc = git_remote_update_tips(remote, &fo.callbacks, 0, GIT_REMOTE_DOWNLOAD_TAGS_NONE, nullptr);
    if (rc < 0) return s.fail(rc, "update refs from");
    return ok();
}

} // namespace

result<std::vector<remote_ref>> ls_remote(const std::string& url, const auth_options& auth)
{
    session s(url, auth);
    WEIR_TRY(s.check());
    git_remote* raw = nullptr;
    if (int rc = git_remote_create_detached(&raw, url.c_str()); rc < 0) return s.fail(rc, "open remote");
    remote_ptr remote(raw);
    auto refs = list_refs(s, remote.get());
    git_remote_disconnect(remote.get());
    return refs;
}

mirror_cache::mirror_cache(fs::path dir) : dir_(std::move(dir)) { ensure_init(); }

fs::path mirror_cache::mirror_path(const std::string& url) const
{
    unsigned char md[32];
    unsigned int len = 0;
    EVP_Digest(url.data(), url.size(), md, &len, EVP_sha256(), nullptr);
    static constexpr char hex[] = "0123456789abcdef";
    std::string name;
    for (int i = 0; i < 12; ++i) {
        name += hex[md[i] >> 4];
        name += hex[md[i] & 15];
    }
    return dir_ / (name + ".git");
}

std::shared_ptr<std::mutex> mirror_cache::lock_for(const std::string& url)
{
    std::lock_guard g(mu_);
    auto& p = locks_[url];
    if (!p) p = std::make_shared<std::mutex>();
    return p;
}

result<sync_result> mirror_cache::sync(const std::string& url, const reference& ref, const auth_options& auth,
                                       std::string_view last_revision)
{
    auto lock = lock_for(url);
    std::lock_guard g(*lock);
    session s(url, auth);
    WEIR_TRY(s.check());
    WEIR_TRY_ASSIGN(auto repo, open_mirror(mirror_path(url)));
    sync_result out;

    if (!ref.commit.empty()) {
        if (!is_sha1(ref.commit))
            return terminal_error("commit '" + ref.commit + "' must be a full 40-character sha1", "InvalidReference");
        out.commit = ref.commit;
        out.ref_name = ref.branch.empty() ? "" : "refs/heads/" + ref.branch;
        out.revision = format_revision(ref.branch, ref.commit);
        // A commit never moves: with the object at hand there is nothing to ask the remote.
        if (!has_commit(repo.get(), ref.commit)) {
            git_remote* raw = nullptr;
            if (int rc = git_remote_create_anonymous(&raw, repo.get(), url.c_str()); rc < 0) return s.fail(rc, "open remote");
            remote_ptr remote(raw);
            std::vector<std::string> specs = {"+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"};
            WEIR_TRY(fetch_into(s, remote.get(), specs));
            out.fetched = true;
            if (!has_commit(repo.get(), ref.commit))
                return transient_error("commit " + ref.commit + " not found in " + url, "ReferenceNotFound");
        }
        out.unchanged = out.revision == last_revision;
        return out;
    }

    git_remote* raw = nullptr;
    if (int rc = git_remote_create_anonymous(&raw, repo.get(), url.c_str()); rc < 0) return s.fail(rc, "open remote");
    remote_ptr remote(raw);
    WEIR_TRY_ASSIGN(auto refs, list_refs(s, remote.get()));
    WEIR_TRY_ASSIGN(auto r, resolve(url, refs, ref));
    out.commit = r.commit;
    out.ref_name = r.ref_name;
    out.tag_object = r.tag_object;
    out.revision = format_revision(r.label, r.commit);
    // An annotated tag's object is needed for its signature even when the commit came earlier
    // through a branch.
    bool present = has_commit(repo.get(), r.commit) && (r.tag_object.empty() || has_object(repo.get(), r.tag_object));
    if (!present) {
        WEIR_TRY(fetch_into(s, remote.get(), {"+" + r.ref_name + ":" + r.ref_name}));
        out.fetched = true;
        if (!has_commit(repo.get(), r.commit))
            return transient_error("fetched " + r.ref_name + " from " + url + " but commit " + r.commit +
                                       " is missing (the ref moved during the fetch); will retry",
                                   "GitOperationFailed");
    }
    git_remote_disconnect(remote.get());
    out.unchanged = present && out.revision == last_revision;
    return out;
}

namespace {

struct walk_state {
    git_repository* repo;
    fs::path root;
    checkout_result res;
    std::string failure;
};

bool write_blob(walk_state& w, const git_tree_entry* entry, const fs::path& path, git_filemode_t mode)
{
    git_blob* raw = nullptr;
    if (git_blob_lookup(&raw, w.repo, git_tree_entry_id(entry)) < 0) return false;
    blob_ptr blob(raw);
    auto size = static_cast<std::size_t>(git_blob_rawsize(blob.get()));
    const char* data = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    if (mode == GIT_FILEMODE_LINK) return ::symlink(std::string(data, size).c_str(), path.c_str()) == 0;
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
                    mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0755 : 0644);
    if (fd < 0) return false;
    std::size_t done = 0;
    while (done < size) {
        ssize_t n = ::write(fd, data + done, size - done);
        if (n <= 0) {
            ::close(fd);
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    ++w.res.files;
    w.res.bytes += size;
    return true;
}

int walk_cb(const char* root, const git_tree_entry* entry, void* payload)
{
    auto& w = *static_cast<walk_state*>(payload);
    std::string_view name = git_tree_entry_name(entry);
    // A hostile server can send trees git itself would refuse; never let a name climb or nest.
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string_view::npos ||
        strcasecmp(std::string(name).c_str(), ".git") == 0) {
        w.failure = "tree entry '" + std::string(root) + std::string(name) + "' has an invalid name";
        return -1;
    }
    fs::path path = w.root / root / git_tree_entry_name(entry);
    auto mode = git_tree_entry_filemode(entry);
    bool good = true;
    if (mode == GIT_FILEMODE_TREE) good = ::mkdir(path.c_str(), 0755) == 0;
    else if (mode == GIT_FILEMODE_COMMIT) w.res.skipped.push_back(std::string(root) + git_tree_entry_name(entry));
    else good = write_blob(w, entry, path, mode);
    if (!good) {
        w.failure = "cannot write '" + path.string() + "': " + std::strerror(errno);
        return -1;
    }
    return 0;
}

} // namespace

namespace {

struct opened_commit {
    repository_ptr repo;
    commit_ptr commit;
    tree_ptr tree;
};

result<opened_commit> open_commit(const fs::path& mirror, const std::string& url, const std::string& commit)
{
    opened_commit o;
    git_repository* rraw = nullptr;
    if (git_repository_open_bare(&rraw, mirror.c_str()) < 0)
        return transient_error("no mirror of " + url + " yet: sync first", "GitOperationFailed");
    o.repo.reset(rraw);
    git_oid oid;
    git_commit* craw = nullptr;
    if (git_oid_fromstr(&oid, commit.c_str()) < 0 || git_commit_lookup(&craw, o.repo.get(), &oid) < 0)
        return transient_error("commit " + commit + " is not in the mirror of " + url, "ReferenceNotFound");
    o.commit.reset(craw);
    git_tree* traw = nullptr;
    if (git_commit_tree(&traw, o.commit.get()) < 0)
        return transient_error("cannot read the tree of commit " + commit, "GitOperationFailed");
    o.tree.reset(traw);
    return o;
}

} // namespace

status mirror_cache::sync_submodules(const std::string& url, const std::string& commit, const auth_options& auth)
{
    return sync_submodules(url, commit, auth, 0);
}

status mirror_cache::sync_submodules(const std::string& url, const std::string& commit, const auth_options& auth, int depth)
{
    if (depth > 8) return terminal_error("submodules of " + url + " nest deeper than 8 levels", "InvalidSubmodule");
    std::vector<submodule> subs;
    {
        auto lock = lock_for(url);
        std::lock_guard g(*lock);
        WEIR_TRY_ASSIGN(auto o, open_commit(mirror_path(url), url, commit));
        WEIR_TRY_ASSIGN(subs, list_submodules(o.repo.get(), o.tree.get(), url));
    }
    for (auto& sub : subs) {
        if (sub.url == url) continue;
        auto s = sync(sub.url, {.commit = sub.commit}, auth);
        if (!s) return std::move(s).err().wrap("submodule '" + sub.path + "'");
        WEIR_TRY(sync_submodules(sub.url, sub.commit, auth, depth + 1));
    }
    return ok();
}

result<commit_tree> detail::open_commit_tree(const fs::path& mirror, const std::string& url, const std::string& commit,
                                     std::string_view verb)
{
    git_repository* rraw = nullptr;
    if (git_repository_open_bare(&rraw, mirror.c_str()) < 0)
        return transient_error("no mirror of " + url + " yet: sync before " + std::string(verb), "GitOperationFailed");
    repository_ptr repo(rraw);
    git_oid oid;
    git_commit* craw = nullptr;
    if (git_oid_fromstr(&oid, commit.c_str()) < 0 || git_commit_lookup(&craw, repo.get(), &oid) < 0)
        return transient_error("commit " + commit + " is not in the mirror of " + url, "ReferenceNotFound");
    commit_ptr c(craw);
    git_tree* traw = nullptr;
    if (git_commit_tree(&traw, c.get()) < 0)
        return transient_error("cannot read the tree of commit " + commit, "GitOperationFailed");
    return commit_tree{std::move(repo), tree_ptr(traw)};
}

result<checkout_result> mirror_cache::checkout(const std::string& url, const std::string& commit, const fs::path& dir,
                                               bool submodules)
{
    auto lock = lock_for(url);
    std::lock_guard g(*lock);
    WEIR_TRY_ASSIGN(auto opened, open_commit_tree(mirror_path(url), url, commit, "checkout"));
    repository_ptr repo = std::move(opened.repo);
    tree_ptr tree = std::move(opened.tree);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_empty(dir, ec))
        return transient_error("checkout directory '" + dir.string() + "' must be empty", "GitOperationFailed");
    walk_state w{repo.get(), dir, {}, {}};
    if (git_tree_walk(tree.get(), GIT_TREEWALK_PRE, walk_cb, &w) < 0)
        return transient_error("checkout of " + commit + " failed: " +
                                   (w.failure.empty() ? std::string(git_error_last()->message) : w.failure),
                               "GitOperationFailed");
    if (!submodules) return std::move(w.res);
    w.res.skipped.clear();
    WEIR_TRY_ASSIGN(auto subs, list_submodules(repo.get(), tree.get(), url));
    for (auto& sub : subs) {
        if (sub.url == url) continue;
        auto r = checkout(sub.url, sub.commit, dir / sub.path, true);
        if (!r) return std::move(r).err().wrap("submodule '" + sub.path + "'");
        w.res.files += r->files;
        w.res.bytes += r->bytes;
    }
    return std::move(w.res);
}

} // namespace weir::git
