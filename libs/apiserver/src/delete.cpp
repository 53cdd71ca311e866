// delete, deletecollection, finalizers and the garbage collector (ownerReferences, namespaces).
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <unordered_set>

namespace weir::apiserver {

namespace {

bool has_finalizers(const value& obj)
{
    const value* f = obj.find_path({"metadata", "finalizers"});
    return f && f->is_array() && !f->as_array().empty();
}

void add_finalizer(value& obj, std::string_view name)
{
    value& f = obj["metadata"]["finalizers"];
    if (!f.is_array()) f = array{};
    for (const auto& x : f.as_array())
        if (x.is_string() && x.as_string() == name) return;
    f.as_array().emplace_back(name);
}

target target_of(const resource_registry& reg, const std::string& key)
{
    target t;
    auto slash = key.find('/');
    auto slash2 = key.find('/', slash + 1);
    std::string group = key.substr(0, slash), resource = key.substr(slash + 1, slash2 - slash - 1);
    for (const auto* r : reg.all())
        if (r->group == group && r->resource == resource) {
            t.res = r;
            break;
        }
    auto [ns, name] = key_ns_name(key);
    t.ns = ns;
    t.name = name;
    return t;
}

} // namespace

result<value> api::impl::finish_delete(call& c, const target& t, value obj)
{
    if (c.dry_run) return obj;
    WEIR_TRY(st->erase(t.key(), obj));
    if (t.res->resource == "customresourcedefinitions") {
        // Its objects go with it.
        std::string group(obj.find_path({"spec", "group"}) ? obj.find_path({"spec", "group"})->as_string() : "");
        std::string plural(obj.find_path({"spec", "names", "plural"}) ? obj.find_path({"spec", "names", "plural"})->as_string() : "");
        std::vector<std::pair<std::string, std::string>> doomed;
        st->scan(group + "/" + plural + "/", "", [&](const std::string& k, const stored_object& so) {
            doomed.emplace_back(k, *so.json);
            return true;
        });
        for (auto& [k, j] : doomed)
            if (auto v = parse_json(j)) (void)st->erase(k, std::move(v).value());
        on_crds_changed();
    }
    collect_garbage();
    return obj;
}

// Starts deleting one stored object by the rules of `policy`; returns its state after.
static result<value> delete_object(api::impl& im, call& c, const target& t, value obj, std::string_view policy)
{
    value& md = obj["metadata"];
    if (md.find("deletionTimestamp")) return obj;
    std::string uid(md.get_string("uid"));
    if (policy == "Foreground") add_finalizer(obj, "foregroundDeletion");
    if (policy == "Orphan" && !c.dry_run) im.orphan_dependents(uid);
    bool is_ns = t.res->resource == "namespaces";
    if (has_finalizers(obj) || is_ns) {
        obj["metadata"]["deletionTimestamp"] = now_rfc3339();
        obj["metadata"]["deletionGracePeriodSeconds"] = 0;
        if (is_ns) obj["status"]["phase"] = "Terminating";
        if (!c.dry_run) {
            WEIR_TRY_ASSIGN(auto rv, im.st->put(t.key(), obj));
            obj["metadata"]["resourceVersion"] = std::to_string(rv);
            im.collect_garbage();
        }
        return obj;
    }
    return im.finish_delete(c, t, std::move(obj));
}

result<response> api::impl::remove(call& c)
{
    WEIR_TRY_ASSIGN(value obj, load(c.t));
    value opts = object{};
    if (!c.req.body.empty()) {
        WEIR_TRY_ASSIGN(opts, parse_body(c));
        if (!opts.is_object()) opts = object{};
    }
    if (const value* dr = opts.find("dryRun"); dr && dr->is_array() && !dr->as_array().empty()) c.dry_run = true;
    if (const value* pre = opts.find("preconditions"); pre && pre->is_object()) {
        const value& md = obj["metadata"];
        if (auto uid = pre->get_string("uid"); !uid.empty() && uid != md.get_string("uid"))
            return api_error(409, "Conflict", fmt::format("Precondition failed: UID in precondition: {}, UID in object meta: {}",
                                                          uid, md.get_string("uid")));
        if (auto rv = pre->get_string("resourceVersion"); !rv.empty() && rv != md.get_string("resourceVersion"))
            return api_error(409, "Conflict",
                             fmt::format("Precondition failed: ResourceVersion in precondition: {}, ResourceVersion in "
                                         "object meta: {}",
                                         rv, md.get_string("resourceVersion")));
    }
    std::string policy(opts.get_string("propagationPolicy", c.param("propagationPolicy", "Background")));
    if (const value* o = opts.find("orphanDependents"); o && o->is_bool() && o->as_bool()) policy = "Orphan";
    if (policy != "Background" && policy != "Foreground" && policy != "Orphan")
        return invalid(c, "DeleteOptions", "", "propagationPolicy",
                       fmt::format("Unsupported value: \"{}\": supported values: \"Foreground\", \"Background\", \"Orphan\"", policy),
                       "FieldValueNotSupported");
    WEIR_TRY_ASSIGN(value out, delete_object(*this, c, c.t, std::move(obj), policy));
    return json_response(200, serve_json(c, out));
}

result<response> api::impl::remove_collection(call& c)
{
    auto labels = parse_label_selector(c.param("labelSelector"));
    if (!labels) return labels.err();
    auto fields = parse_field_selector(c.param("fieldSelector"));
    if (!fields) return fields.err();
    std::vector<std::string> keys;
    st->scan(c.t.prefix(), "", [&](const std::string& key, const stored_object& so) {
        auto [ns, name] = key_ns_name(key);
        labels_t f{{"metadata.name", std::string(name)}, {"metadata.namespace", std::string(ns)}};
        if (labels->matches(so.labels) && fields->matches(f)) keys.push_back(key);
        return true;
    });
    std::string policy = c.param("propagationPolicy", "Background");
    std::string items;
    for (const auto& key : keys) {
        target t = target_of(reg, key);
        t.res = c.t.res;
        auto obj = load(t);
        if (!obj) continue;
        WEIR_TRY_ASSIGN(value out, delete_object(*this, c, t, std::move(obj).value(), policy));
        if (!items.empty()) items += ',';
        items += serve_json(c, out);
    }
    return json_response(200, fmt::format(R"({{"kind":"{}","apiVersion":"{}","metadata":{{"resourceVersion":"{}"}},"items":[{}]}})",
                                          c.t.res->list_kind(), c.t.res->api_version(), st->revision(), items));
}

void api::impl::orphan_dependents(const std::string& uid)
{
    std::vector<std::string> keys;
    st->scan("", "", [&](const std::string& key, const stored_object& so) {
        if (std::find(so.owners.begin(), so.owners.end(), uid) != so.owners.end()) keys.push_back(key);
        return true;
    });
    for (const auto& key : keys) {
        auto v = parse_json(*st->get(key)->json);
        if (!v) continue;
        value obj = std::move(v).value();
        value& refs = obj["metadata"]["ownerReferences"];
        auto& a = refs.as_array();
        a.erase(std::remove_if(a.begin(), a.end(), [&](const value& r) { return r.get_string("uid") == uid; }), a.end());
        if (a.empty()) obj["metadata"].as_object().erase("ownerReferences");
        (void)st->put(key, std::move(obj));
    }
}

// One pass at a time until nothing changes: dependents of deleted owners go (background), owners
// waiting in the foreground lose their finalizer once their dependents are gone, and terminating
// namespaces are emptied and then removed.
void api::impl::collect_garbage()
{
    if (in_gc || (st->owned_count() == 0 && st->terminating_count() == 0)) return;
    in_gc = true;
    request none;
    for (int round = 0; round < 100; ++round) {
        std::unordered_set<std::string> uids;
        std::vector<std::string> orphans, foreground, namespaces;
        std::unordered_set<std::string> owners_with_dependents;
        st->scan("", "", [&](const std::string& key, const stored_object& so) {
            uids.insert(so.uid);
            if (so.terminating) {
                if (key.starts_with("/namespaces/")) namespaces.push_back(key);
                else foreground.push_back(key);
            }
            return true;
        });
        st->scan("", "", [&](const std::string& key, const stored_object& so) {
            if (so.owners.empty()) return true;
            bool any = false;
            for (const auto& o : so.owners) {
                if (uids.contains(o)) any = true;
                owners_with_dependents.insert(o);
            }
            if (!any && !so.terminating) orphans.push_back(key);
            return true;
        });
        bool changed = false;
        call c{none, {}, {}, {}, false, "garbage-collector", {}};
        auto del = [&](const std::string& key, std::string_view policy) {
            target t = target_of(reg, key);
            if (!t.res) return;
            auto obj = load(t);
            if (!obj) return;
            c.t = t;
            if (delete_object(*this, c, t, std::move(obj).value(), policy)) changed = true;
        };
        for (const auto& key : orphans) del(key, "Background");
        for (const auto& key : foreground) {
            target t = target_of(reg, key);
            if (!t.res) continue;
            auto obj = load(t);
            if (!obj) continue;
            const value* fins = obj->find_path({"metadata", "finalizers"});
            if (!fins || !fins->is_array() ||
                std::find(fins->as_array().begin(), fins->as_array().end(), value("foregroundDeletion")) ==
                    fins->as_array().end())
                continue;
            const std::string uid(obj->find_path({"metadata", "uid"})->as_string());
            if (owners_with_dependents.contains(uid)) {
                // Delete the dependents that are not yet going.
                st->scan("", "", [&](const std::string& k, const stored_object& so) {
                    if (!so.terminating && std::find(so.owners.begin(), so.owners.end(), uid) != so.owners.end())
                        orphans.push_back(k);
                    return true;
                });
                continue;
            }
            value& f = (*obj)["metadata"]["finalizers"];
            if (!f.is_array()) continue;
            auto& a = f.as_array();
            auto before = a.size();
            a.erase(std::remove(a.begin(), a.end(), value("foregroundDeletion")), a.end());
            if (a.size() == before) continue;
            changed = true;
            if (a.empty()) (void)finish_delete(c, t, std::move(obj).value());
            else (void)st->put(key, std::move(obj).value());
        }
        for (const auto& key : orphans) del(key, "Background");
        for (const auto& key : namespaces) {
            auto [ns_unused, name] = key_ns_name(key);
            std::string ns(name);
            bool empty = true;
            for (const auto* r : reg.all()) {
                if (!r->namespaced) continue;
                std::vector<std::string> keys;
                st->scan(r->key_prefix() + ns + "/", "", [&](const std::string& k, const stored_object& so) {
                    empty = false;
                    if (!so.terminating) keys.push_back(k);
                    return true;
                });
                for (const auto& k : keys) del(k, "Background");
            }
            if (empty) {
                target t = target_of(reg, key);
                if (auto obj = load(t)) {
                    (void)st->erase(key, std::move(obj).value());
                    changed = true;
                }
            }
        }
        if (!changed) break;
    }
    in_gc = false;
}

void api::impl::clean_namespace(const std::string&) { collect_garbage(); }

} // namespace weir::apiserver
