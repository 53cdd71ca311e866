#include "bucket_reconciler.hpp"

#include "bucket_fetch.hpp"

#include <weir/api/meta.hpp>
#include <weir/api/secret.hpp>
#include <weir/api/source_bucket_v1.hpp>
#include <weir/kube/time.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/failure.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

namespace weir::source {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;
using api::source_v1::bucket_spec;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

std::string ns_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "namespace"})->as_string());
}
std::string name_of(const value& obj)
{
    return std::string(obj.find_path({"metadata", "name"})->as_string());
}

artifact::object_ref storage_ref(const value& obj)
{
    return {"bucket", ns_of(obj), name_of(obj)};
}

error with_reason(error e, std::string reason)
{
    e.reason = std::move(reason);
    return e;
}

// What weir cannot do for this spec, as the terminal error that stalls the object.
std::optional<error> unsupported(const bucket_spec& spec)
{
    if (spec.provider == "gcp" || spec.provider == "azure")
        return terminal_error(
            fmt::format("spec.provider: \"{}\" is not supported by weir yet; use provider generic with the "
                        "store's S3-compatible endpoint and HMAC keys in spec.secretRef{}",
                        spec.provider, spec.provider == "gcp" ? " (storage.googleapis.com)" : ""),
            "InvalidProviderConfiguration");
    if (spec.provider == "aws" && !spec.secret_ref)
        return terminal_error(
            "spec.provider aws without spec.secretRef needs instance credentials (IRSA, EC2 "
            "instance profile), which weir cannot obtain: set spec.secretRef to a Secret "
            "with accesskey and secretkey",
            "InvalidProviderConfiguration");
    if (spec.sts)
        return terminal_error(fmt::format("spec.sts: the \"{}\" security token service is not supported by "
                                          "weir; use static keys in spec.secretRef",
                                          spec.sts->provider),
                              "InvalidSTSConfiguration");
    if (!spec.service_account_name.empty())
        return terminal_error(
            "spec.serviceAccountName: workload identity is not supported by weir; use static "
            "keys in spec.secretRef",
            "InvalidProviderConfiguration");
    return std::nullopt;
}

result<std::map<std::string, std::string>> read_secret(kube::client& client, const std::string& ns,
                                                       const std::string& name, std::string_view field)
{
    auto secret = client.get(secret_kind, ns, name);
    if (!secret)
        return transient_error(
            fmt::format("failed to get secret '{}/{}' ({}): {}", ns, name, field, secret.err().message),
            "AuthenticationFailed");
    return api::secret_data(*secret);
}

result<objectstore::s3_options> s3_options_for(kube::client& client, const std::string& ns,
                                               const bucket_spec& spec)
{
    objectstore::s3_options o;
    o.endpoint = spec.endpoint;
    o.insecure = spec.insecure;
    if (!spec.region.empty()) o.region = spec.region;
    // AWS's endpoints address buckets by host name; other stores are reached path style.
    o.virtual_host = spec.provider == "aws" && spec.endpoint.ends_with("amazonaws.com");
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
    if (spec.secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(client, ns, spec.secret_ref->name, "spec.secretRef"));
        auto access = data.find("accesskey");
        auto secret = data.find("secretkey");
        if (access == data.end() || secret == data.end())
            return terminal_error(
                fmt::format("secret '{}/{}' must have both 'accesskey' and 'secretkey' keys", ns,
                            spec.secret_ref->name),
                "AuthenticationFailed");
        o.credentials = {access->second, secret->second, ""};
    }
    if (spec.cert_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(client, ns, spec.cert_secret_ref->name, "spec.certSecretRef"));
        if (auto it = data.find("ca.crt"); it != data.end()) o.ca_pem = it->second;
        if (auto it = data.find("tls.crt"); it != data.end()) o.cert_pem = it->second;
        if (auto it = data.find("tls.key"); it != data.end()) o.key_pem = it->second;
    }
    if (spec.proxy_secret_ref) {
        WEIR_TRY_ASSIGN(auto data,
                        read_secret(client, ns, spec.proxy_secret_ref->name, "spec.proxySecretRef"));
        auto address = data.find("address");
        if (address == data.end() || address->second.empty())
            return terminal_error(fmt::format("secret '{}/{}' (spec.proxySecretRef) has no 'address' key", ns,
                                              spec.proxy_secret_ref->name),
                                  "InvalidProviderConfiguration");
        o.proxy_url = address->second;
        if (auto it = data.find("username"); it != data.end()) o.proxy_username = it->second;
        if (auto it = data.find("password"); it != data.end()) o.proxy_password = it->second;
    }
    return o;
}

bool same_ignore(const value& obj, const bucket_spec& spec)
{
    const value* ignore = obj.find_path({"status", "observedIgnore"});
    std::optional<std::string> observed =
        ignore && ignore->is_string() ? std::optional(std::string(ignore->as_string())) : std::nullopt;
    return observed == spec.ignore;
}

} // namespace

struct bucket_reconciler::outcome {
    api::artifact stored;
    bool new_artifact = false;
    std::size_t files = 0;
};

bucket_reconciler::bucket_reconciler(runtime::manager& mgr, artifact::storage& storage,
                                     bucket_options options)
    : mgr_(mgr), storage_(storage), options_(options)
{
}

fs::path bucket_reconciler::cache_dir(const value& obj) const
{
    return storage_.root() / ".buckets" / ns_of(obj) / name_of(obj);
}

result<runtime::action> bucket_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    auto spec = bucket_spec::from(obj);
    if (spec && spec->suspend) return runtime::action::await_change();

    std::optional<error> terminal = spec ? unsupported(*spec) : std::optional<error>(spec.err());
    if (terminal) {
        // The object itself must change: stall instead of retrying.
        terminal->kind = error_kind::terminal;
        return runtime::report_failure(mgr_, obj, updated, *terminal, "InvalidSpec");
    }

    auto stored = fetch_and_store(obj, updated);
    if (!stored) {
        // Wrong keys, a missing bucket or a store that is down can all be fixed outside this object:
        // retried with backoff, and the last artifact stays as it was.
        error e = stored.err();
        e.kind = error_kind::transient;
        std::string reason = e.reason == "AuthenticationFailed" || e.reason == "StorageOperationFailed" ||
                                     e.reason == "ArchiveOperationFailed"
                                 ? e.reason
                                 : "BucketOperationFailed";
        cond::set(updated, "FetchFailed", "True", reason, e.message);
        cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        mgr_.events().warning(obj, reason, e.message);
        return e;
    }
    std::string message = fmt::format("stored artifact: revision '{}'", stored->stored.revision);
    value& st = updated["status"];
    st["artifact"] = stored->stored.to_value();
    st["url"] = stored->stored.url;
    if (spec->ignore)
        st["observedIgnore"] = *spec->ignore;
    else
        st.as_object().erase("observedIgnore");
    cond::remove(updated, "FetchFailed");
    cond::set(updated, "ArtifactInStorage", "True", "Succeeded", message);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
    if (stored->new_artifact)
        mgr_.events().event(obj, runtime::event_type::normal, "NewArtifact",
                            fmt::format("stored artifact with {} fetched files from '{}' bucket",
                                        stored->files, spec->bucket_name),
                            {{"source.toolkit.fluxcd.io/revision", stored->stored.revision},
                             {"source.toolkit.fluxcd.io/digest", stored->stored.digest}});
    return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec->interval));
}

result<bucket_reconciler::outcome> bucket_reconciler::fetch_and_store(const value& obj, value& updated)
{
    WEIR_TRY_ASSIGN(auto spec, bucket_spec::from(obj));
    WEIR_TRY_ASSIGN(auto opts, s3_options_for(mgr_.client(), ns_of(obj), spec));
    objectstore::s3_client s3(opts);
    auto where = [&] { return fmt::format("bucket '{}' at {}", spec.bucket_name, spec.endpoint); };

    auto index = bucket::list_index(s3, spec.bucket_name, spec.prefix, spec.ignore);
    // The store's own answer (a 403 SignatureDoesNotMatch too) is a BucketOperationFailed, as in Flux.
    if (!index)
        return with_reason(index.err().wrap(fmt::format("failed to list the objects of {}", where())),
                           "BucketOperationFailed");
    std::string revision = bucket::index_revision(*index);

    std::optional<api::artifact> current;
    if (const value* a = obj.find_path({"status", "artifact"}))
        if (auto parsed = api::artifact::from(*a)) current = *parsed;
    auto ref = storage_ref(obj);
    if (current && current->revision == revision && same_ignore(obj, spec) &&
        storage_.exists(ref, fs::path(current->path).filename().string()))
        return outcome{*current, false, index->size()};

    cond::mark_reconciling(updated, "Progressing",
                           fmt::format("building artifact: new revision '{}'", revision));
    auto synced = bucket::sync_tree(s3, spec.bucket_name, *index, cache_dir(obj), options_.download_workers);
    if (!synced)
        return with_reason(synced.err().wrap(fmt::format("failed to download the objects of {}", where())),
                           synced.err().reason == "StorageOperationFailed" ? "StorageOperationFailed"
                                                                           : "BucketOperationFailed");
    log_.info("bucket objects fetched", {{"bucket", spec.bucket_name},
                                         {"objects", std::to_string(index->size())},
                                         {"downloaded", std::to_string(synced->downloaded)},
                                         {"removed", std::to_string(synced->removed)}});

    std::string file = revision.substr(revision.find(':') + 1) + ".tar.gz";
    auto stored = storage_.archive(ref, file, synced->tree, {.ignore = nullptr, .fsync = true});
    if (!stored) return with_reason(stored.err(), "ArchiveOperationFailed");
    auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records, file);
    if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});

    api::artifact art;
    art.path = stored->path;
    art.url = stored->url;
    art.revision = revision;
    art.digest = stored->digest;
    art.size = static_cast<std::int64_t>(stored->size);
    art.last_update_time = kube::format_time(std::chrono::system_clock::now());
    bool changed = !current || current->revision != art.revision || current->digest != art.digest;
    if (!changed) art.last_update_time = current->last_update_time;
    return outcome{art, changed, index->size()};
}

result<runtime::action> bucket_reconciler::finalize(const value& obj)
{
    WEIR_TRY(storage_.remove_object(storage_ref(obj)));
    std::error_code ec;
    fs::remove_all(cache_dir(obj), ec);
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::source
