// source-controller: wiring only. Flags in Flux's names; the reconcilers hold the logic.
#include "bucket_reconciler.hpp"
#include "git_repository_reconciler.hpp"
#include "helm_chart_reconciler.hpp"
#include "helm_repository_reconciler.hpp"
#include "oci_repository_reconciler.hpp"

#include <weir/artifact/file_server.hpp>
#include <weir/core/ops_server.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/manager.hpp>
#include <weir/runtime/options.hpp>
#include <weir/runtime/predicates.hpp>

#include <cstdlib>
#include <iostream>

using namespace weir;

namespace {

struct source_flags {
    std::string storage_path = "/data";
    std::string storage_addr = ":9090";
    std::string storage_adv_addr;
    std::size_t retention_records = 2;
};

// The flags only this controller has; the storage ones also come from Flux's environment variables.
result<source_flags> parse_source_flags(const std::vector<std::string>& rest)
{
    source_flags f;
    if (const char* env = std::getenv("STORAGE_PATH")) f.storage_path = env;
    if (const char* env = std::getenv("STORAGE_ADDRESS")) f.storage_addr = env;
    if (const char* env = std::getenv("STORAGE_ADV_ADDR")) f.storage_adv_addr = env;
    runtime::flag_set own;
    own.string("storage-path", f.storage_path, "The local storage path.")
        .string("storage-addr", f.storage_addr, "The address the static file server binds to.")
        .string("storage-adv-addr", f.storage_adv_addr, "The advertised address of the static file server.")
        .count("artifact-retention-records", f.retention_records,
               "The maximum number of artifacts to be kept in storage after a garbage collection.");
    WEIR_TRY(own.parse(rest));
    return f;
}

} // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> rest;
    auto opts = runtime::parse_flags(argc, argv, {.name = "source-controller", .concurrent = 2}, &rest);
    if (!opts) return runtime::exit_with(opts.err());
    auto flags = parse_source_flags(rest);
    if (!flags) return runtime::exit_with(flags.err());
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());

    auto listen = parse_listen_address(flags->storage_addr);
    if (!listen) return runtime::exit_with(listen.err());
    artifact::file_server server(flags->storage_path, {.address = listen->first, .port = listen->second});
    if (auto s = server.start(); !s) return runtime::exit_with(s.err());
    std::string advertised = flags->storage_adv_addr;
    if (advertised.empty())
        advertised = "source-controller." + (*mgr)->runtime_namespace() + ".svc.cluster.local.";
    std::cout << "artifact server listening on port " << server.port() << std::endl;

    if (!opts->events_addr.empty())
        (*mgr)->events().add_forwarder(eventsink::make_forwarder({.address = opts->events_addr}));
    artifact::storage storage(flags->storage_path, advertised);
    git::mirror_cache mirrors(std::filesystem::path(flags->storage_path) / ".mirrors");
    source::git_repository_reconciler git_repos(**mgr, storage, mirrors,
                                                {.artifact_retention_records = flags->retention_records});
    auto& controller = (*mgr)->add_controller(
        {.name = "gitrepository",
         .kind = {"source.toolkit.fluxcd.io", "v1", "GitRepository"},
         .reconcile = [&](const runtime::request& req) { return git_repos.reconcile(req); },
         .predicate = runtime::generation_or_request_changed});
    git_repos.bind(controller);

    source::helm_options helm{.artifact_retention_records = flags->retention_records};
    source::helm_repository_reconciler helm_repos(**mgr, storage, helm);
    helm_repos.bind((*mgr)->add_controller(
        {.name = "helmrepository",
         .kind = {"source.toolkit.fluxcd.io", "v1", "HelmRepository"},
         .reconcile = [&](const runtime::request& req) { return helm_repos.reconcile(req); },
         .predicate = runtime::generation_or_request_changed}));
    source::helm_chart_reconciler helm_charts(**mgr, storage, helm);
    helm_charts.bind((*mgr)->add_controller(
        {.name = "helmchart",
         .kind = {"source.toolkit.fluxcd.io", "v1", "HelmChart"},
         .reconcile = [&](const runtime::request& req) { return helm_charts.reconcile(req); },
         .predicate = runtime::generation_or_request_changed}));

    source::oci_repository_reconciler oci_repos(**mgr, storage,
                                                {.artifact_retention_records = flags->retention_records});
    oci_repos.bind((*mgr)->add_controller(
        {.name = "ocirepository",
         .kind = {"source.toolkit.fluxcd.io", "v1", "OCIRepository"},
         .reconcile = [&](const runtime::request& req) { return oci_repos.reconcile(req); },
         .predicate = runtime::generation_or_request_changed}));

    source::bucket_reconciler buckets(**mgr, storage, {.artifact_retention_records = flags->retention_records});
    buckets.bind((*mgr)->add_controller(
        {.name = "bucket",
         .kind = {"source.toolkit.fluxcd.io", "v1", "Bucket"},
         .reconcile = [&](const runtime::request& req) { return buckets.reconcile(req); },
         .predicate = runtime::generation_or_request_changed}));

    auto result = (*mgr)->run();
    server.stop();
    return result ? 0 : runtime::exit_with(result.err());
}
