#include "oci_repository_reconciler.hpp"

#include "oci_repository_verify.hpp"

#include <weir/api/meta.hpp>
#include <weir/api/secret.hpp>
#include <weir/api/source_oci_v1.hpp>
#include <weir/artifact/ignore.hpp>
#include <weir/artifact/tarball.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/kube/time.hpp>
#include <weir/oci/auth.hpp>
#include <weir/oci/client.hpp>
#include <weir/oci/tag_policy.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/failure.hpp>
#include <weir/runtime/patch.hpp>

#include <fmt/format.h>

#include <fstream>

namespace weir::source {
namespace fs = std::filesystem;
namespace cond = runtime::conditions;
using api::source_v1::oci_repository_spec;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

artifact::object_ref storage_ref(const value& obj)
{
    return {"ocirepository", std::string(obj.find_path({"metadata", "namespace"})->as_string()),
            std::string(obj.find_path({"metadata", "name"})->as_string())};
}

value layer_selector_value(const oci_repository_spec& spec)
{
    object o;
    if (!spec.layer_selector) return o;
    if (!spec.layer_selector->media_type.empty()) o["mediaType"] = spec.layer_selector->media_type;
    o["operation"] = spec.layer_selector->operation;
    return o;
}

// The observed ignore and layer selector as they will be written, to compare with the status.
bool same_observed(const value& obj, const oci_repository_spec& spec)
{
    const value* ignore = obj.find_path({"status", "observedIgnore"});
    std::optional<std::string> observed =
        ignore && ignore->is_string() ? std::optional(std::string(ignore->as_string())) : std::nullopt;
    if (observed != spec.ignore) return false;
    const value* ls = obj.find_path({"status", "observedLayerSelector"});
    value want = layer_selector_value(spec);
    if (!ls) return want.as_object().empty();
    return *ls == want;
}

error with_reason(error e, std::string reason)
{
    e.reason = std::move(reason);
    return e;
}

} // namespace

struct oci_repository_reconciler::outcome {
    api::artifact stored;
    bool new_artifact = false;
};

oci_repository_reconciler::oci_repository_reconciler(runtime::manager& mgr, artifact::storage& storage,
                                                     oci_repository_options options)
    : mgr_(mgr), storage_(storage), options_(options)
{
}

result<runtime::action> oci_repository_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    auto spec = oci_repository_spec::from(obj);
    if (spec && spec->suspend) return runtime::action::await_change();

    std::optional<error> terminal;
    if (!spec)
        terminal = spec.err();
    else if (spec->provider != "generic")
        terminal =
            terminal_error(fmt::format("spec.provider: \"{}\" is not supported by weir; use generic with "
                                       "spec.secretRef",
                                       spec->provider),
                           "InvalidProviderConfiguration");
    else if (auto v = oci_verification_of(obj))
        terminal = unsupported_verification(*v);
    if (terminal) {
        // The object itself must change: stall instead of retrying.
        terminal->kind = error_kind::terminal;
        return runtime::report_failure(mgr_, obj, updated, *terminal, "InvalidSpec");
    }

    auto stored = fetch_and_store(obj, updated);
    if (!stored && stored.err().code == oci_verification_failure_code) {
        // The artifact arrived but is not trusted: SourceVerified says why; the last verified
        // artifact stays. A new signature or key can fix it, so it is retried.
        error e = stored.err();
        e.code = 0;
        cond::remove(updated, "FetchFailed");
        cond::mark_failed(updated, e.reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        mgr_.events().warning(obj, e.reason, e.message);
        return e;
    }
    if (!stored) {
        // A missing tag, a registry down or a wrong Secret can all be fixed outside this object:
        // retried with backoff, as Flux does.
        error e = stored.err();
        e.kind = error_kind::transient;
        std::string reason = e.reason.empty() ? "OCIArtifactPullFailed" : e.reason;
        cond::set(updated, "FetchFailed", "True", reason, e.message);
        cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        mgr_.events().warning(obj, reason, e.message);
        return e;
    }
    std::string message = fmt::format("stored artifact for digest '{}'", stored->stored.revision);
    updated["status"]["artifact"] = stored->stored.to_value();
    value& st = updated["status"];
    if (spec->ignore)
        st["observedIgnore"] = *spec->ignore;
    else
        st.as_object().erase("observedIgnore");
    if (spec->layer_selector)
        st["observedLayerSelector"] = layer_selector_value(*spec);
    else
        st.as_object().erase("observedLayerSelector");
    st["url"] = stored->stored.url;
    cond::remove(updated, "FetchFailed");
    cond::set(updated, "ArtifactInStorage", "True", "Succeeded", message);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
    if (stored->new_artifact)
        mgr_.events().event(
            obj, runtime::event_type::normal, "NewArtifact",
            fmt::format("stored artifact with revision '{}' from '{}'", stored->stored.revision, spec->url),
            {{"source.toolkit.fluxcd.io/revision", stored->stored.revision},
             {"source.toolkit.fluxcd.io/digest", stored->stored.digest}});
    return runtime::action::requeue(std::chrono::duration_cast<std::chrono::milliseconds>(spec->interval));
}

namespace {

result<oci::client_options> client_options_for(kube::client& client, const std::string& ns,
                                               const oci_repository_spec& spec, const value& obj)
{
    oci::client_options o;
    o.insecure = spec.insecure;
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
    auto read_secret = [&](const std::string& name) -> result<std::map<std::string, std::string>> {
        auto secret = client.get(secret_kind, ns, name);
        if (!secret)
            return transient_error(
                fmt::format("failed to get secret '{}/{}': {}", ns, name, secret.err().message),
                "AuthenticationFailed");
        return api::secret_data(*secret);
    };
    if (spec.secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(spec.secret_ref->name));
        auto it = data.find(".dockerconfigjson");
        if (it == data.end())
            return terminal_error(fmt::format("secret '{}/{}' has no .dockerconfigjson key: create it with "
                                              "kubectl create secret docker-registry",
                                              ns, spec.secret_ref->name),
                                  "AuthenticationFailed");
        auto creds = oci::credentials_from_docker_config(it->second, spec.host);
        if (!creds) return with_reason(creds.err(), "AuthenticationFailed");
        o.credentials = *creds;
    }
    const value* sa = obj.find_path({"spec", "serviceAccountName"});
    if (!o.credentials && sa && sa->is_string() && !sa->as_string().empty()) {
        // Flux reads the imagePullSecrets of the ServiceAccount; the first with credentials for
        // the registry host wins.
        auto account = client.get({"", "v1", "ServiceAccount"}, ns, std::string(sa->as_string()));
        if (!account)
            return transient_error(
                fmt::format("failed to get ServiceAccount '{}/{}' of spec.serviceAccountName: {}", ns,
                            sa->as_string(), account.err().message),
                "AuthenticationFailed");
        if (const value* pulls = account->find("imagePullSecrets"); pulls && pulls->is_array())
            for (const auto& ref : pulls->as_array()) {
                WEIR_TRY_ASSIGN(auto data, read_secret(std::string(ref.get_string("name"))));
                auto it = data.find(".dockerconfigjson");
                if (it == data.end()) continue;
                auto creds = oci::credentials_from_docker_config(it->second, spec.host);
                if (creds && *creds) {
                    o.credentials = *creds;
                    break;
                }
            }
    }
    if (const value* proxy = obj.find_path({"spec", "proxySecretRef", "name"}); proxy && proxy->is_string()) {
        // Flux's keys: address (required), username, password.
        WEIR_TRY_ASSIGN(auto data, read_secret(std::string(proxy->as_string())));
        if (data["address"].empty())
            return terminal_error(
                fmt::format("proxy Secret '{}/{}' has no 'address' (e.g. http://proxy:3128)", ns,
                            proxy->as_string()),
                "AuthenticationFailed");
        o.proxy_url = data["address"];
        o.proxy_username = data["username"];
        o.proxy_password = data["password"];
    }
    if (spec.cert_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(spec.cert_secret_ref->name));
        if (auto it = data.find("ca.crt"); it != data.end()) o.ca_pem = it->second;
        if (auto it = data.find("tls.crt"); it != data.end()) o.cert_pem = it->second;
        if (auto it = data.find("tls.key"); it != data.end()) o.key_pem = it->second;
    }
    return o;
}

// The tag (empty for a digest ref) and the reference to ask the registry for.
result<std::pair<std::string, std::string>> resolve_reference(oci::registry_client& reg,
                                                              const oci_repository_spec& spec)
{
    if (!spec.ref.digest.empty()) return std::pair{std::string(), spec.ref.digest};
    if (spec.ref.semver.empty()) return std::pair{spec.ref.tag, spec.ref.tag};
    WEIR_TRY_ASSIGN(auto selector, oci::tag_selector::compile({.kind = oci::tag_order::semver,
                                                               .semver_range = spec.ref.semver,
                                                               .filter_pattern = spec.ref.semver_filter}));
    auto tags = reg.list_tags(spec.repository);
    if (!tags) return with_reason(tags.err(), "OCIArtifactPullFailed");
    WEIR_TRY_ASSIGN(auto best, selector.select(*tags));
    if (!best)
        return terminal_error(
            fmt::format("no tag of '{}' matches semver range '{}'{}: push a matching tag or "
                        "change spec.ref.semver",
                        spec.url, spec.ref.semver,
                        spec.ref.semver_filter.empty()
                            ? std::string()
                            : fmt::format(" with filter '{}'", spec.ref.semver_filter)),
            "OCIArtifactPullFailed");
    return std::pair{*best, *best};
}

result<oci::descriptor> select_layer(const oci::manifest& m, const oci_repository_spec& spec,
                                     std::string_view ref)
{
    auto layers = m.layers();
    if (layers.empty())
        return terminal_error(fmt::format("artifact '{}' has no layers", ref),
                              "OCIArtifactLayerOperationFailed");
    if (!spec.layer_selector || spec.layer_selector->media_type.empty()) return layers.front();
    for (const auto& l : layers)
        if (l.media_type == spec.layer_selector->media_type) return l;
    return terminal_error(
        fmt::format("artifact '{}' has no layer of media type '{}' (spec.layerSelector.mediaType)", ref,
                    spec.layer_selector->media_type),
        "OCIArtifactLayerOperationFailed");
}

std::map<std::string, std::string> annotations_of(const oci::manifest& m)
{
    std::map<std::string, std::string> out;
    const value* a = m.doc.find("annotations");
    if (!a || !a->is_object()) return out;
    for (const auto& [k, v] : a->as_object())
        if (v.is_string()) out[k] = std::string(v.as_string());
    return out;
}

} // namespace

result<oci_repository_reconciler::outcome> oci_repository_reconciler::fetch_and_store(const value& obj,
                                                                                      value& updated)
{
    WEIR_TRY_ASSIGN(auto spec, oci_repository_spec::from(obj));
    std::string ns(obj.find_path({"metadata", "namespace"})->as_string());
    WEIR_TRY_ASSIGN(auto opts, client_options_for(mgr_.client(), ns, spec, obj));
    oci::registry_client reg(spec.host, opts);

    WEIR_TRY_ASSIGN(auto resolved, resolve_reference(reg, spec));
    auto& [tag, reference] = resolved;
    auto digest = reg.manifest_digest(spec.repository, reference);
    if (!digest)
        return with_reason(digest.err().wrap(fmt::format("failed to resolve '{}:{}'", spec.url, reference)),
                           "OCIArtifactPullFailed");
    std::string revision = tag.empty() ? *digest : fmt::format("{}@{}", tag, *digest);

    std::optional<api::artifact> current;
    if (const value* a = obj.find_path({"status", "artifact"}))
        if (auto parsed = api::artifact::from(*a)) current = *parsed;
    auto ref = storage_ref(obj);
    bool unchanged = current && current->revision == revision && same_observed(obj, spec) &&
                     storage_.exists(ref, fs::path(current->path).filename().string());
    // The signature is checked before any layer is pulled; an unchanged, verified revision is not
    // checked again.
    auto verification = oci_verification_of(obj);
    if (!verification || !unchanged || !cond::is_true(obj, "SourceVerified")) {
        auto verified = verification ? verify_oci_signature(mgr_.client(), ns, *verification, reg,
                                                            spec.repository, *digest, revision)
                                     : result<std::string>(std::string());
        set_source_verified(updated, verification, verified);
        if (!verified) return verified.err();
    }
    if (unchanged) return outcome{*current, false};

    cond::mark_reconciling(updated, "Progressing",
                           fmt::format("building artifact: new revision '{}'", revision));
    auto manifest = reg.get_manifest(spec.repository, *digest);
    if (!manifest)
        return with_reason(manifest.err().wrap(fmt::format("failed to pull manifest of '{}'", revision)),
                           "OCIArtifactPullFailed");
    if (manifest->is_index()) {
        // An index: the entry for linux/amd64 (the default platform of the Go registry client
        // Flux uses), else the first entry. The revision stays the index digest.
        auto entries = manifest->manifests();
        if (entries.empty())
            return terminal_error(fmt::format("image index '{}' lists no manifests", revision),
                                  "OCIArtifactPullFailed");
        const oci::descriptor* pick = &entries.front();
        for (const auto& e : entries)
            if (e.platform == "linux/amd64") pick = &e;
        manifest = reg.get_manifest(spec.repository, pick->digest);
        if (!manifest)
            return with_reason(manifest.err().wrap(fmt::format("failed to pull manifest {} of index '{}'",
                                                               pick->digest, revision)),
                               "OCIArtifactPullFailed");
        if (manifest->is_index())
            return terminal_error(fmt::format("image index '{}' nests another index", revision),
                                  "OCIArtifactPullFailed");
    }
    WEIR_TRY_ASSIGN(auto layer, select_layer(*manifest, spec, revision));
    auto blob = reg.get_blob(spec.repository, layer.digest);
    if (!blob)
        return with_reason(
            blob.err().wrap(fmt::format("failed to pull layer {} of '{}'", layer.digest, revision)),
            "OCIArtifactPullFailed");

    std::string hex = digest->substr(digest->find(':') + 1);
    std::string file = hex + ".tar.gz";
    result<artifact::stored_artifact> stored = error{};
    if (spec.layer_selector && spec.layer_selector->operation == "copy") {
        stored = storage_.write_file(ref, file, *blob);
    } else {
        temp_dir scratch(storage_.temp_path("oci-layer"));
        fs::create_directories(scratch.path());
        fs::path archive = scratch.path() / "layer.tar.gz";
        fs::path tree = scratch.path() / "tree";
        {
            std::ofstream out(archive, std::ios::binary);
            out.write(blob->data(), static_cast<std::streamsize>(blob->size()));
            if (!out)
                return transient_error("cannot write " + archive.string(), "OCIArtifactLayerOperationFailed");
        }
        fs::create_directories(tree);
        auto extracted = artifact::extract_tarball(archive, tree);
        if (!extracted)
            return with_reason(extracted.err().wrap(fmt::format("failed to extract layer {} of '{}' "
                                                                "(use spec.layerSelector.operation copy for "
                                                                "a layer that is not a tar.gz)",
                                                                layer.digest, revision)),
                               "OCIArtifactLayerOperationFailed");
        artifact::ignore_matcher rules = artifact::ignore_matcher::for_source(tree, spec.ignore);
        stored = storage_.archive(ref, file, tree, {.ignore = &rules, .fsync = true});
    }
    if (!stored) return with_reason(stored.err(), "ArchiveOperationFailed");
    auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records, file);
    if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});

    api::artifact art;
    art.path = stored->path;
    art.url = stored->url;
    art.revision = revision;
    art.digest = stored->digest;
    art.size = static_cast<std::int64_t>(stored->size);
    art.metadata = annotations_of(*manifest);
    art.last_update_time = kube::format_time(std::chrono::system_clock::now());
    bool changed = !current || current->revision != art.revision || current->digest != art.digest;
    if (!changed) art.last_update_time = current->last_update_time;
    return outcome{art, changed};
}

result<runtime::action> oci_repository_reconciler::finalize(const value& obj)
{
    WEIR_TRY(storage_.remove_object(storage_ref(obj)));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::source
