#include <weir/core/encoding.hpp>
#include <weir/core/yaml.hpp>
#include <weir/kube/config.hpp>
#include <weir/kube/errors.hpp>
#include <weir/runtime/remote_cluster.hpp>

#include <fmt/format.h>

namespace weir::runtime {

namespace {

// Keys that make a kubeconfig read local files or run programs.
constexpr std::string_view forbidden_keys[] = {
    "tokenFile", "client-certificate", "client-key", "certificate-authority", "exec", "auth-provider"};

std::string_view forbidden_key_in(const value& v)
{
    if (v.is_array()) {
        for (const auto& e : v.as_array())
            if (auto k = forbidden_key_in(e); !k.empty()) return k;
    } else if (v.is_object()) {
        for (const auto& [k, e] : v.as_object()) {
            for (auto bad : forbidden_keys)
                if (k == bad) return bad;
            if (auto found = forbidden_key_in(e); !found.empty()) return found;
        }
    }
    return {};
}

result<std::string> kubeconfig_text(const value& secret, const std::string& where, const std::string& key)
{
    const value* data = secret.find("data");
    std::vector<std::string> keys =
        key.empty() ? std::vector<std::string>{"value", "value.yaml"} : std::vector<std::string>{key};
    for (const auto& k : keys) {
        const value* v = data && data->is_object() ? data->find(k) : nullptr;
        if (!v || !v->is_string()) continue;
        auto decoded = base64_decode(v->as_string());
        if (!decoded)
            return terminal_error(fmt::format("{} key '{}' is not valid base64", where, k),
                                  "InvalidKubeConfig");
        return std::move(*decoded);
    }
    return terminal_error(fmt::format("{} has no kubeconfig under key '{}'", where,
                                      key.empty() ? "value' or 'value.yaml" : key),
                          "InvalidKubeConfig");
}

} // namespace

result<std::shared_ptr<kube::client>> remote_client(kube::client& local, std::string_view namespace_,
                                                    const kube_config_secret& ref)
{
    std::string where = fmt::format("kubeconfig Secret '{}/{}'", namespace_, ref.secret_name);
    auto secret = local.get({"", "v1", "Secret"}, namespace_, ref.secret_name);
    if (!secret) {
        if (kube::is_not_found(secret.err()))
            return transient_error(fmt::format("{} not found", where), "InvalidKubeConfig");
        return secret.err().wrap("reading " + where);
    }
    WEIR_TRY_ASSIGN(std::string text, kubeconfig_text(*secret, where, ref.key));
    auto parsed = parse_yaml(text);
    if (!parsed)
        return terminal_error(fmt::format("{}: {}", where, parsed.err().message), "InvalidKubeConfig");
    if (auto bad = forbidden_key_in(*parsed); !bad.empty())
        return terminal_error(
            fmt::format("{} uses '{}', which reads local files or runs programs: embed the "
                        "credentials (token, client-key-data, certificate-authority-data) instead",
                        where, bad),
            "InvalidKubeConfig");
    auto cfg = kube::parse_kubeconfig(text, "/nonexistent", {}, where);
    if (!cfg) return terminal_error(cfg.err().message, "InvalidKubeConfig");
    auto client = kube::client::create(*cfg);
    if (!client)
        return terminal_error(fmt::format("{}: {}", where, client.err().message), "InvalidKubeConfig");
    return *client;
}

result<std::shared_ptr<kube::client>> client_for_object(const std::shared_ptr<kube::client>& local,
                                                        std::string_view namespace_,
                                                        const std::optional<kube_config_secret>& kube_config,
                                                        std::string_view service_account)
{
    std::shared_ptr<kube::client> target = local;
    if (kube_config) {
        WEIR_TRY_ASSIGN(target, remote_client(*local, namespace_, *kube_config));
    }
    if (service_account.empty()) return target;
    return target->impersonate(fmt::format("system:serviceaccount:{}:{}", namespace_, service_account));
}

} // namespace weir::runtime
