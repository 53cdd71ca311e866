// What every chaos scenario shares: the fleet it syncs (N ConfigMaps in a Git repository, one
// GitRepository and one pruning Kustomization), the uid census that proves nothing was lost, the
// report line docs/reliability.md collects, and controllers started outside local_cluster (behind
// a fault proxy, or with a faked clock).
#pragma once

#include "support/local_cluster.hpp"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

namespace weir::chaos {

inline const kube::gvk config_map{"", "v1", "ConfigMap"};
using clock_type = std::chrono::steady_clock;

inline std::string configmaps(int count, const std::string& value)
{
    std::string out;
    for (int i = 0; i < count; ++i)
        out += fmt::format(
            "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: cm-{}, namespace: default}}\n"
            "data: {{value: \"{}\"}}\n",
            i, value);
    return out;
}

inline std::string sync_manifests(const std::string& url)
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "{}", interval: 10m, ref: {{branch: main}}}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: default}}
spec:
  interval: 10m
  retryInterval: 2s
  path: ./deploy
  prune: true
  sourceRef: {{kind: GitRepository, name: fleet}}
)",
                       url);
}

// name -> uid of the ConfigMaps the Kustomization `owner` owns right now.
inline std::map<std::string, std::string> owned_configmaps(test::local_cluster& c,
                                                           const std::string& owner = "apps")
{
    std::map<std::string, std::string> out;
    const std::string label = "kustomize.toolkit.fluxcd.io/name";
    auto list = c.client().list(config_map, {.namespace_ = "default", .label_selector = label + "=" + owner});
    if (!list) return out;
    for (const auto& cm : list->items)
        if (test::string_at(cm, {"metadata", "labels", label}) == owner)
            out[test::string_at(cm, {"metadata", "name"})] = test::string_at(cm, {"metadata", "uid"});
    return out;
}

// Objects that existed before the fault and are gone or were recreated (another uid) since.
inline std::size_t lost_since(const std::map<std::string, std::string>& before,
                              const std::map<std::string, std::string>& now)
{
    std::size_t lost = 0;
    for (const auto& [name, uid] : before) {
        auto it = now.find(name);
        if (it == now.end() || it->second != uid) ++lost;
    }
    return lost;
}

inline void report(const std::string& scenario, clock_type::time_point fault_ended, std::size_t lost)
{
    double seconds = std::chrono::duration<double>(clock_type::now() - fault_ended).count();
    std::cout << fmt::format("chaos | {} | converged {:.1f} s after the fault ended | lost {}\n", scenario,
                             seconds, lost)
              << std::flush;
}

inline std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A copy of the apiserver's kubeconfig that reaches it through 127.0.0.1:<port> (a fault proxy);
// the serving certificate is for 127.0.0.1, so TLS verification still holds.
inline std::filesystem::path kubeconfig_via(test::local_cluster& c, std::uint16_t port)
{
    std::string text = read_text(c.apiserver().kubeconfig_path());
    std::string rewritten = std::regex_replace(text, std::regex(R"(https://127\.0\.0\.1:\d+)"),
                                               "https://127.0.0.1:" + std::to_string(port));
    REQUIRE(rewritten != text);
    auto path = c.dir() / fmt::format("kubeconfig-via-{}", port);
    std::ofstream(path) << rewritten;
    return path;
}

// A kustomize-controller started by the test (local_cluster's flags, its own kubeconfig and
// environment), for faults local_cluster does not inject.
inline std::unique_ptr<test::child_process> kustomize_controller(test::local_cluster& c, const char* binary,
                                                                 const std::filesystem::path& kubeconfig,
                                                                 std::vector<std::string> extra = {},
                                                                 std::map<std::string, std::string> env = {})
{
    std::vector<std::string> args{"--kubeconfig",  kubeconfig.string(), "--metrics-addr", "127.0.0.1:0",
                                  "--health-addr", "127.0.0.1:0",       "--log-level",    "debug",
                                  "--scratch-dir", c.dir().string()};
    args.insert(args.end(), extra.begin(), extra.end());
    env["RUNTIME_NAMESPACE"] = "default";
    auto child = std::make_unique<test::child_process>(binary, args, env);
    REQUIRE(child->start());
    return child;
}

// Prints a process's log when the test fails while it is in scope (local_cluster prints only the
// processes it started).
struct log_on_failure {
    const test::child_process& process;
    std::string name;
    ~log_on_failure()
    {
        if (std::uncaught_exceptions() > 0) std::cerr << "--- " << name << " log:\n" << process.log() << "\n";
    }
};

} // namespace weir::chaos
