#include "helm_chart_reconciler.hpp"

#include "helm_common.hpp"
#include "helm_index.hpp"
#include "helm_package.hpp"
#include "oci_repository_verify.hpp"

#include <weir/artifact/digest.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <sstream>

namespace weir::source {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;
using namespace helm_detail;
using api::source_v1::helm_chart_spec;

namespace {

const kube::gvk helm_repository_kind{"source.toolkit.fluxcd.io", "v1", "HelmRepository"};
const kube::gvk git_repository_kind{"source.toolkit.fluxcd.io", "v1", "GitRepository"};
const kube::gvk bucket_kind{"source.toolkit.fluxcd.io", "v1", "Bucket"};
constexpr std::string_view by_source_index = "by-source";

std::string source_key(std::string_view kind, std::string_view ns, std::string_view name)
{
    return fmt::format("{}/{}/{}", kind, ns, name);
}

result<std::string> read_all(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return transient_error("cannot read stored artifact " + p.string(), "StatOperationFailed");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Flux's version metadata: a new artifact per source revision (Revision strategy) and per
// generation when values files are merged in, so consumers see every change as a new version.
std::string with_metadata(std::string version, std::string metadata)
{
    if (metadata.empty()) return version;
    if (auto plus = version.find('+'); plus != std::string::npos) version.resize(plus);
    return version + "+" + metadata;
}

std::string short_revision(std::string_view revision)
{
    auto colon = revision.rfind(':');
    auto hash = colon == std::string_view::npos ? revision : revision.substr(colon + 1);
    if (auto slash = hash.rfind('/'); slash != std::string_view::npos)
        hash.remove_prefix(slash + 1); // main/<sha>
    return std::string(hash.substr(0, 12));
}

std::vector<std::string> observed_values_files(const value& obj)
{
    std::vector<std::string> out;
    if (const value* f = obj.find_path({"status", "observedValuesFiles"}); f && f->is_array())
        for (const auto& s : f->as_array())
            if (s.is_string()) out.push_back(s.as_string());
    return out;
}

error with_reason(error e, std::string_view reason)
{
    if (e.reason.empty() || e.reason == "ArtifactFetchFailed" || e.reason == "ArtifactVerificationFailed")
        e.reason = std::string(reason);
    return e;
}

} // namespace

helm_chart_reconciler::helm_chart_reconciler(runtime::manager& mgr, artifact::storage& storage,
                                             helm_options options)
    : mgr_(mgr), storage_(storage), options_(options)
{
}

void helm_chart_reconciler::bind(runtime::controller& controller)
{
    controller_ = &controller;
    controller.cache().add_indexer(
        std::string(by_source_index), [](const value& hc) -> std::vector<std::string> {
            const value* ref = hc.find_path({"spec", "sourceRef"});
            if (!ref) return {};
            return {source_key(ref->get_string("kind"), kube::namespace_of(hc), ref->get_string("name"))};
        });
    // A new artifact on a source rebuilds the charts made from it; other status writes do not.
    for (const auto& [kind, gvk] : {std::pair{"HelmRepository", helm_repository_kind},
                                    std::pair{"GitRepository", git_repository_kind}, std::pair{"Bucket", bucket_kind}}) {
        std::string k = kind;
        controller.watches(gvk, [this, k](const value& src) {
            std::vector<runtime::request> out;
            std::string key = source_key(k, kube::namespace_of(src), kube::name_of(src));
            const value* rev = src.find_path({"status", "artifact", "revision"});
            std::string revision = rev && rev->is_string() ? rev->as_string() : "";
            {
                std::lock_guard lock(seen_mutex_);
                auto& seen = seen_revisions_[key];
                if (seen == revision) return out;
                seen = revision;
            }
            for (const auto& hc : controller_->cache().by_index(std::string(by_source_index), key))
                out.push_back(runtime::request::of(*hc));
            return out;
        });
    }
}

result<runtime::action> helm_chart_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, helm_chart_spec::from(obj));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    auto fail = [&](error e, std::string_view condition) -> result<runtime::action> {
        std::string reason = e.reason.empty() ? "ChartPullError" : e.reason;
        cond::set(updated, condition, "True", reason, e.message);
        cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        if (!e.terminal()) mgr_.events().warning(obj, reason, e.message);
        return e; // terminal: the runtime stalls the object and records the event
    };

    auto source = source_of(obj, spec);
    if (!source) return fail(source.err(), "FetchFailed");
    cond::remove(updated, "FetchFailed");
    auto chart = is_oci_repository(*source)              ? from_oci(obj, spec, *source)
                 : spec.source_ref.kind == "HelmRepository" ? from_repository(obj, spec, *source)
                                                            : from_tree(obj, spec, *source);
    if (!chart && chart.err().code == oci_verification_failure_code) {
        set_source_verified(updated, oci_verification_of(obj), chart.err());
        error e = chart.err();
        e.code = 0;
        cond::mark_failed(updated, e.reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        mgr_.events().warning(obj, e.reason, e.message);
        return e;
    }
    if (!chart) return fail(chart.err(), "BuildFailed");
    if (chart->verified) set_source_verified(updated, oci_verification_of(obj), *chart->verified);
    else if (!oci_verification_of(obj)) cond::remove(updated, "SourceVerified");

    const std::string& version = chart->art.revision;
    std::string message = fmt::format("{} '{}' chart with version '{}'",
                                      chart->packaged ? "packaged" : "pulled", chart->chart_name, version);
    std::string reason = chart->packaged ? "ChartPackageSucceeded" : "ChartPullSucceeded";
    value& st = updated["status"];
    st["artifact"] = chart->art.to_value();
    st["url"] = chart->art.url;
    st["observedChartName"] = chart->chart_name;
    if (const value* src_art = source->find_path({"status", "artifact"}))
        st["observedSourceArtifactRevision"] = std::string(src_art->get_string("revision"));
    if (chart->values_files.empty())
        st.as_object().erase("observedValuesFiles");
    else {
        array files;
        for (const auto& f : chart->values_files)
            files.emplace_back(f);
        st["observedValuesFiles"] = std::move(files);
    }
    cond::remove(updated, "BuildFailed");
    cond::set(updated, "ArtifactInStorage", "True", "Succeeded",
              fmt::format("stored artifact: revision '{}'", version));
    cond::mark_ready(updated, reason, message);
    cond::set_observed_generation(updated);
    WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
    if (chart->is_new)
        mgr_.events().event(obj, runtime::event_type::normal, reason, message,
                            {{"source.toolkit.fluxcd.io/revision", version},
                             {"source.toolkit.fluxcd.io/digest", chart->art.digest}});
    return runtime::action::requeue(jittered(spec.interval));
}

result<value> helm_chart_reconciler::source_of(const value& obj, const helm_chart_spec& spec)
{
    const auto& ref = spec.source_ref;
    std::string ns = ns_of(obj);
    kube::object_ptr src;
    if (ref.kind == "HelmRepository")
        src = mgr_.informer_for(helm_repository_kind).store().get(ns + "/" + ref.name);
    else if (ref.kind == "GitRepository")
        src = mgr_.informer_for(git_repository_kind).store().get(ns + "/" + ref.name);
    else if (ref.kind == "Bucket")
        src = mgr_.informer_for(bucket_kind).store().get(ns + "/" + ref.name);
    else if (auto got = mgr_.client().get({"source.toolkit.fluxcd.io", "v1", ref.kind}, ns, ref.name))
        src = std::make_shared<const value>(std::move(*got));
    if (!src)
        return transient_error(
            fmt::format("failed to get source: {} '{}/{}' not found", ref.kind, ns, ref.name),
            "SourceUnavailable");
    if (ref.kind == "HelmRepository" && is_oci_repository(*src)) return *src; // static: the registry itself is read by from_oci
    if (!current_artifact(*src))
        return transient_error(
            fmt::format("{} '{}/{}' is not ready: no artifact yet", ref.kind, ns, ref.name),
            "SourceUnavailable");
    return *src;
}

result<helm_chart_reconciler::built>
helm_chart_reconciler::from_repository(const value& obj, const helm_chart_spec& spec, const value& repo)
{
    auto repo_art = *current_artifact(repo);
    WEIR_TRY_ASSIGN(auto text, read_all(storage_.root() / repo_art.path));
    WEIR_TRY_ASSIGN(auto index, helm_index::parse(text));
    WEIR_TRY_ASSIGN(auto entry, index.select(spec.chart, spec.version));
    std::string version = with_metadata(
        entry.version, spec.values_files.empty() ? "" : std::to_string(kube::generation_of(obj)));

    auto current = current_artifact(obj);
    auto ref = storage_ref("helmchart", obj);
    std::string file = fmt::format("{}-{}.tgz", entry.name, version);
    // A chart version is immutable and the revision carries the generation when values files are
    // merged, so the same revision means the stored chart is still right.
    const value* observed_name = obj.find_path({"status", "observedChartName"});
    if (current && current->revision == version && storage_.exists(ref, file) && observed_name &&
        observed_name->is_string() && observed_name->as_string() == entry.name)
        return built{*current, entry.name, observed_values_files(obj), false, false, {}};

    std::string repo_url(repo.find_path({"spec", "url"})->as_string());
    std::string url = resolve_chart_url(repo_url, entry.urls.front());
    WEIR_TRY_ASSIGN(auto opts, helm_repository_fetch_options(mgr_.client(), repo));
    const value* pass = repo.find_path({"spec", "passCredentials"});
    if (url_host(url) != url_host(repo_url) && !(pass && pass->is_bool() && pass->as_bool()))
        opts.headers.clear();
    opts.max_download_bytes = options_.chart_max_size;
    fs::path tmp = storage_.temp_path("chart");
    temp_dir cleanup(tmp);
    std::string expected = entry.digest.empty() ? "" : "sha256:" + entry.digest;
    auto got = artifact::download(url, expected, tmp, opts);
    if (!got)
        return with_reason(got.err().wrap(fmt::format("failed to download chart '{}' version '{}'",
                                                      entry.name, entry.version)),
                           "ChartPullError");

    return from_package(obj, spec, entry.name, entry.version, version, tmp, got->digest, got->size);
}

result<helm_chart_reconciler::built>
helm_chart_reconciler::from_package(const value& obj, const helm_chart_spec& spec, const std::string& name,
                                    const std::string& chart_version, const std::string& version, const fs::path& tmp,
                                    const std::string& digest, std::uint64_t size)
{
    auto ref = storage_ref("helmchart", obj);
    std::string file = fmt::format("{}-{}.tgz", name, version);
    if (spec.values_files.empty()) {
        WEIR_TRY_ASSIGN(auto stored, storage_.adopt(ref, file, tmp, digest, size));
        auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records, file);
        if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});
        return built{to_api_artifact(stored, version), name, {}, true, false, {}};
    }
    // Values files live inside the chart: unpack, merge, package again.
    temp_dir work(storage_.temp_path("chart-x"));
    auto x = artifact::extract_tarball(tmp, work.path());
    if (!x)
        return with_reason(x.err().wrap(fmt::format("chart '{}' version '{}'", name, chart_version)), "ChartPullError");
    WEIR_TRY_ASSIGN(auto root, chart_root_of(work.path()));
    std::vector<std::string> used;
    WEIR_TRY_ASSIGN(auto merged,
                    merge_values_files(root, spec.values_files, spec.ignore_missing_values_files, &used));
    WEIR_TRY_ASSIGN(auto b, store(obj, root, name, version, merged, false));
    b.values_files = std::move(used);
    return b;
}

result<helm_chart_reconciler::built>
helm_chart_reconciler::from_tree(const value& obj, const helm_chart_spec& spec, const value& source)
{
    auto src_art = *current_artifact(source);
    fs::path rel = fs::path(spec.chart).lexically_normal();
    if (rel.is_absolute() || (!rel.empty() && *rel.begin() == ".."))
        return terminal_error(fmt::format("spec.chart: path '{}' leaves the source artifact", spec.chart),
                              "InvalidPath");
    temp_dir work(storage_.temp_path("chart-src"));
    auto x = artifact::extract_tarball(storage_.root() / src_art.path, work.path());
    if (!x) return with_reason(x.err().wrap("source artifact"), "ChartPackageError");
    fs::path chart_dir = work.path() / rel;
    if (!fs::is_directory(chart_dir))
        return terminal_error(fmt::format("spec.chart: no chart directory '{}' in {} revision '{}'",
                                          spec.chart, spec.source_ref.kind, src_art.revision),
                              "ChartPackageError");
    WEIR_TRY_ASSIGN(auto meta, read_chart_metadata(chart_dir, spec.chart));
    std::string metadata = spec.reconcile_strategy == "Revision" ? short_revision(src_art.revision) : "";
    if (!spec.values_files.empty())
        metadata += (metadata.empty() ? "" : ".") + std::to_string(kube::generation_of(obj));
    std::string version = with_metadata(meta.version, metadata);

    auto current = current_artifact(obj);
    const value* observed_name = obj.find_path({"status", "observedChartName"});
    if (current && current->revision == version && observed_name && observed_name->is_string() &&
        observed_name->as_string() == meta.name &&
        storage_.exists(storage_ref("helmchart", obj), fmt::format("{}-{}.tgz", meta.name, version)))
        return built{*current, meta.name, observed_values_files(obj), false, true, {}};

    std::vector<std::string> used;
    WEIR_TRY_ASSIGN(auto merged, merge_values_files(work.path(), spec.values_files,
                                                    spec.ignore_missing_values_files, &used));
    temp_dir downloads(storage_.temp_path("chart-deps"));
    fs::create_directories(downloads.path());
    WEIR_TRY(vendor_dependencies(chart_dir, work.path(), downloads.path()));
    WEIR_TRY_ASSIGN(auto b, store(obj, chart_dir, meta.name, version, merged, true));
    b.values_files = std::move(used);
    return b;
}

result<helm_chart_reconciler::built>
helm_chart_reconciler::store(const value& obj, const fs::path& chart_dir, const std::string& name,
                             const std::string& version, const std::optional<value>& values, bool packaged)
{
    auto ref = storage_ref("helmchart", obj);
    std::string file = fmt::format("{}-{}.tgz", name, version);
    WEIR_TRY(write_chart(chart_dir, version, values));
    fs::path tmp = storage_.temp_path("package");
    temp_dir cleanup(tmp);
    auto pkg = package_chart(chart_dir, name, tmp);
    if (!pkg) return with_reason(pkg.err(), "ChartPackageError");
    auto current = current_artifact(obj);
    WEIR_TRY_ASSIGN(auto stored, storage_.adopt(ref, file, tmp, pkg->digest, pkg->size));
    auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records, file);
    if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});
    bool is_new = !current || current->digest != stored.digest || current->revision != version;
    api::artifact art = to_api_artifact(stored, version);
    if (!is_new) art.last_update_time = current->last_update_time;
    return built{art, name, {}, is_new, packaged, {}};
}

result<runtime::action> helm_chart_reconciler::finalize(const value& obj)
{
    WEIR_TRY(storage_.remove_object(storage_ref("helmchart", obj)));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::source
