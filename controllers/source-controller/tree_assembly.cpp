#include "tree_assembly.hpp"

#include <weir/artifact/tarball.hpp>
#include <weir/core/temp_dir.hpp>

#include <fmt/format.h>

namespace weir::source {

namespace fs = std::filesystem;

namespace {

error include_error(std::string message)
{
    return transient_error(std::move(message), "IncludeUnavailable");
}

// A relative path that stays inside its root ("", "." and "./x" are fine; "/x" and "../x" are not).
result<fs::path> inside(const std::string& path, std::string_view field)
{
    fs::path p = fs::path(path).lexically_normal();
    if (p.is_absolute() || (!p.empty() && *p.begin() == ".."))
        return terminal_error(
            fmt::format("{} '{}' must be a relative path inside the repository", field, path), "InvalidPath");
    if (p == ".") p.clear();
    return p;
}

// Whether `rel` (inside `root`) passes through a symlink: the checkout keeps the repository's
// symlinks, and one pointing outside would let a toPath remove or write files out of the tree.
bool through_symlink(const fs::path& root, const fs::path& rel)
{
    fs::path at = root;
    for (const auto& part : rel) {
        at /= part;
        if (fs::is_symlink(at)) return true;
    }
    return false;
}

bool is_under(const fs::path& p, const fs::path& dir)
{
    auto [a, b] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
    return a == dir.end();
}

} // namespace

status apply_sparse_checkout(const fs::path& tree, const std::vector<std::string>& dirs)
{
    if (dirs.empty()) return ok();
    std::vector<fs::path> keep;
    for (const auto& d : dirs) {
        WEIR_TRY_ASSIGN(fs::path rel, inside(d, "spec.sparseCheckout entry"));
        if (rel.empty()) return ok(); // the whole tree
        if (!fs::is_directory(tree / rel))
            return terminal_error(
                fmt::format("spec.sparseCheckout directory '{}' does not exist in this revision", d),
                "GitOperationFailed");
        keep.push_back(rel);
    }
    std::vector<fs::path> doomed;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(tree, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        fs::path rel = fs::relative(it->path(), tree);
        bool kept_below =
            std::any_of(keep.begin(), keep.end(), [&](const fs::path& k) { return is_under(rel, k); });
        bool leads_to_kept =
            std::any_of(keep.begin(), keep.end(), [&](const fs::path& k) { return is_under(k, rel); });
        if (kept_below)
            it.disable_recursion_pending();
        else if (!leads_to_kept) {
            doomed.push_back(it->path());
            it.disable_recursion_pending();
        }
    }
    for (const auto& p : doomed)
        fs::remove_all(p, ec);
    return ok();
}

result<std::vector<api::artifact>> resolve_includes(const runtime::object_store& git_repositories,
                                                    std::string_view namespace_,
                                                    const std::vector<api::source_v1::git_include>& includes)
{
    std::vector<api::artifact> out;
    for (const auto& inc : includes) {
        auto obj = git_repositories.get(fmt::format("{}/{}", namespace_, inc.repository));
        if (!obj)
            return include_error(
                fmt::format("included GitRepository '{}/{}' not found", namespace_, inc.repository));
        const value* art = obj->find_path({"status", "artifact"});
        if (!art)
            return include_error(fmt::format("included GitRepository '{}/{}' has no artifact yet", namespace_,
                                             inc.repository));
        WEIR_TRY_ASSIGN(auto parsed, api::artifact::from(*art));
        out.push_back(std::move(parsed));
    }
    return out;
}

status copy_includes(const artifact::storage& storage,
                     const std::vector<api::source_v1::git_include>& includes,
                     const std::vector<api::artifact>& artifacts, const fs::path& tree,
                     const fs::path& scratch)
{
    if (includes.empty()) return ok();
    temp_dir work(scratch); // removed with everything unpacked below it
    std::error_code created;
    fs::create_directories(scratch, created);
    for (std::size_t i = 0; i < includes.size() && i < artifacts.size(); ++i) {
        const auto& inc = includes[i];
        WEIR_TRY_ASSIGN(fs::path from, inside(inc.from_path, "spec.include.fromPath"));
        WEIR_TRY_ASSIGN(fs::path to,
                        inside(inc.to_path.empty() ? inc.repository : inc.to_path, "spec.include.toPath"));
        if (to.empty())
            return terminal_error("spec.include.toPath must name a directory, not the root", "InvalidPath");
        if (through_symlink(tree, to))
            return terminal_error(
                fmt::format("spec.include.toPath '{}' passes through a symlink in the repository: "
                            "choose a path made of plain directories",
                            to.string()),
                "InvalidPath");
        temp_dir unpacked(scratch, fmt::format("include-{}", i));
        fs::path archive = storage.root() / artifacts[i].path;
        auto extracted = artifact::extract_tarball(archive, unpacked.path() / "tree");
        if (!extracted)
            return include_error(
                fmt::format("included GitRepository '{}': {}", inc.repository, extracted.err().message));
        fs::path source = unpacked.path() / "tree" / from;
        if (!fs::exists(source))
            return terminal_error(
                fmt::format("spec.include.fromPath '{}' does not exist in GitRepository '{}'", inc.from_path,
                            inc.repository),
                "InvalidPath");
        std::error_code ec;
        fs::remove_all(tree / to, ec);
        fs::create_directories((tree / to).parent_path(), ec);
        fs::copy(source, tree / to, fs::copy_options::recursive | fs::copy_options::copy_symlinks, ec);
        if (ec)
            return include_error(fmt::format("cannot copy GitRepository '{}' into '{}': {}", inc.repository,
                                             to.string(), ec.message()));
    }
    return ok();
}

value included_artifacts_value(const std::vector<api::artifact>& artifacts)
{
    array list;
    for (const auto& a : artifacts)
        list.push_back(a.to_value());
    return list;
}

bool same_included_artifacts(const value* status_list, const std::vector<api::artifact>& artifacts)
{
    std::size_t have = status_list && status_list->is_array() ? status_list->as_array().size() : 0;
    if (have != artifacts.size()) return false;
    for (std::size_t i = 0; i < have; ++i)
        if (status_list->as_array()[i].get_string("digest") != artifacts[i].digest) return false;
    return true;
}

} // namespace weir::source
