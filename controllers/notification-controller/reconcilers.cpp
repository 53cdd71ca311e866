#include "reconcilers.hpp"

#include "alert_match.hpp"
#include "http_client.hpp"
#include "receiver_verify.hpp"

#include <weir/api/notification.hpp>
#include <weir/api/secret.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/failure.hpp>
#include <weir/runtime/object_store.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

namespace weir::notification {
namespace cond = runtime::conditions;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

std::string ns_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "namespace"})->as_string());
}
std::string name_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "name"})->as_string());
}

// Writes Ready=False with the error, then returns the error so the controller retries (transient)
// or stalls (terminal).
result<runtime::action> failed(runtime::manager& mgr, const value& obj, error e, std::string_view reason)
{
    value updated = obj;
    return runtime::report_failure(mgr, obj, updated, std::move(e), reason);
}

status ready(runtime::manager& mgr, const value& obj, std::string_view message,
             const value* extra_status = nullptr)
{
    value updated = obj;
    if (extra_status)
        for (const auto& [k, v] : extra_status->as_object())
            updated["status"][k] = v;
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    auto r = runtime::patch_status(mgr.client(), obj, updated);
    if (!r) return r.err();
    return ok();
}

result<std::map<std::string, std::string>> read_secret(runtime::manager& mgr, const std::string& ns,
                                                       const std::string& name)
{
    auto s = mgr.client().get(secret_kind, ns, name);
    if (!s)
        return transient_error(fmt::format("failed to get secret '{}/{}': {}", ns, name, s.err().message),
                               "SecretNotFound");
    return api::secret_data(*s);
}

} // namespace

result<runtime::action> provider_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    auto spec = api::notification::provider_spec::from(obj);
    if (!spec) return failed(mgr_, obj, spec.err(), "InvalidProvider");
    std::string address = spec->address;
    if (spec->secret_ref) {
        auto data = read_secret(mgr_, ns_of(obj), spec->secret_ref->name);
        if (!data) return failed(mgr_, obj, data.err(), "SecretNotFound");
        if (auto it = data->find("address"); it != data->end()) address = it->second;
    }
    if (spec->cert_secret_ref) {
        auto data = read_secret(mgr_, ns_of(obj), spec->cert_secret_ref->name);
        if (!data) return failed(mgr_, obj, data.err(), "SecretNotFound");
        if (!data->count("ca.crt") && !data->count("tls.crt"))
            return failed(mgr_, obj,
                          terminal_error(fmt::format("secret '{}/{}' has neither ca.crt nor tls.crt",
                                                     ns_of(obj), spec->cert_secret_ref->name)),
                          "InvalidCertificate");
    }
    if (!address.empty() && spec->type != "sentry" && spec->type != "nats") // a DSN, a nats:// server
        if (auto u = parse_url(address); !u) return failed(mgr_, obj, u.err(), "InvalidURL");
    WEIR_TRY(ready(mgr_, obj, "Initialized"));
    return runtime::action::await_change();
}

result<runtime::action> alert_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    auto spec = api::notification::alert_spec::from(obj);
    if (!spec) return failed(mgr_, obj, spec.err(), "InvalidAlert");
    eventsink::flux_event probe;
    probe.severity = "error";
    if (auto r = passes_filters(*spec, probe); !r) return failed(mgr_, obj, r.err(), "InvalidAlert");
    std::string provider_key = ns_of(obj) + "/" + spec->provider_ref.name;
    if (!providers_.cache().get(provider_key))
        return failed(mgr_, obj, transient_error(fmt::format("provider '{}' not found", provider_key)),
                      "ProviderNotFound");
    WEIR_TRY(ready(mgr_, obj, "Initialized"));
    return runtime::action::await_change();
}

result<runtime::action> receiver_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    auto spec = api::notification::receiver_spec::from(obj);
    if (!spec) return failed(mgr_, obj, spec.err(), "InvalidReceiver");
    auto data = read_secret(mgr_, ns_of(obj), spec->secret_ref.name);
    if (!data) return failed(mgr_, obj, data.err(), "SecretNotFound");
    auto token = data->find("token");
    if (token == data->end() || token->second.empty())
        return failed(mgr_, obj,
                      transient_error(fmt::format("secret '{}/{}' has no 'token' key", ns_of(obj),
                                                  spec->secret_ref.name)),
                      "TokenNotFound");
    std::string path = webhook_path(token->second, name_of(obj), ns_of(obj));
    value extra = weir::object{{"webhookPath", path}};
    WEIR_TRY(ready(mgr_, obj, "Receiver initialized for path: " + path, &extra));
    // Re-read the Secret now and then: a rotated token moves the path.
    return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec->interval));
}

} // namespace weir::notification
