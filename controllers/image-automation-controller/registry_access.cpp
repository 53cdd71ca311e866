#include "registry_access.hpp"

#include <weir/api/secret.hpp>

#include <fmt/format.h>

namespace weir::image {

namespace {

const kube::gvk secret_kind{"", "v1", "Secret"};

result<std::map<std::string, std::string>> read_secret(kube::client& kube, const std::string& ns,
                                                       const std::string& name, std::string_view field)
{
    auto secret = kube.get(secret_kind, ns, name);
    if (!secret)
        return transient_error(
            fmt::format("failed to get secret '{}/{}' ({}): {}", ns, name, field, secret.err().message),
            "AuthenticationFailed");
    return api::secret_data(*secret);
}

std::string find(const std::map<std::string, std::string>& m, const std::string& key)
{
    auto it = m.find(key);
    return it == m.end() ? std::string() : it->second;
}

} // namespace

status check_provider(const api::image_v1::image_repository_spec& spec)
{
    if (spec.provider == "generic") return ok();
    // Flux logs in to ECR/GCR/ACR through the cloud's metadata service; nothing here can reach a
    // cloud, so say so once (Stalled) instead of failing every scan with a network error.
    static const std::map<std::string, std::string, std::less<>> clouds{
        {"aws", "AWS ECR"},
        {"gcp", "Google Artifact/Container Registry"},
        {"azure", "Azure Container Registry"}};
    auto it = clouds.find(spec.provider);
    if (it == clouds.end())
        return terminal_error(
            fmt::format("spec.provider '{}' is unknown: use generic, aws, gcp or azure", spec.provider),
            "InvalidProvider");
    return terminal_error(
        fmt::format("spec.provider '{}': automatic {} login is not supported by weir; set "
                    "spec.provider to generic and give the registry credentials in spec.secretRef "
                    "(a kubernetes.io/dockerconfigjson Secret)",
                    spec.provider, it->second),
        "UnsupportedProvider");
}

result<registry_target> connect_registry(kube::client& kube, const std::string& ns,
                                         const api::image_v1::image_repository_spec& spec)
{
    WEIR_TRY(check_provider(spec));
    WEIR_TRY_ASSIGN(auto image, oci::parse_image_name(spec.image));
    oci::client_options opts;
    opts.insecure = spec.insecure;
    opts.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout);
    opts.page_size = 1000;
    if (spec.secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(kube, ns, spec.secret_ref->name, "spec.secretRef"));
        std::string cfg = find(data, ".dockerconfigjson");
        if (cfg.empty()) cfg = find(data, ".dockercfg");
        if (cfg.empty()) // fixed by editing the Secret, not this object: retried
            return transient_error(
                fmt::format("secret '{}/{}' has no .dockerconfigjson key (create it with kubectl create "
                            "secret docker-registry)",
                            ns, spec.secret_ref->name),
                "AuthenticationFailed");
        auto creds = oci::credentials_from_docker_config(cfg, image.registry);
        if (!creds) {
            error e = creds.err().wrap(fmt::format("secret '{}/{}'", ns, spec.secret_ref->name));
            e.kind = error_kind::transient;
            return e;
        }
        opts.credentials = *creds;
    }
    if (spec.cert_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(kube, ns, spec.cert_secret_ref->name, "spec.certSecretRef"));
        opts.ca_pem = find(data, "ca.crt");
        opts.cert_pem = find(data, "tls.crt");
        opts.key_pem = find(data, "tls.key");
    }
    if (spec.proxy_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, read_secret(kube, ns, spec.proxy_secret_ref->name, "spec.proxySecretRef"));
        opts.proxy_url = find(data, "address");
        if (opts.proxy_url.empty())
            return transient_error(fmt::format("secret '{}/{}' has no 'address' key for the proxy", ns,
                                               spec.proxy_secret_ref->name),
                                   "InvalidProxy");
        opts.proxy_username = find(data, "username");
        opts.proxy_password = find(data, "password");
    }
    registry_target t{image, std::make_unique<oci::registry_client>(image.api_host(), opts)};
    return t;
}

} // namespace weir::image
