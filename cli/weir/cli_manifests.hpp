// The install manifests: config/ as embedded in the binary at build time, rendered for a chosen
// set of components and namespace. The one table of components lives here.
//
//   WEIR_TRY_ASSIGN(auto objs, cli::render_install({.components = cli::default_components()}));
//   std::cout << cli::components_yaml(objs, opts);        // gotk-components.yaml text
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace weir::cli {

struct component {
    std::string name;                // "source-controller": config/<name>/, the binary, the Deployment
    std::vector<std::string> groups; // API groups whose CRDs it serves
    bool default_on;                 // in the default set (Flux's four), else only via --components-extra
    std::string health_port_name;    // reserved for the future; all use "healthz"
};

const std::vector<component>& components();
std::vector<std::string> default_components();
const component* find_component(std::string_view name);

struct install_options {
    std::vector<std::string> components; // names from components()
    std::string namespace_ = "flux-system";
    std::string registry;             // replaces "ghcr.io/weir" in the images when set
    bool network_policy = true;       // false: leave config/policies out
    bool watch_all_namespaces = true; // false: controllers watch only their own namespace
};

// Checks names, resolves --components and --components-extra into one list.
result<std::vector<std::string>> select_components(const std::vector<std::string>& components,
                                                   const std::vector<std::string>& extra);

// Builds config/ from the embedded copy with the kustomize engine: the Namespace, the CRDs of the
// selected components, their bases and the network policies, in the requested namespace.
result<std::vector<value>> render_install(const install_options& options);
// Every embedded CRD (for dev up and uninstall).
result<std::vector<value>> embedded_crds_objects();

// The gotk-components.yaml text: a header like flux's, then the objects.
std::string components_yaml(const std::vector<value>& objects, const install_options& options);

// Writes the embedded config/ into `dir` (config/<...> layout), with crd/kustomization.yaml listing
// every embedded CRD.
status write_embedded_config(const std::filesystem::path& dir);

} // namespace weir::cli

namespace weir::kube {
class client;
}

namespace weir::cli {

// Server-side applies the install objects (CRDs and the Namespace first) as field manager "weir",
// printing each change, then waits for the components' Deployments to be ready. weir-apiserver
// runs no pods: there the controllers are the processes `weir dev up` started, so the wait is
// skipped with a line saying so.
status apply_install(const std::shared_ptr<kube::client>& client, const std::vector<value>& objects,
                     const install_options& options, std::chrono::milliseconds timeout);

} // namespace weir::cli

namespace weir::cli {

// Under `weir dev up` the controllers are local processes: dev up writes "<name> <host:port>" lines
// for their health endpoints to <dir>/controllers, next to <dir>/kubeconfig. Given the kubeconfig a
// command was started with, returns those endpoints (empty when it is not a dev up kubeconfig).
std::vector<std::pair<std::string, std::string>> dev_health_endpoints(const std::string& kubeconfig_source);
// GET http://<address>/readyz answers 200.
bool health_ready(const std::string& address);

} // namespace weir::cli
