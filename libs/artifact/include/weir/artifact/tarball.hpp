// Deterministic tar.gz build and safe extraction.
//
//   WEIR_TRY_ASSIGN(auto built, build_tarball("/tmp/checkout", "/data/x.tar.gz", {.ignore = &m}));
//   built.digest  // "sha256:...", the same bytes and digest for the same tree, every time
//   WEIR_TRY(extract_tarball("/data/x.tar.gz", "/work/out", {.max_bytes = 1 << 30}));
//
// Build: entries sorted by name, directories before their contents, mtime 0, uid/gid 0 and no
// user/group names, modes 0755 (directories and executables) or 0644, symlinks kept only when their
// target stays inside the tree (others are skipped and listed), other file types skipped. The gzip
// header carries no timestamp and no name. Format: POSIX pax (restricted), so long names work.
//
// Extract: rejects absolute paths, '..', symlinks or hardlinks that leave the target, device, fifo
// and socket entries, and archives over the entry or byte limits; never writes through a symlink.
// Everything lands in a temporary sibling of `target` that replaces `target` atomically only when
// the whole archive was good, so a bad archive leaves the previous content untouched.
#pragma once

#include <weir/artifact/ignore.hpp>
#include <weir/core/result.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace weir::artifact {

struct build_options {
    // Paths it matches (relative, '/'-separated) are left out; null keeps everything.
    const ignore_matcher* ignore = nullptr;
    // zlib level: 1 fastest .. 9 smallest; 6 is gzip's default.
    int compression_level = 6;
    // fsync the archive before returning (storage asks for it; scratch builds need not).
    bool fsync = false;
};

struct build_result {
    std::string digest; // "sha256:<hex>" of the tar.gz bytes
    std::uint64_t size = 0;
    std::uint64_t files = 0;
    std::vector<std::string> skipped; // symlinks leaving the tree, sockets, devices...
};

// Writes the archive of `dir` to `out` (created or truncated; callers wanting atomicity write to a
// temporary name, as storage does). Transient errors name the file that could not be read.
result<build_result> build_tarball(const std::filesystem::path& dir, const std::filesystem::path& out,
                                   const build_options& options = {});

// The same format, fed entry by entry by a caller that has the tree somewhere else (a git object
// store). The caller must add entries in the order build_tarball uses: byte order of names within
// each directory, a directory before its contents.
class tarball_writer {
public:
    static result<std::unique_ptr<tarball_writer>> create(const std::filesystem::path& out,
                                                          const build_options& options = {});
    ~tarball_writer();
    tarball_writer(const tarball_writer&) = delete;
    tarball_writer& operator=(const tarball_writer&) = delete;

    status add_directory(const std::string& rel);
    status add_file(const std::string& rel, const void* data, std::uint64_t size, bool executable);
    status add_symlink(const std::string& rel, const std::string& target);
    // Streaming variant of add_file: a header for `size` bytes, then write() exactly that many.
    status begin_file(const std::string& rel, std::uint64_t size, bool executable);
    status write(const void* data, std::size_t size);
    void skip(std::string rel) { res_.skipped.push_back(std::move(rel)); }
    // Flushes, fsyncs when asked, and returns digest and size. The writer is done afterwards.
    result<build_result> finish();

private:
    tarball_writer() = default;
    struct impl;
    std::unique_ptr<impl> impl_;
    build_result res_;
};

struct extract_options {
    std::uint64_t max_bytes = 2ull << 30;  // sum of the file sizes written
    std::uint64_t max_entries = 500'000;
};

struct extract_result {
    std::uint64_t files = 0;
    std::uint64_t bytes = 0;
};

// Extracts a tar.gz (or plain tar) file into `target`, which is replaced as a whole. Terminal
// errors name the offending entry ("tarball entry '../x': path leaves the target directory").
result<extract_result> extract_tarball(const std::filesystem::path& archive, const std::filesystem::path& target,
                                       const extract_options& options = {});

// Atomically puts directory `from` in place of `to` (which may exist; its old content is removed).
status replace_directory(const std::filesystem::path& from, const std::filesystem::path& to);

} // namespace weir::artifact
