#include <weir/core/duration.hpp>
#include <weir/runtime/options.hpp>

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

namespace weir::runtime {
namespace {

status parse_bool(std::string_view name, std::string_view v, bool& out)
{
    if (v == "true" || v == "1" || v == "t" || v == "True")
        out = true;
    else if (v == "false" || v == "0" || v == "f" || v == "False")
        out = false;
    else
        return terminal_error("flag --" + std::string(name) + ": invalid boolean \"" + std::string(v) + "\"",
                              "InvalidFlag");
    return ok();
}

template <class T> status parse_number(std::string_view name, std::string_view v, T& out)
{
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
    if (ec != std::errc{} || p != v.data() + v.size())
        return terminal_error("flag --" + std::string(name) + ": invalid number \"" + std::string(v) + "\"",
                              "InvalidFlag");
    return ok();
}

status parse_ms(std::string_view name, std::string_view v, std::chrono::milliseconds& out)
{
    auto d = parse_duration(v);
    if (!d) return terminal_error("flag --" + std::string(name) + ": " + d.err().message, "InvalidFlag");
    out = std::chrono::duration_cast<std::chrono::milliseconds>(*d);
    return ok();
}

flag_set flags_for(controller_options& o)
{
    flag_set f;
    f.integer("concurrent", o.concurrent, "The number of concurrent reconciles.")
        .number("kube-api-qps", o.kube_api_qps,
                "The maximum queries-per-second of requests sent to the Kubernetes API.")
        .integer("kube-api-burst", o.kube_api_burst,
                 "The maximum burst queries-per-second of requests sent to the Kubernetes API.")
        .boolean("watch-all-namespaces", o.watch_all_namespaces,
                 "Watch for resources in all namespaces, if false only the runtime namespace.")
        .string("watch-label-selector", o.watch_label_selector,
                "Watch for resources with matching labels e.g. 'sharding.fluxcd.io/key=shard1'.")
        .string("metrics-addr", o.metrics_addr, "The address the metric endpoint binds to.")
        .string("health-addr", o.health_addr, "The address the health endpoint binds to.")
        .boolean("enable-leader-election", o.enable_leader_election,
                 "Enable leader election for controller manager.")
        .duration("leader-election-lease-duration", o.lease_duration,
                  "Interval at which non-leader candidates will wait to force acquire leadership.")
        .duration(
            "leader-election-renew-deadline", o.renew_deadline,
            "Duration that the leading controller manager will retry refreshing leadership before giving up.")
        .duration("leader-election-retry-period", o.retry_period,
                  "Duration the LeaderElector clients should wait between tries of actions.")
        .boolean("leader-election-release-on-cancel", o.release_on_cancel,
                 "Release the leader lease on shutdown.")
        .string("log-level", o.log_level, "Log verbosity level: trace, debug, info, warn, error.")
        .string("log-encoding", o.log_encoding, "Log encoding format: json or console.")
        .string("events-addr", o.events_addr,
                "The address of the events receiver (the notification-controller).")
        .string("kubeconfig", o.kubeconfig, "Path to a kubeconfig; in-cluster or $KUBECONFIG when empty.")
        .duration("min-retry-delay", o.min_retry_delay,
                  "The minimum amount of time for which an object being reconciled will have to wait before "
                  "a retry.")
        .duration("max-retry-delay", o.max_retry_delay,
                  "The maximum amount of time for which an object being reconciled will have to wait before "
                  "a retry.")
        .duration("graceful-shutdown-timeout", o.graceful_shutdown_timeout,
                  "How long in-flight reconciles may run after SIGTERM.");
    return f;
}

} // namespace

result<controller_options> parse_flags(int argc, const char* const* argv, controller_options o,
                                       std::vector<std::string>* rest)
{
    if (const char* ns = std::getenv("RUNTIME_NAMESPACE"); ns && *ns && o.runtime_namespace.empty())
        o.runtime_namespace = ns;
    std::vector<std::string> args(argv + 1, argv + argc);
    WEIR_TRY(flags_for(o).parse(args, rest));
    if (o.concurrent < 1) return terminal_error("flag --concurrent: must be at least 1", "InvalidFlag");
    return o;
}

std::string flags_usage()
{
    controller_options o;
    return flags_for(o).usage();
}

flag_set& flag_set::string(std::string name, std::string& field, std::string help)
{
    flags_[std::move(name)] = {false,
                               [&field](std::string_view v) {
                                   field = std::string(v);
                                   return ok();
                               },
                               std::move(help)};
    return *this;
}

flag_set& flag_set::boolean(std::string name, bool& field, std::string help)
{
    flags_[name] = {true, [name, &field](std::string_view v) { return parse_bool(name, v, field); },
                    std::move(help)};
    return *this;
}

flag_set& flag_set::duration(std::string name, std::chrono::milliseconds& field, std::string help)
{
    flags_[name] = {false, [name, &field](std::string_view v) { return parse_ms(name, v, field); },
                    std::move(help)};
    return *this;
}

flag_set& flag_set::count(std::string name, std::size_t& field, std::string help)
{
    flags_[name] = {false,
                    [name, &field](std::string_view v) -> status {
                        WEIR_TRY(parse_number(name, v, field));
                        if (field == 0)
                            return terminal_error("flag --" + name + ": must be a positive number",
                                                  "InvalidFlag");
                        return ok();
                    },
                    std::move(help)};
    return *this;
}

flag_set& flag_set::integer(std::string name, int& field, std::string help)
{
    flags_[name] = {false, [name, &field](std::string_view v) { return parse_number(name, v, field); },
                    std::move(help)};
    return *this;
}

flag_set& flag_set::number(std::string name, double& field, std::string help)
{
    flags_[name] = {false, [name, &field](std::string_view v) { return parse_number(name, v, field); },
                    std::move(help)};
    return *this;
}

status flag_set::parse(const std::vector<std::string>& args, std::vector<std::string>* rest) const
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        std::string_view arg = args[i];
        if (!arg.starts_with("-")) {
            if (!rest)
                return terminal_error("unexpected argument \"" + std::string(arg) + "\"", "InvalidFlag");
            rest->emplace_back(arg);
            continue;
        }
        if (arg == "--help" || arg == "-h") {
            // The common flags are parsed first and hand --help on; the controller's own flag set
            // parses last and answers with both lists (exit_with prints it and exits 0).
            if (rest) {
                rest->emplace_back(arg);
                continue;
            }
            return terminal_error("Flags:\n" + usage() + flags_usage(), "Help");
        }
        std::string_view body = arg.substr(arg.starts_with("--") ? 2 : 1);
        std::string_view name = body, val;
        bool has_value = false;
        if (auto eq = body.find('='); eq != std::string_view::npos) {
            name = body.substr(0, eq);
            val = body.substr(eq + 1);
            has_value = true;
        }
        auto it = flags_.find(name);
        if (it == flags_.end()) {
            if (!rest) return terminal_error("unknown flag --" + std::string(name), "InvalidFlag");
            rest->emplace_back(arg); // the caller's own flag; its value, if separate, follows as an argument
            continue;
        }
        if (!has_value) {
            // A boolean takes the next argument only when it reads as a boolean ("--x false").
            bool next_is_bool = i + 1 < args.size() && (args[i + 1] == "true" || args[i + 1] == "false");
            if (it->second.boolean && !next_is_bool)
                val = "true";
            else if (i + 1 < args.size())
                val = args[++i];
            else
                return terminal_error("flag --" + std::string(name) + " needs a value", "InvalidFlag");
        }
        WEIR_TRY(it->second.set(val));
    }
    return ok();
}

std::string flag_set::usage() const
{
    std::string out;
    for (const auto& [name, f] : flags_)
        out += "  --" + name + (f.boolean ? "" : " value") + "\n        " + f.help + "\n";
    return out;
}

} // namespace weir::runtime
