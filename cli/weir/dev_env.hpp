// The whole of weir on one machine, as child processes of `weir dev up`: weir-apiserver, the
// controllers, and a Git repository holding the fleet to reconcile. Logs and state go to one
// directory (.weir by default); a pid file lets `weir dev down` stop an instance.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/client.hpp>
#include <weir/process/child.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

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
    // Prints the status table every `every` until all sources and Kustomizations are Ready (returns
    // ok), the timeout passes (error), or `keep_going` returns false (ok).
    status watch(bool exit_when_ready, const std::function<bool()>& keep_going,
                 std::chrono::milliseconds every = std::chrono::seconds(2));
    void down();
    // Stops the processes listed in <dir>/pids (weir dev down).
    static status down_from_pid_file(const std::filesystem::path& dir);

private:
    status start_apiserver();
    status start_controllers();
    result<std::string> repository_url(std::string& branch);
    status apply_sync(const std::string& url, const std::string& branch);
    std::string status_table(bool& all_ready);
    process::child& spawn(const std::string& name, std::vector<std::string> args);

    dev_options options_;
    std::filesystem::path bin_dir_;
    std::vector<std::unique_ptr<process::child>> children_;
    std::shared_ptr<kube::client> client_;
};

} // namespace weir::cli
