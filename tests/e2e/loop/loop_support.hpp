// What the end-to-end loop tests share: the binaries, manifests and waits. Header-only, one copy
// per test file.
#pragma once

#include "support/local_cluster.hpp"
#include "support/paths.hpp"

#include <weir/kube/errors.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace weir::test::loop {

using namespace std::chrono_literals;

inline const kube::gvk config_map{"", "v1", "ConfigMap"};

inline test::local_cluster_options binaries()
{
    return {WEIR_APISERVER_BIN, WEIR_SOURCE_CONTROLLER_BIN, WEIR_KUSTOMIZE_CONTROLLER_BIN};
}

inline std::string cm(const std::string& name, const std::string& data)
{
    return fmt::format("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {}\n  namespace: "
                       "default\ndata:\n  value: \"{}\"\n",
                       name, data);
}

inline std::string sync_manifests(const std::string& url, const std::string& extra_ks = "")
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec:
  url: {}
  interval: 10m
  ref: {{branch: main}}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {{name: apps, namespace: default}}
spec:
  interval: 10m
  path: ./deploy
  prune: true
  sourceRef: {{kind: GitRepository, name: fleet}}
{}
)",
                       url, extra_ks);
}

using test::applied;
using test::request_reconcile;

inline std::string data_of(test::local_cluster& c, const std::string& name)
{
    auto obj = c.client().get(config_map, "default", name);
    if (!obj) return "<" + obj.err().reason + ">";
    return test::string_at(*obj, {"data", "value"});
}

inline std::string fixture(const std::string& name)
{
    std::ifstream in(test::source_dir() / "tests/unit/sops/testdata/flux" / name);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The age key as a Secret's stringData entry, indented for the block scalar.
inline std::string age_key_secret()
{
    std::string key = fixture("age.txt"), indented;
    for (std::size_t start = 0; start < key.size();) {
        auto end = key.find('\n', start);
        if (end == std::string::npos) end = key.size();
        indented += "    " + key.substr(start, end - start) + "\n";
        start = end + 1;
    }
    return "apiVersion: v1\nkind: Secret\nmetadata: {name: sops-age, namespace: default}\nstringData:\n  "
           "age.agekey: |\n" +
           indented;
}

} // namespace weir::test::loop
