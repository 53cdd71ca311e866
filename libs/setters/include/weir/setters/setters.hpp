// Image policy setters: the "Setters" update strategy of Flux's ImageUpdateAutomation. A YAML
// scalar whose line ends with a marker comment gets the current value of the named ImagePolicy:
//
//   image: ghcr.io/org/app:1.0.0 # {"$imagepolicy": "apps:app"}        -> name:tag[@digest]
//   tag: 1.0.0                   # {"$imagepolicy": "apps:app:tag"}    -> tag only
//   repository: ghcr.io/org/app  # {"$imagepolicy": "apps:app:name"}   -> image name only
//   digest: sha256:...           # {"$imagepolicy": "apps:app:digest"} -> digest only
//
// Only the bytes of that scalar change; comments, quoting style, indentation, key order, anchors
// and every other document of the file stay byte for byte. The marker may follow the scalar
// directly or after flow indicators (`[a, b] # marker` sets b). Files without the token
// "$imagepolicy" are not parsed at all; a file that is not valid YAML is skipped and reported.
//
//   setters::policy_map p{{"apps:app", {.name = "ghcr.io/org/app", .tag = "1.2.0"}}};
//   auto u = setters::update_text(text, p);             // pure
//   WEIR_TRY_ASSIGN(auto t, setters::update_tree(checkout, "./clusters", p));   // files in place
#pragma once

#include <weir/core/result.hpp>

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace weir::setters {

struct image_ref {
    std::string name; // "ghcr.io/org/app"
    std::string tag;
    std::string digest; // "sha256:..." or empty
    // "name:tag", plus "@digest" when there is one (Flux's ImageRef.String()).
    std::string str() const;
};

// Key: "<namespace>:<policy name>", as the marker spells it.
using policy_map = std::map<std::string, image_ref, std::less<>>;

// The Kubernetes object (document) a change happened in; empty fields when the document has none.
struct object_id {
    std::string name, namespace_, api_version, kind;
    bool operator<(const object_id& o) const;
    bool operator==(const object_id& o) const = default;
};

struct change {
    std::string file; // relative to the tree root, '/'-separated
    object_id object;
    std::string old_value, new_value;
    std::string setter; // the marker's value, e.g. "apps:app:tag"
};

struct file_update {
    std::string text;            // the new text (equal to the input when nothing changed)
    std::vector<change> changes; // in file order; `file` left empty
    std::string skipped;         // why the file was not updated (not YAML), or empty
};

// Applies every marker of one YAML stream. Markers naming a policy not in `policies`, or a
// field the policy has no value for (":digest" without a digest), are left alone.
file_update update_text(std::string_view text, const policy_map& policies);

struct tree_update {
    std::vector<change> changes;           // in path order
    std::vector<std::string> files_changed; // relative paths
    std::vector<std::string> skipped;       // "path: why"
    std::size_t files_scanned = 0;          // files with the marker token
};

// Updates every .yaml/.yml file (and files named Kustomization) under root/sub_path in place,
// in path order; `.git` is skipped. sub_path must stay inside root (terminal InvalidPath error).
result<tree_update> update_tree(const std::filesystem::path& root, std::string_view sub_path,
                                const policy_map& policies);

} // namespace weir::setters
