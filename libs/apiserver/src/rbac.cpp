// Authorization: a plain RBAC evaluation over the stored Roles, ClusterRoles and their bindings
// (no aggregation), and the access-review kinds kubectl auth can-i and whoami create.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

namespace weir::apiserver {

namespace {

bool has(const value* list, std::string_view want)
{
    if (!list || !list->is_array()) return false;
    for (const auto& v : list->as_array())
        if (v.is_string() && (v.as_string() == want || v.as_string() == "*")) return true;
    return false;
}

bool rule_allows(const value& rule, std::string_view verb, std::string_view group, std::string_view resource,
                 std::string_view sub, std::string_view name)
{
    if (!has(rule.find("verbs"), verb) || !has(rule.find("apiGroups"), group)) return false;
    std::string full = sub.empty() ? std::string(resource) : std::string(resource) + "/" + std::string(sub);
    if (!has(rule.find("resources"), full)) return false;
    const value* names = rule.find("resourceNames");
    if (names && names->is_array() && !names->as_array().empty() && !has(names, name)) return false;
    return true;
}

bool subject_matches(const value& s, const user_info& u, std::string_view binding_ns)
{
    std::string_view kind = s.get_string("kind"), name = s.get_string("name");
    if (kind == "User") return name == u.name;
    if (kind == "Group") return std::find(u.groups.begin(), u.groups.end(), name) != u.groups.end();
    if (kind == "ServiceAccount") {
        std::string ns(s.get_string("namespace", binding_ns));
        return u.name == "system:serviceaccount:" + ns + ":" + std::string(name);
    }
    return false;
}

} // namespace

bool api::impl::allowed(const user_info& u, std::string_view verb, std::string_view group, std::string_view resource,
                        std::string_view ns, std::string_view name, std::string_view sub)
{
    if (std::find(u.groups.begin(), u.groups.end(), "system:masters") != u.groups.end()) return true;
    if (!opt.rbac) return true;
    auto rules_of = [&](std::string_view kind, std::string_view role_ns, std::string_view role) {
        std::string key = kind == "ClusterRole" ? "rbac.authorization.k8s.io/clusterroles//" + std::string(role)
                                                : "rbac.authorization.k8s.io/roles/" + std::string(role_ns) + "/" +
                                                      std::string(role);
        const stored_object* so = st->get(key);
        if (!so) return value(array{});
        auto v = parse_json(*so->json);
        const value* rules = v ? v->find("rules") : nullptr;
        return rules && rules->is_array() ? *rules : value(array{});
    };
    auto check = [&](const std::string& prefix, bool cluster) {
        bool hit = false;
        st->scan(prefix, "", [&](const std::string&, const stored_object& so) {
            auto b = parse_json(*so.json);
            if (!b) return true;
            std::string_view bns = b->find_path({"metadata", "namespace"}) ? b->get_string("x") : "";
            if (const value* n = b->find_path({"metadata", "namespace"}); n && n->is_string()) bns = n->as_string();
            const value* subjects = b->find("subjects");
            bool mine = false;
            if (subjects && subjects->is_array())
                for (const auto& s : subjects->as_array()) mine = mine || subject_matches(s, u, bns);
            if (!mine) return true;
            const value* ref = b->find("roleRef");
            if (!ref) return true;
            auto rules = rules_of(ref->get_string("kind"), bns, ref->get_string("name"));
            for (const auto& r : rules.as_array())
                if (rule_allows(r, verb, group, resource, sub, name)) hit = true;
            return !hit;
        });
        (void)cluster;
        return hit;
    };
    if (check("rbac.authorization.k8s.io/clusterrolebindings/", true)) return true;
    if (!ns.empty() && check("rbac.authorization.k8s.io/rolebindings/" + std::string(ns) + "/", false)) return true;
    return false;
}

result<response> api::impl::review(call& c)
{
    WEIR_TRY_ASSIGN(value obj, parse_body(c));
    if (!obj.is_object()) return api_error(400, "BadRequest", "the request body must be a JSON or YAML object");
    obj["apiVersion"] = c.t.res->api_version();
    obj["kind"] = c.t.res->kind;
    if (!obj.find("metadata")) obj["metadata"] = object{};
    if (c.t.res->resource == "selfsubjectreviews") {
        obj["status"]["userInfo"]["username"] = c.user.name;
        obj["status"]["userInfo"]["groups"] = array(c.user.groups.begin(), c.user.groups.end());
        return json_response(201, to_json(obj));
    }
    if (c.t.res->resource == "selfsubjectrulesreviews") {
        obj["status"]["resourceRules"] = array{};
        obj["status"]["nonResourceRules"] = array{};
        obj["status"]["incomplete"] = true;
        return json_response(201, to_json(obj));
    }
    user_info who = c.user;
    const value* spec = obj.find("spec");
    if (!spec) return invalid(c, c.t.res->kind, "", "spec", "Required value", "FieldValueRequired");
    if (c.t.res->resource == "subjectaccessreviews") {
        who.name = std::string(spec->get_string("user"));
        who.groups.clear();
        if (const value* g = spec->find("groups"); g && g->is_array())
            for (const auto& x : g->as_array())
                if (x.is_string()) who.groups.push_back(x.as_string());
    }
    bool yes = false;
    if (const value* ra = spec->find("resourceAttributes")) {
        yes = allowed(who, ra->get_string("verb"), ra->get_string("group"), ra->get_string("resource"),
                      ra->get_string("namespace"), ra->get_string("name"), ra->get_string("subresource"));
    } else if (spec->find("nonResourceAttributes")) {
        yes = std::find(who.groups.begin(), who.groups.end(), "system:masters") != who.groups.end() || !opt.rbac;
    }
    obj["status"]["allowed"] = yes;
    if (yes) obj["status"]["reason"] = "allowed by RBAC";
    return json_response(201, to_json(obj));
}

} // namespace weir::apiserver
