// Building a Flux Kustomization: the steps between an extracted source artifact and the objects to
// apply, shared by the kustomize-controller and `weir build kustomization`.
//
//   kustomization::build_request req{.root = artifact_dir, .spec = spec, .name = "apps",
//                                    .namespace_ = "flux-system"};
//   WEIR_TRY_ASSIGN(auto objects, kustomization::build(req));
//
// 1. resolve spec.path inside the artifact (never outside it);
// 2. generate a kustomization.yaml when the directory has none, from the manifests below it;
// 3. overlay the spec's targetNamespace, namePrefix/nameSuffix, patches, images and components;
// 4. run the kustomize engine; 5. check every object has apiVersion, kind and a name;
// 6. post-build: the caller's transform (decryption, substitution) per object, then owner labels
//    and spec.commonMetadata.
// Steps 2-3 happen in memory: the artifact directory is only read, so many builds may share one
// extraction (artifact::extracted_cache).
#pragma once

#include <weir/api/kustomize_v1.hpp>
#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <filesystem>
#include <functional>
#include <vector>

namespace weir::kustomization {

struct build_request {
    std::filesystem::path root; // the extracted artifact
    const api::kustomize_v1::kustomization_spec& spec;
    std::string name;       // the Kustomization's name and namespace, for owner labels
    std::string namespace_;
    // Runs on each built object before labels are stamped (SOPS decryption, variable substitution).
    std::function<status(value&)> post_build;
    // Runs on each file a secretGenerator reads, in memory (SOPS decryption of generator sources).
    kustomize::source_filter secret_source_filter;
};

result<std::vector<value>> build(const build_request& request);

// The kustomization of `dir`: its file, or the one Flux generates when there is none, listing the
// manifests below `dir` (files with apiVersion and kind; a subdirectory with its own kustomization
// is listed as a directory).
result<std::string> kustomization_text(const std::filesystem::path& dir);
// Writes the generated kustomization to <dir>/kustomization.yaml; no-op when one exists.
status generate_kustomization(const std::filesystem::path& dir);

// The labels Flux stamps on every applied object.
std::vector<std::pair<std::string, std::string>> owner_labels(std::string_view name, std::string_view namespace_);

} // namespace weir::kustomization
