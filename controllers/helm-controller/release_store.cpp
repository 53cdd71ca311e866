#include "release_store.hpp"

#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace weir::helm_controller {

namespace {
const kube::gvk secret_kind{"", "v1", "Secret"};

std::int64_t now_seconds()
{
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}
} // namespace

release_store::release_store(kube::client& client, std::string storage_namespace, std::string release_name)
    : client_(client), namespace_(std::move(storage_namespace)), name_(std::move(release_name))
{
}

result<std::vector<helm::release>> release_store::history()
{
    auto list =
        client_.list(secret_kind, {.namespace_ = namespace_, .label_selector = "owner=helm,name=" + name_});
    if (!list) return list.err().wrap("failed to list release records of " + name_);
    std::vector<helm::release> out;
    for (const auto& s : list->items) {
        auto r = helm::release_from_secret(s);
        if (!r) return r.err().wrap(fmt::format("release record {}/{}", namespace_, kube::name_of(s)));
        out.push_back(std::move(*r));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
    return out;
}

result<std::optional<helm::release>> release_store::latest()
{
    WEIR_TRY_ASSIGN(auto all, history());
    if (all.empty()) return std::optional<helm::release>{};
    return std::optional<helm::release>{std::move(all.back())};
}

result<std::optional<helm::release>> release_store::last_deployed()
{
    WEIR_TRY_ASSIGN(auto all, history());
    for (auto it = all.rbegin(); it != all.rend(); ++it)
        if (it->info.status == helm::status_deployed) return std::optional<helm::release>{std::move(*it)};
    return std::optional<helm::release>{};
}

status release_store::create(const helm::release& r)
{
    WEIR_TRY_ASSIGN(auto secret, helm::release_secret(r, now_seconds()));
    secret["metadata"]["namespace"] = namespace_;
    auto created = client_.create(secret);
    if (!created)
        return created.err().wrap("failed to create release record " +
                                  helm::release_secret_name(r.name, r.version));
    return ok();
}

status release_store::update(const helm::release& r)
{
    WEIR_TRY_ASSIGN(auto secret, helm::release_secret(r));
    value& labels = secret["metadata"]["labels"];
    if (labels.is_object()) labels.as_object().erase("createdAt");
    labels["modifiedAt"] = std::to_string(now_seconds());
    secret["metadata"]["namespace"] = namespace_;
    auto live = client_.get(secret_kind, namespace_, kube::name_of(secret));
    if (!live) return live.err().wrap("failed to read release record " + std::string(kube::name_of(secret)));
    if (const value* created = live->find_path({"metadata", "labels", "createdAt"}))
        labels["createdAt"] = *created;
    secret["metadata"]["resourceVersion"] = std::string(kube::resource_version_of(*live));
    auto updated = client_.update(secret);
    if (!updated)
        return updated.err().wrap("failed to update release record " + std::string(kube::name_of(secret)));
    return ok();
}

status release_store::prune(int max)
{
    if (max <= 0) return ok();
    WEIR_TRY_ASSIGN(auto all, history());
    int excess = static_cast<int>(all.size()) - max;
    for (const auto& r : all) {
        if (excess <= 0) break;
        if (r.info.status == helm::status_deployed) continue;
        auto s = client_.remove(secret_kind, namespace_, helm::release_secret_name(r.name, r.version));
        if (!s && !kube::is_not_found(s.err())) return s.err();
        --excess;
    }
    return ok();
}

status release_store::remove_all()
{
    WEIR_TRY_ASSIGN(auto all, history());
    for (const auto& r : all) {
        auto s = client_.remove(secret_kind, namespace_, helm::release_secret_name(r.name, r.version));
        if (!s && !kube::is_not_found(s.err())) return s.err();
    }
    return ok();
}

} // namespace weir::helm_controller
