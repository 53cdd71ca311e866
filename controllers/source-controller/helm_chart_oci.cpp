// HelmChart from an OCI HelmRepository: the chart is the image oci://<host>/<path>/<chart>:<version>
// in Helm's OCI format (config application/vnd.cncf.helm.config.v1+json, one layer
// application/vnd.cncf.helm.chart.content.v1.tar+gzip). A version range is resolved over the
// repository's tags (Helm writes '+' of a version as '_' in tags).
#include "helm_chart_reconciler.hpp"
#include "helm_common.hpp"
#include "oci_repository_verify.hpp"

#include <weir/api/secret.hpp>
#include <weir/core/semver.hpp>
#include <weir/core/temp_dir.hpp>
#include <weir/oci/auth.hpp>
#include <weir/oci/client.hpp>
#include <weir/runtime/conditions.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>

namespace weir::source {
namespace fs = std::filesystem;
using api::source_v1::helm_chart_spec;
using namespace helm_detail;

namespace {

constexpr std::string_view helm_config_media = "application/vnd.cncf.helm.config.v1+json";
constexpr std::string_view helm_chart_media = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";
constexpr std::string_view helm_chart_media_legacy = "application/tar+gzip";
const kube::gvk secret_kind{"", "v1", "Secret"};

error pull_error(error e, std::string_view context)
{
    e = std::move(e).wrap(context);
    if (e.reason.empty() || e.reason == "NotFound" || e.reason == "RegistryError" ||
        e.reason == "Unreachable")
        e.reason = "ChartPullError";
    return e;
}

// Flux's keys for an OCI HelmRepository secretRef: username/password, or a .dockerconfigjson.
result<oci::client_options> registry_options(kube::client& client, const value& repo, const std::string& host)
{
    oci::client_options o;
    const value* insecure = repo.find_path({"spec", "insecure"});
    o.insecure = insecure && insecure->is_bool() && insecure->as_bool();
    const value* secret_name = repo.find_path({"spec", "secretRef", "name"});
    if (!secret_name || !secret_name->is_string()) return o;
    std::string ns = ns_of(repo);
    auto secret = client.get(secret_kind, ns, std::string(secret_name->as_string()));
    if (!secret)
        return transient_error(fmt::format("failed to get secret '{}/{}': {}", ns, secret_name->as_string(),
                                           secret.err().message),
                               "AuthenticationFailed");
    WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
    if (auto it = data.find(".dockerconfigjson"); it != data.end()) {
        auto creds = oci::credentials_from_docker_config(it->second, host);
        if (!creds)
            return std::move(creds).err().wrap(fmt::format("secret '{}/{}'", ns, secret_name->as_string()));
        o.credentials = *creds;
    } else if (data.count("username") && data.count("password")) {
        o.credentials = oci::basic_credentials{data["username"], data["password"]};
    }
    if (auto it = data.find("ca.crt"); it != data.end()) o.ca_pem = it->second;
    return o;
}

bool exact_version(const std::string& v)
{
    return semver::parse(v).has_value();
}

// The highest tag (read as a version, '_' as '+') in `range`; the tag as pushed.
result<std::string> resolve_tag(oci::registry_client& reg, const std::string& repository,
                                const std::string& chart_ref, const std::string& range_text)
{
    WEIR_TRY_ASSIGN(auto range, semver_range::parse(range_text));
    auto tags = reg.list_tags(repository);
    if (!tags) return pull_error(tags.err(), fmt::format("failed to list the tags of '{}'", chart_ref));
    std::optional<semver> best;
    std::string best_tag;
    for (const auto& tag : *tags) {
        std::string text = tag;
        std::replace(text.begin(), text.end(), '_', '+');
        auto v = semver::parse(text);
        if (!v || !range.matches(*v)) continue;
        if (!best || *best < *v) {
            best = *v;
            best_tag = tag;
        }
    }
    if (!best)
        return transient_error(fmt::format("no chart version of '{}' matches '{}' (tags: {})", chart_ref,
                                           range_text, tags->size()),
                               "ChartPullError");
    return best_tag;
}

} // namespace

bool is_oci_repository(const value& source)
{
    const value* type = source.find_path({"spec", "type"});
    return source.get_string("kind") == "HelmRepository" && type && type->is_string() &&
           type->as_string() == "oci";
}

result<helm_chart_reconciler::built>
helm_chart_reconciler::from_oci(const value& obj, const helm_chart_spec& spec, const value& repo)
{
    auto verification = oci_verification_of(obj);
    if (verification)
        if (auto unsupported = unsupported_verification(*verification)) return *unsupported;
    std::string url(repo.find_path({"spec", "url"})->as_string());
    if (!url.starts_with("oci://"))
        return terminal_error(
            fmt::format("HelmRepository '{}/{}' of type oci has url '{}': it must start with oci://",
                        ns_of(repo), name_of(repo), url),
            "URLInvalid");
    std::string rest = url.substr(6);
    while (rest.ends_with("/"))
        rest.pop_back();
    auto slash = rest.find('/');
    std::string host = rest.substr(0, slash);
    std::string repository = (slash == std::string::npos ? "" : rest.substr(slash + 1) + "/") + spec.chart;
    std::string chart_ref = "oci://" + host + "/" + repository;
    WEIR_TRY_ASSIGN(auto opts, registry_options(mgr_.client(), repo, host));
    opts.max_blob_bytes = options_.chart_max_size;
    oci::registry_client reg(host, opts);

    std::string wanted = spec.version.empty() ? "*" : spec.version;
    std::string tag;
    if (exact_version(wanted)) {
        tag = wanted;
        std::replace(tag.begin(), tag.end(), '+', '_');
    } else {
        WEIR_TRY_ASSIGN(tag, resolve_tag(reg, repository, chart_ref, wanted));
    }
    std::string chart_version = tag;
    std::replace(chart_version.begin(), chart_version.end(), '_', '+');
    auto digest = reg.manifest_digest(repository, tag);
    if (!digest) return pull_error(digest.err(), fmt::format("failed to resolve '{}:{}'", chart_ref, tag));
    std::string version = chart_version;
    if (!spec.values_files.empty()) {
        if (auto plus = version.find('+'); plus != std::string::npos) version.resize(plus);
        version += "+" + std::to_string(kube::generation_of(obj));
    }

    std::optional<std::string> verified;
    auto current = current_artifact(obj);
    auto ref = storage_ref("helmchart", obj);
    std::string file = fmt::format("{}-{}.tgz", spec.chart, version);
    bool unchanged = current && current->revision == version && storage_.exists(ref, file);
    if (verification && (!unchanged || !runtime::conditions::is_true(obj, "SourceVerified"))) {
        auto ok = verify_oci_signature(mgr_.client(), ns_of(obj), *verification, reg, repository, *digest,
                                       chart_version + "@" + *digest);
        if (!ok) return ok.err();
        verified = *ok;
    }
    if (unchanged) return built{*current, spec.chart, {}, false, false, verified};

    auto manifest = reg.get_manifest(repository, *digest);
    if (!manifest)
        return pull_error(manifest.err(), fmt::format("failed to pull manifest of '{}:{}'", chart_ref, tag));
    auto config = manifest->config();
    if (!config || config->media_type != helm_config_media)
        return terminal_error(
            fmt::format("'{}:{}' is not a Helm chart: its config media type is '{}', not '{}'", chart_ref,
                        tag, config ? config->media_type : "", helm_config_media),
            "ChartPullError");
    std::optional<oci::descriptor> layer;
    for (const auto& l : manifest->layers())
        if (l.media_type == helm_chart_media || l.media_type == helm_chart_media_legacy) layer = l;
    if (!layer)
        return terminal_error(
            fmt::format("'{}:{}' has no chart layer of media type '{}'", chart_ref, tag, helm_chart_media),
            "ChartPullError");
    auto blob = reg.get_blob(repository, layer->digest);
    if (!blob)
        return pull_error(blob.err(), fmt::format("failed to pull chart layer of '{}:{}'", chart_ref, tag));
    fs::path tmp = storage_.temp_path("oci-chart");
    temp_dir cleanup(tmp);
    {
        std::ofstream out(tmp, std::ios::binary);
        out.write(blob->data(), static_cast<std::streamsize>(blob->size()));
        if (!out) return transient_error("cannot write " + tmp.string(), "StorageOperationFailed");
    }
    WEIR_TRY_ASSIGN(auto b, from_package(obj, spec, spec.chart, chart_version, version, tmp, layer->digest,
                                         blob->size()));
    b.verified = verified;
    return b;
}

} // namespace weir::source
