// The whole of weir on one machine, as child processes of `weir dev up`: weir-apiserver, the
// controllers, and a Git repository holding the fleet to reconcile. Logs and state go to one
// directory (.weir by default); a pid file lets `weir dev down` stop an instance.
#pragma once

#include "dev_services.hpp"

#include <weir/core/result.hpp>
#include <weir/kube/client.hpp>
#include <weir/process/child.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::gitserve {
class http_server;
}

namespace weir::cli {

struct dev_options {
    std::filesystem::path dir = ".weir";
    std::filesystem::path repo = "manifests/examples"; // a Git repository, or a plain directory to commit
    std::string path = "./clusters/dev";               // what the root Kustomization applies
    std::chrono::seconds timeout{180};
};

class dev_env {
public:
    explicit dev_env(dev_options options);
    ~dev_env();

    // Starts everything and creates the root GitRepository and Kustomization ("flux-system").
    status up();
    // Prints the status table every `every` until every object it shows is Ready (returns
    // ok), the timeout passes (error), or `keep_going` returns false (ok).
    status watch(bool exit_when_ready, const std::function<bool()>& keep_going,
                 std::chrono::milliseconds every = std::chrono::seconds(2));
    void down();
    // Stops the processes listed in <dir>/pids (weir dev down).
    static status down_from_pid_file(const std::filesystem::path& dir);

private:
    status start_apiserver();
    status start_controllers();
    // The fleet repository, served by a Git server that accepts pushes (image automation commits
    // to it); returns its URL.
    result<std::string> serve_repository(std::string& branch);
    status start_registry();
    status apply_sync(const std::string& url, const std::string& branch);
    std::string status_table(bool& all_ready);
    process::child& spawn(const std::string& name, std::vector<std::string> args);
    process::child& spawn_peer(const std::string& name, const std::filesystem::path& binary,
                               std::vector<std::string> args, std::map<std::string, std::string> env = {});

    dev_options options_;
    std::filesystem::path bin_dir_;
    std::vector<std::unique_ptr<process::child>> children_;
    std::shared_ptr<kube::client> client_;
    std::string registry_host_; // empty when docker-registry is not installed
    std::unique_ptr<dev_http_server> http_; // alerts and the chart repository
    std::unique_ptr<gitserve::http_server> git_;
};

} // namespace weir::cli
