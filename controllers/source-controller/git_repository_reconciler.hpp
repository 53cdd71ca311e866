// GitRepository: fetch the selected revision into a persistent mirror, check out its tree, apply
// the ignore rules and includes, store it as a tarball artifact, and report it in status.artifact.
// A failed fetch or build never replaces the last good artifact.
#pragma once

#include <weir/artifact/storage.hpp>
#include <weir/git/mirror.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::source {

struct git_repository_options {
    std::size_t artifact_retention_records = 2; // --artifact-retention-records
    double interval_jitter_percentage = 5;      // --interval-jitter-percentage
};

class git_repository_reconciler {
public:
    git_repository_reconciler(runtime::manager& mgr, artifact::storage& storage, git::mirror_cache& mirrors,
                              git_repository_options options);

    // Registers the include index and watch: an included repository's new artifact rebuilds its includers.
    void bind(runtime::controller& controller);
    result<runtime::action> reconcile(const runtime::request& req);

private:
    struct outcome;
    result<runtime::action> finalize(const value& obj);
    result<outcome> fetch_and_store(const value& obj, value& status_obj);
    status write_status(const value& original, value& updated);
    // spec.verify: SourceVerified and status.sourceVerificationMode in `updated`; an error (marked
    // with verification_failure_code) when the revision must not be used.
    status verify_revision(const value& obj, value& updated, const std::string& url, const git::sync_result& synced,
                           bool unchanged);
    static constexpr int verification_failure_code = 4201;
    static bool is_verification_failure(const error& e);
    result<runtime::action> verification_failed(const value& obj, value& updated, error e);

    runtime::manager& mgr_;
    artifact::storage& storage_;
    git::mirror_cache& mirrors_;
    git_repository_options options_;
    runtime::controller* controller_ = nullptr;
    runtime::object_store* all_repositories_ = nullptr; // every GitRepository, for includes
    logger log_{"gitrepository"};
};

} // namespace weir::source
