// Safe extraction. libarchive reads the stream (gzip through zlib, every tar dialect), but files are
// written here, one openat() per path component with O_NOFOLLOW, so no entry can write through a
// symlink, and every rule (paths, types, limits) is checked before a byte lands on disk.
#include <weir/artifact/tarball.hpp>

#include "sys.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <fcntl.h>
#include <memory>
#include <set>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::artifact {
namespace fs = std::filesystem;
namespace {

// libarchive leaves the message NULL for some failures (found by fuzzing: a std::string built from
// it crashed on a malformed archive).
std::string archive_error_text(archive* a)
{
    const char* msg = archive_error_string(a);
    return msg ? msg : "unrecognized or damaged archive data";
}

error bad_entry(std::string_view name, std::string_view why)
{
    return terminal_error("tarball entry '" + std::string(name) + "': " + std::string(why), "InvalidArchive");
}

// "./a//b/./c" -> {"a","b","c"}; an error for absolute paths and "..".
result<std::vector<std::string>> clean_path(std::string_view name)
{
    if (!name.empty() && name.front() == '/') return bad_entry(name, "absolute paths are not allowed");
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        auto c = name.substr(start, end - start);
        if (c == "..") return bad_entry(name, "path leaves the target directory ('..')");
        if (!c.empty() && c != ".") parts.emplace_back(c);
        start = end + 1;
    }
    return parts;
}

// Lexically resolves `target` relative to the directory `dir` (parts); false when it climbs above.
bool lexically_inside(const std::vector<std::string>& dir, std::string_view target)
{
    std::size_t depth = dir.size();
    std::size_t start = 0;
    while (start <= target.size()) {
        auto end = target.find('/', start);
        if (end == std::string_view::npos) end = target.size();
        auto c = target.substr(start, end - start);
        if (c == "..") {
            if (depth == 0) return false;
            --depth;
        } else if (!c.empty() && c != ".") {
            ++depth;
        }
        start = end + 1;
    }
    return true;
}

struct fd_guard {
    int fd = -1;
    ~fd_guard()
    {
        if (fd >= 0) ::close(fd);
    }
};

struct extractor {
    const fs::path& root;
    const extract_options& opts;
    int root_fd = -1;
    extract_result res;
    std::uint64_t entries = 0;
    std::vector<std::pair<std::string, std::vector<std::string>>> symlinks; // name, parts

    // Opens (creating when asked) the directory holding parts[0..n-1], never following symlinks.
    result<int> open_parent(std::string_view name, const std::vector<std::string>& parts, std::size_t n)
    {
        int fd = ::dup(root_fd);
        for (std::size_t i = 0; i < n; ++i) {
            ::mkdirat(fd, parts[i].c_str(), 0755);
            int next = ::openat(fd, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            ::close(fd);
            if (next < 0)
                return bad_entry(name, "parent '" + parts[i] + "' is not a directory (a symlink or a file)");
            fd = next;
        }
        return fd;
    }

    status write_file(struct archive* a, std::string_view name, const std::vector<std::string>& parts,
                      mode_t perm)
    {
        WEIR_TRY_ASSIGN(int dfd, open_parent(name, parts, parts.size() - 1));
        fd_guard dir{dfd};
        ::unlinkat(dfd, parts.back().c_str(), 0); // a later entry of the same name wins, as with tar
        int fd = ::openat(dfd, parts.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                          (perm & 0111) ? 0755 : 0644);
        if (fd < 0) return bad_entry(name, std::string("cannot create file: ") + std::strerror(errno));
        fd_guard file{fd};
        const void* buf;
        size_t size;
        la_int64_t offset;
        for (;;) {
            int rc = archive_read_data_block(a, &buf, &size, &offset);
            if (rc == ARCHIVE_EOF) break;
            if (rc < ARCHIVE_WARN)
                return bad_entry(name, "corrupt or truncated data: " + archive_error_text(a));
            res.bytes += size;
            if (res.bytes > opts.max_bytes)
                return bad_entry(name, "archive expands beyond the limit of " + std::to_string(opts.max_bytes) +
                                           " bytes (a tarball bomb?)");
            if (::pwrite(fd, buf, size, offset) != static_cast<ssize_t>(size))
                return transient_error(fmt_errno("cannot write ", root / std::string(name)), "ExtractFailed");
        }
        ++res.files;
        return ok();
    }

    status entry(struct archive* a, struct archive_entry* e)
    {
        std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
        if (++entries > opts.max_entries)
            return bad_entry(name, "archive has more than " + std::to_string(opts.max_entries) + " entries");
        WEIR_TRY_ASSIGN(auto parts, clean_path(name));
        if (const char* hard = archive_entry_hardlink(e)) return hardlink(name, parts, hard);
        auto type = archive_entry_filetype(e);
        if (parts.empty()) {
            if (type == AE_IFDIR) return ok(); // "./" itself
            return bad_entry(name, "empty path");
        }
        if (archive_entry_size(e) > 0 && static_cast<std::uint64_t>(archive_entry_size(e)) > opts.max_bytes)
            return bad_entry(name, "declared size is over the limit of " + std::to_string(opts.max_bytes) +
                                       " bytes (a tarball bomb?)");
        switch (type) {
        case AE_IFDIR: {
            WEIR_TRY_ASSIGN(int fd, open_parent(name, parts, parts.size()));
            ::close(fd);
            return ok();
        }
        case AE_IFREG:
            return write_file(a, name, parts, archive_entry_perm(e));
        case AE_IFLNK:
            return symlink(name, parts, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        default:
            return bad_entry(name, "device, fifo and socket entries are not allowed");
        }
    }

    status symlink(std::string_view name, const std::vector<std::string>& parts, std::string target)
    {
        if (target.empty() || target.front() == '/')
            return bad_entry(name, "symlink to '" + target + "' points outside the target directory");
        std::vector<std::string> dir(parts.begin(), parts.end() - 1);
        if (!lexically_inside(dir, target)) return bad_entry(name, "symlink to '" + target + "' points outside the target directory");
        WEIR_TRY_ASSIGN(int dfd, open_parent(name, parts, parts.size() - 1));
        fd_guard g{dfd};
        ::unlinkat(dfd, parts.back().c_str(), 0);
        if (::symlinkat(target.c_str(), dfd, parts.back().c_str()) != 0)
            return bad_entry(name, std::string("cannot create symlink: ") + std::strerror(errno));
        symlinks.emplace_back(std::string(name), parts);
        return ok();
    }

    status hardlink(std::string_view name, const std::vector<std::string>& parts, std::string_view target)
    {
        auto tparts = clean_path(target);
        if (!tparts || tparts->empty() || parts.empty())
            return bad_entry(name, "hardlink to '" + std::string(target) + "' points outside the target directory");
        WEIR_TRY_ASSIGN(int sfd, open_parent(name, *tparts, tparts->size() - 1));
        fd_guard s{sfd};
        struct stat st;
        if (::fstatat(sfd, tparts->back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            return bad_entry(name, "hardlink target '" + std::string(target) + "' is not an extracted file");
        WEIR_TRY_ASSIGN(int dfd, open_parent(name, parts, parts.size() - 1));
        fd_guard d{dfd};
        ::unlinkat(dfd, parts.back().c_str(), 0);
        if (::linkat(sfd, tparts->back().c_str(), dfd, parts.back().c_str(), 0) != 0)
            return bad_entry(name, std::string("cannot create hardlink: ") + std::strerror(errno));
        ++res.files;
        return ok();
    }

    // Links that each look fine can still chain out of the tree ("a" -> ".", "b" -> "a/.."):
    // once everything is written, resolve each one for real.
    status check_symlinks()
    {
        std::error_code ec;
        auto base = fs::canonical(root, ec).string();
        for (auto& [name, parts] : symlinks) {
            fs::path p = root;
            for (auto& c : parts) p /= c;
            auto real = fs::weakly_canonical(p, ec).string();
            if (ec || (real != base && real.rfind(base + "/", 0) != 0))
                return bad_entry(name, "symlink resolves outside the target directory");
        }
        return ok();
    }
};

} // namespace

status replace_directory(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    if (fs::exists(fs::symlink_status(to, ec))) {
        // Linux renameat2(RENAME_EXCHANGE) swaps both names in one step: readers see old or new.
        if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_EXCHANGE) != 0)
            return transient_error(fmt_errno("cannot replace directory ", to), "ExtractFailed");
        fs::remove_all(from, ec);
    } else if (::rename(from.c_str(), to.c_str()) != 0) {
        return transient_error(fmt_errno("cannot move extracted directory to ", to), "ExtractFailed");
    }
    fsync_dir(to.parent_path());
    return ok();
}

result<extract_result> extract_tarball(const fs::path& archive_path, const fs::path& target,
                                       const extract_options& options)
{
    std::unique_ptr<struct archive, decltype(&archive_read_free)> a(archive_read_new(), archive_read_free);
    archive_read_support_filter_gzip(a.get());
    archive_read_support_filter_none(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK)
        return terminal_error("cannot read tarball '" + archive_path.string() + "': " +
                                  archive_error_text(a.get()), "InvalidArchive");
    std::error_code ec;
    auto parent = target.parent_path().empty() ? fs::path(".") : target.parent_path();
    fs::create_directories(parent, ec);
    auto tmp = unique_sibling(target, "extract");
    if (::mkdir(tmp.c_str(), 0755) != 0)
        return transient_error(fmt_errno("cannot create ", tmp), "ExtractFailed");
    extractor x{tmp, options, -1, {}, 0, {}};
    x.root_fd = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    fd_guard root{x.root_fd};
    status st = ok();
    for (;;) {
        struct archive_entry* e;
        int rc = archive_read_next_header(a.get(), &e);
        if (rc == ARCHIVE_EOF) break;
        if (rc < ARCHIVE_WARN) {
            st = terminal_error("tarball '" + archive_path.string() + "' is corrupt or truncated: " +
                                    archive_error_text(a.get()), "InvalidArchive");
            break;
        }
        st = x.entry(a.get(), e);
        if (!st) break;
    }
    if (st) st = x.check_symlinks();
    if (st) st = replace_directory(tmp, target);
    if (!st) {
        fs::remove_all(tmp, ec);
        return std::move(st).err().wrap("extract '" + archive_path.filename().string() + "'");
    }
    return x.res;
}

} // namespace weir::artifact
