// OpenAPI v3 documents: what kubectl needs. Each group-version document lists a PATCH operation
// per resource that declares the fieldValidation parameter (so kubectl validates on the server
// instead of downloading schemas) and, for custom resources, their structural schemas (for
// kubectl explain). /openapi/v2 is not served: kubectl then uses its compiled-in types.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::apiserver {

namespace {

std::string gv_path(std::string_view group, std::string_view version)
{
    return group.empty() ? "api/" + std::string(version) : "apis/" + std::string(group) + "/" + std::string(version);
}

// Schema names as Kubernetes forms them: reversed group, version, kind.
std::string schema_name(const resource_info& r)
{
    std::string g = r.group;
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= g.size()) {
        auto dot = g.find('.', start);
        parts.push_back(g.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    std::string out;
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) out += (out.empty() ? "" : ".") + *it;
    if (r.group.empty()) out = "io.k8s.api.core";
    return out + "." + r.version + "." + r.kind;
}

value gvk(const resource_info& r)
{
    value v = object{};
    v["group"] = r.group;
    v["kind"] = r.kind;
    v["version"] = r.version;
    return v;
}

value gv_document(const resource_registry& reg, std::string_view group, std::string_view version)
{
    value doc = object{};
    doc["openapi"] = "3.0.0";
    doc["info"]["title"] = "Kubernetes";
    doc["info"]["version"] = "v1.32.0";
    value paths = object{};
    value schemas = object{};
    for (const auto* r : reg.all()) {
        if (r->group != group || r->version != version) continue;
        std::string base = "/" + gv_path(r->group, r->version) + (r->namespaced ? "/namespaces/{namespace}/" : "/") +
                           r->resource + "/{name}";
        value param = object{};
        param["name"] = "fieldValidation";
        param["in"] = "query";
        param["description"] = "how the server treats unknown or duplicate fields: Ignore, Warn or Strict";
        param["schema"]["type"] = "string";
        value op = object{};
        op["operationId"] = "patch" + r->kind;
        op["parameters"] = array{param};
        op["x-kubernetes-action"] = "patch";
        op["x-kubernetes-group-version-kind"] = gvk(*r);
        op["responses"]["200"]["description"] = "OK";
        paths[base]["patch"] = std::move(op);
        value s = object{};
        if (r->schema) s = *r->schema;
        else {
            s["type"] = "object";
            s["description"] = r->kind + " (weir-apiserver does not publish schemas of built-in kinds)";
        }
        if (!s.find("type")) s["type"] = "object";
        value& props = s["properties"];
        if (!props.is_object()) props = object{};
        props["apiVersion"]["type"] = "string";
        props["apiVersion"]["description"] = "APIVersion defines the versioned schema of this representation of an object.";
        props["kind"]["type"] = "string";
        props["kind"]["description"] = "Kind is a string value representing the REST resource this object represents.";
        props["metadata"]["type"] = "object";
        props["metadata"]["description"] = "Standard object's metadata.";
        s["x-kubernetes-group-version-kind"] = array{gvk(*r)};
        schemas[schema_name(*r)] = std::move(s);
    }
    doc["paths"] = std::move(paths);
    doc["components"]["schemas"] = std::move(schemas);
    return doc;
}

std::string fnv_hex(std::string_view s)
{
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ULL;
    return fmt::format("{:016X}{:016X}", h, h * 31 + s.size());
}

} // namespace

response api::impl::openapi(const call& c, const std::vector<std::string>& segs)
{
    auto not_found_resp = [&] {
        return status_response(&c, api_error(404, "NotFound", "the server could not find the requested resource"));
    };
    if (segs.size() < 2 || segs[1] != "v3") return not_found_resp();
    if (segs.size() == 2) {
        value root = object{};
        value paths = object{};
        for (const auto& [g, versions] : reg.groups())
            for (const auto& v : versions) {
                std::string p = gv_path(g, v);
                paths[p]["serverRelativeURL"] = "/openapi/v3/" + p + "?hash=" + fnv_hex(to_json(gv_document(reg, g, v)));
            }
        root["paths"] = std::move(paths);
        return json_response(200, to_json(root));
    }
    std::string group, version;
    if (segs[2] == "api" && segs.size() == 4) {
        version = segs[3];
    } else if (segs[2] == "apis" && segs.size() == 5) {
        group = segs[3];
        version = segs[4];
    } else {
        return not_found_resp();
    }
    bool any = false;
    for (const auto* r : reg.all()) any = any || (r->group == group && r->version == version);
    if (!any) return not_found_resp();
    return json_response(200, to_json(gv_document(reg, group, version)));
}

} // namespace weir::apiserver
