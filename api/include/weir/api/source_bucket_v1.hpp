// source.toolkit.fluxcd.io/v1 Bucket as a typed spec, Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, bucket_spec::from(obj));
//   spec.bucket_name; spec.endpoint; spec.provider;  // "generic" unless set
//
// Every error is terminal (the object must change) and names the field ("spec.provider: ...").
#pragma once

#include <weir/api/meta.hpp>

#include <optional>

namespace weir::api::source_v1 {

struct bucket_sts {
    std::string provider; // "aws" or "ldap"
    std::string endpoint;
};

struct bucket_spec {
    std::string bucket_name;
    std::string endpoint;             // host[:port]; a leading http:// or https:// is accepted and stripped
    std::string provider = "generic"; // generic | aws | gcp | azure
    std::string region;
    std::string prefix;
    bool insecure = false;                                  // plain http (also set by an http:// endpoint)
    std::optional<local_object_reference> secret_ref;       // accesskey, secretkey
    std::optional<local_object_reference> cert_secret_ref;  // ca.crt, tls.crt, tls.key
    std::optional<local_object_reference> proxy_secret_ref; // address, username, password
    std::optional<bucket_sts> sts;
    std::string service_account_name;
    std::chrono::nanoseconds interval = std::chrono::minutes(1);
    std::chrono::nanoseconds timeout = std::chrono::seconds(60);
    std::optional<std::string> ignore;
    bool suspend = false;

    static result<bucket_spec> from(const value& object);
};

} // namespace weir::api::source_v1
