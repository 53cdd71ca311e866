// Artifact straight from the git object store: the tree is walked in tar order (byte order of names
// per directory; git's own order puts "a.yaml" before the directory "a") and blobs go to the
// tarball_writer from memory, so no checkout is written and read back.
#include <weir/git/mirror.hpp>

#include "raii.hpp"
#include "submodules.hpp"

#include <algorithm>
#include <strings.h>

namespace weir::git {
namespace fs = std::filesystem;
using namespace detail;

namespace {

struct entry {
    std::string name;
    git_filemode_t mode;
    git_oid oid;
};

struct tree_archiver {
    git_repository* repo;
    git_tree* root;
    const tree_archive_options& opts;
    artifact::ignore_matcher& sourceignore;
    artifact::tarball_writer& w;
    const mirror_cache& cache;
    std::string url;
    std::vector<submodule> subs;
    int depth = 0;
    std::vector<std::string> prefix_parts; // where this (sub)tree sits in the artifact

    bool ignored(const std::string& rel, bool is_dir) const
    {
        int v = opts.overrides ? opts.overrides->verdict(rel, is_dir) : -1;
        if (v < 0) v = sourceignore.verdict(rel, is_dir);
        if (v < 0 && opts.defaults) v = opts.defaults->verdict(rel, is_dir);
        return v == 1;
    }

    result<std::string> blob_text(const git_oid& oid)
    {
        git_blob* raw = nullptr;
        if (git_blob_lookup(&raw, repo, &oid) < 0) return transient_error("cannot read blob " + oid_hex(oid), "ArchiveFailed");
        blob_ptr b(raw);
        return std::string(static_cast<const char*>(git_blob_rawcontent(b.get())),
                           static_cast<std::size_t>(git_blob_rawsize(b.get())));
    }

    // Follows the link through the tree (other links included); false when it leaves the root.
    bool resolves_inside(std::vector<std::string> stack, const std::string& target)
    {
        std::vector<std::string> queue;
        auto push_parts = [&](std::string_view t, std::size_t at) {
            std::vector<std::string> parts;
            std::size_t start = 0;
            while (start <= t.size()) {
                auto end = t.find('/', start);
                if (end == std::string_view::npos) end = t.size();
                parts.emplace_back(t.substr(start, end - start));
                start = end + 1;
            }
            queue.insert(queue.begin() + static_cast<long>(at), parts.begin(), parts.end());
        };
        if (target.empty() || target.front() == '/') return false;
        push_parts(target, 0);
        int hops = 0;
        while (!queue.empty()) {
            auto c = queue.front();
            queue.erase(queue.begin());
            if (c.empty() || c == ".") continue;
            if (c == "..") {
                if (stack.empty()) return false;
                stack.pop_back();
                continue;
            }
            stack.push_back(c);
            std::string path;
            for (auto& s : stack) path += (path.empty() ? "" : "/") + s;
            git_tree_entry* te = nullptr;
            if (git_tree_entry_bypath(&te, root, path.c_str()) != 0) continue; // dangling: stays lexical
            bool link = git_tree_entry_filemode(te) == GIT_FILEMODE_LINK;
            git_oid oid = *git_tree_entry_id(te);
            git_tree_entry_free(te);
            if (!link) continue;
            if (++hops > 40) return false;
            auto t = blob_text(oid);
            if (!t || t->empty() || t->front() == '/') return false;
            stack.pop_back();
            push_parts(*t, 0);
        }
        return true;
    }

    status add_submodule(const std::string& rel, std::vector<std::string> dir_parts, const std::string& name);

    status walk(const git_tree* tree, const std::string& rel_dir, const std::vector<std::string>& dir_parts)
    {
        std::vector<entry> entries;
        for (size_t i = 0, n = git_tree_entrycount(tree); i < n; ++i) {
            const git_tree_entry* te = git_tree_entry_byindex(tree, i);
            entries.push_back({git_tree_entry_name(te), git_tree_entry_filemode(te), *git_tree_entry_id(te)});
        }
        std::sort(entries.begin(), entries.end(), [](const entry& a, const entry& b) { return a.name < b.name; });
        if (opts.sourceignore) {
            for (auto& e : entries)
                if (e.name == artifact::source_ignore_file && e.mode != GIT_FILEMODE_TREE && e.mode != GIT_FILEMODE_LINK) {
                    WEIR_TRY_ASSIGN(auto text, blob_text(e.oid));
                    sourceignore.add_lines(text, dir_parts);
                }
        }
        for (auto& e : entries) {
            if (e.name.empty() || e.name == "." || e.name == ".." || e.name.find('/') != std::string::npos ||
                strcasecmp(e.name.c_str(), ".git") == 0)
                return terminal_error("tree entry '" + rel_dir + e.name + "' has an invalid name", "ArchiveFailed");
            std::string rel = rel_dir.empty() ? e.name : rel_dir + "/" + e.name;
            bool is_dir = e.mode == GIT_FILEMODE_TREE;
            if (ignored(rel, is_dir || e.mode == GIT_FILEMODE_COMMIT)) continue;
            if (e.mode == GIT_FILEMODE_COMMIT) { // a submodule: its own tree, when asked for
                if (opts.submodules) WEIR_TRY(add_submodule(rel, dir_parts, e.name));
                continue;
            }
            if (is_dir) {
                git_tree* sub = nullptr;
                if (git_tree_lookup(&sub, repo, &e.oid) < 0) return transient_error("cannot read tree of '" + rel + "'", "ArchiveFailed");
                tree_ptr holder(sub);
                WEIR_TRY(w.add_directory(rel));
                auto parts = dir_parts;
                parts.push_back(e.name);
                WEIR_TRY(walk(sub, rel, parts));
                continue;
            }
            if (e.mode != GIT_FILEMODE_LINK) { // straight from libgit2's buffer, no copy
                git_blob* raw = nullptr;
                if (git_blob_lookup(&raw, repo, &e.oid) < 0)
                    return transient_error("cannot read blob of '" + rel + "'", "ArchiveFailed");
                blob_ptr b(raw);
                WEIR_TRY(w.add_file(rel, git_blob_rawcontent(b.get()), static_cast<std::uint64_t>(git_blob_rawsize(b.get())),
                                    e.mode == GIT_FILEMODE_BLOB_EXECUTABLE));
                continue;
            }
            WEIR_TRY_ASSIGN(auto target, blob_text(e.oid)); // a symlink
            std::vector<std::string> local(dir_parts.begin() + static_cast<long>(prefix_parts.size()), dir_parts.end());
            if (resolves_inside(local, target)) WEIR_TRY(w.add_symlink(rel, target));
            else w.skip(rel);
        }
        return ok();
    }
};

// The submodule's tree goes in under its path; its symlinks may not leave the submodule.
status tree_archiver::add_submodule(const std::string& rel, std::vector<std::string> dir_parts, const std::string& name)
{
    // Paths inside the submodule are relative to the superproject root here, so rel == sub.path.
    const submodule* sub = nullptr;
    for (auto& s : subs)
        if (s.path == rel) sub = &s;
    if (!sub) return terminal_error("submodule at '" + rel + "' has no url in .gitmodules", "InvalidSubmodule");
    if (depth > 8) return terminal_error("submodules nest deeper than 8 levels at '" + rel + "'", "InvalidSubmodule");
    git_repository* rraw = nullptr;
    if (git_repository_open_bare(&rraw, cache.mirror_path(sub->url).c_str()) < 0)
        return transient_error("submodule '" + rel + "' (" + sub->url + ") is not fetched: sync_submodules first",
                               "GitOperationFailed");
    repository_ptr srepo(rraw);
    git_oid oid;
    git_commit* craw = nullptr;
    if (git_oid_fromstr(&oid, sub->commit.c_str()) < 0 || git_commit_lookup(&craw, srepo.get(), &oid) < 0)
        return transient_error("submodule '" + rel + "' commit " + sub->commit + " is not fetched", "ReferenceNotFound");
    commit_ptr c(craw);
    git_tree* traw = nullptr;
    if (git_commit_tree(&traw, c.get()) < 0) return transient_error("cannot read submodule '" + rel + "'", "ArchiveFailed");
    tree_ptr stree(traw);
    tree_archiver inner{srepo.get(), stree.get(), opts, sourceignore, w, cache, sub->url, {}, depth + 1, {}};
    WEIR_TRY_ASSIGN(inner.subs, list_submodules(srepo.get(), stree.get(), sub->url));
    for (auto& s : inner.subs) s.path = rel + "/" + s.path;
    WEIR_TRY(w.add_directory(rel));
    dir_parts.push_back(name);
    inner.prefix_parts = dir_parts;
    return inner.walk(stree.get(), rel, dir_parts);
}

} // namespace

result<artifact::build_result> mirror_cache::archive(const std::string& url, const std::string& commit,
                                                     const fs::path& out, const tree_archive_options& options)
{
    auto lock = lock_for(url);
    std::lock_guard g(*lock);
    WEIR_TRY_ASSIGN(auto opened, open_commit_tree(mirror_path(url), url, commit, "archive"));
    repository_ptr repo = std::move(opened.repo);
    tree_ptr tree = std::move(opened.tree);
    WEIR_TRY_ASSIGN(auto w, artifact::tarball_writer::create(out, options.build));
    artifact::ignore_matcher sourceignore;
    tree_archiver a{repo.get(), tree.get(), options, sourceignore, *w, *this, url, {}, 0, {}};
    if (options.submodules) {
        WEIR_TRY_ASSIGN(a.subs, list_submodules(repo.get(), tree.get(), url));
    }
    auto st = a.walk(tree.get(), "", {});
    if (!st) return std::move(st).err().wrap("archive " + commit + " of " + url);
    return w->finish();
}

} // namespace weir::git
