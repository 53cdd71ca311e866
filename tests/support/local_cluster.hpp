// The whole loop on loopback for end-to-end tests: a real weir-apiserver with weir's CRDs
// installed, the real controller binaries, and Git repositories made with the git CLI.
//
//   test::local_cluster c({.source_controller = SRC_BIN, .kustomize_controller = KS_BIN});
//   auto repo = c.make_repo("fleet", {{"deploy/cm.yaml", "..."}});
//   c.apply_yaml("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository ...");
//   auto ks = c.wait_for(kustomization, "default", "apps", test::ready_is("True"));
//
// Everything lives in one temporary directory removed at the end; processes are stopped by PID.
#pragma once

#include "apiserver_process.hpp"
#include "child_process.hpp"

#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::test {

// Another controller binary to run against the cluster with the common flags (kubeconfig, metrics
// and health on free ports, debug logs) plus `args`. `source_url` in args is replaced by the
// source-controller's artifact address.
struct extra_controller {
    std::string name;
    std::filesystem::path binary;
    std::vector<std::string> args;
};

struct local_cluster_options {
    std::filesystem::path apiserver; // binary paths; empty: not started
    std::filesystem::path source_controller;
    std::filesystem::path kustomize_controller;
    std::vector<extra_controller> controllers; // helm, image, notification, ...
    std::vector<std::string> apiserver_args;   // e.g. {"--authorization", "rbac"}
};

inline const kube::gvk git_repository_kind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
inline const kube::gvk kustomization_kind{"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"};

class local_cluster {
public:
    explicit local_cluster(local_cluster_options options);
    ~local_cluster();

    kube::client& client() { return *client_; }
    const std::filesystem::path& dir() const { return dir_; }
    apiserver_process& apiserver() { return api_; }

    // A non-bare repository with these files committed on branch main.
    std::filesystem::path make_repo(const std::string& name, const std::map<std::string, std::string>& files);
    // Writes (or, with an empty text, deletes) files and commits them; returns the new HEAD.
    std::string commit(const std::filesystem::path& repo, const std::map<std::string, std::string>& files,
                       const std::string& message = "change");
    std::string head(const std::filesystem::path& repo);

    // Server-side applies every document (field manager "e2e").
    void apply_yaml(const std::string& yaml);
    // Polls (every 100 ms) until pred(object) holds; on timeout fails the test with the object and
    // the controllers' logs.
    value wait_for(const kube::gvk& kind, const std::string& ns, const std::string& name,
                   const std::function<bool(const value&)>& pred,
                   std::chrono::seconds limit = std::chrono::seconds(30));
    std::string controller_logs() const;
    // The running process of an extra controller by name (to kill or restart it in a test).
    child_process& controller(const std::string& name);
    child_process& source_controller() { return *source_; }
    child_process& kustomize_controller() { return *kustomize_; }
    // The source-controller's artifact server address (host:port), empty when not started.
    const std::string& storage_address() const { return storage_address_; }

private:
    local_cluster_options options_;
    std::filesystem::path dir_;
    apiserver_process api_;
    std::shared_ptr<kube::client> client_;
    std::unique_ptr<child_process> source_, kustomize_;
    std::map<std::string, std::unique_ptr<child_process>> extra_;
    std::string storage_address_;
};

// Condition helpers for wait_for.
std::string condition_status(const value& obj, std::string_view type);
std::string condition_message(const value& obj, std::string_view type);
std::string condition_reason(const value& obj, std::string_view type);
std::function<bool(const value&)> ready_is(std::string status);
std::string string_at(const value& obj, std::initializer_list<std::string_view> path);
// Sets reconcile.fluxcd.io/requestedAt on default/<name>, as `weir reconcile` does.
void request_reconcile(local_cluster& c, const kube::gvk& kind, const std::string& name,
                       const std::string& token);
// A Kustomization has applied main@sha1:<sha> and is Ready.
std::function<bool(const value&)> applied(const std::string& sha);
// Polls (every 100 ms) until `done` holds; on timeout fails the test naming `what`.
void wait_until(const std::function<bool()>& done, const std::string& what,
                std::chrono::seconds limit = std::chrono::seconds(30));

} // namespace weir::test
