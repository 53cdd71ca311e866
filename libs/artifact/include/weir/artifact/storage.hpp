// The artifact storage directory: layout, atomic writes, content-addressed dedup, garbage collection.
//
//   storage st("/data", "source-controller.flux-system.svc.cluster.local.");
//   WEIR_TRY_ASSIGN(auto art, st.archive({"gitrepository", "flux-system", "podinfo"}, "abc.tar.gz", dir, opts));
//   art.url     // "http://<adv-addr>/gitrepository/flux-system/podinfo/abc.tar.gz"
//   st.garbage_collect({"gitrepository", "flux-system", "podinfo"}, 2);
//
// Layout: <root>/<kind>/<namespace>/<name>/<file>, kind lower-case as Flux writes it. Every file is
// written to a temporary name, fsynced, then renamed into place, so a reader (the HTTP server) sees
// the old file or the new one, never half of one. Archives are also hard-linked from
// <root>/.blobs/sha256/<hex>: identical trees (many GitRepositories on one monorepo revision) take
// the space of one. A <name>/.history file lists the object's files newest first for GC (hard links
// share one mtime, so mtimes cannot order them).
// Thread-safety: distinct objects may be written concurrently; one object at a time per object.
#pragma once

#include <weir/artifact/tarball.hpp>
#include <weir/core/result.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace weir::artifact {

struct object_ref {
    std::string kind; // "gitrepository"
    std::string namespace_;
    std::string name;
};

struct stored_artifact {
    std::string path;   // "<kind>/<namespace>/<name>/<file>", relative to the root
    std::string url;    // "http://<advertised address>/<path>"
    std::string digest; // "sha256:<hex>"
    std::uint64_t size = 0;
    bool deduplicated = false; // the same bytes were already stored for some object
};

class storage {
public:
    // `advertised_address` is host[:port] as clients reach the file server (--storage-adv-addr).
    storage(std::filesystem::path root, std::string advertised_address);

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path object_dir(const object_ref& obj) const;
    std::string relative_path(const object_ref& obj, std::string_view file) const;
    std::string url_for(std::string_view relative_path) const;

    // Builds the tar.gz of `dir` as <object>/<file> (see build_tarball) and stores it.
    result<stored_artifact> archive(const object_ref& obj, std::string_view file, const std::filesystem::path& dir,
                                    const build_options& options = {});
    // Stores `bytes` as <object>/<file> atomically (index.yaml, chart .tgz...).
    result<stored_artifact> write_file(const object_ref& obj, std::string_view file, std::string_view bytes);
    // Moves an already-written temporary file in (used by archive and by downloads).
    result<stored_artifact> adopt(const object_ref& obj, std::string_view file, const std::filesystem::path& tmp,
                                  std::string digest, std::uint64_t size);

    bool exists(const object_ref& obj, std::string_view file) const;
    // Keeps the `keep` newest files of the object (and always `current` when given); returns the
    // removed files' relative paths. Blobs no other object links to are removed too.
    result<std::vector<std::string>> garbage_collect(const object_ref& obj, std::size_t keep,
                                                     std::string_view current = {});
    // Removes the object's directory (object deleted).
    status remove_object(const object_ref& obj);
    // A fresh temporary file path inside the storage (same filesystem, so rename works).
    std::filesystem::path temp_path(std::string_view tag) const;

private:
    status record_history(const object_ref& obj, std::string_view file);
    std::vector<std::string> read_history(const object_ref& obj) const;
    std::filesystem::path root_;
    std::string advertised_;
};

// Checks that one path component is safe for the layout (no '/', not '.', '..' or empty).
status check_component(std::string_view what, std::string_view value);

} // namespace weir::artifact
