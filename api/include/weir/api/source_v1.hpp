// source.toolkit.fluxcd.io/v1 kinds as typed specs, read from an object with Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, git_repository_spec::from(obj));   // obj: the whole GitRepository
//   if (spec.suspend) ...
//
// Every error is terminal (the object must change) and names the field: "spec.ref.semver: ...".
#pragma once

#include <weir/api/meta.hpp>

#include <optional>
#include <vector>

namespace weir::api::source_v1 {

inline constexpr std::string_view api_version = "source.toolkit.fluxcd.io/v1";

struct git_reference {
    std::string branch; // "master" when no ref is given at all, as Flux does
    std::string tag;
    std::string semver;
    std::string name;
    std::string commit;
};

struct git_include {
    std::string repository;
    std::string from_path;
    std::string to_path; // defaults to the repository name
};

struct git_repository_spec {
    std::string url;
    std::chrono::nanoseconds interval{};
    std::chrono::nanoseconds timeout = std::chrono::seconds(60);
    git_reference ref;
    std::optional<local_object_reference> secret_ref;
    std::optional<local_object_reference> proxy_secret_ref;
    std::string provider = "generic";
    std::optional<std::string> ignore;
    bool recurse_submodules = false;
    std::vector<git_include> include;
    std::vector<std::string> sparse_checkout;
    bool suspend = false;

    static result<git_repository_spec> from(const value& object);
};

} // namespace weir::api::source_v1
