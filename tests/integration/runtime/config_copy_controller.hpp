// The example controller of the runtime's integration tests: a ConfigCopy (test.weir.dev/v1)
// copies the data of ConfigMap spec.from into ConfigMap spec.to, re-copies when the source
// changes, reports Ready in its status, requeues every spec.interval, and deletes the copy when
// it is deleted (finalizer). Everything else (watching, queueing, backoff, conditions, leader
// election, sharding) comes from libs/runtime.
#pragma once

#include <weir/runtime/manager.hpp>

#include <atomic>

namespace weir::example {

inline const kube::gvk config_copy_kind{"test.weir.dev", "v1", "ConfigCopy"};
inline const kube::gvk configmap_kind{"", "v1", "ConfigMap"};

class config_copy_controller {
public:
    explicit config_copy_controller(runtime::manager& mgr);
    result<runtime::action> reconcile(const runtime::request& req);

    runtime::controller& ctl() { return *ctl_; }
    std::atomic<int> reconciles{0};
    std::atomic<int> fail_next{0}; // test hook: the next N reconciles fail transiently

private:
    runtime::manager& mgr_;
    runtime::controller* ctl_;
};

} // namespace weir::example
