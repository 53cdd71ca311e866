// PATCH: JSON patch, JSON merge patch and strategic merge patch (libs/patch), and server-side
// apply with field ownership in managedFields.
#include "api_impl.hpp"
#include "fieldset.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/patch/patch.hpp>

#include <fmt/format.h>

namespace weir::apiserver {

namespace {

std::string media_type(std::string_view ct)
{
    auto semi = ct.find(';');
    std::string_view m = ct.substr(0, semi);
    while (!m.empty() && m.back() == ' ')
        m.remove_suffix(1);
    return std::string(m);
}

error unsupported(std::string_view ct)
{
    return api_error(
        415, "UnsupportedMediaType",
        fmt::format("the body of the request was in an unknown format ({}) - accepted media types include: "
                    "application/json-patch+json, application/merge-patch+json, "
                    "application/apply-patch+yaml, application/strategic-merge-patch+json",
                    ct));
}

struct conflict {
    std::string manager, api_version;
    std::vector<std::string> path;
};

error conflict_error(call& c, const std::vector<conflict>& cs)
{
    std::string msg = fmt::format("Apply failed with {} conflict{}: ", cs.size(), cs.size() == 1 ? "" : "s");
    if (cs.size() == 1) {
        msg += fmt::format("conflict with \"{}\" using {}: {}", cs[0].manager, cs[0].api_version,
                           path_string(cs[0].path));
    } else {
        std::string last;
        for (const auto& x : cs) {
            std::string head = fmt::format("conflicts with \"{}\" using {}:", x.manager, x.api_version);
            if (head != last) msg += (last.empty() ? "" : "\n") + head;
            last = head;
            msg += "\n- " + path_string(x.path);
        }
    }
    for (const auto& x : cs) {
        value cause = object{};
        cause["reason"] = "FieldManagerConflict";
        cause["message"] = fmt::format("conflict with \"{}\" using {}", x.manager, x.api_version);
        cause["field"] = path_string(x.path);
        c.causes.push_back(std::move(cause));
    }
    return api_error(409, "Conflict", msg);
}

} // namespace

static result<response> server_side_apply(api::impl& im, call& c)
{
    if (c.param("fieldManager").empty())
        return invalid(c, "PatchOptions.meta.k8s.io", "", "fieldManager",
                       "Required value: is required for apply patch", "FieldValueRequired");
    bool force = c.param("force") == "true";
    WEIR_TRY_ASSIGN(value applied, parse_body(c));
    if (!applied.is_object())
        return api_error(400, "BadRequest", "the applied configuration must be an object");
    std::string_view av = applied.get_string("apiVersion"), kind = applied.get_string("kind");
    if (av.empty() || kind.empty())
        return api_error(400, "BadRequest", "apiVersion and kind must be set in the applied configuration");
    if (kind != c.t.res->kind || schema::group_of(av) != c.t.res->group)
        return api_error(400, "BadRequest",
                         fmt::format("the applied configuration is a {} {}, not a {} {}", av, kind,
                                     c.t.res->api_version(), c.t.res->kind));
    if (const value* n = applied.find_path({"metadata", "name"});
        n && n->is_string() && n->as_string() != c.t.name)
        return api_error(400, "BadRequest",
                         fmt::format("the name in the applied configuration ({}) does not match the "
                                     "name on the URL ({})",
                                     n->as_string(), c.t.name));
    WEIR_TRY(im.check_applied_fields(c, applied));
    applied["apiVersion"] = c.t.res->api_version();
    applied["metadata"]["name"] = c.t.name;
    bool status_sub = c.t.sub == "status";
    if (!status_sub && c.t.res->status) applied.as_object().erase("status");
    const value* schema = c.t.res->schema.get();
    fields_scope scope = status_sub ? fields_scope::status_only
                                    : (c.t.res->status ? fields_scope::no_status : fields_scope::all);
    value new_set = fields_of(applied, schema, scope);
    c.applying = true;

    auto entry_for = [&](value set) {
        value e = object{};
        e["manager"] = c.manager;
        e["operation"] = "Apply";
        e["apiVersion"] = c.t.res->api_version();
        e["time"] = now_rfc3339();
        e["fieldsType"] = "FieldsV1";
        e["fieldsV1"] = std::move(set);
        if (!c.t.sub.empty()) e["subresource"] = c.t.sub;
        return e;
    };

    auto live_r = im.load(c.t);
    if (!live_r) {
        if (status_sub) return live_r.err();
        value obj = applied;
        obj["kind"] = c.t.res->kind;
        obj["metadata"]["managedFields"] = array{entry_for(new_set)};
        WEIR_TRY_ASSIGN(value out, im.commit(c, nullptr, std::move(obj)));
        return json_response(201, im.serve_json(c, out));
    }
    value live = std::move(live_r).value();
    value managed = array{};
    if (const value* m = live.find_path({"metadata", "managedFields"}); m && m->is_array()) managed = *m;

    std::vector<std::vector<std::string>> leaves;
    std::vector<std::string> cur;
    fs_leaves(new_set, leaves, cur);
    std::vector<conflict> conflicts;
    value old_set = object{};
    value others = array{};
    for (auto& e : managed.as_array()) {
        bool self = e.get_string("manager") == c.manager && e.get_string("operation") == "Apply" &&
                    e.get_string("subresource") == c.t.sub;
        const value* fs = e.find("fieldsV1");
        if (!fs) continue;
        if (self) {
            old_set = *fs;
            continue;
        }
        value lost = object{};
        for (const auto& p : leaves) {
            if (p.empty() || !fs_contains(*fs, p)) continue;
            const value* a = resolve_path(applied, p);
            const value* l = resolve_path(live, p);
            if (a && l && *a == *l) continue;
            if (!a && !l) continue;
            if (force) {
                value* node = &lost;
                for (const auto& el : p) {
                    value& n = (*node)[el];
                    if (n.is_null()) n = object{};
                    node = &n;
                }
            } else {
                conflicts.push_back(
                    {std::string(e.get_string("manager")), std::string(e.get_string("apiVersion")), p});
            }
        }
        if (!fs_empty(lost)) e["fieldsV1"] = fs_subtract(*fs, lost);
        if (!fs_empty(e["fieldsV1"])) others.as_array().push_back(e);
    }
    if (!conflicts.empty()) return conflict_error(c, conflicts);

    value merged = live;
    merge_applied(merged, applied, schema, "");
    // Fields this manager applied before and no longer does go, unless someone else owns them.
    value dropped = fs_subtract(old_set, new_set);
    std::vector<std::vector<std::string>> gone;
    cur.clear();
    fs_leaves(dropped, gone, cur);
    for (auto it = gone.rbegin(); it != gone.rend(); ++it) {
        bool owned = false;
        for (const auto& e : others.as_array())
            if (const value* fs = e.find("fieldsV1"); fs && fs_contains(*fs, *it)) owned = true;
        if (!owned && !it->empty()) remove_path(merged, *it);
    }
    others.as_array().push_back(entry_for(new_set));
    merged["metadata"]["managedFields"] = std::move(others);
    std::string rv(live["metadata"].get_string("resourceVersion"));
    merged["metadata"]["resourceVersion"] = rv;
    WEIR_TRY_ASSIGN(value out, im.commit(c, &live, std::move(merged)));
    return json_response(200, im.serve_json(c, out));
}

result<response> api::impl::patch(call& c)
{
    std::string ct = media_type(c.req.content_type);
    if (ct == "application/apply-patch+yaml") return server_side_apply(*this, c);
    bool json_patch = ct == "application/json-patch+json";
    bool merge = ct == "application/merge-patch+json";
    bool strategic = ct == "application/strategic-merge-patch+json";
    if (!json_patch && !merge && !strategic) return unsupported(ct);
    if (strategic && c.t.res->custom) return unsupported(ct);
    WEIR_TRY_ASSIGN(value live, load(c.t));
    WEIR_TRY_ASSIGN(value p, parse_body(c));
    bool scale = c.t.sub == "scale";
    value doc = live;
    if (scale) {
        doc = object{};
        doc["spec"]["replicas"] =
            live.find_path({"spec", "replicas"}) ? *live.find_path({"spec", "replicas"}) : value(0);
    }
    if (json_patch) {
        if (!p.is_array()) return api_error(400, "BadRequest", "a JSON patch must be an array of operations");
        if (auto r = patch::apply_json_patch(doc, p); !r)
            return api_error(422, "Invalid",
                             "the server rejected our request due to an error in our request: " +
                                 r.err().message);
    } else if (merge || c.t.res->custom) {
        if (!p.is_object()) return api_error(400, "BadRequest", "a merge patch must be a JSON object");
        patch::apply_merge_patch(doc, p);
    } else {
        if (!p.is_object())
            return api_error(400, "BadRequest", "a strategic merge patch must be a JSON object");
        if (auto r = patch::apply_strategic_merge(doc, p); !r)
            return api_error(422, "Invalid",
                             "the server rejected our request due to an error in our request: " +
                                 r.err().message);
    }
    if (scale) {
        value next = live;
        if (const value* r = doc.find_path({"spec", "replicas"})) next["spec"]["replicas"] = *r;
        c.t.sub.clear();
        WEIR_TRY(commit(c, &live, std::move(next)));
        c.t.sub = "scale";
        return get(c);
    }
    WEIR_TRY(check_fields(c, doc, true));
    WEIR_TRY_ASSIGN(value out, commit(c, &live, std::move(doc)));
    return json_response(200, serve_json(c, out));
}

} // namespace weir::apiserver
