// OCIRepository: resolve spec.ref (tag, semver range or digest) to a manifest digest, pull the
// selected layer, and store it as the artifact: extracted and re-archived with the ignore rules
// (operation extract) or byte for byte (operation copy). An unchanged manifest digest with the
// artifact still in storage is a no-op; a failed pull never replaces the last good artifact.
#pragma once

#include <weir/artifact/storage.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::source {

struct oci_repository_options {
    std::size_t artifact_retention_records = 2; // --artifact-retention-records
};

class oci_repository_reconciler {
public:
    oci_repository_reconciler(runtime::manager& mgr, artifact::storage& storage, oci_repository_options options);

    void bind(runtime::controller& controller) { controller_ = &controller; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    struct outcome;
    result<runtime::action> finalize(const value& obj);
    result<outcome> fetch_and_store(const value& obj, value& updated);

    runtime::manager& mgr_;
    artifact::storage& storage_;
    oci_repository_options options_;
    runtime::controller* controller_ = nullptr;
    logger log_{"ocirepository"};
};

} // namespace weir::source
