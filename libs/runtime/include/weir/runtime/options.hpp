// The flags every Flux controller takes, in one struct, and a parser so each controller's main()
// stays a few lines:
//
//   runtime::controller_options opts{.name = "source-controller", .concurrent = 2};
//   std::vector<std::string> rest;   // flags this parser does not know, for the controller's own
//   WEIR_TRY_ASSIGN(opts, runtime::parse_flags(argc, argv, opts, &rest));
//
// Defaults follow Flux: --concurrent=4, --watch-all-namespaces=true, --metrics-addr=:8080,
// --health-addr=:9440, --enable-leader-election=false, --log-level=info, --log-encoding=json,
// --kube-api-qps=50, --kube-api-burst=300, --min-retry-delay=750ms, --max-retry-delay=15m,
// --leader-election-lease-duration=35s, --leader-election-renew-deadline=30s,
// --leader-election-retry-period=5s, --leader-election-release-on-cancel=true.
// The controller's own namespace comes from $RUNTIME_NAMESPACE, as in Flux's Deployments.
#pragma once

#include <weir/core/result.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weir::runtime {

struct controller_options {
    std::string name = "weir-controller"; // used for the Lease, metrics and the event source
    int concurrent = 4;
    bool watch_all_namespaces = true;
    std::string watch_label_selector;
    std::string metrics_addr = ":8080"; // "0" or empty disables
    std::string health_addr = ":9440";
    bool enable_leader_election = false;
    std::chrono::milliseconds lease_duration{std::chrono::seconds(35)};
    std::chrono::milliseconds renew_deadline{std::chrono::seconds(30)};
    std::chrono::milliseconds retry_period{std::chrono::seconds(5)};
    bool release_on_cancel = true;
    std::string log_level = "info";
    std::string log_encoding = "json";
    double kube_api_qps = 50;
    int kube_api_burst = 300;
    std::string kubeconfig;
    std::chrono::milliseconds min_retry_delay{750};
    std::chrono::milliseconds max_retry_delay{std::chrono::minutes(15)};
    std::chrono::milliseconds graceful_shutdown_timeout{std::chrono::seconds(30)};
    std::string runtime_namespace; // $RUNTIME_NAMESPACE, else the kubeconfig context's namespace
    std::string identity;          // leader election identity; hostname + random suffix when empty
    bool handle_signals = true;    // SIGTERM/SIGINT stop the manager
    // --events-addr: where events are also sent (the notification-controller); empty: nowhere.
    // The transport lives in libs/eventsink; each controller's main() adds its forwarder.
    std::string events_addr;
};

// Parses argv[1..]. Unknown flags go to `rest` (an error when rest is null). Errors are terminal
// and name the flag.
result<controller_options> parse_flags(int argc, const char* const* argv, controller_options defaults = {},
                                       std::vector<std::string>* rest = nullptr);
// Help text for the flags above, one per line.
std::string flags_usage();

// A controller's own flags, parsed by the same rules as the common ones ("--name=value" or
// "--name value"; a boolean may stand alone), from what parse_flags left in `rest`:
//
//   runtime::flag_set own;
//   own.string("storage-path", flags.storage_path, "The local storage path.")
//      .duration("requeue-dependency", flags.requeue_dependency, "The interval at which failing dependencies
//      are reevaluated.");
//   WEIR_TRY(own.parse(rest));
class flag_set {
public:
    flag_set& string(std::string name, std::string& field, std::string help);
    flag_set& boolean(std::string name, bool& field, std::string help);
    flag_set& duration(std::string name, std::chrono::milliseconds& field, std::string help);
    // A positive whole number.
    flag_set& count(std::string name, std::size_t& field, std::string help);
    flag_set& integer(std::string name, int& field, std::string help);
    flag_set& number(std::string name, double& field, std::string help);
    // A bad value is a terminal error naming the flag. Unknown flags and other arguments go to
    // `rest` in order (an error when rest is null).
    status parse(const std::vector<std::string>& args, std::vector<std::string>* rest = nullptr) const;
    std::string usage() const;

private:
    struct entry {
        bool boolean = false;
        std::function<status(std::string_view)> set;
        std::string help;
    };
    std::map<std::string, entry, std::less<>> flags_;
};

} // namespace weir::runtime
