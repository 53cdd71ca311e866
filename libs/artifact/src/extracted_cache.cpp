#include <weir/artifact/extracted_cache.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <random>

namespace weir::artifact {

namespace fs = std::filesystem;

namespace {

// "sha256:<hex>" -> "sha256-<hex>", a directory name; anything else is refused (it names a path).
result<std::string> cache_key(const std::string& digest)
{
    auto colon = digest.find(':');
    bool valid = colon != std::string::npos && colon > 0 && colon + 1 < digest.size() &&
                 std::all_of(digest.begin(), digest.end(),
                             [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == ':'; });
    if (!valid)
        return terminal_error(
            fmt::format("artifact digest '{}' is not of the form <algorithm>:<hex>", digest),
            "ArtifactFailed");
    return digest.substr(0, colon) + "-" + digest.substr(colon + 1);
}

std::string random_suffix()
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}", rng());
}

} // namespace

status link_tree(const fs::path& from, const fs::path& to)
{
    std::error_code ec;
    fs::create_directories(to, ec);
    if (ec)
        return transient_error(fmt::format("cannot create {}: {}", to.string(), ec.message()),
                               "ArtifactFailed");
    for (auto it = fs::recursive_directory_iterator(from, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        fs::path dest = to / fs::relative(it->path(), from);
        auto st = it->symlink_status(ec);
        if (ec) break;
        if (fs::is_directory(st))
            fs::create_directory(dest, ec);
        else if (fs::is_symlink(st))
            fs::copy_symlink(it->path(), dest, ec);
        else
            fs::create_hard_link(it->path(), dest, ec);
        if (ec) break;
    }
    if (ec)
        return transient_error(
            fmt::format("cannot link {} into {}: {}", from.string(), to.string(), ec.message()),
            "ArtifactFailed");
    return ok();
}

extracted_cache::extracted_cache(fs::path root, std::size_t max_digests)
    : root_(std::move(root)), max_digests_(std::max<std::size_t>(max_digests, 1))
{
    std::error_code ec;
    fs::remove_all(root_, ec); // what an earlier run left is not tracked: start clean
    fs::create_directories(root_, ec);
}

extracted_cache::~extracted_cache()
{
    std::error_code ec;
    fs::remove_all(root_, ec);
}

std::size_t extracted_cache::size() const
{
    std::lock_guard lock(mutex_);
    return recent_.size();
}

void extracted_cache::touch(const std::string& key)
{
    std::vector<std::string> evicted;
    {
        std::lock_guard lock(mutex_);
        recent_.remove(key);
        recent_.push_front(key);
        while (recent_.size() > max_digests_) {
            evicted.push_back(recent_.back());
            recent_.pop_back();
        }
    }
    std::error_code ec;
    for (const auto& old : evicted)
        fs::remove_all(root_ / old, ec);
}

result<fs::path> extracted_cache::ensure(const std::string& url, const std::string& digest,
                                         const fetch_options& options)
{
    WEIR_TRY_ASSIGN(std::string key, cache_key(digest));
    fs::path dir = root_ / key;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        fs::path staging = root_ / (".new-" + key + "-" + random_suffix());
        auto fetched = fetch_artifact(url, digest, staging, options);
        if (!fetched) {
            fs::remove_all(staging, ec);
            return fetched.err();
        }
        fs::rename(staging, dir, ec);
        if (ec) fs::remove_all(staging, ec); // another worker extracted the same digest first
        if (!fs::is_directory(dir))
            return transient_error(fmt::format("cannot store the extracted artifact {}", digest),
                                   "ArtifactFailed");
    }
    touch(key);
    return dir;
}

status extracted_cache::checkout(const std::string& url, const std::string& digest, const fs::path& target,
                                 const fetch_options& options)
{
    WEIR_TRY_ASSIGN(fs::path dir, ensure(url, digest, options));
    auto linked = link_tree(dir, target);
    if (linked) return ok();
    // Evicted between ensure and link by a burst of other digests: fetch it afresh once.
    std::error_code ec;
    fs::remove_all(target, ec);
    WEIR_TRY_ASSIGN(dir, ensure(url, digest, options));
    return link_tree(dir, target);
}

} // namespace weir::artifact
