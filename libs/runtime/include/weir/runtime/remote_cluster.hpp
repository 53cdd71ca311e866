// A client for another cluster, from a kubeconfig stored in a Secret (the `kubeConfig.secretRef`
// of Kustomizations and HelmReleases):
//
//   WEIR_TRY_ASSIGN(auto remote, runtime::remote_client(mgr.client(), "apps", {.secret_name =
//   "prod-kubeconfig"}));
//
// The kubeconfig must be self-contained: references to files on the controller's disk (a token
// file, client-key, certificate-authority paths) and exec/auth-provider plugins are refused, so a
// Secret cannot make the controller read its own credentials. A missing Secret is transient (it
// may be created soon); an unusable kubeconfig is terminal.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/client.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace weir::runtime {

struct kube_config_secret {
    std::string secret_name;
    std::string key; // empty: "value", then "value.yaml"
};

result<std::shared_ptr<kube::client>> remote_client(kube::client& local, std::string_view namespace_,
                                                    const kube_config_secret& ref);

// The client an object in `namespace_` acts through: the cluster of its kubeConfig (else `local`),
// impersonating its service account when one is named (serviceAccountName, or the controller's
// --default-service-account), as Kustomizations and HelmReleases do.
result<std::shared_ptr<kube::client>> client_for_object(const std::shared_ptr<kube::client>& local,
                                                        std::string_view namespace_,
                                                        const std::optional<kube_config_secret>& kube_config,
                                                        std::string_view service_account);

} // namespace weir::runtime
