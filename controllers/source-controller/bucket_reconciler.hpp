// Bucket: list the objects of an S3-compatible bucket (under spec.prefix, minus the ignore rules),
// take the sha256 of the "<key> <etag>" index as the revision, and store the objects as a tar.gz
// artifact. An unchanged index with the artifact still in storage is a no-op (one listing, no
// download); a changed one downloads only the objects whose etag moved, from a per-Bucket cache of
// the last fetched tree and its index. A failed listing or download never replaces the last good
// artifact. Providers: generic and aws with static keys; gcp, azure, STS and workload identity
// stall with a message naming what is unsupported.
#pragma once

#include <weir/artifact/storage.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::source {

struct bucket_options {
    std::size_t artifact_retention_records = 2; // --artifact-retention-records
    std::size_t download_workers = 4;           // objects fetched in parallel
};

class bucket_reconciler {
public:
    bucket_reconciler(runtime::manager& mgr, artifact::storage& storage, bucket_options options);

    void bind(runtime::controller& controller) { controller_ = &controller; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    struct outcome;
    result<runtime::action> finalize(const value& obj);
    result<outcome> fetch_and_store(const value& obj, value& updated);
    std::filesystem::path cache_dir(const value& obj) const;

    runtime::manager& mgr_;
    artifact::storage& storage_;
    bucket_options options_;
    runtime::controller* controller_ = nullptr;
    logger log_{"bucket"};
};

} // namespace weir::source
