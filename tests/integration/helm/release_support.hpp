// What the HelmRelease integration tests share: the cluster with the helm-controller, the test
// charts, the HelmRelease YAML, and a release-record decoder that shares no code with weir
// (base64 -d | base64 -d | gunzip, then JSON).
#pragma once

#include "chart_repo.hpp"
#include "support/local_cluster.hpp"

#include <weir/core/json.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <unistd.h>

namespace weir::test::hr {

namespace fs = std::filesystem;

inline const kube::gvk helm_release{"helm.toolkit.fluxcd.io", "v2", "HelmRelease"};
inline const kube::gvk helm_chart{"source.toolkit.fluxcd.io", "v1", "HelmChart"};
inline const kube::gvk config_map{"", "v1", "ConfigMap"};
inline const kube::gvk secret{"", "v1", "Secret"};

inline local_cluster_options with_helm(const fs::path& scratch, std::vector<std::string> extra_args = {})
{
    std::vector<std::string> args{"--scratch-dir", scratch.string()};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    return {.apiserver = WEIR_APISERVER_BIN,
            .source_controller = WEIR_SOURCE_CONTROLLER_BIN,
            .controllers = {{"helm-controller", WEIR_HELM_CONTROLLER_BIN, std::move(args)}}};
}

// A scratch directory for the controller, removed with the object.
struct scratch_dir {
    static fs::path default_path()
    {
        return fs::temp_directory_path() / fmt::format("weir-hr-scratch-{}", ::getpid());
    }
    fs::path path = default_path();
    ~scratch_dir() { fs::remove_all(path); }
};

// "app": a ConfigMap from values, an object of an unknown kind when `broken`, a post-install hook.
inline chart_version app_chart(const std::string& version)
{
    return {"app",
            version,
            {{"values.yaml", "greeting: hello\nreplicas: 1\nbroken: false\n"},
             {"templates/configmap.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-config\n"
              "data:\n  greeting: {{ .Values.greeting | quote }}\n"
              "  replicas: {{ .Values.replicas | quote }}\n"},
             {"templates/broken.yaml",
              "{{- if .Values.broken }}\napiVersion: example.invalid/v1\nkind: DoesNotExist\n"
              "metadata:\n  name: broken\n{{- end }}\n"},
             {"templates/hook.yaml",
              "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n"
              "  annotations:\n    helm.sh/hook: post-install,post-upgrade\n"
              "data:\n  revision: {{ .Release.Revision | quote }}\n"}}};
}

inline std::string release_yaml(const std::string& name, const std::string& extra,
                                const std::string& chart = "app")
{
    return fmt::format("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata: {{name: {}, "
                       "namespace: default}}\n"
                       "spec:\n  interval: 10m\n  chart:\n    spec: {{chart: {}, sourceRef: {{kind: "
                       "HelmRepository, name: charts}}}}\n{}",
                       name, chart, extra);
}

inline void setup_repository(local_cluster& c, chart_repo& repo)
{
    repo.add(app_chart("1.0.0"));
    c.apply_yaml(fmt::format("apiVersion: source.toolkit.fluxcd.io/v1\nkind: HelmRepository\nmetadata: "
                             "{{name: charts, namespace: default}}\n"
                             "spec: {{url: \"{}\", interval: 10m}}\n",
                             repo.url()));
}

// The release record of a Secret, decoded with tools that share no code with weir.
inline value decode_release(local_cluster& c, const value& s)
{
    fs::path in = c.dir() / "release.b64";
    std::ofstream(in) << s.find_path({"data", "release"})->as_string();
    std::string out;
    int rc = run_command(fmt::format("base64 -d {} | base64 -d | gunzip", in.string()), &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto doc = parse_json(out);
    REQUIRE(doc);
    return *doc;
}

inline std::string config_value(kube::client& client, const std::string& ns, const std::string& name,
                                const std::string& key)
{
    auto got = client.get(config_map, ns, name);
    return got ? string_at(*got, {"data", key}) : "";
}
inline std::string config_value(local_cluster& c, const std::string& ns, const std::string& name,
                                const std::string& key)
{
    return config_value(c.client(), ns, name, key);
}

// Ready with status.history[0] at release version `v`.
inline std::function<bool(const value&)> history_version_is(std::int64_t v)
{
    return [v](const value& o) {
        const value* h = o.find_path({"status", "history"});
        return h && h->is_array() && !h->as_array().empty() && h->as_array()[0].find("version") &&
               h->as_array()[0].find("version")->as_int() == v && condition_status(o, "Ready") == "True";
    };
}

inline std::function<bool(const value&)> stalled()
{
    return [](const value& o) { return condition_status(o, "Stalled") == "True"; };
}

inline void request_reconcile(local_cluster& c, const std::string& name, const std::string& token)
{
    REQUIRE(c.client().patch(
        helm_release, "default", name, kube::patch_type::merge,
        fmt::format(R"({{"metadata":{{"annotations":{{"reconcile.fluxcd.io/requestedAt":"{}"}}}}}})",
                    token)));
}

// Waits until the HelmRelease is gone (its finalizer done).
inline void wait_deleted(local_cluster& c, const std::string& name)
{
    wait_until([&] { return !c.client().get(helm_release, "default", name); },
               "HelmRelease default/" + name + " deleted", std::chrono::seconds(30));
}

} // namespace weir::test::hr
