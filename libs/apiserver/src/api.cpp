// Routing, authentication and start-up of the api.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>
#include <openssl/crypto.h>

namespace weir::apiserver {

namespace {

std::map<std::string, std::string, std::less<>> parse_query(std::string_view q)
{
    std::map<std::string, std::string, std::less<>> out;
    std::size_t start = 0;
    while (start < q.size()) {
        auto amp = q.find('&', start);
        auto part = q.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        auto eq = part.find('=');
        if (!part.empty())
            out[url_decode(part.substr(0, eq))] =
                eq == std::string_view::npos ? "" : url_decode(part.substr(eq + 1));
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    return out;
}

std::string manager_from_agent(std::string_view agent)
{
    auto slash = agent.find('/');
    std::string m(agent.substr(0, slash));
    return m.empty() ? "unknown" : m;
}

std::string verb_of(const call& c)
{
    const auto& m = c.req.method;
    bool named = !c.t.name.empty();
    if (m == "GET" || m == "HEAD") {
        if (named) return "get";
        auto w = c.param("watch");
        return (w == "true" || w == "1") ? "watch" : "list";
    }
    if (m == "POST") return "create";
    if (m == "PUT") return "update";
    if (m == "PATCH") return "patch";
    if (m == "DELETE") return named ? "delete" : "deletecollection";
    return "";
}

} // namespace

api::api() : impl_(std::make_unique<impl>()) {}
api::~api() = default;

result<std::unique_ptr<api>> api::open(api_options options)
{
    std::unique_ptr<api> a(new api());
    auto& im = *a->impl_;
    im.opt = std::move(options);
    std::error_code ec;
    std::filesystem::create_directories(im.opt.data_dir, ec);
    WEIR_TRY_ASSIGN(im.st, store::open(im.opt.data_dir / "state.db"));
    im.on_crds_changed();
    im.st->set_listener([&im](const store_event& ev) { im.notify(ev); });
    im.bootstrap();
    return a;
}

std::variant<response, std::shared_ptr<watcher>> api::serve(const request& req)
{
    return impl_->serve(req);
}

response api::handle(const request& req)
{
    auto out = impl_->serve(req);
    if (auto* r = std::get_if<response>(&out)) return std::move(*r);
    return json_response(500, "{}");
}

void api::tick()
{
    impl_->tick();
}
std::int64_t api::revision() const
{
    return impl_->st->revision();
}

void api::impl::bootstrap()
{
    for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
        std::string key = std::string("/namespaces//") + ns;
        if (st->get(key)) continue;
        value obj = object{};
        obj["apiVersion"] = "v1";
        obj["kind"] = "Namespace";
        obj["metadata"]["name"] = ns;
        obj["metadata"]["uid"] = new_uid();
        obj["metadata"]["creationTimestamp"] = now_rfc3339();
        obj["metadata"]["labels"]["kubernetes.io/metadata.name"] = ns;
        obj["spec"]["finalizers"] = array{"kubernetes"};
        obj["status"]["phase"] = "Active";
        if (auto r = st->put(key, std::move(obj)); !r)
            log.error("bootstrap failed", {{"error", r.err().message}});
    }
    for (const char* ns : {"default", "kube-system", "kube-public", "kube-node-lease"})
        ensure_default_service_account(ns);
    // The default cluster roles that bindings in tests refer to most.
    for (const char* name : {"cluster-admin", "admin", "edit", "view"}) {
        std::string key = std::string("rbac.authorization.k8s.io/clusterroles//") + name;
        if (st->get(key)) continue;
        value role = object{};
        role["apiVersion"] = "rbac.authorization.k8s.io/v1";
        role["kind"] = "ClusterRole";
        role["metadata"]["name"] = name;
        role["metadata"]["uid"] = new_uid();
        role["metadata"]["creationTimestamp"] = now_rfc3339();
        role["metadata"]["labels"]["kubernetes.io/bootstrapping"] = "rbac-defaults";
        value rule = object{};
        std::string_view n = name;
        rule["apiGroups"] = array{"*"};
        rule["resources"] = array{"*"};
        if (n == "view")
            rule["verbs"] = array{"get", "list", "watch"};
        else if (n == "edit")
            rule["verbs"] =
                array{"get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"};
        else
            rule["verbs"] = array{"*"};
        role["rules"] = array{rule};
        (void)st->put(key, std::move(role));
    }
}

// The token is compared in constant time, so response timing tells nothing about its prefix.
static bool token_matches(std::string_view given, std::string_view token)
{
    return !token.empty() && given.size() == token.size() &&
           CRYPTO_memcmp(given.data(), token.data(), token.size()) == 0;
}

result<user_info> api::impl::authenticate(const request& req)
{
    std::string_view auth = req.authorization;
    user_info u;
    if (auth.starts_with("Bearer ") && token_matches(auth.substr(7), opt.token)) {
        u.name = "admin";
        u.groups = {"system:masters", "system:authenticated"};
    } else {
        return api_error(401, "Unauthorized", "Unauthorized");
    }
    if (req.impersonate_user.empty()) return u;
    if (!allowed(u, "impersonate", "", "users", "", req.impersonate_user, ""))
        return api_error(
            403, "Forbidden",
            fmt::format("users \"{}\" is forbidden: User \"{}\" cannot impersonate resource \"users\" "
                        "in API group \"\" at the cluster scope",
                        req.impersonate_user, u.name));
    user_info as;
    as.name = req.impersonate_user;
    as.groups = req.impersonate_groups;
    static constexpr std::string_view sa = "system:serviceaccount:";
    if (as.name.starts_with(sa)) {
        auto ns = as.name.substr(sa.size(), as.name.find(':', sa.size()) - sa.size());
        as.groups.push_back("system:serviceaccounts");
        as.groups.push_back("system:serviceaccounts:" + ns);
    }
    as.groups.push_back("system:authenticated");
    return as;
}

result<target> api::impl::resolve(call& c, const std::vector<std::string>& segs, std::size_t at,
                                  std::string_view group, std::string_view version)
{
    target t;
    std::size_t n = segs.size() - at;
    std::string resource;
    if (n >= 3 && segs[at] == "namespaces" &&
        !(n == 3 && (segs[at + 2] == "status" || segs[at + 2] == "finalize"))) {
        t.ns = segs[at + 1];
        resource = segs[at + 2];
        if (n >= 4) t.name = segs[at + 3];
        if (n >= 5) t.sub = segs[at + 4];
        if (n > 5) return api_error(404, "NotFound", "the server could not find the requested resource");
    } else {
        resource = segs[at];
        if (n >= 2) t.name = segs[at + 1];
        if (n >= 3) t.sub = segs[at + 2];
        if (n > 3) return api_error(404, "NotFound", "the server could not find the requested resource");
    }
    t.res = reg.find(group, version, resource);
    if (!t.res) return api_error(404, "NotFound", "the server could not find the requested resource");
    if (!t.res->namespaced && !t.ns.empty())
        return api_error(404, "NotFound", "the server could not find the requested resource");
    if (t.res->namespaced && t.ns.empty() && !t.name.empty())
        return api_error(404, "NotFound", "the server could not find the requested resource");
    if (!t.sub.empty()) {
        bool ok = (t.sub == "status" && t.res->status) || (t.sub == "scale" && t.res->scale) ||
                  (t.sub == "finalize" && t.res->resource == "namespaces");
        if (!ok) return api_error(404, "NotFound", "the server could not find the requested resource");
    }
    (void)c;
    return t;
}

status api::impl::authorize(call& c, std::string_view verb)
{
    if (!opt.rbac) return ok();
    // system:basic-user: everyone may ask what they may do and who they are.
    if (c.t.res->resource.starts_with("selfsubject")) return ok();
    if (allowed(c.user, verb, c.t.res->group, c.t.res->resource, c.t.ns, c.t.name, c.t.sub)) return ok();
    std::string res = c.t.res->resource + (c.t.sub.empty() ? "" : "/" + c.t.sub);
    std::string scope =
        c.t.ns.empty() ? "at the cluster scope" : fmt::format("in the namespace \"{}\"", c.t.ns);
    std::string head = c.t.name.empty() ? c.t.res->resource + " is forbidden"
                                        : fmt::format("{} \"{}\" is forbidden", c.t.res->resource, c.t.name);
    return api_error(403, "Forbidden",
                     fmt::format("{}: User \"{}\" cannot {} resource \"{}\" in API group \"{}\" {}", head,
                                 c.user.name, verb, res, c.t.res->group, scope));
}

std::variant<response, std::shared_ptr<watcher>> api::impl::serve(const request& req)
{
    call c{req, parse_query(req.query), {}, {}, false, {}, {}};
    auto segs = split_path(req.path);
    // Both branches must be views: "" : segs[0] would make a temporary std::string and dangle.
    std::string_view first = segs.empty() ? std::string_view{} : std::string_view(segs[0]);
    if (segs.size() == 1 && (first == "healthz" || first == "livez" || first == "readyz"))
        return response{200, "text/plain; charset=utf-8", "ok"};
    auto user = authenticate(req);
    if (!user) return status_response(nullptr, user.err());
    c.user = std::move(user).value();
    if (first == "version" && segs.size() == 1) {
        value v = object{};
        v["major"] = "1";
        v["minor"] = "32";
        v["gitVersion"] = "v1.32.0-weir";
        v["gitCommit"] = "weir";
        v["gitTreeState"] = "clean";
        v["buildDate"] = "2026-11-22T00:00:00Z";
        v["goVersion"] = "none";
        v["compiler"] = "gcc";
        v["platform"] = "linux/amd64";
        return json_response(200, to_json(v));
    }
    if (first == "openapi") return openapi(c, segs);
    if (auto d = discovery(c, segs)) return std::move(*d);

    std::size_t at;
    std::string group, version;
    if (first == "api" && segs.size() >= 3 && segs[1] == "v1") {
        version = "v1";
        at = 2;
    } else if (first == "apis" && segs.size() >= 4) {
        group = segs[1];
        version = segs[2];
        at = 3;
    } else {
        return status_response(
            &c, api_error(404, "NotFound", "the server could not find the requested resource"));
    }
    auto t = resolve(c, segs, at, group, version);
    if (!t) return status_response(&c, t.err());
    c.t = std::move(t).value();
    c.dry_run = c.q.contains("dryRun");
    c.manager = c.param("fieldManager");
    if (c.manager.empty()) c.manager = manager_from_agent(req.user_agent);
    std::string verb = verb_of(c);
    if (verb.empty())
        return status_response(&c,
                               api_error(405, "MethodNotAllowed",
                                         "the server does not allow this method on the requested resource"));
    if (std::find(c.t.res->verbs.begin(), c.t.res->verbs.end(), verb) == c.t.res->verbs.end())
        return status_response(&c,
                               api_error(405, "MethodNotAllowed",
                                         "the server does not allow this method on the requested resource"));
    if (auto a = authorize(c, verb); !a) return status_response(&c, a.err());

    if (verb == "watch") return watch(c);
    result<response> r = api_error(500, "InternalError", "unhandled verb");
    if (verb == "get")
        r = get(c);
    else if (verb == "list")
        r = list(c);
    else if (verb == "create")
        r = (c.t.res->group == "authorization.k8s.io" || c.t.res->group == "authentication.k8s.io")
                ? review(c)
                : create(c);
    else if (verb == "update")
        r = replace(c);
    else if (verb == "patch")
        r = patch(c);
    else if (verb == "delete")
        r = remove(c);
    else if (verb == "deletecollection")
        r = remove_collection(c);
    if (!r) return status_response(&c, r.err());
    response out = std::move(r).value();
    out.warnings = std::move(c.warnings);
    return out;
}

} // namespace weir::apiserver
