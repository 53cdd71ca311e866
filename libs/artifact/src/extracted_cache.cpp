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

// Under the lock: the entry for `key` moved to the front with a live lease, and the least recently
// used entries nobody holds a lease on moved out of the way (renamed, removed by the caller later).
extracted_cache::lease extracted_cache::lease_locked(const std::string& key, std::vector<fs::path>& trash)
{
    auto it = std::find_if(recent_.begin(), recent_.end(), [&](const entry& e) { return e.key == key; });
    entry e = it == recent_.end() ? entry{key, {}} : std::move(*it);
    if (it != recent_.end()) recent_.erase(it);
    lease held = e.in_use.lock();
    if (!held) {
        held = std::make_shared<const fs::path>(root_ / key);
        e.in_use = held;
    }
    recent_.push_front(std::move(e));
    for (auto old = std::prev(recent_.end()); recent_.size() > max_digests_ && old != recent_.begin();) {
        auto victim = old--;
        if (!victim->in_use.expired()) continue;
        fs::path gone = root_ / (".old-" + victim->key + "-" + random_suffix());
        std::error_code ec;
        fs::rename(root_ / victim->key, gone, ec);
        if (!ec) trash.push_back(std::move(gone));
        recent_.erase(victim);
    }
    return held;
}

result<extracted_cache::lease> extracted_cache::acquire(const std::string& url, const std::string& digest,
                                                        const fetch_options& options)
{
    WEIR_TRY_ASSIGN(std::string key, cache_key(digest));
    std::vector<fs::path> trash;
    lease held;
    {
        std::lock_guard lock(mutex_);
        bool cached =
            std::any_of(recent_.begin(), recent_.end(), [&](const entry& e) { return e.key == key; });
        if (cached) held = lease_locked(key, trash);
    }
    std::error_code ec;
    if (!held) {
        fs::path staging = root_ / (".new-" + key + "-" + random_suffix());
        auto fetched = fetch_artifact(url, digest, staging, options);
        if (!fetched) {
            fs::remove_all(staging, ec);
            return fetched.err();
        }
        std::lock_guard lock(mutex_);
        fs::rename(staging, root_ / key, ec);
        if (ec) trash.push_back(staging); // another worker stored the same digest first
        held = lease_locked(key, trash);
    }
    for (const auto& t : trash)
        fs::remove_all(t, ec);
    return held;
}

status extracted_cache::checkout(const std::string& url, const std::string& digest, const fs::path& target,
                                 const fetch_options& options)
{
    WEIR_TRY_ASSIGN(lease held, acquire(url, digest, options));
    return link_tree(*held, target);
}

} // namespace weir::artifact
