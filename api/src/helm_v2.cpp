#include "fields.hpp"

#include <weir/api/helm_v2.hpp>

#include <fmt/format.h>

namespace weir::api::helm_v2 {

using namespace detail;

namespace {

result<int> optional_int(const value& parent, std::string_view key, std::string_view path, int fallback)
{
    const value* v = parent.find(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_int()) return invalid_field(path, fmt::format("must be an integer, not {}", v->type_name()));
    return static_cast<int>(v->as_int());
}

result<cross_namespace_reference> read_reference(const value& r, std::string_view path)
{
    if (!r.is_object()) return invalid_field(path, "must be an object");
    cross_namespace_reference ref;
    WEIR_TRY_ASSIGN(ref.name, required_string(r, "name", fmt::format("{}.name", path)));
    WEIR_TRY_ASSIGN(auto kind, optional_string(r, "kind", fmt::format("{}.kind", path)));
    WEIR_TRY_ASSIGN(auto ns, optional_string(r, "namespace", fmt::format("{}.namespace", path)));
    WEIR_TRY_ASSIGN(auto av, optional_string(r, "apiVersion", fmt::format("{}.apiVersion", path)));
    ref.kind = kind.value_or("");
    ref.namespace_ = ns.value_or("");
    ref.api_version = av.value_or("");
    return ref;
}

result<std::optional<chart_template>> read_chart(const value& spec, std::string_view hr_namespace)
{
    const value* c = spec.find("chart");
    if (!c || c->is_null()) return std::optional<chart_template>{};
    const value* s = c->find("spec");
    if (!s || !s->is_object()) return invalid_field("spec.chart.spec", "is required");
    chart_template t;
    WEIR_TRY_ASSIGN(t.chart, required_string(*s, "chart", "spec.chart.spec.chart"));
    WEIR_TRY_ASSIGN(auto version, optional_string(*s, "version", "spec.chart.spec.version"));
    if (version && !version->empty()) t.version = *version;
    const value* ref = s->find("sourceRef");
    if (!ref) return invalid_field("spec.chart.spec.sourceRef", "is required");
    WEIR_TRY_ASSIGN(t.source_ref, read_reference(*ref, "spec.chart.spec.sourceRef"));
    const auto& kind = t.source_ref.kind;
    if (kind != "HelmRepository" && kind != "GitRepository" && kind != "Bucket")
        return invalid_field("spec.chart.spec.sourceRef.kind",
                             fmt::format("\"{}\" must be HelmRepository, GitRepository or Bucket", kind));
    if (t.source_ref.namespace_.empty()) t.source_ref.namespace_ = std::string(hr_namespace);
    WEIR_TRY_ASSIGN(t.interval, optional_duration(*s, "interval", "spec.chart.spec.interval"));
    WEIR_TRY_ASSIGN(auto strategy,
                    optional_string(*s, "reconcileStrategy", "spec.chart.spec.reconcileStrategy"));
    if (strategy && !strategy->empty()) t.reconcile_strategy = *strategy;
    WEIR_TRY_ASSIGN(t.values_files, string_list(*s, "valuesFiles", "spec.chart.spec.valuesFiles"));
    WEIR_TRY_ASSIGN(
        t.ignore_missing_values_files,
        optional_bool(*s, "ignoreMissingValuesFiles", "spec.chart.spec.ignoreMissingValuesFiles", false));
    if (const value* m = c->find("metadata")) t.metadata = *m;
    return std::optional<chart_template>{std::move(t)};
}

result<std::vector<values_reference>> read_values_from(const value& spec)
{
    std::vector<values_reference> out;
    const value* list = spec.find("valuesFrom");
    if (!list || list->is_null()) return out;
    if (!list->is_array()) return invalid_field("spec.valuesFrom", "must be a list");
    for (std::size_t i = 0; i < list->as_array().size(); ++i) {
        const value& item = list->as_array()[i];
        std::string path = fmt::format("spec.valuesFrom[{}]", i);
        values_reference r;
        WEIR_TRY_ASSIGN(r.kind, required_string(item, "kind", path + ".kind"));
        if (r.kind != "Secret" && r.kind != "ConfigMap")
            return invalid_field(path + ".kind", fmt::format("\"{}\" must be Secret or ConfigMap", r.kind));
        WEIR_TRY_ASSIGN(r.name, required_string(item, "name", path + ".name"));
        WEIR_TRY_ASSIGN(auto key, optional_string(item, "valuesKey", path + ".valuesKey"));
        if (key && !key->empty()) r.values_key = *key;
        WEIR_TRY_ASSIGN(auto target, optional_string(item, "targetPath", path + ".targetPath"));
        r.target_path = target.value_or("");
        WEIR_TRY_ASSIGN(r.optional, optional_bool(item, "optional", path + ".optional", false));
        WEIR_TRY_ASSIGN(r.literal, optional_bool(item, "literal", path + ".literal", false));
        out.push_back(std::move(r));
    }
    return out;
}

result<action_options> read_action(const value& spec, std::string_view key, bool upgrade)
{
    action_options a;
    const value* o = spec.find(key);
    if (!o || o->is_null()) return a;
    std::string p = fmt::format("spec.{}", key);
    WEIR_TRY_ASSIGN(a.timeout, optional_duration(*o, "timeout", p + ".timeout"));
    WEIR_TRY_ASSIGN(a.disable_hooks, optional_bool(*o, "disableHooks", p + ".disableHooks", false));
    WEIR_TRY_ASSIGN(a.disable_wait, optional_bool(*o, "disableWait", p + ".disableWait", false));
    WEIR_TRY_ASSIGN(a.disable_wait_for_jobs,
                    optional_bool(*o, "disableWaitForJobs", p + ".disableWaitForJobs", false));
    WEIR_TRY_ASSIGN(a.create_namespace, optional_bool(*o, "createNamespace", p + ".createNamespace", false));
    WEIR_TRY_ASSIGN(a.force, optional_bool(*o, "force", p + ".force", false));
    WEIR_TRY_ASSIGN(a.cleanup_on_fail, optional_bool(*o, "cleanupOnFail", p + ".cleanupOnFail", false));
    WEIR_TRY_ASSIGN(a.keep_history, optional_bool(*o, "keepHistory", p + ".keepHistory", false));
    WEIR_TRY_ASSIGN(auto propagation, optional_string(*o, "deletionPropagation", p + ".deletionPropagation"));
    if (propagation && !propagation->empty()) a.deletion_propagation = *propagation;
    if (a.deletion_propagation != "background" && a.deletion_propagation != "foreground" &&
        a.deletion_propagation != "orphan")
        return invalid_field(
            p + ".deletionPropagation",
            fmt::format("\"{}\" must be background, foreground or orphan", a.deletion_propagation));
    WEIR_TRY_ASSIGN(a.replace, optional_bool(*o, "replace", p + ".replace", false));
    WEIR_TRY_ASSIGN(a.preserve_values, optional_bool(*o, "preserveValues", p + ".preserveValues", false));
    WEIR_TRY_ASSIGN(a.recreate, optional_bool(*o, "recreate", p + ".recreate", false));
    WEIR_TRY_ASSIGN(a.disable_open_api_validation,
                    optional_bool(*o, "disableOpenAPIValidation", p + ".disableOpenAPIValidation", false));
    WEIR_TRY_ASSIGN(a.disable_schema_validation,
                    optional_bool(*o, "disableSchemaValidation", p + ".disableSchemaValidation", false));
    WEIR_TRY_ASSIGN(auto crds, optional_string(*o, "crds", p + ".crds"));
    a.crds = crds.value_or("");
    if (const value* r = o->find("remediation"); r && r->is_object()) {
        std::string rp = p + ".remediation";
        WEIR_TRY_ASSIGN(a.remediate.retries, optional_int(*r, "retries", rp + ".retries", 0));
        WEIR_TRY_ASSIGN(a.remediate.ignore_test_failures,
                        optional_bool(*r, "ignoreTestFailures", rp + ".ignoreTestFailures", false));
        if (const value* last = r->find("remediateLastFailure"); last && last->is_bool())
            a.remediate.remediate_last_failure = last->as_bool();
        WEIR_TRY_ASSIGN(auto strategy, optional_string(*r, "strategy", rp + ".strategy"));
        if (strategy && !strategy->empty()) a.remediate.strategy = *strategy;
        if (upgrade && a.remediate.strategy != "rollback" && a.remediate.strategy != "uninstall")
            return invalid_field(rp + ".strategy",
                                 fmt::format("\"{}\" must be rollback or uninstall", *strategy));
    }
    return a;
}

status read_drift(const value& spec, helm_release_spec& s)
{
    const value* d = spec.find("driftDetection");
    if (!d || !d->is_object()) return ok();
    WEIR_TRY_ASSIGN(auto mode, optional_string(*d, "mode", "spec.driftDetection.mode"));
    if (mode && !mode->empty()) s.drift_mode = *mode;
    if (s.drift_mode != "enabled" && s.drift_mode != "warn" && s.drift_mode != "disabled")
        return invalid_field("spec.driftDetection.mode",
                             fmt::format("\"{}\" must be enabled, warn or disabled", s.drift_mode));
    const value* ignore = d->find("ignore");
    if (!ignore || !ignore->is_array()) return ok();
    for (std::size_t i = 0; i < ignore->as_array().size(); ++i) {
        const value& rule = ignore->as_array()[i];
        drift_ignore_rule r;
        WEIR_TRY_ASSIGN(r.paths,
                        string_list(rule, "paths", fmt::format("spec.driftDetection.ignore[{}].paths", i)));
        if (const value* t = rule.find("target")) r.target = *t;
        s.drift_ignore.push_back(std::move(r));
    }
    return ok();
}

} // namespace

result<helm_release_spec> helm_release_spec::from(const value& object)
{
    const value* spec = object.find("spec");
    if (!spec || !spec->is_object()) return invalid_field("spec", "is required");
    std::string ns(object.find_path({"metadata", "namespace"})
                       ? object.find_path({"metadata", "namespace"})->as_string()
                       : std::string());
    helm_release_spec s;
    WEIR_TRY_ASSIGN(s.chart, read_chart(*spec, ns));
    if (const value* ref = spec->find("chartRef"); ref && !ref->is_null()) {
        WEIR_TRY_ASSIGN(auto r, read_reference(*ref, "spec.chartRef"));
        if (r.kind != "HelmChart" && r.kind != "OCIRepository" && r.kind != "ExternalArtifact")
            return invalid_field(
                "spec.chartRef.kind",
                fmt::format("\"{}\" must be OCIRepository, HelmChart or ExternalArtifact", r.kind));
        if (r.namespace_.empty()) r.namespace_ = ns;
        s.chart_ref = std::move(r);
    }
    if (s.chart.has_value() == s.chart_ref.has_value())
        return invalid_field("spec", "exactly one of spec.chart and spec.chartRef must be set");
    WEIR_TRY_ASSIGN(auto interval, optional_duration(*spec, "interval", "spec.interval"));
    if (!interval) return invalid_field("spec.interval", "is required");
    s.interval = *interval;
    WEIR_TRY_ASSIGN(auto release_name, optional_string(*spec, "releaseName", "spec.releaseName"));
    s.release_name = release_name.value_or("");
    if (s.release_name.size() > 53) return invalid_field("spec.releaseName", "must be at most 53 characters");
    WEIR_TRY_ASSIGN(auto target, optional_string(*spec, "targetNamespace", "spec.targetNamespace"));
    s.target_namespace = target.value_or("");
    WEIR_TRY_ASSIGN(auto storage, optional_string(*spec, "storageNamespace", "spec.storageNamespace"));
    s.storage_namespace = storage.value_or("");
    WEIR_TRY_ASSIGN(auto timeout, optional_duration(*spec, "timeout", "spec.timeout"));
    if (timeout) s.timeout = *timeout;
    WEIR_TRY_ASSIGN(s.max_history, optional_int(*spec, "maxHistory", "spec.maxHistory", 5));
    WEIR_TRY_ASSIGN(auto sa, optional_string(*spec, "serviceAccountName", "spec.serviceAccountName"));
    s.service_account_name = sa.value_or("");
    WEIR_TRY_ASSIGN(s.kube_config, kube_config_reference::from_spec(*spec));
    if (const value* cm = spec->find("commonMetadata"); cm && cm->is_object()) {
        WEIR_TRY_ASSIGN(s.common_labels, string_map(*cm, "labels", "spec.commonMetadata.labels"));
        WEIR_TRY_ASSIGN(s.common_annotations, string_map(*cm, "annotations", "spec.commonMetadata.annotations"));
    }
    if (const value* deps = spec->find("dependsOn"); deps && deps->is_array()) {
        for (std::size_t i = 0; i < deps->as_array().size(); ++i) {
            WEIR_TRY_ASSIGN(auto d,
                            read_reference(deps->as_array()[i], fmt::format("spec.dependsOn[{}]", i)));
            if (d.namespace_.empty()) d.namespace_ = ns;
            s.depends_on.push_back(std::move(d));
        }
    }
    if (const value* v = spec->find("values"); v && !v->is_null()) {
        if (!v->is_object()) return invalid_field("spec.values", "must be an object");
        s.values = *v;
    }
    WEIR_TRY_ASSIGN(s.values_from, read_values_from(*spec));
    WEIR_TRY_ASSIGN(s.install, read_action(*spec, "install", false));
    WEIR_TRY_ASSIGN(s.upgrade, read_action(*spec, "upgrade", true));
    WEIR_TRY_ASSIGN(s.rollback, read_action(*spec, "rollback", false));
    WEIR_TRY_ASSIGN(s.uninstall, read_action(*spec, "uninstall", false));
    if (const value* t = spec->find("test"); t && t->is_object()) {
        WEIR_TRY_ASSIGN(s.test_enable, optional_bool(*t, "enable", "spec.test.enable", false));
        WEIR_TRY_ASSIGN(s.test_ignore_failures,
                        optional_bool(*t, "ignoreFailures", "spec.test.ignoreFailures", false));
    }
    WEIR_TRY(read_drift(*spec, s));
    if (const value* p = spec->find("postRenderers"); p && !p->is_null()) {
        if (!p->is_array()) return invalid_field("spec.postRenderers", "must be a list");
        s.post_renderers = *p;
    }
    WEIR_TRY_ASSIGN(s.suspend, optional_bool(*spec, "suspend", "spec.suspend", false));
    return s;
}

} // namespace weir::api::helm_v2
