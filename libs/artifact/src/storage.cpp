#include <weir/artifact/digest.hpp>
#include <weir/artifact/storage.hpp>

#include "sys.hpp"

#include <algorithm>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace weir::artifact {
namespace fs = std::filesystem;

status check_component(std::string_view what, std::string_view value)
{
    if (value.empty() || value == "." || value == ".." || value.find('/') != std::string_view::npos ||
        value.find('\0') != std::string_view::npos)
        return terminal_error("invalid " + std::string(what) + " '" + std::string(value) +
                                  "' for the artifact storage: it must be one path component",
                              "InvalidPath");
    return ok();
}

static status check_ref(const object_ref& obj, std::string_view file)
{
    WEIR_TRY(check_component("kind", obj.kind));
    WEIR_TRY(check_component("namespace", obj.namespace_));
    WEIR_TRY(check_component("name", obj.name));
    WEIR_TRY(check_component("file name", file));
    if (file.front() == '.')
        return terminal_error("invalid file name '" + std::string(file) +
                                  "' for the artifact storage: names starting with '.' are reserved",
                              "InvalidPath");
    return ok();
}

storage::storage(fs::path root, std::string advertised_address)
    : root_(std::move(root)), advertised_(std::move(advertised_address))
{
}

fs::path storage::object_dir(const object_ref& obj) const
{
    return root_ / obj.kind / obj.namespace_ / obj.name;
}

std::string storage::relative_path(const object_ref& obj, std::string_view file) const
{
    return obj.kind + "/" + obj.namespace_ + "/" + obj.name + "/" + std::string(file);
}

std::string storage::url_for(std::string_view rel) const
{
    return "http://" + advertised_ + "/" + std::string(rel);
}

fs::path storage::temp_path(std::string_view tag) const
{
    std::error_code ec;
    fs::create_directories(root_ / ".tmp", ec);
    return unique_sibling(root_ / ".tmp" / "file", tag);
}

bool storage::exists(const object_ref& obj, std::string_view file) const
{
    std::error_code ec;
    return fs::is_regular_file(object_dir(obj) / std::string(file), ec);
}

result<stored_artifact> storage::archive(const object_ref& obj, std::string_view file, const fs::path& dir,
                                         const build_options& options)
{
    WEIR_TRY(check_ref(obj, file));
    auto tmp = temp_path("build");
    build_options opts = options;
    opts.fsync = true;
    auto built = build_tarball(dir, tmp, opts);
    if (!built) {
        std::error_code ec;
        fs::remove(tmp, ec);
        return std::move(built).err();
    }
    return adopt(obj, file, tmp, built->digest, built->size);
}

result<stored_artifact> storage::write_file(const object_ref& obj, std::string_view file, std::string_view bytes)
{
    WEIR_TRY(check_ref(obj, file));
    auto tmp = temp_path("write");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return transient_error(fmt_errno("cannot create ", tmp), "StorageOperationFailed");
    bool good = write_all(fd, bytes.data(), bytes.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!good) {
        std::error_code ec;
        fs::remove(tmp, ec);
        return transient_error("cannot write '" + tmp.string() + "'", "StorageOperationFailed");
    }
    return adopt(obj, file, tmp, digest_of(bytes), bytes.size());
}

result<stored_artifact> storage::adopt(const object_ref& obj, std::string_view file, const fs::path& tmp,
                                       std::string digest, std::uint64_t size)
{
    WEIR_TRY(check_ref(obj, file));
    std::error_code ec;
    WEIR_TRY_ASSIGN(auto hex, digest_hex(digest));
    auto blob_dir = root_ / ".blobs" / "sha256";
    fs::create_directories(blob_dir, ec);
    auto blob = blob_dir / hex;
    bool dedup = fs::exists(blob, ec);
    if (!dedup) {
        // link() fails with EEXIST if another writer won the race: both hold the same bytes.
        if (::link(tmp.c_str(), blob.c_str()) != 0 && errno != EEXIST)
            return transient_error(fmt_errno("cannot store blob ", blob), "StorageOperationFailed");
    }
    fs::remove(tmp, ec);
    auto dir = object_dir(obj);
    fs::create_directories(dir, ec);
    if (ec) return transient_error("cannot create '" + dir.string() + "': " + ec.message(), "StorageOperationFailed");
    auto final_path = dir / std::string(file);
    auto staged = unique_sibling(final_path, "tmp");
    if (::link(blob.c_str(), staged.c_str()) != 0)
        return transient_error(fmt_errno("cannot link blob into ", dir), "StorageOperationFailed");
    if (::rename(staged.c_str(), final_path.c_str()) != 0) {
        fs::remove(staged, ec);
        return transient_error(fmt_errno("cannot move artifact to ", final_path), "StorageOperationFailed");
    }
    fsync_dir(dir);
    WEIR_TRY(record_history(obj, file));
    stored_artifact out;
    out.path = relative_path(obj, file);
    out.url = url_for(out.path);
    out.digest = std::move(digest);
    out.size = size;
    out.deduplicated = dedup;
    return out;
}

std::vector<std::string> storage::read_history(const object_ref& obj) const
{
    std::vector<std::string> out;
    std::ifstream in(object_dir(obj) / ".history");
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

status storage::record_history(const object_ref& obj, std::string_view file)
{
    auto hist = read_history(obj);
    hist.erase(std::remove(hist.begin(), hist.end(), file), hist.end());
    hist.insert(hist.begin(), std::string(file));
    std::string text;
    for (auto& h : hist) text += h + "\n";
    auto path = object_dir(obj) / ".history";
    auto tmp = unique_sibling(path, "tmp");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return transient_error(fmt_errno("cannot create ", tmp), "StorageOperationFailed");
    bool good = write_all(fd, text.data(), text.size());
    ::close(fd);
    if (!good || ::rename(tmp.c_str(), path.c_str()) != 0)
        return transient_error(fmt_errno("cannot write ", path), "StorageOperationFailed");
    return ok();
}

static void remove_orphan_blob(const fs::path& blob_dir, const fs::path& file)
{
    // Called before the file itself is removed: a link count of 2 means blob + this file only.
    struct stat st;
    if (::stat(file.c_str(), &st) != 0 || st.st_nlink != 2) return;
    auto d = file_digest(file);
    if (!d) return;
    auto hex = digest_hex(*d);
    if (!hex) return;
    struct stat bst;
    auto blob = blob_dir / *hex;
    if (::stat(blob.c_str(), &bst) == 0 && bst.st_ino == st.st_ino) ::unlink(blob.c_str());
}

result<std::vector<std::string>> storage::garbage_collect(const object_ref& obj, std::size_t keep,
                                                          std::string_view current)
{
    WEIR_TRY(check_ref(obj, "x"));
    auto dir = object_dir(obj);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return std::vector<std::string>{};
    auto hist = read_history(obj);
    // Files missing from the history (older weir, manual copies) count as the oldest, by mtime.
    std::vector<std::pair<fs::file_time_type, std::string>> extra;
    for (auto& e : fs::directory_iterator(dir, ec)) {
        auto name = e.path().filename().string();
        if (name.front() == '.' || !e.is_regular_file(ec)) continue;
        if (std::find(hist.begin(), hist.end(), name) == hist.end())
            extra.emplace_back(e.last_write_time(ec), name);
    }
    std::sort(extra.rbegin(), extra.rend());
    for (auto& [t, n] : extra) hist.push_back(n);
    std::vector<std::string> removed, kept;
    for (std::size_t i = 0; i < hist.size(); ++i) {
        auto path = dir / hist[i];
        if (!fs::exists(path, ec)) continue;
        if (i < keep || hist[i] == current) {
            kept.push_back(hist[i]);
            continue;
        }
        remove_orphan_blob(root_ / ".blobs" / "sha256", path);
        if (!fs::remove(path, ec) && ec)
            return transient_error("cannot remove '" + path.string() + "': " + ec.message(), "GarbageCollectionFailed");
        removed.push_back(relative_path(obj, hist[i]));
    }
    std::string text;
    for (auto& k : kept) text += k + "\n";
    std::ofstream(dir / ".history", std::ios::trunc) << text;
    return removed;
}

status storage::remove_object(const object_ref& obj)
{
    WEIR_TRY(check_ref(obj, "x"));
    auto gc = garbage_collect(obj, 0);
    if (!gc) return std::move(gc).err();
    std::error_code ec;
    fs::remove_all(object_dir(obj), ec);
    if (ec) return transient_error("cannot remove '" + object_dir(obj).string() + "': " + ec.message(),
                                   "GarbageCollectionFailed");
    return ok();
}

} // namespace weir::artifact
