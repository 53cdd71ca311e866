// helm.toolkit.fluxcd.io/v2 HelmRelease as a typed spec, read from an object with Flux's defaults.
//
//   WEIR_TRY_ASSIGN(auto spec, helm_release_spec::from(obj));
// Every error is terminal (the object must change) and names the field.
#pragma once

#include <weir/api/meta.hpp>

#include <map>
#include <optional>
#include <vector>

namespace weir::api::helm_v2 {

inline constexpr std::string_view api_version = "helm.toolkit.fluxcd.io/v2";

// spec.chart.spec: the template of the HelmChart the controller creates.
struct chart_template {
    std::string chart;
    std::string version = "*";
    cross_namespace_reference source_ref; // namespace defaults to the HelmRelease's
    std::optional<std::chrono::nanoseconds> interval;
    std::string reconcile_strategy = "ChartVersion";
    std::vector<std::string> values_files;
    bool ignore_missing_values_files = false;
    value metadata; // spec.chart.metadata {labels, annotations}, or null
};

struct values_reference {
    std::string kind; // Secret or ConfigMap
    std::string name;
    std::string values_key = "values.yaml";
    std::string target_path;
    bool optional = false;
    bool literal = false; // targetPath value taken as is (--set-literal)
};

struct remediation {
    int retries = 0; // < 0: infinite
    bool ignore_test_failures = false;
    std::optional<bool> remediate_last_failure;
    std::string strategy = "rollback"; // upgrade only: rollback or uninstall
    // Flux's defaults: install false; upgrade true iff retries > 0.
    bool must_remediate_last_failure(bool upgrade) const
    {
        if (remediate_last_failure) return *remediate_last_failure;
        return upgrade && retries != 0;
    }
    bool retries_exhausted(int failures) const { return retries >= 0 && failures > retries; }
};

struct action_options {
    std::optional<std::chrono::nanoseconds> timeout;
    bool disable_hooks = false;
    bool disable_wait = false;
    bool disable_wait_for_jobs = false;
    bool create_namespace = false; // install only
    bool force = false;
    bool cleanup_on_fail = false;
    bool keep_history = false;                       // uninstall only
    std::string deletion_propagation = "background"; // uninstall only: background, foreground, orphan
    std::string crds;                                // install: Create, upgrade: Skip
    bool replace = false;                            // install: reuse a failed/uninstalled release's name
    bool preserve_values = false;                    // upgrade: the last release's values under the new ones
    bool recreate = false;                           // rollback: restart the pods of the rolled-back objects
    bool disable_open_api_validation = false;        // install/upgrade: objects not validated by the server
    bool disable_schema_validation = false;          // install/upgrade: values.schema.json not checked
    remediation remediate;
};

struct drift_ignore_rule {
    std::vector<std::string> paths; // JSON pointers
    value target; // selector {group, version, kind, name, namespace, labelSelector...}, or null
};

struct helm_release_spec {
    std::optional<chart_template> chart;
    std::optional<cross_namespace_reference> chart_ref;
    std::chrono::nanoseconds interval{};
    std::string release_name;      // as written; empty: the controller derives it (release_name_for)
    std::string target_namespace;  // as written; empty: the HelmRelease's namespace
    std::string storage_namespace; // as written; empty: the HelmRelease's namespace
    std::chrono::nanoseconds timeout = std::chrono::minutes(5);
    int max_history = 5;
    std::string service_account_name;
    std::optional<kube_config_reference> kube_config; // a remote cluster: objects and records go there
    std::map<std::string, std::string> common_labels, common_annotations; // spec.commonMetadata
    std::vector<cross_namespace_reference> depends_on; // HelmReleases
    value values;                                      // inline values (object or null)
    std::vector<values_reference> values_from;
    action_options install, upgrade, rollback, uninstall;
    bool test_enable = false;
    bool test_ignore_failures = false;
    std::string drift_mode = "disabled"; // enabled, warn, disabled
    std::vector<drift_ignore_rule> drift_ignore;
    value post_renderers; // the list as written, or null
    bool suspend = false;

    static result<helm_release_spec> from(const value& object);
};

} // namespace weir::api::helm_v2
