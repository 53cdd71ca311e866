// Image names as registries and Flux read them: "alpine" is docker.io/library/alpine, whose API
// lives at registry-1.docker.io; "ghcr.io/org/app" is host ghcr.io, repository org/app;
// "localhost:5000/app" names a registry by host and port.
//
//   WEIR_TRY_ASSIGN(auto img, oci::parse_image_name("ghcr.io/org/app"));
//   img.registry == "ghcr.io"; img.repository == "org/app"; img.canonical() == "ghcr.io/org/app"
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>

namespace weir::oci {

inline constexpr std::string_view docker_hub = "docker.io";

struct image_name {
    std::string registry;   // "docker.io", "ghcr.io", "127.0.0.1:5000"
    std::string repository; // "library/alpine", "org/app"

    // "<registry>/<repository>", Flux's status.canonicalImageName.
    std::string canonical() const { return registry + "/" + repository; }
    // The host the registry API answers on (Docker Hub's differs from its name).
    std::string api_host() const;
};

// Parses an image name without tag or digest (a tag or digest is a terminal error: ImageRepository
// spec.image must name the repository only). A scheme prefix is refused too.
result<image_name> parse_image_name(std::string_view text);

// Splits "name:tag@digest" (either part optional) into its parts; the name part keeps a registry
// port ("localhost:5000/app:1.0" -> name "localhost:5000/app", tag "1.0").
struct image_ref_parts {
    std::string name, tag, digest;
};
image_ref_parts split_image_ref(std::string_view ref);

} // namespace weir::oci
