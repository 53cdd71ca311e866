// From a rendered chart to the objects the controller applies: documents parsed, Flux's owner
// labels stamped (helm.toolkit.fluxcd.io/name and /namespace) and Helm's ownership metadata (label
// app.kubernetes.io/managed-by: Helm, annotations meta.helm.sh/release-name and -namespace, which
// the helm CLI checks before it touches an object), spec.postRenderers kustomize
// patches and images applied with the kustomize engine, and namespaced objects without a
// namespace put in the release namespace. Also the reverse: a stored release manifest to objects.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace weir::helm_controller {

struct post_render_request {
    std::string name, namespace_;          // the HelmRelease, for the owner labels
    std::string release_name;              // for Helm's ownership metadata
    std::string release_namespace;         // where namespaced objects without a namespace go
    const value* post_renderers = nullptr; // spec.postRenderers, or null
    const std::map<std::string, std::string>* common_labels = nullptr; // spec.commonMetadata
    const std::map<std::string, std::string>* common_annotations = nullptr;
    std::filesystem::path scratch; // a directory this call may use
};

// Parses "---"-separated manifests (Kubernetes' YAML 1.1 reading); empty documents are dropped.
result<std::vector<value>> parse_manifests(const std::vector<std::string>& texts);
// Post-renders, labels and namespaces `objects` in place.
status post_render(kube::client& client, std::vector<value>& objects, const post_render_request& req);
// The manifest text stored in a release: "---\n" + YAML per object.
std::string manifest_text(const std::vector<value>& objects);

} // namespace weir::helm_controller
