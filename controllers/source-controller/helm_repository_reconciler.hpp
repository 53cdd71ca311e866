// HelmRepository: fetch <url>/index.yaml (basic auth from secretRef, TLS from certSecretRef), store
// it verbatim as index-<sha256>.yaml with revision "sha256:<hex>", and report it in status.artifact.
// OCI repositories have no index: they are marked Ready without an artifact. A failed fetch never
// replaces the last good index.
#pragma once

#include <weir/artifact/fetcher.hpp>
#include <weir/artifact/storage.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::source {

struct helm_options {
    std::size_t artifact_retention_records = 2; // --artifact-retention-records
    std::uint64_t index_max_size = 50ull << 20; // --helm-index-max-size
    std::uint64_t chart_max_size = 10ull << 20; // --helm-chart-max-size
};

// Credentials and TLS settings of a HelmRepository, from its secretRef and certSecretRef
// (Flux's keys: username, password; tls.crt, tls.key, ca.crt, also accepted in secretRef).
result<artifact::fetch_options> helm_repository_fetch_options(kube::client& client, const value& repository);

class helm_repository_reconciler {
public:
    helm_repository_reconciler(runtime::manager& mgr, artifact::storage& storage, helm_options options);

    void bind(runtime::controller& controller) { controller_ = &controller; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    result<std::pair<value, bool>> fetch_index(const value& obj);
    result<runtime::action> finalize(const value& obj);

    runtime::manager& mgr_;
    artifact::storage& storage_;
    helm_options options_;
    runtime::controller* controller_ = nullptr;
    logger log_{"helmrepository"};
};

} // namespace weir::source
