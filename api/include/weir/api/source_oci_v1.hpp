// source.toolkit.fluxcd.io/v1 OCIRepository as a typed spec, Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, oci_repository_spec::from(obj));
//   spec.host; spec.repository;          // from "oci://host[:port]/repo"
//
// Every error is terminal (the object must change) and names the field ("spec.url: ...").
#pragma once

#include <weir/api/meta.hpp>

#include <optional>

namespace weir::api::source_v1 {

struct oci_reference {
    std::string tag = "latest";
    std::string semver;
    std::string semver_filter;
    std::string digest; // "sha256:<hex>", overrides tag and semver
};

struct oci_layer_selector {
    std::string media_type;          // empty: the first layer
    std::string operation = "extract"; // "extract" or "copy"
};

struct oci_repository_spec {
    std::string url;
    std::string host;       // "host[:port]" of url
    std::string repository; // path of url
    oci_reference ref;
    std::optional<oci_layer_selector> layer_selector;
    std::string provider = "generic";
    std::optional<local_object_reference> secret_ref;      // .dockerconfigjson
    std::optional<local_object_reference> cert_secret_ref; // ca.crt, tls.crt, tls.key
    bool insecure = false;
    bool verify = false; // spec.verify set (not supported)
    std::chrono::nanoseconds interval = std::chrono::minutes(1);
    std::chrono::nanoseconds timeout = std::chrono::seconds(60);
    std::optional<std::string> ignore;
    bool suspend = false;

    static result<oci_repository_spec> from(const value& object);
};

} // namespace weir::api::source_v1
