// Deterministic tar.gz writer: libarchive writes the tar stream (pax headers for long names are
// fiddly to get right by hand), zlib compresses it with a fixed gzip header (mtime 0, no name),
// and the compressed bytes are hashed as they are written.
#include <weir/artifact/digest.hpp>
#include <weir/artifact/tarball.hpp>

#include "sys.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include <algorithm>
#include <fcntl.h>
#include <memory>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::artifact {
namespace fs = std::filesystem;
namespace {

// zlib gzip stream into a file descriptor, hashing what it writes.
struct gzip_sink {
    int fd = -1;
    z_stream zs{};
    sha256_hasher hash;
    std::uint64_t size = 0;
    std::string out = std::string(1 << 18, '\0');
    bool failed = false;

    bool init(int level)
    {
        return deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~gzip_sink() { deflateEnd(&zs); }

    bool feed(const void* data, std::size_t n, int flush)
    {
        zs.next_in = static_cast<Bytef*>(const_cast<void*>(data));
        zs.avail_in = static_cast<uInt>(n);
        do {
            zs.next_out = reinterpret_cast<Bytef*>(out.data());
            zs.avail_out = static_cast<uInt>(out.size());
            int rc = deflate(&zs, flush);
            if (rc == Z_STREAM_ERROR) return false;
            std::size_t have = out.size() - zs.avail_out;
            if (have > 0) {
                if (!write_all(fd, out.data(), have)) return false;
                hash.update(out.data(), have);
                size += have;
            }
        } while (zs.avail_out == 0);
        return true;
    }
};

la_ssize_t write_cb(struct archive*, void* client, const void* buf, size_t n)
{
    auto* s = static_cast<gzip_sink*>(client);
    if (!s->feed(buf, n, Z_NO_FLUSH)) {
        s->failed = true;
        return -1;
    }
    return static_cast<la_ssize_t>(n);
}

// Normalizes "a/b/../c" lexically; false when it climbs above the root.
bool stays_inside(const std::string& link_dir, const std::string& target)
{
    if (target.empty() || target.front() == '/') return false;
    std::vector<std::string> parts;
    auto push = [&](std::string_view p) {
        std::size_t start = 0;
        while (start <= p.size()) {
            auto end = p.find('/', start);
            if (end == std::string_view::npos) end = p.size();
            auto c = p.substr(start, end - start);
            if (c == "..") {
                if (parts.empty()) return false;
                parts.pop_back();
            } else if (!c.empty() && c != ".") {
                parts.emplace_back(c);
            }
            start = end + 1;
        }
        return true;
    };
    return push(link_dir) && push(target);
}

struct builder {
    fs::path canonical_root;
    const build_options& opts;
    tarball_writer& w;
    std::string buf = std::string(1 << 18, '\0');

    status add_file(const fs::path& full, const std::string& rel, const struct stat& st)
    {
        int fd = ::open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0) return transient_error(fmt_errno("cannot open ", full), "ArchiveFailed");
        struct stat fst;
        ::fstat(fd, &fst);
        auto size = static_cast<std::uint64_t>(fst.st_size);
        auto hs = w.begin_file(rel, size, (st.st_mode & 0111) != 0);
        std::uint64_t left = size;
        while (hs && left > 0) {
            ssize_t n = ::read(fd, buf.data(), std::min<std::uint64_t>(buf.size(), left));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                hs = transient_error("file '" + full.string() + "' changed while it was archived", "ArchiveFailed");
                break;
            }
            hs = w.write(buf.data(), static_cast<std::size_t>(n));
            left -= static_cast<std::uint64_t>(n);
        }
        ::close(fd);
        return hs;
    }

    status walk(const fs::path& dir, const std::string& rel_dir)
    {
        std::error_code ec;
        std::vector<std::string> names;
        for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
            names.push_back(it->path().filename().string());
        if (ec) return transient_error("cannot list directory '" + dir.string() + "': " + ec.message(),
                                       "ArchiveFailed");
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            fs::path full = dir / name;
            std::string rel = rel_dir.empty() ? name : rel_dir + "/" + name;
            struct stat st;
            if (::lstat(full.c_str(), &st) != 0)
                return transient_error(fmt_errno("cannot stat ", full), "ArchiveFailed");
            bool is_dir = S_ISDIR(st.st_mode);
            if (opts.ignore && opts.ignore->match(rel, is_dir)) continue;
            if (is_dir) {
                WEIR_TRY(w.add_directory(rel));
                WEIR_TRY(walk(full, rel));
            } else if (S_ISREG(st.st_mode)) {
                WEIR_TRY(add_file(full, rel, st));
            } else if (S_ISLNK(st.st_mode)) {
                WEIR_TRY(add_symlink(full, rel, rel_dir));
            } else {
                w.skip(rel);
            }
        }
        return ok();
    }

    status add_symlink(const fs::path& full, const std::string& rel, const std::string& rel_dir)
    {
        std::error_code ec;
        auto target = fs::read_symlink(full, ec).string();
        // Lexically inside, and really inside once the links in between are followed.
        bool inside = !ec && stays_inside(rel_dir, target);
        if (inside) {
            auto real = fs::weakly_canonical(full, ec);
            auto r = real.string(), base = canonical_root.string();
            inside = !ec && (r == base || r.rfind(base + "/", 0) == 0);
        }
        if (!inside) {
            w.skip(rel);
            return ok();
        }
        return w.add_symlink(rel, target);
    }
};

} // namespace

struct tarball_writer::impl {
    int fd = -1;
    gzip_sink sink;
    std::unique_ptr<struct archive, decltype(&archive_write_free)> a{nullptr, archive_write_free};
    fs::path out;
    bool fsync = false;
    ~impl()
    {
        if (fd >= 0) ::close(fd);
    }

    status header(const std::string& rel, mode_t type, mode_t perm, std::uint64_t size, const std::string* link)
    {
        std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
        archive_entry_set_pathname(e.get(), rel.c_str());
        archive_entry_set_filetype(e.get(), type);
        archive_entry_set_perm(e.get(), perm);
        archive_entry_set_size(e.get(), static_cast<la_int64_t>(size));
        archive_entry_set_mtime(e.get(), 0, 0);
        archive_entry_set_uid(e.get(), 0);
        archive_entry_set_gid(e.get(), 0);
        if (link) archive_entry_set_symlink(e.get(), link->c_str());
        if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) return fail(rel);
        return ok();
    }
    status fail(const std::string& what)
    {
        if (sink.failed) return transient_error(fmt_errno("cannot write ", out), "ArchiveFailed");
        return transient_error("cannot write tarball entry '" + what + "': " + archive_error_string(a.get()),
                               "ArchiveFailed");
    }
};

result<std::unique_ptr<tarball_writer>> tarball_writer::create(const fs::path& out, const build_options& options)
{
    std::unique_ptr<tarball_writer> w(new tarball_writer());
    w->impl_ = std::make_unique<impl>();
    auto& i = *w->impl_;
    i.out = out;
    i.fsync = options.fsync;
    i.fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (i.fd < 0) return transient_error(fmt_errno("cannot create ", out), "ArchiveFailed");
    i.sink.fd = i.fd;
    if (!i.sink.init(std::clamp(options.compression_level, 1, 9)))
        return transient_error("cannot initialize zlib", "ArchiveFailed");
    i.a.reset(archive_write_new());
    archive_write_set_format_pax_restricted(i.a.get());
    archive_write_set_bytes_per_block(i.a.get(), 10240);
    archive_write_open(i.a.get(), &i.sink, nullptr, write_cb, nullptr);
    return w;
}

tarball_writer::~tarball_writer() = default;

status tarball_writer::add_directory(const std::string& rel) { return impl_->header(rel, AE_IFDIR, 0755, 0, nullptr); }

status tarball_writer::add_symlink(const std::string& rel, const std::string& target)
{
    return impl_->header(rel, AE_IFLNK, 0777, 0, &target);
}

status tarball_writer::begin_file(const std::string& rel, std::uint64_t size, bool executable)
{
    ++res_.files;
    return impl_->header(rel, AE_IFREG, executable ? 0755 : 0644, size, nullptr);
}

status tarball_writer::write(const void* data, std::size_t size)
{
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        auto n = archive_write_data(impl_->a.get(), p, size);
        if (n <= 0) return impl_->fail("data");
        p += n;
        size -= static_cast<std::size_t>(n);
    }
    return ok();
}

status tarball_writer::add_file(const std::string& rel, const void* data, std::uint64_t size, bool executable)
{
    WEIR_TRY(begin_file(rel, size, executable));
    return write(data, static_cast<std::size_t>(size));
}

result<build_result> tarball_writer::finish()
{
    auto& i = *impl_;
    bool closed = archive_write_close(i.a.get()) == ARCHIVE_OK;
    bool flushed = closed && i.sink.feed(nullptr, 0, Z_FINISH) && !i.sink.failed;
    if (flushed && i.fsync) flushed = ::fsync(i.fd) == 0;
    ::close(i.fd);
    i.fd = -1;
    if (!flushed) return transient_error(fmt_errno("cannot write ", i.out), "ArchiveFailed");
    res_.digest = i.sink.hash.final_digest();
    res_.size = i.sink.size;
    return std::move(res_);
}

result<build_result> build_tarball(const fs::path& dir, const fs::path& out, const build_options& options)
{
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        return terminal_error("cannot archive '" + dir.string() + "': not a directory", "ArchiveFailed");
    WEIR_TRY_ASSIGN(auto w, tarball_writer::create(out, options));
    builder b{fs::canonical(dir, ec), options, *w};
    WEIR_TRY(b.walk(dir, ""));
    return w->finish();
}

} // namespace weir::artifact
