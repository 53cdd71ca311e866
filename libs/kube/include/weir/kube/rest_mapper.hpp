// Kind <-> resource mapping from the API server's discovery documents (/api/v1, /apis/<g>/<v>).
//
//   WEIR_TRY_ASSIGN(auto m, client.mapper().mapping_for({"apps", "v1", "Deployment"}));
//   m.resource == "deployments"; m.namespaced == true
//
// Mappings are cached per group/version. A kind that is not cached triggers a fresh discovery of
// its group/version, so a CustomResourceDefinition created after start-up is found on first use.
// Thread-safe.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/types.hpp>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace weir::kube {

class rest_mapper {
public:
    // Fetches a discovery document by path; returns its JSON (the client passes its own GET).
    using fetch_fn = std::function<result<weir::value>(std::string_view path)>;
    explicit rest_mapper(fetch_fn fetch) : fetch_(std::move(fetch)) {}

    result<resource_mapping> mapping_for(const gvk& kind);
    // Resource name -> kind within a group/version ("configmaps" -> ConfigMap).
    result<resource_mapping> mapping_for_resource(std::string_view group, std::string_view version,
                                                  std::string_view resource);
    // Registers a mapping by hand (tests, or servers without discovery).
    void add(resource_mapping m);
    // Forgets what was learned; the next lookups rediscover.
    void reset();
    // Every API group the server lists (GET /apis), with its versions.
    result<std::vector<std::string>> group_versions();

private:
    status discover(const std::string& group, const std::string& version);
    fetch_fn fetch_;
    std::mutex mutex_;
    std::map<std::string, std::vector<resource_mapping>> by_group_version_; // "g/v" -> mappings
};

} // namespace weir::kube
