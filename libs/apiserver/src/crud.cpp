// get, list, create and update, and the one path every write goes through (commit).
#include "api_impl.hpp"
#include "fieldset.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::apiserver {

namespace {

// Equality of two objects except for the top-level keys and metadata keys named.
bool same_except(const value& a, const value& b, std::initializer_list<std::string_view> top,
                 std::initializer_list<std::string_view> meta)
{
    auto skipped = [](std::initializer_list<std::string_view> l, std::string_view k) {
        return std::find(l.begin(), l.end(), k) != l.end();
    };
    auto count = [&](const value& v) {
        std::size_t n = 0;
        for (const auto& [k, x] : v.as_object())
            n += !skipped(top, k);
        return n;
    };
    if (count(a) != count(b)) return false;
    for (const auto& [k, x] : a.as_object()) {
        if (skipped(top, k)) continue;
        const value* y = b.find(k);
        if (!y) return false;
        if (k == "metadata" && meta.size() && x.is_object() && y->is_object()) {
            if (!same_except(x, *y, meta, {})) return false;
        } else if (!(x == *y)) {
            return false;
        }
    }
    return true;
}

// Empty metadata collections are not kept, as Go's ObjectMeta (omitempty) never writes them.
void normalize_metadata(value& obj)
{
    value* md = obj.find("metadata");
    if (!md || !md->is_object()) return;
    for (const char* k : {"labels", "annotations", "finalizers", "ownerReferences", "managedFields"}) {
        const value* v = md->find(k);
        if (v && (v->is_null() || (v->is_object() && v->as_object().empty()) ||
                  (v->is_array() && v->as_array().empty())))
            md->as_object().erase(k);
    }
}

// A Secret's stringData is write-only: merged into data (base64) on every write, never stored.
void fold_string_data(const call& c, value& obj)
{
    if (!c.t.res || !c.t.res->group.empty() || c.t.res->resource != "secrets" || !obj.is_object()) return;
    const value* found = obj.find("stringData");
    if (!found) return;
    value string_data = *found; // copied out: adding "data" below may move obj's members
    obj.as_object().erase("stringData");
    if (!string_data.is_object()) return;
    value& data = obj["data"];
    if (!data.is_object()) data = object{};
    for (const auto& [k, v] : string_data.as_object())
        if (v.is_string()) data[k] = base64_encode(v.as_string());
}

// Label keys are qualified names and values at most 63 characters of [A-Za-z0-9._-].
status check_labels(call& c, const value& obj)
{
    const value* labels = obj.find_path({"metadata", "labels"});
    if (!labels || !labels->is_object()) return ok();
    auto name_ok = [](std::string_view n) {
        if (n.empty() || n.size() > 63) return false;
        if (!std::isalnum(static_cast<unsigned char>(n.front())) ||
            !std::isalnum(static_cast<unsigned char>(n.back())))
            return false;
        return std::all_of(n.begin(), n.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_' || ch == '.';
        });
    };
    std::string obj_name(
        obj.find_path({"metadata", "name"}) ? obj.find_path({"metadata", "name"})->as_string() : "");
    for (const auto& [k, v] : labels->as_object()) {
        std::string_view key = k;
        auto slash = key.find('/');
        bool key_ok = slash == std::string_view::npos
                          ? name_ok(key)
                          : is_dns1123_subdomain(key.substr(0, slash)) && name_ok(key.substr(slash + 1));
        if (!key_ok)
            return invalid(
                c, c.t.res->kind, obj_name, "metadata.labels",
                fmt::format("Invalid value: \"{}\": name part must consist of alphanumeric characters, '-', "
                            "'_' or '.', and must start and end with an alphanumeric character",
                            k));
        if (!v.is_string() || (!v.as_string().empty() && !name_ok(v.as_string())))
            return invalid(
                c, c.t.res->kind, obj_name, "metadata.labels",
                fmt::format("Invalid value: {}: a valid label must be an empty string or consist of "
                            "alphanumeric characters, '-', '_' or '.', and must start and end with an "
                            "alphanumeric character",
                            v.is_string() ? json_quote(v.as_string()) : to_json(v)));
    }
    return ok();
}

// Records which fields a non-apply write changed as owned by its manager (operation Update).
void track_update(const call& c, const value* old, value& obj)
{
    const value* schema = c.t.res->schema.get();
    fields_scope scope = c.t.sub == "status"
                             ? fields_scope::status_only
                             : (c.t.res->status ? fields_scope::no_status : fields_scope::all);
    value changed = changed_fields(old, obj, schema, scope);
    // managedFields a request sets itself (kubectl's client-side to server-side apply migration
    // does) are taken as given; otherwise the stored ones carry over.
    value managed = array{};
    const value* given = obj.find_path({"metadata", "managedFields"});
    const value* stored = old ? old->find_path({"metadata", "managedFields"}) : nullptr;
    if (given && given->is_array() && !(stored && *stored == *given))
        managed = *given;
    else if (stored && stored->is_array())
        managed = *stored;
    if (fs_empty(changed)) {
        if (!managed.as_array().empty()) obj["metadata"]["managedFields"] = std::move(managed);
        return;
    }
    value out = array{};
    value mine = object{};
    for (auto& e : managed.as_array()) {
        bool self = e.get_string("manager") == c.manager && e.get_string("operation") == "Update" &&
                    e.get_string("subresource") == c.t.sub;
        const value* fs = e.find("fieldsV1");
        if (!fs) continue;
        if (self) {
            mine = *fs;
            continue;
        }
        value rest = fs_subtract(*fs, changed);
        if (fs_empty(rest)) continue;
        e["fieldsV1"] = std::move(rest);
        out.as_array().push_back(std::move(e));
    }
    fs_union(mine, changed);
    value entry = object{};
    entry["manager"] = c.manager;
    entry["operation"] = "Update";
    entry["apiVersion"] = c.t.res->api_version();
    entry["time"] = now_rfc3339();
    entry["fieldsType"] = "FieldsV1";
    entry["fieldsV1"] = std::move(mine);
    if (!c.t.sub.empty()) entry["subresource"] = c.t.sub;
    out.as_array().push_back(std::move(entry));
    obj["metadata"]["managedFields"] = std::move(out);
}

} // namespace

result<value> api::impl::load(const target& t) const
{
    const stored_object* so = st->get(t.key());
    if (!so) return not_found(t);
    auto v = parse_json(*so->json);
    if (!v)
        return api_error(500, "InternalError",
                         "stored object " + t.key() + " is corrupt: " + v.err().message);
    return std::move(v).value();
}

std::string api::impl::serve_json(const call& c, const value& obj) const
{
    // Just written: the store holds the same object as JSON already.
    if (!c.dry_run && !c.t.name.empty() && obj.get_string("apiVersion") == c.t.res->api_version())
        if (const stored_object* so = st->get(c.t.key()))
            if (const value* rv = obj.find_path({"metadata", "resourceVersion"});
                rv && rv->is_string() && std::to_string(so->rv) == rv->as_string())
                return *so->json;
    if (obj.get_string("apiVersion") == c.t.res->api_version()) return to_json(obj);
    value v = obj;
    v["apiVersion"] = c.t.res->api_version();
    return to_json(v);
}

result<response> api::impl::get(call& c)
{
    const stored_object* so = st->get(c.t.key());
    if (!so) return not_found(c.t);
    if (c.t.sub == "scale") {
        WEIR_TRY_ASSIGN(value obj, load(c.t));
        value s = object{};
        s["kind"] = "Scale";
        s["apiVersion"] = "autoscaling/v1";
        for (const char* k : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"})
            if (const value* v = obj.find_path({"metadata", k})) s["metadata"][k] = *v;
        const value* r = obj.find_path({"spec", "replicas"});
        s["spec"]["replicas"] = r ? *r : value(0);
        const value* sr = obj.find_path({"status", "replicas"});
        s["status"]["replicas"] = sr ? *sr : value(0);
        return json_response(200, to_json(s));
    }
    if (!c.t.res->custom && !wants_table(c.req.accept)) return json_response(200, *so->json);
    WEIR_TRY_ASSIGN(value obj, load(c.t));
    if (wants_table(c.req.accept)) {
        obj["apiVersion"] = c.t.res->api_version();
        return json_response(200, table_json(*c.t.res, {obj}, st->revision(), "", true));
    }
    return json_response(200, serve_json(c, obj));
}

result<response> api::impl::list(call& c)
{
    auto labels = parse_label_selector(c.param("labelSelector"));
    if (!labels) return labels.err();
    auto fields = parse_field_selector(c.param("fieldSelector"));
    if (!fields) return fields.err();
    std::size_t limit = 0;
    if (auto l = c.param("limit"); !l.empty())
        limit = static_cast<std::size_t>(std::max(0L, std::atol(l.c_str())));
    std::string after;
    if (auto cont = c.param("continue"); !cont.empty()) {
        after = base64_decode(cont);
        if (after.empty() || !after.starts_with(c.t.prefix()))
            return api_error(400, "BadRequest",
                             "continue key is not valid: it must come from a previous list of this resource");
    }
    std::string prefix = c.t.prefix();
    bool rewrite = c.t.res->custom;
    bool table = wants_table(c.req.accept);
    std::vector<value> rows;
    std::string items;
    std::size_t count = 0;
    std::string last_key, next;
    st->scan(prefix, after, [&](const std::string& key, const stored_object& so) {
        if (!labels->matches(so.labels)) return true;
        if (!fields->empty()) {
            auto [ns, name] = key_ns_name(key);
            labels_t f{{"metadata.name", std::string(name)}, {"metadata.namespace", std::string(ns)}};
            if (!fields->matches(f)) return true;
        }
        if (limit && count == limit) {
            next = last_key;
            return false;
        }
        ++count;
        if (table || rewrite) {
            auto v = parse_json(*so.json);
            if (!v) return true;
            (*v)["apiVersion"] = c.t.res->api_version();
            if (table)
                rows.push_back(std::move(v).value());
            else
                items += (count > 1 ? "," : "") + to_json(*v);
        } else {
            if (count > 1) items += ',';
            items += *so.json;
        }
        last_key = key;
        return true;
    });
    if (table)
        return json_response(
            200, table_json(*c.t.res, rows, st->revision(), next.empty() ? "" : base64_encode(next), true));
    std::string body = fmt::format(R"({{"kind":"{}","apiVersion":"{}","metadata":{{"resourceVersion":"{}")",
                                   c.t.res->list_kind(), c.t.res->api_version(), st->revision());
    if (!next.empty()) body += fmt::format(R"(,"continue":"{}")", base64_encode(next));
    body += "},\"items\":[";
    body += items;
    body += "]}";
    return json_response(200, std::move(body));
}

status api::impl::namespace_ok(call& c)
{
    if (!c.t.res->namespaced) return ok();
    const stored_object* ns = st->get("/namespaces//" + c.t.ns);
    if (!ns) return api_error(404, "NotFound", fmt::format("namespaces \"{}\" not found", c.t.ns));
    if (ns->terminating)
        return api_error(
            403, "Forbidden",
            fmt::format("{} \"{}\" is forbidden: unable to create new content in namespace {} because it "
                        "is being terminated",
                        c.t.res->resource, c.t.name, c.t.ns));
    return ok();
}

result<value> api::impl::prepare_create(call& c, value obj)
{
    if (!obj.is_object())
        return api_error(400, "BadRequest", "the request body must be a JSON or YAML object");
    value& md = obj["metadata"];
    if (!md.is_object()) md = object{};
    std::string name(md.get_string("name"));
    if (name.empty()) {
        std::string gen(md.get_string("generateName"));
        if (gen.empty())
            return invalid(c, c.t.res->kind, "", "metadata.name",
                           "Required value: name or generateName is required", "FieldValueRequired");
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        std::string suffix = new_uid();
        for (std::size_t i = 0; i < 5; ++i)
            name += alphabet[static_cast<unsigned char>(suffix[i]) % 27];
        name = gen + name;
        md["name"] = name;
    }
    c.t.name = name;
    std::string ns(md.get_string("namespace"));
    if (c.t.res->namespaced) {
        if (!ns.empty() && ns != c.t.ns)
            return api_error(
                400, "BadRequest",
                "the namespace of the provided object does not match the namespace sent on the request");
        md["namespace"] = c.t.ns;
    } else {
        md.as_object().erase("namespace");
    }
    bool label_name = c.t.res->resource == "namespaces";
    bool path_name = c.t.res->group == "rbac.authorization.k8s.io";
    bool ok_name = label_name
                       ? is_dns1123_label(name)
                       : (path_name ? name.find('/') == std::string::npos && name != "." && name != ".."
                                    : is_dns1123_subdomain(name));
    if (!ok_name)
        return invalid(
            c, c.t.res->kind, name, "metadata.name",
            fmt::format("Invalid value: \"{}\": a lowercase RFC 1123 {} must consist of lower case "
                        "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric "
                        "character",
                        name, label_name ? "label" : "subdomain"));
    WEIR_TRY(check_labels(c, obj));
    WEIR_TRY(namespace_ok(c));
    if (st->get(c.t.key()))
        return api_error(
            409, "AlreadyExists",
            fmt::format("{} \"{}\" already exists",
                        c.t.res->group.empty() ? c.t.res->resource : c.t.res->resource + "." + c.t.res->group,
                        name));
    for (const char* k :
         {"resourceVersion", "uid", "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink"})
        md.as_object().erase(k);
    md["uid"] = new_uid();
    md["creationTimestamp"] = now_rfc3339();
    if (c.t.res->generation || c.t.res->custom)
        md["generation"] = 1;
    else
        md.as_object().erase("generation");
    if (c.t.res->status) obj.as_object().erase("status");
    if (c.t.res->resource == "namespaces") {
        md["labels"]["kubernetes.io/metadata.name"] = name;
        obj["spec"]["finalizers"] = array{"kubernetes"};
        obj["status"]["phase"] = "Active";
    }
    if (c.t.res->resource == "customresourcedefinitions") {
        value cond = array{};
        for (const char* t : {"NamesAccepted", "Established"}) {
            value x = object{};
            x["type"] = t;
            x["status"] = "True";
            x["lastTransitionTime"] = now_rfc3339();
            x["reason"] = t == std::string_view("Established") ? "InitialNamesAccepted" : "NoConflicts";
            x["message"] = t == std::string_view("Established") ? "the initial names have been accepted"
                                                                : "no conflicts found";
            cond.as_array().push_back(std::move(x));
        }
        obj["status"]["conditions"] = std::move(cond);
        if (const value* names = obj.find_path({"spec", "names"})) obj["status"]["acceptedNames"] = *names;
        value stored = array{};
        if (const value* vs = obj.find_path({"spec", "versions"}); vs && vs->is_array())
            for (const auto& v : vs->as_array())
                if (const value* s = v.find("storage"); s && s->is_bool() && s->as_bool())
                    stored.as_array().push_back(v.get_string("name"));
        obj["status"]["storedVersions"] = std::move(stored);
    }
    apply_defaults(c, nullptr, obj);
    if (c.t.res->custom) WEIR_TRY(validate_custom(c, obj));
    return obj;
}

result<value> api::impl::commit(call& c, const value* old, value obj)
{
    normalize_metadata(obj);
    fold_string_data(c, obj);
    if (!old) {
        WEIR_TRY_ASSIGN(obj, prepare_create(c, std::move(obj)));
        if (!c.applying) track_update(c, nullptr, obj);
        WEIR_TRY(write(c, c.t, obj, false));
        return obj;
    }
    if (!obj.is_object())
        return api_error(400, "BadRequest", "the request body must be a JSON or YAML object");
    value& md = obj["metadata"];
    if (!md.is_object()) md = object{};
    const value& omd = *old->find("metadata");
    std::string_view rv = md.get_string("resourceVersion");
    if (!rv.empty() && rv != omd.get_string("resourceVersion"))
        return api_error(
            409, "Conflict",
            fmt::format("Operation cannot be fulfilled on {} \"{}\": the object has been modified; please "
                        "apply your changes to the latest version and try again",
                        c.t.res->group.empty() ? c.t.res->resource : c.t.res->resource + "." + c.t.res->group,
                        c.t.name));
    if (md.get_string("name", c.t.name) != c.t.name)
        return api_error(400, "BadRequest",
                         fmt::format("the name of the object ({}) does not match the name on the URL ({})",
                                     md.get_string("name"), c.t.name));
    if (c.t.res->namespaced && !md.get_string("namespace").empty() && md.get_string("namespace") != c.t.ns)
        return api_error(
            400, "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request");
    if (c.t.sub == "status") {
        value next = *old;
        if (const value* s = obj.find("status"))
            next["status"] = *s;
        else
            next.as_object().erase("status");
        obj = std::move(next);
    } else if (c.t.res->status) {
        if (const value* s = old->find("status"))
            obj["status"] = *s;
        else
            obj.as_object().erase("status");
    }
    value& m = obj["metadata"];
    for (const char* k :
         {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation"}) {
        if (const value* v = omd.find(k))
            m[k] = *v;
        else
            m.as_object().erase(k);
    }
    m["name"] = c.t.name;
    if (c.t.res->namespaced) m["namespace"] = c.t.ns;
    if (const value* os = old->find("spec"); os && c.t.res->resource == "namespaces" && !obj.find("spec"))
        obj["spec"] = *os;
    apply_defaults(c, old, obj);
    if (c.t.res->custom && c.t.sub != "status") WEIR_TRY(validate_custom(c, obj));
    if (!c.t.res->custom && c.t.sub.empty()) WEIR_TRY(validate_immutable(c, *old, obj));
    WEIR_TRY(check_labels(c, obj));
    bool spec_changed = (c.t.res->status || c.t.res->custom)
                            ? !same_except(*old, obj, {"metadata", "status"}, {})
                            : !same_except(*old, obj, {"metadata"}, {});
    if ((c.t.res->generation || c.t.res->custom) && spec_changed) {
        const value* g = omd.find("generation");
        m["generation"] = (g && g->is_int() ? g->as_int() : 0) + 1;
    }
    if (!c.applying) track_update(c, old, obj);
    // An update that changes nothing keeps the resourceVersion, as the real server does.
    // Apply stamps a new time on its managedFields entry: that alone is no change.
    if (c.applying ? same_except(*old, obj, {}, {"resourceVersion", "managedFields"})
                   : same_except(*old, obj, {}, {"resourceVersion"}))
        return *old;
    m["resourceVersion"] = omd.get_string("resourceVersion");
    const value* fin = obj.find_path({"metadata", "finalizers"});
    bool no_finalizers = !fin || !fin->is_array() || fin->as_array().empty();
    if (omd.find("deletionTimestamp") && no_finalizers && c.t.res->resource != "namespaces")
        return finish_delete(c, c.t, std::move(obj));
    WEIR_TRY(write(c, c.t, obj, true));
    if (c.t.res->resource == "customresourcedefinitions") on_crds_changed();
    return obj;
}

status api::impl::write(call& c, const target& t, value& obj, bool existed)
{
    if (c.dry_run) return ok();
    WEIR_TRY(st->put(t.key(), obj));
    if (!existed && t.res->resource == "customresourcedefinitions") on_crds_changed();
    if (!existed && t.res->resource == "namespaces") {
        ensure_default_service_account(t.name);
    }
    return ok();
}

result<response> api::impl::create(call& c)
{
    if (!c.t.name.empty() || !c.t.sub.empty())
        return api_error(405, "MethodNotAllowed",
                         "the server does not allow this method on the requested resource");
    WEIR_TRY_ASSIGN(value obj, parse_body_dedup(c, false));
    if (!obj.is_object())
        return api_error(400, "BadRequest", "the request body must be a JSON or YAML object");
    std::string_view av = obj.get_string("apiVersion"), kind = obj.get_string("kind");
    if (!av.empty() && av != c.t.res->api_version())
        return api_error(400, "BadRequest",
                         fmt::format("the API version in the data ({}) does not match the expected "
                                     "API version ({})",
                                     av, c.t.res->api_version()));
    if (!kind.empty() && kind != c.t.res->kind)
        return api_error(400, "BadRequest",
                         fmt::format("the kind in the data ({}) does not match the expected kind ({})", kind,
                                     c.t.res->kind));
    obj["apiVersion"] = c.t.res->api_version();
    obj["kind"] = c.t.res->kind;
    WEIR_TRY(check_fields(c, obj, false));
    WEIR_TRY_ASSIGN(value out, commit(c, nullptr, std::move(obj)));
    return json_response(201, serve_json(c, out));
}

result<response> api::impl::replace(call& c)
{
    WEIR_TRY_ASSIGN(value obj, parse_body_dedup(c, false));
    if (!obj.is_object())
        return api_error(400, "BadRequest", "the request body must be a JSON or YAML object");
    if (c.t.sub == "scale") {
        WEIR_TRY_ASSIGN(value live, load(c.t));
        const value* r = obj.find_path({"spec", "replicas"});
        value next = live;
        next["spec"]["replicas"] = r ? *r : value(0);
        std::string sub = std::move(c.t.sub);
        c.t.sub.clear();
        WEIR_TRY(commit(c, &live, std::move(next)));
        c.t.sub = std::move(sub);
        return get(c);
    }
    obj["apiVersion"] = c.t.res->api_version();
    obj["kind"] = c.t.res->kind;
    WEIR_TRY(check_fields(c, obj, false));
    auto live = load(c.t);
    if (!live) {
        if (c.t.res->resource == "leases" || c.t.res->resource == "events") {
            obj["metadata"]["name"] = c.t.name;
            WEIR_TRY_ASSIGN(value out, commit(c, nullptr, std::move(obj)));
            return json_response(201, serve_json(c, out));
        }
        return live.err();
    }
    WEIR_TRY_ASSIGN(value out, commit(c, &*live, std::move(obj)));
    return json_response(200, serve_json(c, out));
}

// The namespace's "default" ServiceAccount, as the service account controller makes it.
void api::impl::ensure_default_service_account(const std::string& ns)
{
    std::string key = "/serviceaccounts/" + ns + "/default";
    if (st->get(key)) return;
    value sa = object{};
    sa["apiVersion"] = "v1";
    sa["kind"] = "ServiceAccount";
    sa["metadata"]["name"] = "default";
    sa["metadata"]["namespace"] = ns;
    sa["metadata"]["uid"] = new_uid();
    sa["metadata"]["creationTimestamp"] = now_rfc3339();
    if (auto r = st->put(key, std::move(sa)); !r)
        log.error("creating a default service account failed", {{"error", r.err().message}});
}

void api::impl::on_crds_changed()
{
    std::vector<value> crds;
    st->scan("apiextensions.k8s.io/customresourcedefinitions/", "",
             [&](const std::string&, const stored_object& so) {
                 if (auto v = parse_json(*so.json)) crds.push_back(std::move(v).value());
                 return true;
             });
    reg.set_custom(crds);
}

} // namespace weir::apiserver
