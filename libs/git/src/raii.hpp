// RAII owners for libgit2 handles (private). One unique_ptr alias per handle type, and the
// process-wide libgit2 initialization.
#pragma once

#include <weir/core/result.hpp>

#include <filesystem>
#include <string_view>

#include <git2.h>

#include <memory>

namespace weir::git::detail {

template <class T, void (*Free)(T*)>
struct git_deleter {
    void operator()(T* p) const
    {
        if (p) Free(p);
    }
};

using repository_ptr = std::unique_ptr<git_repository, git_deleter<git_repository, git_repository_free>>;
using remote_ptr = std::unique_ptr<git_remote, git_deleter<git_remote, git_remote_free>>;
using object_ptr = std::unique_ptr<git_object, git_deleter<git_object, git_object_free>>;
using commit_ptr = std::unique_ptr<git_commit, git_deleter<git_commit, git_commit_free>>;
using tree_ptr = std::unique_ptr<git_tree, git_deleter<git_tree, git_tree_free>>;
using blob_ptr = std::unique_ptr<git_blob, git_deleter<git_blob, git_blob_free>>;
using reference_ptr = std::unique_ptr<git_reference, git_deleter<git_reference, git_reference_free>>;
using index_ptr = std::unique_ptr<git_index, git_deleter<git_index, git_index_free>>;
using signature_ptr = std::unique_ptr<git_signature, git_deleter<git_signature, git_signature_free>>;

// Calls git_libgit2_init exactly once per process (it is reference counted; never shut down).
void ensure_init();
// Installs weir's TCP stream (TCP_NODELAY, I/O timeouts) for libgit2's plain sockets.
void register_socket_stream();

std::string oid_hex(const git_oid& oid);

// A commit's tree in a bare mirror, opened for reading; `verb` ("checkout", "archive") goes into
// the error when the mirror does not exist yet.
struct commit_tree {
    repository_ptr repo;
    tree_ptr tree;
};
result<commit_tree> open_commit_tree(const std::filesystem::path& mirror, const std::string& url,
                                     const std::string& commit, std::string_view verb);

} // namespace weir::git::detail
