// The objects every image automation test starts from: the fleet GitRepository, the app
// ImageRepository (plain http registry) and the app ImagePolicy (a semver range), in "default".
#pragma once

#include <fmt/format.h>

#include <string>

namespace weir::test {

inline std::string source_and_policy_yaml(const std::string& git_url, const std::string& image,
                                          const std::string& range, const std::string& interval)
{
    return fmt::format(R"(apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {{name: fleet, namespace: default}}
spec: {{url: "{0}", interval: {3}, ref: {{branch: main}}}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImageRepository
metadata: {{name: app, namespace: default}}
spec: {{image: "{1}", interval: {3}, insecure: true}}
---
apiVersion: image.toolkit.fluxcd.io/v1
kind: ImagePolicy
metadata: {{name: app, namespace: default}}
spec: {{imageRepositoryRef: {{name: app}}, policy: {{semver: {{range: "{2}"}}}}}}
---
)",
                       git_url, image, range, interval);
}

} // namespace weir::test
