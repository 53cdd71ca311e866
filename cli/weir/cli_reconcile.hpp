// Requesting a reconcile the way flux does (reconcile, resume, bootstrap share it): set
// reconcile.fluxcd.io/requestedAt to a fresh token and wait until the controller reports it handled
// in status.lastHandledReconcileAt, then for the outcome (Ready True or False).
#pragma once

#include "cli_common.hpp"

namespace weir::cli {

struct reconcile_request {
    const flux_kind* kind = nullptr;
    std::string namespace_, name;
    std::chrono::milliseconds timeout{std::chrono::minutes(5)};
    bool force = false, reset = false; // HelmRelease: forceAt / resetAt too
};

// Annotates and waits; returns the object as the controller left it. Ready=False is an error
// carrying the condition's message.
result<value> request_reconcile(kube::client& c, const reconcile_request& r);
// Waits for the object's outcome without annotating (after resume or create).
result<value> wait_ready(kube::client& c, const flux_kind& k, const std::string& ns, const std::string& name,
                         std::chrono::milliseconds timeout, const std::string& token = {});

// The source a Kustomization or HelmRelease reads: {kind, namespace, name}; empty kind when none.
struct source_ref {
    const flux_kind* kind = nullptr;
    std::string namespace_, name;
};
source_ref source_of(const value& obj);

} // namespace weir::cli
