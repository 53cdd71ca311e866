#include "release_status.hpp"

#include <weir/artifact/digest.hpp>

#include <fmt/format.h>

namespace weir::helm_controller {

namespace {
// Go's RFC 3339 with nanoseconds to the seconds form Kubernetes metav1.Time uses.
std::string to_meta_time(const std::string& t)
{
    if (t.empty()) return t;
    auto dot = t.find('.');
    if (dot == std::string::npos) return t;
    auto end = t.find_first_of("Z+-", dot);
    return t.substr(0, dot) + (end == std::string::npos ? "Z" : t.substr(end));
}
} // namespace

std::string chart_name_of(const helm::release& r)
{
    const value* n = r.chart.find_path({"metadata", "name"});
    return n && n->is_string() ? n->as_string() : "";
}

std::string chart_version_of(const helm::release& r)
{
    const value* v = r.chart.find_path({"metadata", "version"});
    return v && v->is_string() ? v->as_string() : "";
}

std::string release_name_for(const value& hr, const api::helm_v2::helm_release_spec& spec)
{
    if (!spec.release_name.empty()) return spec.release_name;
    std::string name(hr.find_path({"metadata", "name"}) ? hr.find_path({"metadata", "name"})->as_string()
                                                        : "");
    std::string n = spec.target_namespace.empty() ? name : spec.target_namespace + "-" + name;
    if (n.size() <= 53) return n;
    std::string out = n.substr(0, 40) + "-" + artifact::digest_of(n).substr(7, 12);
    for (std::size_t pos; (pos = out.find(".-")) != std::string::npos;)
        out.replace(pos, 2, "-");
    return out;
}

std::string release_label(const helm::release& r)
{
    return fmt::format("{}/{}.v{}", r.namespace_, r.name, r.version);
}

value snapshot_of(const helm::release& r, const std::string& config_digest)
{
    value s = object{};
    auto encoded = helm::encode_release(r);
    s["digest"] = artifact::digest_of(encoded ? *encoded : std::string());
    s["name"] = r.name;
    s["namespace"] = r.namespace_;
    s["version"] = r.version;
    s["status"] = r.info.status;
    s["chartName"] = chart_name_of(r);
    s["chartVersion"] = chart_version_of(r);
    const value* app = r.chart.find_path({"metadata", "appVersion"});
    if (app && app->is_string() && !app->as_string().empty()) s["appVersion"] = app->as_string();
    s["configDigest"] = config_digest;
    s["firstDeployed"] = to_meta_time(r.info.first_deployed);
    s["lastDeployed"] = to_meta_time(r.info.last_deployed);
    if (!r.info.deleted.empty()) s["deleted"] = to_meta_time(r.info.deleted);
    return s;
}

void record_snapshot(value& status, value snapshot)
{
    // A newer deployed release supersedes the older ones, as it does their records.
    bool deployed = snapshot.get_string("status") == helm::status_deployed;
    array out{std::move(snapshot)};
    if (const value* h = status.find("history"); h && h->is_array())
        for (const auto& e : h->as_array()) {
            if (out.size() >= 5 || (e.find("version") && *e.find("version") == *out.front().find("version")))
                continue;
            out.push_back(e);
            if (deployed && (out.back().get_string("status") == helm::status_deployed ||
                             out.back().get_string("status") == helm::status_failed))
                out.back()["status"] = std::string(helm::status_superseded);
        }
    status["history"] = std::move(out);
}

} // namespace weir::helm_controller
