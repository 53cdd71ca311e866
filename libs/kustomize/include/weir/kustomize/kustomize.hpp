// The kustomize build engine: a kustomization directory in, Kubernetes objects out, behaving like
// kustomize v5.5 (`kubectl kustomize DIR` of kubectl 1.32) for everything that needs no network,
// no exec/KRM plugins and no Helm.
//
//   WEIR_TRY_ASSIGN(auto objects, kustomize::build("clusters/prod"));
//   std::cout << weir::to_yaml_stream(objects);
//
// Pure: it reads files below the given directory (and the bases it names) and nothing else.
// Errors are terminal (reason "BuildFailed") and name the kustomization file or resource at fault.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::kustomize {

// Sees every file a secretGenerator reads (`envs`, `env`, `files`) between disk and the Secret;
// the kustomize-controller decrypts SOPS-encrypted sources here, so their plaintext exists only
// in memory. `path` is as written in the kustomization.
using source_filter = std::function<result<std::string>(std::string_view path, std::string text)>;

struct build_options {
    // kustomize's --load-restrictor LoadRestrictionsNone: allow files outside a kustomization's root.
    bool allow_files_outside_root = false;
    source_filter secret_source_filter;
    // The text of the top directory's kustomization file, read instead of the file on disk (which
    // may then be absent): Flux's generated and spec-overlaid kustomization, so that a build only
    // reads the source tree and can share one extraction with other builds.
    std::optional<std::string> root_kustomization;
};

// Builds the kustomization in `dir` and returns its objects in kustomize's output order.
result<std::vector<value>> build(const std::filesystem::path& dir, const build_options& options = {});

} // namespace weir::kustomize
