// ImageRepository: list the repository's tags on every interval, drop the excluded ones, keep
// them in the tag store and report a sample in status.lastScanResult. A scan younger than the
// interval is trusted (also across restarts) unless the spec changed or a reconcile was requested.
#pragma once

#include "tag_store.hpp"

#include <weir/runtime/controller.hpp>
#include <weir/runtime/manager.hpp>

namespace weir::image {

class image_repository_reconciler {
public:
    image_repository_reconciler(runtime::manager& mgr, tag_store& tags) : mgr_(mgr), tags_(tags) {}
    void bind(runtime::controller& c) { controller_ = &c; }
    result<runtime::action> reconcile(const runtime::request& req);

private:
    result<runtime::action> finalize(const value& obj, const std::string& key);
    status write_status(const value& original, value& updated);

    runtime::manager& mgr_;
    tag_store& tags_;
    runtime::controller* controller_ = nullptr;
    logger log_{"imagerepository"};
};

} // namespace weir::image
