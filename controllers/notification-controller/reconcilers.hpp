// The three kinds' reconcilers. Provider and Alert are checked (spec, Secret, provider reference,
// regular expressions) and marked Ready; the dispatcher reads them from the cache at send time.
// Receiver computes its webhook path from the Secret's token and publishes it in
// status.webhookPath, which is how the receiver server finds it.
#pragma once

#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::notification {

inline const kube::gvk provider_kind{"notification.toolkit.fluxcd.io", "v1beta3", "Provider"};
inline const kube::gvk alert_kind{"notification.toolkit.fluxcd.io", "v1beta3", "Alert"};
inline const kube::gvk receiver_kind{"notification.toolkit.fluxcd.io", "v1", "Receiver"};

class provider_reconciler {
public:
    explicit provider_reconciler(runtime::manager& mgr) : mgr_(mgr) {}
    void bind(runtime::controller& c) { controller_ = &c; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    runtime::manager& mgr_;
    runtime::controller* controller_ = nullptr;
};

class alert_reconciler {
public:
    alert_reconciler(runtime::manager& mgr, runtime::controller& providers) : mgr_(mgr), providers_(providers)
    {
    }
    void bind(runtime::controller& c) { controller_ = &c; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    runtime::manager& mgr_;
    runtime::controller& providers_;
    runtime::controller* controller_ = nullptr;
};

class receiver_reconciler {
public:
    explicit receiver_reconciler(runtime::manager& mgr) : mgr_(mgr) {}
    void bind(runtime::controller& c) { controller_ = &c; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    runtime::manager& mgr_;
    runtime::controller* controller_ = nullptr;
};

} // namespace weir::notification
