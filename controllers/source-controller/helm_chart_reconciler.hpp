// HelmChart: resolve a chart version from a HelmRepository's stored index and download it (digest
// verified when the index gives one), or package a chart directory of a GitRepository/Bucket
// artifact; merge spec.valuesFiles into values.yaml; store "<name>-<version>.tgz" with revision =
// the chart version (Flux's "+<generation>" / "+<source revision[0:12]>" metadata appended when it
// applies). A failed pull or package never replaces the last good chart.
#pragma once

#include "helm_repository_reconciler.hpp"

#include <weir/api/source_helm_v1.hpp>

#include <map>
#include <mutex>

namespace weir::source {

// A HelmRepository of spec.type oci (charts pulled from an OCI registry, no index artifact).
bool is_oci_repository(const value& source);

class helm_chart_reconciler {
public:
    helm_chart_reconciler(runtime::manager& mgr, artifact::storage& storage, helm_options options);

    // Registers the source index and the watches on HelmRepository and GitRepository artifacts.
    void bind(runtime::controller& controller);
    result<runtime::action> reconcile(const runtime::request& req);

private:
    struct built {
        api::artifact art;
        std::string chart_name;
        std::vector<std::string> values_files;
        bool is_new = false;
        bool packaged = false; // built from a tree (ChartPackageSucceeded) rather than pulled
        std::optional<std::string> verified; // SourceVerified message when spec.verify was checked now
    };
    result<value> source_of(const value& obj, const api::source_v1::helm_chart_spec& spec);
    result<built> from_repository(const value& obj, const api::source_v1::helm_chart_spec& spec,
                                  const value& repo);
    // A chart of an OCI HelmRepository: oci://host/path/<chart>:<version>, spec.verify checked first.
    result<built> from_oci(const value& obj, const api::source_v1::helm_chart_spec& spec, const value& repo);
    // The downloaded chart package `tmp` stored as is, or with spec.valuesFiles merged in.
    result<built> from_package(const value& obj, const api::source_v1::helm_chart_spec& spec, const std::string& name,
                               const std::string& chart_version, const std::string& version,
                               const std::filesystem::path& tmp, const std::string& digest, std::uint64_t size);
    result<built> from_tree(const value& obj, const api::source_v1::helm_chart_spec& spec,
                            const value& source);
    result<built> store(const value& obj, const std::filesystem::path& chart_dir, const std::string& name,
                        const std::string& version, const std::optional<value>& values, bool packaged);
    result<runtime::action> finalize(const value& obj);

    runtime::manager& mgr_;
    artifact::storage& storage_;
    helm_options options_;
    runtime::controller* controller_ = nullptr;
    std::mutex seen_mutex_;
    std::map<std::string, std::string> seen_revisions_; // source key -> last artifact revision
    logger log_{"helmchart"};
};

} // namespace weir::source
