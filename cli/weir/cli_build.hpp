// Building a Kustomization from a local directory the way the kustomize-controller would build it
// from its source (shared by `weir build kustomization` and `weir diff kustomization`).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <filesystem>
#include <memory>
#include <string_view>
#include <vector>

namespace weir::cli {

// `ks` is the live Kustomization; `dir` is the local copy of what its spec.path points at. Applies
// its targetNamespace, patches, images, post-build substitution (variables read from the cluster)
// and owner labels. SOPS-encrypted objects are left encrypted.
result<std::vector<value>> build_local(kube::client& c, const value& ks, const std::filesystem::path& dir);

struct parsed_args;
// `weir <verb> kustomization NAME --path DIR`: connects, reads the named Kustomization and builds
// DIR as it would. An error's message is the one line to print.
struct named_build {
    std::shared_ptr<kube::client> client;
    value kustomization; // the live object
    std::vector<value> objects;
};
result<named_build> build_named(const parsed_args& f, std::string_view verb);

} // namespace weir::cli
