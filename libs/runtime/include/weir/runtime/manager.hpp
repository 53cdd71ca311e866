// The manager owns what the controllers of one binary share: the API client, one informer per
// kind, the event recorder, metrics and health endpoints, leader election and shutdown.
//
//   int main(int argc, char** argv) {
//       auto opts = runtime::parse_flags(argc, argv, {.name = "source-controller"});
//       if (!opts) return runtime::exit_with(opts.err());
//       auto mgr = runtime::manager::create(*opts);
//       if (!mgr) return runtime::exit_with(mgr.err());
//       git_repository_reconciler r(**mgr);
//       (*mgr)->add_controller({.name = "gitrepository", .kind = kinds::git_repository,
//                               .reconcile = [&](const runtime::request& q) { return r.reconcile(q); }});
//       auto s = (*mgr)->run();            // until SIGTERM
//       return s ? 0 : runtime::exit_with(s.err());
//   }
//
// run(): start /metrics and /healthz,/readyz; if --enable-leader-election, wait for the Lease;
// start informers and wait for their first list; start the workers; on SIGTERM (or stop()) stop
// taking work, let in-flight reconciles finish within --graceful-shutdown-timeout, release the
// Lease. When the Lease is lost, run() returns an error (Flux exits and restarts).
#pragma once

#include <weir/core/ops_server.hpp>
#include <weir/kube/client.hpp>
#include <weir/runtime/controller.hpp>
#include <weir/runtime/events.hpp>
#include <weir/runtime/informer.hpp>
#include <weir/runtime/leader_election.hpp>
#include <weir/runtime/options.hpp>

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>

namespace weir::runtime {

class manager {
public:
    // Loads the Kubernetes config (--kubeconfig, $KUBECONFIG, in-cluster) and configures logging.
    static result<std::unique_ptr<manager>> create(controller_options options);
    manager(std::shared_ptr<kube::client> client, controller_options options);
    ~manager();
    manager(const manager&) = delete;
    manager& operator=(const manager&) = delete;

    kube::client& client() { return *client_; }
    std::shared_ptr<kube::client> client_ptr() { return client_; }
    const controller_options& options() const { return options_; }
    // The namespace the controller runs in (for --watch-all-namespaces=false and the Lease).
    const std::string& runtime_namespace() const { return options_.runtime_namespace; }

    // The shared informer for a kind. `sharded`: apply --watch-label-selector (primary kinds).
    // Namespace scoping (--watch-all-namespaces=false) applies to every informer.
    informer& informer_for(const kube::gvk& kind, bool sharded = false);
    controller& add_controller(controller_spec spec);
    event_recorder& events() { return *events_; }
    registry& metrics() { return default_registry(); }

    status run();
    void stop();
    bool is_leader() const;
    // After run() started the workers (all caches synced).
    bool started() const { return started_; }
    // The health endpoint's port (after run() started it), for tests using ":0".
    unsigned short health_port() const;
    unsigned short metrics_port() const;

private:
    status start_ops();
    bool wait_stop_or(std::function<bool()> ready);

    std::shared_ptr<kube::client> client_;
    controller_options options_;
    logger log_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_requested_ = false;
    std::atomic<bool> started_{false};
    std::optional<weir::error> lost_;
    std::map<std::pair<kube::gvk, bool>, std::unique_ptr<informer>> informers_;
    std::vector<std::unique_ptr<controller>> controllers_;
    std::unique_ptr<event_recorder> events_;
    std::unique_ptr<leader_elector> elector_;
    std::unique_ptr<ops_server> metrics_server_, health_server_;
};

// Logs the error and returns 1, for main().
int exit_with(const weir::error& e);

} // namespace weir::runtime
