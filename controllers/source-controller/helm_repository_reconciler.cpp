#include "helm_repository_reconciler.hpp"

#include "helm_common.hpp"
#include "helm_index.hpp"

#include <weir/api/secret.hpp>
#include <weir/api/source_helm_v1.hpp>
#include <weir/artifact/digest.hpp>
#include <weir/core/encoding.hpp>
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
using api::source_v1::helm_repository_spec;

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

result<std::map<std::string, std::string>> secret_of(kube::client& client, const std::string& ns,
                                                     const std::string& name)
{
    auto secret = client.get(secret_kind, ns, name);
    if (!secret)
        return transient_error(
            fmt::format("failed to get secret '{}/{}': {}", ns, name, secret.err().message),
            "AuthenticationFailed");
    return api::secret_data(*secret);
}

std::string index_url(std::string url)
{
    while (url.ends_with("/"))
        url.pop_back();
    return url + "/index.yaml";
}

result<std::string> read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in) return transient_error("cannot read " + p.string(), "StatOperationFailed");
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

} // namespace

result<artifact::fetch_options> helm_repository_fetch_options(kube::client& client, const value& repository)
{
    WEIR_TRY_ASSIGN(auto spec, helm_repository_spec::from(repository));
    artifact::fetch_options o;
    o.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
    o.max_redirects = 10; // chart hosts commonly redirect (release assets, CDNs)
    auto tls_from = [&](const std::map<std::string, std::string>& d) {
        auto get = [&](const char* k) { return d.count(k) ? d.at(k) : std::string(); };
        if (!get("ca.crt").empty()) o.ca_pem = get("ca.crt");
        if (!get("tls.crt").empty()) {
            o.client_cert_pem = get("tls.crt");
            o.client_key_pem = get("tls.key");
        }
    };
    std::string ns = ns_of(repository);
    if (spec.secret_ref) {
        WEIR_TRY_ASSIGN(auto data, secret_of(client, ns, spec.secret_ref->name));
        auto user = data.find("username"), pass = data.find("password");
        if (user != data.end() || pass != data.end()) {
            if (user == data.end() || pass == data.end())
                return terminal_error(fmt::format("secret '{}/{}' must hold both username and password", ns,
                                                  spec.secret_ref->name),
                                      "AuthenticationFailed");
            o.headers.emplace_back("Authorization",
                                   "Basic " + base64_encode(user->second + ":" + pass->second));
        }
        tls_from(data); // the legacy place for TLS keys
    }
    if (spec.cert_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, secret_of(client, ns, spec.cert_secret_ref->name));
        tls_from(data);
    }
    return o;
}

helm_repository_reconciler::helm_repository_reconciler(runtime::manager& mgr, artifact::storage& storage,
                                                       helm_options options)
    : mgr_(mgr), storage_(storage), options_(options)
{
}

result<runtime::action> helm_repository_reconciler::reconcile(const runtime::request& req)
{
    kube::object_ptr cached = controller_->cache().get(req.key());
    if (!cached) return runtime::action::await_change();
    const value& obj = *cached;
    if (runtime::being_deleted(obj)) return finalize(obj);
    WEIR_TRY(runtime::ensure_finalizer(mgr_.client(), obj, api::flux_finalizer));
    WEIR_TRY_ASSIGN(auto spec, helm_repository_spec::from(obj));

    value updated = obj;
    runtime::acknowledge_reconcile_request(updated);
    if (spec.type == "oci") {
        // Nothing to fetch: the registry is read by the HelmChart (or OCIRepository) that uses it.
        if (value* st = updated.find("status")) st->as_object().erase("artifact");
        cond::remove(updated, "ArtifactInStorage");
        cond::mark_ready(updated, "Succeeded", "Helm repository is Ready");
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        return runtime::action::await_change();
    }

    auto fetched = fetch_index(obj);
    if (!fetched) {
        error e = fetched.err();
        std::string reason = e.reason.empty() ? "IndexationFailed" : e.reason;
        cond::set(updated, "FetchFailed", "True", reason, e.message);
        cond::mark_failed(updated, reason, e.message);
        cond::set_observed_generation(updated);
        WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
        // A repository that is down, serves a bad index, or a Secret still missing: all can be
        // fixed outside this object, so they are retried with backoff, as Flux does.
        e.kind = error_kind::transient;
        mgr_.events().warning(obj, reason, e.message);
        return e;
    }
    auto& [art, is_new] = *fetched;
    std::string revision(art.get_string("revision"));
    std::string message = fmt::format("stored artifact: revision '{}'", revision);
    updated["status"]["artifact"] = art;
    updated["status"]["url"] = art.get_string("url");
    cond::remove(updated, "FetchFailed");
    cond::set(updated, "ArtifactInStorage", "True", "Succeeded", message);
    cond::mark_ready(updated, "Succeeded", message);
    cond::set_observed_generation(updated);
    WEIR_TRY(runtime::patch_status(mgr_.client(), obj, updated));
    if (is_new)
        mgr_.events().event(obj, runtime::event_type::normal, "NewArtifact",
                            fmt::format("stored fetched index of size {} from '{}'",
                                        art.find("size")->as_int(), index_url(spec.url)),
                            {{"source.toolkit.fluxcd.io/revision", revision},
                             {"source.toolkit.fluxcd.io/digest", std::string(art.get_string("digest"))}});
    return runtime::action::requeue(jittered(spec.interval));
}

// The stored index artifact, and whether it is new.
result<std::pair<value, bool>> helm_repository_reconciler::fetch_index(const value& obj)
{
    WEIR_TRY_ASSIGN(auto spec, helm_repository_spec::from(obj));
    WEIR_TRY_ASSIGN(auto opts, helm_repository_fetch_options(mgr_.client(), obj));
    opts.max_download_bytes = options_.index_max_size;
    auto ref = storage_ref("helmrepository", obj);
    fs::path tmp = storage_.temp_path("index");
    temp_dir cleanup(tmp);
    std::string url = index_url(spec.url);
    auto got = artifact::download(url, "", tmp, opts);
    if (!got) {
        error e = got.err();
        if (e.code == 401 || e.code == 403)
            e.reason = "AuthenticationFailed";
        else
            e.reason = "IndexationFailed";
        return e.wrap(fmt::format("failed to fetch Helm repository index '{}'", url));
    }
    // Only a readable index is stored: a proxy's HTML error page must not replace a good one.
    WEIR_TRY_ASSIGN(auto text, read_file(tmp));
    WEIR_TRY(helm_index::parse(text));

    auto current = current_artifact(obj);
    WEIR_TRY_ASSIGN(auto hex, artifact::digest_hex(got->digest));
    std::string file = fmt::format("index-{}.yaml", hex);
    if (current && current->digest == got->digest && storage_.exists(ref, file))
        return std::pair{current->to_value(), false};
    WEIR_TRY_ASSIGN(auto stored, storage_.adopt(ref, file, tmp, got->digest, got->size));
    auto removed = storage_.garbage_collect(ref, options_.artifact_retention_records, file);
    if (!removed) log_.warn("artifact garbage collection failed", {{"error", removed.err().message}});
    return std::pair{to_api_artifact(stored, got->digest).to_value(), true};
}

result<runtime::action> helm_repository_reconciler::finalize(const value& obj)
{
    WEIR_TRY(storage_.remove_object(storage_ref("helmrepository", obj)));
    if (runtime::has_finalizer(obj, api::flux_finalizer))
        WEIR_TRY(runtime::remove_finalizer(mgr_.client(), obj, api::flux_finalizer));
    return runtime::action::await_change();
}

} // namespace weir::source
