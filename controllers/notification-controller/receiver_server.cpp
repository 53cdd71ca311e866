#include "receiver_server.hpp"

#include "receiver_verify.hpp"

#include <weir/api/notification.hpp>
#include <weir/core/json.hpp>
#include <weir/core/log.hpp>
#include <weir/runtime/conditions.hpp>

#include <fmt/format.h>

namespace weir::notification {
namespace {

const logger& log()
{
    static const logger l("receiver");
    return l;
}

std::string label_selector(const std::map<std::string, std::string>& labels)
{
    std::string out;
    for (const auto& [k, v] : labels)
        out += (out.empty() ? "" : ",") + k + "=" + v;
    return out;
}

} // namespace

void add_webhook_index(runtime::object_store& receivers)
{
    receivers.add_indexer(webhook_path_index, [](const value& obj) {
        const value* p = obj.find_path({"status", "webhookPath"});
        return p && p->is_string() ? std::vector<std::string>{p->as_string()} : std::vector<std::string>{};
    });
}

receiver_server::receiver_server(receiver_server_options options, kube::client& client,
                                 runtime::object_store& receivers, secret_cache& secrets)
    : client_(client), receivers_(receivers), secrets_(secrets), gcr_keys_(options.gcr_jwks_url),
      server_({.listen = options.listen, .body_limit = options.body_limit, .http2_handoff = {}},
              [this](const server_request& r) { return handle(r); })
{
}

server_response receiver_server::handle(const server_request& req)
{
    std::string path = req.target.substr(0, req.target.find('?'));
    if (!path.starts_with("/hook/")) return {404, "not found\n"};
    if (req.method != "POST") return {405, "method not allowed\n"};
    auto found = receivers_.by_index(webhook_path_index, path);
    if (found.empty()) return {404, "no receiver for this path\n"};
    const value& receiver = *found.front();
    std::string ns(receiver.find_path({"metadata", "namespace"})->as_string());
    std::string name(receiver.find_path({"metadata", "name"})->as_string());
    auto spec = api::notification::receiver_spec::from(receiver);
    if (!spec) return {503, "receiver is not valid: " + spec.err().message + "\n"};
    if (spec->suspend) return {503, "receiver is suspended\n"};
    if (!runtime::conditions::is_true(receiver, "Ready")) return {503, "receiver is not ready\n"};
    auto secret = secrets_.get(ns, spec->secret_ref.name);
    if (!secret) return {503, "receiver secret unavailable\n"};
    std::string token = (*secret)["token"];
    // The path was derived from the token; a token rotated since means this path is stale.
    if (webhook_path(token, name, ns) != path) return {404, "no receiver for this path\n"};

    webhook_request hook{req.headers, req.body, {}, {}};
    if (spec->type == "gcr") {
        hook.secret = *secret;
        hook.gcr_keys = [this](std::string_view kid) { return gcr_keys_.key(kid); };
    }
    auto verdict = verify_webhook(*spec, token, hook);
    if (verdict.status != 200) {
        log().info("webhook rejected",
                   {{"receiver", ns + "/" + name}, {"status", verdict.status}, {"reason", verdict.message}});
        return {verdict.status, verdict.message + "\n"};
    }
    if (verdict.ping) return {200, "pong\n"};
    if (auto s = annotate(receiver, go_time_now()); !s) {
        log().error("webhook annotation failed", {{"receiver", ns + "/" + name}, {"error", s.err().message}});
        return {500, s.err().message + "\n"};
    }
    ++handled_;
    log().info("webhook handled", {{"receiver", ns + "/" + name}, {"event", verdict.event}});
    return {200, "ok\n"};
}

status receiver_server::annotate(const value& receiver, const std::string& requested_at)
{
    WEIR_TRY_ASSIGN(auto spec, api::notification::receiver_spec::from(receiver));
    std::string receiver_ns(receiver.find_path({"metadata", "namespace"})->as_string());
    value patch = weir::object{};
    patch["metadata"]["annotations"]["reconcile.fluxcd.io/requestedAt"] = requested_at;
    std::string body = to_json(patch);
    std::string failures;
    for (const auto& r : spec.resources) {
        std::string ns = r.namespace_.empty() ? receiver_ns : r.namespace_;
        std::string av = r.api_version.empty() ? std::string(api::notification::default_api_version(r.kind))
                                               : r.api_version;
        if (av.empty()) {
            failures += fmt::format("{}: apiVersion is required for this kind; ", r.kind);
            continue;
        }
        auto kind = kube::gvk::from_api_version(av, r.kind);
        std::vector<std::string> names;
        if (r.name == "*") {
            auto list =
                client_.list(kind, {.namespace_ = ns, .label_selector = label_selector(r.match_labels)});
            if (!list) {
                failures += fmt::format("{} in {}: {}; ", r.kind, ns, list.err().message);
                continue;
            }
            for (const auto& item : list->items)
                names.emplace_back(item.find_path({"metadata", "name"})->as_string());
        } else {
            names.push_back(r.name);
        }
        for (const auto& n : names)
            if (auto p = client_.patch(kind, ns, n, kube::patch_type::merge, body); !p)
                failures += fmt::format("{} {}/{}: {}; ", r.kind, ns, n, p.err().message);
    }
    if (!failures.empty()) return transient_error("failed to annotate: " + failures, "AnnotationFailed");
    return ok();
}

} // namespace weir::notification
