// Helm release records in the storage namespace, read and written as the helm CLI does (Secrets
// sh.helm.release.v1.<name>.v<N>, see weir/helm/release.hpp), with history pruning and recovery of
// records a crash left pending.
#pragma once

#include <weir/core/result.hpp>
#include <weir/helm/release.hpp>
#include <weir/kube/client.hpp>

#include <optional>
#include <string>
#include <vector>

namespace weir::helm_controller {

class release_store {
public:
    release_store(kube::client& client, std::string storage_namespace, std::string release_name);

    // Every revision, oldest first.
    result<std::vector<helm::release>> history();
    result<std::optional<helm::release>> latest();
    // The newest revision whose status is deployed.
    result<std::optional<helm::release>> last_deployed();
    status create(const helm::release& r);
    status update(const helm::release& r);
    // Keeps the newest `max` revisions (0: all); the deployed one is never removed.
    status prune(int max);
    // Deletes every record of the release.
    status remove_all();

private:
    kube::client& client_;
    std::string namespace_, name_;
};

} // namespace weir::helm_controller
