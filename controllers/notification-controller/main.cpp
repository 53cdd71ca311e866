// notification-controller: wiring only. Flags in Flux's names; the logic lives in the intake,
// dispatcher, receiver server and reconcilers.
#include "dispatcher.hpp"
#include "event_server.hpp"
#include "intake.hpp"
#include "receiver_server.hpp"
#include "reconcilers.hpp"
#include "secret_cache.hpp"

#include <weir/runtime/informer.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/object_store.hpp>
#include <weir/runtime/options.hpp>

#include <iostream>

using namespace weir;

namespace {

struct own_flags {
    std::string receiver_addr = ":9292";
    std::string gcr_jwks_url = std::string(notification::google_jwks_url);
    std::chrono::milliseconds rate_limit_interval{std::chrono::minutes(5)};
    std::chrono::milliseconds failure_group_window{std::chrono::minutes(1)};
    std::size_t dispatch_workers = 4;
};

result<own_flags> parse_own_flags(const std::vector<std::string>& rest)
{
    own_flags f;
    runtime::flag_set own;
    own.string("receiver-addr", f.receiver_addr, "The address the webhook receiver binds to.")
        .string("receiverAddr", f.receiver_addr,
                "Deprecated spelling of --receiver-addr (Flux accepts both).")
        .duration("rate-limit-interval", f.rate_limit_interval,
                  "The window in which duplicate events are folded.")
        .duration("failure-group-window", f.failure_group_window,
                  "The window in which repeated failures of one object become one notification.")
        .count("dispatch-workers", f.dispatch_workers, "How many notifications are sent at once.")
        .string("gcr-jwks-url", f.gcr_jwks_url,
                "Where the gcr Receiver fetches the keys (JWKS) that sign Google's Pub/Sub push tokens.");
    WEIR_TRY(own.parse(rest));
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> rest;
    auto opts = runtime::parse_flags(argc, argv, {.name = "notification-controller", .concurrent = 4}, &rest);
    if (!opts) return runtime::exit_with(opts.err());
    auto own = parse_own_flags(rest);
    if (!own) return runtime::exit_with(own.err());
    // Here --events-addr is where events are received, not sent (Flux's meaning for this binary).
    std::string events_addr = opts->events_addr.empty() ? ":9090" : opts->events_addr;
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());
    runtime::manager& m = **mgr;

    notification::provider_reconciler providers(m);
    auto& provider_ctl =
        m.add_controller({.name = "provider",
                          .kind = notification::provider_kind,
                          .reconcile = [&](const runtime::request& r) { return providers.reconcile(r); }});
    providers.bind(provider_ctl);
    notification::alert_reconciler alerts(m, provider_ctl);
    auto& alert_ctl = m.add_controller(
        {.name = "alert", .kind = notification::alert_kind, .reconcile = [&](const runtime::request& r) {
             return alerts.reconcile(r);
         }});
    alerts.bind(alert_ctl);
    notification::receiver_reconciler receivers(m);
    auto& receiver_ctl =
        m.add_controller({.name = "receiver",
                          .kind = notification::receiver_kind,
                          .reconcile = [&](const runtime::request& r) { return receivers.reconcile(r); }});
    receivers.bind(receiver_ctl);
    notification::add_webhook_index(receiver_ctl.cache());
    // An Alert waiting for its Provider is retried as soon as the Provider appears.
    alert_ctl.watches(notification::provider_kind, [&](const value& provider) {
        std::vector<runtime::request> out;
        std::string ns(provider.find_path({"metadata", "namespace"})->as_string());
        std::string name(provider.find_path({"metadata", "name"})->as_string());
        for (auto& a : alert_ctl.cache().list_namespace(ns))
            if (const value* ref = a->find_path({"spec", "providerRef", "name"});
                ref && ref->is_string() && ref->as_string() == name)
                out.push_back(runtime::request::of(*a));
        return out;
    });

    notification::secret_cache secrets(m.client());
    // The event server answers before run() has listed Alerts and Providers (a restarted controller
    // is posted to at once): dispatch waits for those caches, as Flux's cached client does, or the
    // event would be matched against no Alert and dropped.
    runtime::informer& alert_informer = m.informer_for(notification::alert_kind, true);
    runtime::informer& provider_informer = m.informer_for(notification::provider_kind, true);
    notification::dispatch_world world{
        .alerts =
            [&] {
                alert_informer.wait_for_sync(std::chrono::seconds(30));
                provider_informer.wait_for_sync(std::chrono::seconds(30));
                return alert_ctl.cache().list();
            },
        .provider = [&](const std::string& ns,
                        const std::string& name) { return provider_ctl.cache().get(ns + "/" + name); },
        .secret = [&](const std::string& ns, const std::string& name) { return secrets.get(ns, name); },
        .labels =
            [&](const eventsink::flux_event& ev) {
                const auto& io = ev.involved_object;
                auto obj = m.client().get(kube::gvk::from_api_version(io.api_version, io.kind), io.namespace_,
                                          io.name);
                const value* labels = obj ? obj->find_path({"metadata", "labels"}) : nullptr;
                return labels ? *labels : value();
            },
        .report_failure = [&](const value& alert, const std::string& reason,
                              const std::string& message) { m.events().warning(alert, reason, message); }};
    notification::dispatcher dispatch({.workers = static_cast<int>(own->dispatch_workers),
                                       .max_attempts = 4,
                                       .retry_base = std::chrono::milliseconds(500),
                                       .group_window = own->failure_group_window},
                                      world);
    notification::intake in({.dedup_window = own->rate_limit_interval},
                            [&](eventsink::flux_event ev) { dispatch.submit(std::move(ev)); });

    notification::event_server events({.listen = events_addr}, in);
    if (auto s = events.start(); !s) return runtime::exit_with(s.err());
    notification::receiver_server hooks({.listen = own->receiver_addr, .gcr_jwks_url = own->gcr_jwks_url},
                                        m.client(), receiver_ctl.cache(), secrets);
    if (auto s = hooks.start(); !s) return runtime::exit_with(s.err());
    std::cout << "event server listening on port " << events.port() << "\nreceiver server listening on port "
              << hooks.port() << std::endl;

    auto result = m.run();
    hooks.stop();
    events.stop();
    return result ? 0 : runtime::exit_with(result.err());
}
