#include "fields.hpp"

#include <weir/api/meta.hpp>

namespace weir::api {

using namespace detail;

result<std::optional<kube_config_reference>> kube_config_reference::from_spec(const value& spec)
{
    const value* kc = spec.find("kubeConfig");
    if (!kc || kc->is_null()) return std::optional<kube_config_reference>{};
    if (!kc->is_object()) return invalid_field("spec.kubeConfig", "must be an object");
    const value* sr = kc->find("secretRef");
    if (!sr || !sr->is_object())
        return invalid_field("spec.kubeConfig", "secretRef is required (configMapRef for cloud workload identity is "
                                                "not supported by weir)");
    kube_config_reference ref;
    WEIR_TRY_ASSIGN(ref.secret_name, required_string(*sr, "name", "spec.kubeConfig.secretRef.name"));
    WEIR_TRY_ASSIGN(auto key, optional_string(*sr, "key", "spec.kubeConfig.secretRef.key"));
    ref.key = key.value_or("");
    return std::optional<kube_config_reference>(std::move(ref));
}

result<artifact> artifact::from(const value& v)
{
    if (!v.is_object()) return invalid_field("status.artifact", "must be an object");
    artifact a;
    WEIR_TRY_ASSIGN(a.path, required_string(v, "path", "status.artifact.path"));
    WEIR_TRY_ASSIGN(a.url, required_string(v, "url", "status.artifact.url"));
    WEIR_TRY_ASSIGN(a.revision, required_string(v, "revision", "status.artifact.revision"));
    WEIR_TRY_ASSIGN(a.digest, required_string(v, "digest", "status.artifact.digest"));
    WEIR_TRY_ASSIGN(auto updated, optional_string(v, "lastUpdateTime", "status.artifact.lastUpdateTime"));
    a.last_update_time = updated.value_or("");
    if (const value* s = v.find("size"); s && s->is_int()) a.size = s->as_int();
    WEIR_TRY_ASSIGN(a.metadata, string_map(v, "metadata", "status.artifact.metadata"));
    return a;
}

value artifact::to_value() const
{
    value v = object{{"path", path}, {"url", url}, {"revision", revision}, {"digest", digest},
                     {"lastUpdateTime", last_update_time}, {"size", static_cast<long long>(size)}};
    if (!metadata.empty()) {
        object m;
        for (const auto& [k, val] : metadata) m.push_back(k, val);
        v["metadata"] = std::move(m);
    }
    return v;
}

std::string inventory_id(std::string_view namespace_, std::string_view name, std::string_view group,
                         std::string_view kind)
{
    std::string escaped;
    for (char c : name) {
        if (c == ':') escaped += "__";
        else escaped += c;
    }
    std::string id;
    id.append(namespace_).append("_").append(escaped).append("_").append(group).append("_").append(kind);
    return id;
}

std::string_view api_group(std::string_view api_version)
{
    auto slash = api_version.find('/');
    return slash == std::string_view::npos ? std::string_view{} : api_version.substr(0, slash);
}

} // namespace weir::api
