#include "bucket_fetch.hpp"

#include <weir/artifact/ignore.hpp>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace weir::source::bucket {
namespace fs = std::filesystem;

namespace {

std::string index_text(const object_index& index)
{
    std::string out;
    for (const auto& [key, etag] : index)
        out += key + ' ' + etag + '\n';
    return out;
}

object_index read_index(const fs::path& file)
{
    object_index out;
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        auto space = line.rfind(' ');
        if (space != std::string::npos) out[line.substr(0, space)] = line.substr(space + 1);
    }
    return out;
}

status write_atomically(const fs::path& file, std::string_view bytes)
{
    fs::path tmp = file;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        if (!out) return transient_error("cannot write " + tmp.string(), "StorageOperationFailed");
    }
    std::error_code ec;
    fs::rename(tmp, file, ec);
    if (ec)
        return transient_error(fmt::format("cannot rename {}: {}", tmp.string(), ec.message()),
                               "StorageOperationFailed");
    return ok();
}

// .sourceignore at the bucket root, also when spec.prefix does not list it (as Flux reads it).
result<std::string> root_sourceignore(const objectstore::s3_client& s3, const std::string& bucket,
                                      const std::vector<objectstore::object_info>& listed)
{
    bool in_listing = false;
    for (const auto& o : listed)
        in_listing = in_listing || o.key == artifact::source_ignore_file;
    auto got = s3.get_object(bucket, std::string(artifact::source_ignore_file));
    if (got) return std::move(*got);
    if (!in_listing && got.err().reason == "ObjectNotFound") return std::string();
    return got.err().wrap("cannot read the bucket's .sourceignore");
}

// Removes files of `tree` that `want` does not hold, and the directories left empty.
std::size_t prune_tree(const fs::path& tree, const object_index& want)
{
    std::vector<fs::path> gone;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_directory()) continue;
        std::string key = fs::relative(it->path(), tree).generic_string();
        if (!want.count(key)) gone.push_back(it->path());
    }
    for (const auto& p : gone) {
        fs::remove(p, ec);
        for (fs::path dir = p.parent_path(); dir != tree && fs::is_empty(dir, ec); dir = dir.parent_path())
            fs::remove(dir, ec);
    }
    return gone.size();
}

} // namespace

std::string index_revision(const object_index& index)
{
    return "sha256:" + objectstore::sha256_hex(index_text(index));
}

bool safe_key(std::string_view key)
{
    if (key.empty() || key.front() == '/' || key.back() == '/') return false;
    std::size_t start = 0;
    while (start <= key.size()) {
        auto slash = key.find('/', start);
        std::string_view part = key.substr(start, slash == std::string_view::npos ? key.npos : slash - start);
        if (part.empty() || part == "." || part == ".." || part.find('\\') != std::string_view::npos)
            return false;
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return true;
}

result<object_index> list_index(const objectstore::s3_client& s3, const std::string& bucket,
                                const std::string& prefix, const std::optional<std::string>& spec_ignore)
{
    WEIR_TRY_ASSIGN(auto listed, s3.list_objects(bucket, prefix));
    WEIR_TRY_ASSIGN(auto sourceignore, root_sourceignore(s3, bucket, listed));
    artifact::ignore_matcher rules;
    if (sourceignore.empty() && !spec_ignore) {
        rules.add_defaults();
    } else {
        rules.add_vcs_defaults();
        rules.add_lines(sourceignore);
        if (spec_ignore) rules.add_lines(*spec_ignore);
    }
    object_index index;
    for (auto& o : listed)
        if (safe_key(o.key) && !rules.match_path(o.key, false)) index[o.key] = o.etag;
    return index;
}

result<sync_result> sync_tree(const objectstore::s3_client& s3, const std::string& bucket,
                              const object_index& want, const fs::path& cache, std::size_t workers)
{
    sync_result out{.tree = cache / "tree"};
    fs::create_directories(out.tree);
    fs::path index_file = cache / "index";
    object_index have = read_index(index_file);

    std::vector<const std::pair<const std::string, std::string>*> todo;
    for (const auto& entry : want) {
        auto it = have.find(entry.first);
        if (it == have.end() || it->second != entry.second || !fs::exists(out.tree / entry.first))
            todo.push_back(&entry);
    }
    out.removed = prune_tree(out.tree, want);

    // Workers take objects from a shared cursor; the first error is kept, the rest still finish.
    std::atomic<std::size_t> next{0};
    std::mutex mu;
    std::optional<error> failed;
    object_index done = have;
    for (const auto* entry : todo)
        done.erase(entry->first);
    auto work = [&] {
        for (std::size_t i = next++; i < todo.size(); i = next++) {
            const auto& [key, etag] = *todo[i];
            auto body = s3.get_object(bucket, key);
            status st = ok();
            if (!body)
                st = body.err().wrap(fmt::format("cannot download '{}'", key));
            else {
                std::error_code ec;
                fs::create_directories((out.tree / key).parent_path(), ec);
                st = write_atomically(out.tree / key, *body);
            }
            std::lock_guard lock(mu);
            if (st)
                done[key] = etag;
            else if (!failed)
                failed = st.err();
        }
    };
    std::vector<std::thread> pool;
    for (std::size_t w = 1; w < std::min(workers, todo.size()); ++w)
        pool.emplace_back(work);
    work();
    for (auto& t : pool)
        t.join();
    for (auto it = done.begin(); it != done.end();)
        it = want.count(it->first) ? std::next(it) : done.erase(it);
    WEIR_TRY(write_atomically(index_file, index_text(done)));
    if (failed) return *failed;
    out.downloaded = todo.size();
    return out;
}

} // namespace weir::source::bucket
