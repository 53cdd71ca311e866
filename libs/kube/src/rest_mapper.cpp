#include <weir/kube/rest_mapper.hpp>

#include <weir/kube/errors.hpp>

#include <optional>

namespace weir::kube {
namespace {

std::string gv_key(std::string_view group, std::string_view version)
{
    return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

} // namespace

void rest_mapper::add(resource_mapping m)
{
    std::lock_guard lock(mutex_);
    auto& list = by_group_version_[gv_key(m.group, m.version)];
    for (auto& existing : list)
        if (existing.kind == m.kind) {
            existing = std::move(m);
            return;
        }
    list.push_back(std::move(m));
}

void rest_mapper::reset()
{
    std::lock_guard lock(mutex_);
    by_group_version_.clear();
}

status rest_mapper::discover(const std::string& group, const std::string& version)
{
    std::string path = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
    WEIR_TRY_ASSIGN(auto doc, fetch_(path));
    std::vector<resource_mapping> found;
    if (const weir::value* resources = doc.find("resources"); resources && resources->is_array()) {
        for (const auto& r : resources->as_array()) {
            std::string_view name = r.get_string("name");
            if (name.empty() || name.find('/') != std::string_view::npos) continue; // subresources
            resource_mapping m{group, version, std::string(name), std::string(r.get_string("kind")), true};
            if (const weir::value* ns = r.find("namespaced"); ns && ns->is_bool()) m.namespaced = ns->as_bool();
            found.push_back(std::move(m));
        }
    }
    std::lock_guard lock(mutex_);
    auto& list = by_group_version_[gv_key(group, version)];
    // Keep hand-registered mappings the server does not list.
    for (auto& old : list) {
        bool listed = false;
        for (const auto& f : found) listed = listed || f.kind == old.kind;
        if (!listed) found.push_back(old);
    }
    list = std::move(found);
    return ok();
}

result<resource_mapping> rest_mapper::mapping_for(const gvk& kind)
{
    auto lookup = [&]() -> std::optional<resource_mapping> {
        std::lock_guard lock(mutex_);
        auto it = by_group_version_.find(gv_key(kind.group, kind.version));
        if (it == by_group_version_.end()) return std::nullopt;
        for (const auto& m : it->second)
            if (m.kind == kind.kind) return m;
        return std::nullopt;
    };
    if (auto m = lookup()) return *m;
    if (auto s = discover(kind.group, kind.version); !s) {
        if (is_not_found(s.err()))
            return terminal_error("no kind " + kind.kind + " is served for version " + kind.api_version(), "NoKindMatch");
        return std::move(s).err();
    }
    if (auto m = lookup()) return *m;
    weir::error e = terminal_error("no kind " + kind.kind + " is served for version " + kind.api_version(), "NoKindMatch");
    e.code = 404; // a CRD that does not exist (yet): callers treat it like any missing object
    return e;
}

result<resource_mapping> rest_mapper::mapping_for_resource(std::string_view group, std::string_view version,
                                                           std::string_view resource)
{
    auto lookup = [&]() -> std::optional<resource_mapping> {
        std::lock_guard lock(mutex_);
        auto it = by_group_version_.find(gv_key(group, version));
        if (it == by_group_version_.end()) return std::nullopt;
        for (const auto& m : it->second)
            if (m.resource == resource) return m;
        return std::nullopt;
    };
    if (auto m = lookup()) return *m;
    WEIR_TRY(discover(std::string(group), std::string(version)));
    if (auto m = lookup()) return *m;
    return terminal_error("no resource " + std::string(resource) + " is served for version " + gv_key(group, version),
                          "NoKindMatch");
}

result<std::vector<std::string>> rest_mapper::group_versions()
{
    std::vector<std::string> out;
    if (auto core = fetch_("/api"); core)
        if (const weir::value* versions = core->find("versions"); versions && versions->is_array())
            for (const auto& v : versions->as_array())
                if (v.is_string()) out.push_back(v.as_string());
    WEIR_TRY_ASSIGN(auto doc, fetch_("/apis"));
    if (const weir::value* groups = doc.find("groups"); groups && groups->is_array())
        for (const auto& g : groups->as_array())
            if (const weir::value* versions = g.find("versions"); versions && versions->is_array())
                for (const auto& v : versions->as_array()) out.emplace_back(v.get_string("groupVersion"));
    return out;
}

} // namespace weir::kube
