// image.toolkit.fluxcd.io/v1 kinds (ImageRepository, ImagePolicy, ImageUpdateAutomation) as typed
// specs read from an object with Flux's defaults applied.
//
//   WEIR_TRY_ASSIGN(auto spec, image_v1::image_policy_spec::from(obj));
//
// Every error is terminal (the object must change) and names the field: "spec.policy: ...".
#pragma once

#include <weir/api/meta.hpp>
#include <weir/api/source_v1.hpp>

#include <optional>
#include <vector>

namespace weir::api::image_v1 {

inline constexpr std::string_view api_version = "image.toolkit.fluxcd.io/v1";
// Flux's default exclusionList: cosign signature tags.
inline constexpr std::string_view default_exclusion = "^.*\\.sig$";

struct image_repository_spec {
    std::string image;
    std::chrono::nanoseconds interval{};
    std::chrono::nanoseconds timeout{}; // defaults to the interval (at least 1s)
    std::optional<local_object_reference> secret_ref;
    std::string service_account_name;
    std::optional<local_object_reference> cert_secret_ref;
    std::optional<local_object_reference> proxy_secret_ref;
    std::string provider = "generic";
    std::vector<std::string> exclusion_list{std::string(default_exclusion)};
    bool insecure = false;
    bool suspend = false;
    bool has_access_from = false; // spec.accessFrom present

    static result<image_repository_spec> from(const value& object);
};

struct image_ref {
    std::string name, tag, digest;
    value to_value() const;
    static std::optional<image_ref> from(const value* v);
    bool operator==(const image_ref&) const = default;
};

enum class policy_kind : std::uint8_t { semver, alphabetical, numerical };

struct image_policy_spec {
    cross_namespace_reference image_repository_ref; // kind ImageRepository
    policy_kind kind = policy_kind::semver;
    std::string semver_range;
    bool ascending = true; // order: asc (default) or desc
    std::string filter_pattern;
    std::string filter_extract;
    std::string digest_reflection_policy = "Never"; // Never | IfNotPresent | Always
    std::optional<std::chrono::nanoseconds> interval;
    bool suspend = false;

    static result<image_policy_spec> from(const value& object);
};

struct image_update_automation_spec {
    cross_namespace_reference source_ref; // kind GitRepository
    std::chrono::nanoseconds interval{};
    std::optional<source_v1::git_reference> checkout_ref;
    std::string author_name;
    std::string author_email;
    std::string message_template; // empty: Flux's default message
    std::map<std::string, std::string> message_template_values;
    std::string signing_secret; // signingKey.secretRef.name; empty: unsigned commits
    std::string signing_type = "gpg"; // signingKey.type: gpg | ssh
    std::string push_branch;
    std::string push_refspec;
    std::map<std::string, std::string> push_options;
    std::string update_strategy = "Setters";
    std::string update_path; // empty: the repository root
    std::optional<value> policy_selector; // a metav1.LabelSelector
    bool suspend = false;

    static result<image_update_automation_spec> from(const value& object);
};

inline constexpr std::string_view default_commit_message = "Update from image update automation";

} // namespace weir::api::image_v1
