// Discovery: the legacy documents (/api, /apis, /api/v1, /apis/<g>/<v>) and the aggregated
// apidiscovery.k8s.io/v2 form that kubectl 1.32 asks for first through its Accept header.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

namespace weir::apiserver {

namespace {

value strings(const std::vector<std::string>& v) { return array(v.begin(), v.end()); }

value resource_entry(const resource_info& r)
{
    value e = object{};
    e["name"] = r.resource;
    e["singularName"] = r.singular;
    e["namespaced"] = r.namespaced;
    e["kind"] = r.kind;
    e["verbs"] = strings(r.verbs);
    if (!r.short_names.empty()) e["shortNames"] = strings(r.short_names);
    if (!r.categories.empty()) e["categories"] = strings(r.categories);
    return e;
}

value sub_entry(const resource_info& r, std::string_view sub)
{
    value e = object{};
    e["name"] = r.resource + "/" + std::string(sub);
    e["singularName"] = "";
    e["namespaced"] = r.namespaced;
    e["kind"] = sub == "scale" ? "Scale" : r.kind;
    if (sub == "scale") {
        e["group"] = "autoscaling";
        e["version"] = "v1";
    }
    e["verbs"] = array{"get", "patch", "update"};
    return e;
}

value aggregated_resource(const resource_info& r)
{
    value e = object{};
    e["resource"] = r.resource;
    value kind = object{};
    kind["group"] = r.group;
    kind["version"] = r.version;
    kind["kind"] = r.kind;
    e["responseKind"] = kind;
    e["scope"] = r.namespaced ? "Namespaced" : "Cluster";
    e["singularResource"] = r.singular;
    e["verbs"] = strings(r.verbs);
    if (!r.short_names.empty()) e["shortNames"] = strings(r.short_names);
    if (!r.categories.empty()) e["categories"] = strings(r.categories);
    value subs = array{};
    for (std::string_view s : {"status", "scale"}) {
        if ((s == "status" && !r.status) || (s == "scale" && !r.scale)) continue;
        value sub = object{};
        sub["subresource"] = s;
        value sk = object{};
        sk["group"] = s == "scale" ? "autoscaling" : r.group;
        sk["version"] = s == "scale" ? "v1" : r.version;
        sk["kind"] = s == "scale" ? "Scale" : r.kind;
        sub["responseKind"] = sk;
        sub["verbs"] = array{"get", "patch", "update"};
        subs.as_array().push_back(std::move(sub));
    }
    if (!subs.as_array().empty()) e["subresources"] = std::move(subs);
    return e;
}

bool wants_aggregated(std::string_view accept)
{
    return accept.find("as=APIGroupDiscoveryList") != std::string_view::npos &&
           accept.find("g=apidiscovery.k8s.io;v=v2") != std::string_view::npos;
}

} // namespace

std::optional<response> api::impl::discovery(const call& c, const std::vector<std::string>& segs)
{
    // Both branches must be views: "" : segs[0] would make a temporary std::string and dangle.
    std::string_view first = segs.empty() ? std::string_view{} : std::string_view(segs[0]);
    bool core = first == "api";
    if (!core && first != "apis") return std::nullopt;
    auto groups = reg.groups();
    auto resources = reg.all();

    if (segs.size() == 1 && wants_aggregated(c.req.accept)) {
        value list = object{};
        list["kind"] = "APIGroupDiscoveryList";
        list["apiVersion"] = "apidiscovery.k8s.io/v2";
        list["metadata"] = object{};
        value items = array{};
        for (const auto& [g, versions] : groups) {
            if (core != g.empty()) continue;
            value item = object{};
            item["metadata"]["name"] = g;
            item["metadata"]["creationTimestamp"] = nullptr;
            value vs = array{};
            for (const auto& v : versions) {
                value ver = object{};
                ver["version"] = v;
                value rs = array{};
                for (const auto* r : resources)
                    if (r->group == g && r->version == v) rs.as_array().push_back(aggregated_resource(*r));
                ver["resources"] = std::move(rs);
                ver["freshness"] = "Current";
                vs.as_array().push_back(std::move(ver));
            }
            item["versions"] = std::move(vs);
            items.as_array().push_back(std::move(item));
        }
        list["items"] = std::move(items);
        return response{200, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", to_json(list)};
    }
    if (core && segs.size() == 1) {
        value v = object{};
        v["kind"] = "APIVersions";
        v["versions"] = array{"v1"};
        value addr = object{};
        addr["clientCIDR"] = "0.0.0.0/0";
        addr["serverAddress"] = opt.server_url;
        v["serverAddressByClientCIDRs"] = array{addr};
        return json_response(200, to_json(v));
    }
    auto group_entry = [](const std::string& g, const std::vector<std::string>& versions) {
        value e = object{};
        e["name"] = g;
        value vs = array{};
        for (const auto& v : versions) {
            value x = object{};
            x["groupVersion"] = g + "/" + v;
            x["version"] = v;
            vs.as_array().push_back(std::move(x));
        }
        e["preferredVersion"] = vs.as_array().front();
        e["versions"] = std::move(vs);
        return e;
    };
    if (!core && segs.size() == 1) {
        value list = object{};
        list["kind"] = "APIGroupList";
        list["apiVersion"] = "v1";
        value gs = array{};
        for (const auto& [g, versions] : groups)
            if (!g.empty()) gs.as_array().push_back(group_entry(g, versions));
        list["groups"] = std::move(gs);
        return json_response(200, to_json(list));
    }
    if (!core && segs.size() == 2) {
        for (const auto& [g, versions] : groups)
            if (g == segs[1]) {
                value e = group_entry(g, versions);
                e["kind"] = "APIGroup";
                e["apiVersion"] = "v1";
                return json_response(200, to_json(e));
            }
        return status_response(&c, api_error(404, "NotFound", "the server could not find the requested resource"));
    }
    bool gv_doc = (core && segs.size() == 2) || (!core && segs.size() == 3);
    if (!gv_doc) return std::nullopt;
    std::string group = core ? "" : segs[1], version = core ? segs[1] : segs[2];
    value list = object{};
    list["kind"] = "APIResourceList";
    list["apiVersion"] = "v1";
    list["groupVersion"] = core ? version : group + "/" + version;
    value rs = array{};
    for (const auto* r : resources) {
        if (r->group != group || r->version != version) continue;
        rs.as_array().push_back(resource_entry(*r));
        if (r->status) rs.as_array().push_back(sub_entry(*r, "status"));
        if (r->scale) rs.as_array().push_back(sub_entry(*r, "scale"));
    }
    if (rs.as_array().empty())
        return status_response(&c, api_error(404, "NotFound", "the server could not find the requested resource"));
    list["resources"] = std::move(rs);
    return json_response(200, to_json(list));
}

} // namespace weir::apiserver
