// How to reach an ImageRepository's registry: credentials from its dockerconfigjson Secret, TLS
// from certSecretRef, a proxy from proxySecretRef, plain http when spec.insecure.
#pragma once

#include <weir/api/image_v1.hpp>
#include <weir/kube/client.hpp>
#include <weir/oci/client.hpp>
#include <weir/oci/reference.hpp>

#include <memory>

namespace weir::image {

struct registry_target {
    oci::image_name image;
    std::unique_ptr<oci::registry_client> client;
};

// Terminal (UnsupportedProvider) for spec.provider aws/gcp/azure: cloud logins cannot work here.
status check_provider(const api::image_v1::image_repository_spec& spec);
// Reads the Secrets the spec names (in `namespace_`); errors name the Secret and what is wrong.
result<registry_target> connect_registry(kube::client& kube, const std::string& namespace_,
                                         const api::image_v1::image_repository_spec& spec);

} // namespace weir::image
