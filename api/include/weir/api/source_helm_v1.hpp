// source.toolkit.fluxcd.io/v1 HelmRepository and HelmChart as typed specs, Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, helm_repository_spec::from(obj));
//   if (spec.type == "oci") ...                       // static: no index, no artifact
//
// Every error is terminal (the object must change) and names the field ("spec.url: ...").
#pragma once

#include <weir/api/meta.hpp>

#include <optional>
#include <vector>

namespace weir::api::source_v1 {

struct helm_repository_spec {
    std::string url;
    std::string type = "default"; // "default" (HTTP index.yaml) or "oci"
    std::chrono::nanoseconds interval = std::chrono::minutes(1);
    std::chrono::nanoseconds timeout = std::chrono::minutes(1);
    std::optional<local_object_reference> secret_ref;      // username, password
    std::optional<local_object_reference> cert_secret_ref; // tls.crt, tls.key, ca.crt
    bool pass_credentials = false;
    bool insecure = false;
    std::string provider = "generic";
    bool suspend = false;

    static result<helm_repository_spec> from(const value& object);
};

struct helm_chart_source_ref {
    std::string api_version;
    std::string kind; // HelmRepository, GitRepository or Bucket
    std::string name;
};

struct helm_chart_spec {
    std::string chart;         // a name in a HelmRepository, a path in a GitRepository/Bucket
    std::string version = "*"; // semver range; ignored for Git/Bucket
    helm_chart_source_ref source_ref;
    std::chrono::nanoseconds interval{};
    std::string reconcile_strategy = "ChartVersion"; // or "Revision"
    std::vector<std::string> values_files;
    bool ignore_missing_values_files = false;
    bool suspend = false;

    static result<helm_chart_spec> from(const value& object);
};

} // namespace weir::api::source_v1
