// ImagePolicy: choose the latest tag of the referenced ImageRepository's scanned tags by the
// policy (semver, alphabetical, numerical, with filterTags), optionally reflect its digest, and
// report it in status.latestRef (and as the string status.latestImage "name:tag[@digest]", the
// v1beta2 form); an event marks every change of selection. With --no-cross-namespace-refs a
// repository in another namespace stalls the policy (AccessDenied).
#pragma once

#include "tag_store.hpp"

#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::image {

class image_policy_reconciler {
public:
    image_policy_reconciler(runtime::manager& mgr, tag_store& tags, bool no_cross_namespace_refs = false)
        : mgr_(mgr), tags_(tags), no_cross_namespace_refs_(no_cross_namespace_refs)
    {
    }
    void bind(runtime::controller& c, runtime::controller& repositories)
    {
        controller_ = &c;
        repositories_ = &repositories;
    }
    result<runtime::action> reconcile(const runtime::request& req);
    // The policies that reference an ImageRepository (for the watch).
    std::vector<runtime::request> policies_for(const value& repository);

private:
    result<bool> access_allowed(const value& repository, const std::string& namespace_);
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    tag_store& tags_;
    bool no_cross_namespace_refs_;
    runtime::controller* controller_ = nullptr;
    runtime::controller* repositories_ = nullptr;
    logger log_{"imagepolicy"};
};

} // namespace weir::image
