#include "chart_source.hpp"

#include <weir/artifact/fetcher.hpp>
#include <weir/kube/errors.hpp>
#include <weir/runtime/conditions.hpp>

#include <fmt/format.h>

namespace weir::helm_controller {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;

chart_source source_of(const value& hr, const api::helm_v2::helm_release_spec& spec)
{
    if (spec.chart)
        return {helm_chart_kind, spec.chart->source_ref.namespace_,
                fmt::format("{}-{}", kube::namespace_of(hr), kube::name_of(hr))};
    const auto& ref = *spec.chart_ref;
    std::string av = ref.api_version.empty() ? "source.toolkit.fluxcd.io/v1" : ref.api_version;
    return {kube::gvk::from_api_version(av, ref.kind), ref.namespace_, ref.name};
}

status reconcile_helm_chart(kube::client& client, const value& hr,
                            const api::helm_v2::helm_release_spec& spec)
{
    const auto& t = *spec.chart;
    auto src = source_of(hr, spec);
    value hc = object{};
    hc["apiVersion"] = "source.toolkit.fluxcd.io/v1";
    hc["kind"] = "HelmChart";
    hc["metadata"]["name"] = src.name;
    hc["metadata"]["namespace"] = src.namespace_;
    if (const value* labels = t.metadata.find("labels"); labels && labels->is_object())
        hc["metadata"]["labels"] = *labels;
    if (const value* ann = t.metadata.find("annotations"); ann && ann->is_object())
        hc["metadata"]["annotations"] = *ann;
    hc["metadata"]["labels"]["helm.toolkit.fluxcd.io/name"] = std::string(kube::name_of(hr));
    hc["metadata"]["labels"]["helm.toolkit.fluxcd.io/namespace"] = std::string(kube::namespace_of(hr));
    value& s = hc["spec"];
    s["chart"] = t.chart;
    s["version"] = t.version;
    s["sourceRef"]["kind"] = t.source_ref.kind;
    s["sourceRef"]["name"] = t.source_ref.name;
    if (!t.source_ref.api_version.empty()) s["sourceRef"]["apiVersion"] = t.source_ref.api_version;
    // The chart's own interval, else the release's, as written.
    const value* interval = hr.find_path({"spec", "chart", "spec", "interval"});
    if (!interval) interval = hr.find_path({"spec", "interval"});
    s["interval"] = *interval;
    s["reconcileStrategy"] = t.reconcile_strategy;
    if (!t.values_files.empty()) {
        array files;
        for (const auto& f : t.values_files)
            files.emplace_back(f);
        s["valuesFiles"] = std::move(files);
    }
    if (t.ignore_missing_values_files) s["ignoreMissingValuesFiles"] = true;
    if (const value* verify = hr.find_path({"spec", "chart", "spec", "verify"})) s["verify"] = *verify;
    auto applied = client.apply(hc, {.field_manager = "helm-controller", .force = true});
    if (!applied)
        return applied.err().wrap(
            fmt::format("failed to create HelmChart '{}/{}'", src.namespace_, src.name));
    return ok();
}

status delete_helm_chart(kube::client& client, const value& hr)
{
    const value* ns = hr.find_path({"spec", "chart", "spec", "sourceRef", "namespace"});
    std::string src_ns = ns && ns->is_string() ? ns->as_string() : std::string(kube::namespace_of(hr));
    auto s = client.remove(helm_chart_kind, src_ns,
                           fmt::format("{}-{}", kube::namespace_of(hr), kube::name_of(hr)));
    if (!s && !kube::is_not_found(s.err())) return s;
    return ok();
}

result<chart_artifact> ready_artifact(kube::client& client, const chart_source& src)
{
    std::string what = fmt::format("{} '{}/{}'", src.kind.kind, src.namespace_, src.name);
    auto obj = client.get(src.kind, src.namespace_, src.name);
    if (!obj)
        return transient_error(fmt::format("could not get {}: {}", what, obj.err().message),
                               "ArtifactFailed");
    const value* art = obj->find_path({"status", "artifact"});
    auto generation = kube::generation_of(*obj);
    if (cond::observed_generation(*obj) < generation || !art)
        return transient_error(fmt::format("{} is not ready: {}", what,
                                           cond::get(*obj, cond::ready)
                                               ? cond::get(*obj, cond::ready)->message
                                               : "no artifact yet"),
                               "ArtifactFailed");
    if (cond::is_false(*obj, cond::ready) && cond::get(*obj, cond::ready)->observed_generation == generation)
        return transient_error(
            fmt::format("{} is not ready: {}", what, cond::get(*obj, cond::ready)->message),
            "ArtifactFailed");
    return chart_artifact{std::string(art->get_string("url")), std::string(art->get_string("digest")),
                          std::string(art->get_string("revision"))};
}

result<helm::chart> load_chart_artifact(const chart_artifact& art, const fs::path& scratch)
{
    fs::create_directories(scratch);
    fs::path file = scratch / "chart.tgz";
    auto got = artifact::download(art.url, art.digest, file, {.max_download_bytes = 64ull << 20});
    if (!got) {
        error e = got.err().wrap("failed to download chart artifact");
        e.reason = "ArtifactFailed";
        return e;
    }
    auto chart = helm::load_chart(file);
    if (!chart) return chart.err().wrap("failed to load chart");
    return chart;
}

} // namespace weir::helm_controller
