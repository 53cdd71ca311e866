// The verbs of kube::client: URL building, bodies, and replies parsed into weir::value.
#include <weir/kube/client.hpp>

#include "detail/transport.hpp"

#include <weir/core/json.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kube/rest_mapper.hpp>

#include <fmt/format.h>

namespace weir::kube {
namespace {

std::string url_encode(std::string_view s)
{
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
        else out += fmt::format("%{:02X}", c);
    }
    return out;
}

struct query {
    std::string text;
    query& add(std::string_view key, std::string_view value)
    {
        if (value.empty()) return *this;
        text += text.empty() ? '?' : '&';
        text += std::string(key) + "=" + url_encode(value);
        return *this;
    }
};

std::string_view content_type_of(patch_type t)
{
    switch (t) {
    case patch_type::json: return "application/json-patch+json";
    case patch_type::merge: return "application/merge-patch+json";
    case patch_type::strategic_merge: return "application/strategic-merge-patch+json";
    case patch_type::apply: return "application/apply-patch+yaml";
    }
    return "application/json";
}

std::string describe(std::string_view verb, const resource_mapping& m, std::string_view ns, std::string_view name)
{
    std::string out = fmt::format("{} {}", verb, m.resource);
    if (!m.group.empty()) out += "." + m.group;
    if (!ns.empty() || !name.empty()) out += " ";
    if (!ns.empty()) out += std::string(ns) + (name.empty() ? "" : "/");
    out += name;
    return out;
}

result<weir::value> parse_reply(const detail::http_response& res, std::string_view what)
{
    if (res.status < 200 || res.status >= 300) return error_from_response(res.status, res.body, what);
    if (res.body.empty()) return weir::value(weir::object{});
    auto doc = parse_json(res.body);
    if (!doc) return transient_error(fmt::format("{}: reply is not JSON: {}", what, doc.err().message), "InvalidReply");
    return std::move(doc).value();
}

} // namespace

watch_cancel::watch_cancel() : state_(std::make_shared<detail::cancel_state>()) {}

void watch_cancel::cancel() const
{
    std::lock_guard lock(state_->mutex);
    state_->cancelled = true;
    if (state_->closer) state_->closer();
}

bool watch_cancel::cancelled() const { return state_->cancelled; }

client::client(std::shared_ptr<detail::transport> t, std::shared_ptr<rest_mapper> m)
    : transport_(std::move(t)), mapper_(std::move(m))
{
}

client::~client() = default;

result<std::shared_ptr<client>> client::create(config cfg, client_options options)
{
    WEIR_TRY_ASSIGN(auto t, detail::transport::create(std::move(cfg), std::move(options)));
    std::shared_ptr<client> c(new client(t, nullptr));
    // The mapper fetches through the transport directly, so it never outlives it.
    std::weak_ptr<detail::transport> weak = t;
    c->mapper_ = std::make_shared<rest_mapper>([weak](std::string_view path) -> result<weir::value> {
        auto tr = weak.lock();
        if (!tr) return transient_error("discovery: client is gone");
        detail::http_request req;
        req.target = std::string(path);
        req.what = "discover " + std::string(path);
        WEIR_TRY_ASSIGN(auto res, tr->request(std::move(req)));
        return parse_reply(res, "discover " + std::string(path));
    });
    return c;
}

std::shared_ptr<client> client::impersonate(std::string user, std::vector<std::string> groups) const
{
    std::shared_ptr<client> c(new client(transport_, mapper_));
    c->headers_.emplace_back("Impersonate-User", std::move(user));
    for (auto& g : groups) c->headers_.emplace_back("Impersonate-Group", std::move(g));
    return c;
}

const config& client::cfg() const { return transport_->cfg(); }
const std::string& client::default_namespace() const { return transport_->cfg().namespace_; }

result<std::string> client::path_for(const gvk& kind, std::string_view ns, std::string_view name, std::string_view sub)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    std::string path = m.group.empty() ? "/api/" + m.version : "/apis/" + m.group + "/" + m.version;
    if (m.namespaced && !ns.empty()) path += "/namespaces/" + std::string(ns);
    path += "/" + m.resource;
    if (!name.empty()) path += "/" + std::string(name);
    if (!sub.empty()) path += "/" + std::string(sub);
    return path;
}

result<weir::value> client::send(std::string method, std::string path, std::string body, std::string content_type,
                                 std::string what)
{
    detail::http_request req;
    req.method = std::move(method);
    req.target = std::move(path);
    req.body = std::move(body);
    req.content_type = std::move(content_type);
    req.headers = headers_;
    req.what = what;
    WEIR_TRY_ASSIGN(auto res, transport_->request(std::move(req)));
    return parse_reply(res, what);
}

result<weir::value> client::get_path(std::string_view path) { return send("GET", std::string(path), {}, {}, "get " + std::string(path)); }

result<weir::value> client::get(const gvk& kind, std::string_view ns, std::string_view name, std::string_view sub)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, ns, name, sub));
    return send("GET", path, {}, {}, describe("get", m, ns, name));
}

result<object_list> client::list(const gvk& kind, const list_options& o)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, o.namespace_));
    query q;
    q.add("labelSelector", o.label_selector).add("fieldSelector", o.field_selector);
    if (o.limit > 0) q.add("limit", std::to_string(o.limit));
    q.add("continue", o.continue_token).add("resourceVersion", o.resource_version);
    WEIR_TRY_ASSIGN(auto doc, send("GET", path + q.text, {}, {}, describe("list", m, o.namespace_, {})));
    object_list out;
    if (const weir::value* meta = doc.find("metadata")) {
        out.resource_version = std::string(meta->get_string("resourceVersion"));
        out.continue_token = std::string(meta->get_string("continue"));
    }
    if (weir::value* items = doc.find("items"); items && items->is_array()) {
        out.items = std::move(items->as_array());
        // Items of a list carry no apiVersion/kind; restore them so each object stands alone.
        for (auto& item : out.items) {
            if (!item.is_object()) continue;
            if (!item.find("apiVersion")) item.as_object().set("apiVersion", kind.api_version());
            if (!item.find("kind")) item.as_object().set("kind", kind.kind);
        }
    }
    return out;
}

result<object_list> client::list_all(const gvk& kind, list_options o)
{
    object_list all;
    for (;;) {
        WEIR_TRY_ASSIGN(auto page, list(kind, o));
        all.resource_version = page.resource_version;
        for (auto& item : page.items) all.items.push_back(std::move(item));
        if (page.continue_token.empty()) return all;
        o.continue_token = page.continue_token;
        o.resource_version.clear(); // a continue token carries its own snapshot
    }
}

namespace {
std::string write_query(bool dry_run, std::string_view field_manager)
{
    query q;
    if (dry_run) q.add("dryRun", "All");
    q.add("fieldManager", field_manager);
    return q.text;
}
} // namespace

result<weir::value> client::create(const weir::value& obj, const write_options& o)
{
    gvk kind = gvk::of(obj);
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    std::string ns(namespace_of(obj));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, ns));
    return send("POST", path + write_query(o.dry_run, o.field_manager), to_json(obj), "application/json",
                describe("create", m, ns, name_of(obj)));
}

result<weir::value> client::update(const weir::value& obj, const write_options& o)
{
    gvk kind = gvk::of(obj);
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, namespace_of(obj), name_of(obj)));
    return send("PUT", path + write_query(o.dry_run, o.field_manager), to_json(obj), "application/json",
                describe("update", m, namespace_of(obj), name_of(obj)));
}

result<weir::value> client::update_status(const weir::value& obj, const write_options& o)
{
    gvk kind = gvk::of(obj);
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, namespace_of(obj), name_of(obj), "status"));
    return send("PUT", path + write_query(o.dry_run, o.field_manager), to_json(obj), "application/json",
                describe("update status of", m, namespace_of(obj), name_of(obj)));
}

result<weir::value> client::patch(const gvk& kind, std::string_view ns, std::string_view name, patch_type type,
                                  std::string body, const patch_options& o)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, ns, name, o.subresource));
    std::string q = write_query(o.dry_run, o.field_manager);
    if (o.force) q += (q.empty() ? "?" : "&") + std::string("force=true");
    return send("PATCH", path + q, std::move(body), std::string(content_type_of(type)),
                describe(o.subresource.empty() ? "patch" : "patch " + o.subresource + " of", m, ns, name));
}

result<weir::value> client::apply(const weir::value& obj, const apply_options& o)
{
    if (o.field_manager.empty())
        return terminal_error("apply " + object_key::of(obj).str() + ": a field manager is required", "Invalid");
    return patch(gvk::of(obj), namespace_of(obj), name_of(obj), patch_type::apply, to_json(obj),
                 {.subresource = o.subresource, .dry_run = o.dry_run, .field_manager = o.field_manager, .force = o.force});
}

status client::remove(const gvk& kind, std::string_view ns, std::string_view name, const delete_options& o)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, ns, name));
    weir::value body = weir::object{{"apiVersion", "v1"}, {"kind", "DeleteOptions"}};
    if (!o.propagation_policy.empty()) body["propagationPolicy"] = o.propagation_policy;
    if (o.dry_run) body["dryRun"] = weir::array{"All"};
    if (o.grace_period_seconds) body["gracePeriodSeconds"] = static_cast<long long>(*o.grace_period_seconds);
    if (!o.precondition_resource_version.empty()) body["preconditions"]["resourceVersion"] = o.precondition_resource_version;
    std::string q = o.dry_run ? "?dryRun=All" : "";
    WEIR_TRY(send("DELETE", path + q, to_json(body), "application/json", describe("delete", m, ns, name)));
    return ok();
}

status client::watch(const gvk& kind, const watch_options& o, const std::function<bool(watch_event&&)>& on_event,
                     const watch_cancel& cancel)
{
    WEIR_TRY_ASSIGN(auto m, mapper_->mapping_for(kind));
    WEIR_TRY_ASSIGN(auto path, path_for(kind, o.namespace_));
    query q;
    q.add("watch", "true").add("labelSelector", o.label_selector).add("fieldSelector", o.field_selector);
    q.add("resourceVersion", o.resource_version);
    if (o.allow_bookmarks) q.add("allowWatchBookmarks", "true");
    if (o.timeout_seconds > 0) q.add("timeoutSeconds", std::to_string(o.timeout_seconds));
    detail::http_request req;
    req.target = path + q.text;
    req.headers = headers_;
    req.what = describe("watch", m, o.namespace_, {});
    req.timeout = o.idle_timeout.count() > 0 ? std::chrono::milliseconds(o.idle_timeout)
                                              : std::chrono::seconds(o.timeout_seconds + 30);
    std::optional<weir::error> failure;
    std::string what = req.what;
    status s = transport_->watch(
        std::move(req),
        [&](std::string_view line) {
            auto doc = parse_json(line);
            if (!doc || !doc->is_object()) {
                failure = transient_error(what + ": malformed watch event: " + std::string(line.substr(0, 100)), "InvalidReply");
                return false;
            }
            std::string_view type = doc->get_string("type");
            weir::value* obj = doc->find("object");
            watch_event ev{watch_event_type::added, obj ? std::move(*obj) : weir::value()};
            if (type == "ADDED") ev.type = watch_event_type::added;
            else if (type == "MODIFIED") ev.type = watch_event_type::modified;
            else if (type == "DELETED") ev.type = watch_event_type::deleted;
            else if (type == "BOOKMARK") ev.type = watch_event_type::bookmark;
            else {
                int code = 500;
                if (const weir::value* c = ev.object.find("code"); c && c->is_int()) code = static_cast<int>(c->as_int());
                failure = error_from_response(code, to_json(ev.object), what);
                return false;
            }
            return on_event(std::move(ev));
        },
        cancel.state_);
    if (failure) return *failure;
    return s;
}

} // namespace weir::kube
