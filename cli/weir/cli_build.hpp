// Building a Kustomization from a local directory the way the kustomize-controller would build it
// from its source (shared by `weir build kustomization` and `weir diff kustomization`).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <filesystem>
#include <vector>

namespace weir::cli {

// `ks` is the live Kustomization; `dir` is the local copy of what its spec.path points at. Applies
// its targetNamespace, patches, images, post-build substitution (variables read from the cluster)
// and owner labels. SOPS-encrypted objects are left encrypted.
result<std::vector<value>> build_local(kube::client& c, const value& ks, const std::filesystem::path& dir);

} // namespace weir::cli
