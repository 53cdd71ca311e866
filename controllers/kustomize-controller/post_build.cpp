#include "post_build.hpp"

#include <weir/api/secret.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

namespace weir::kustomize_controller {

result<envsubst::variables> resolve_variables(kube::client& client, std::string_view namespace_,
                                              const api::kustomize_v1::kustomization_spec& spec)
{
    envsubst::variables vars;
    for (const auto& ref : spec.substitute_from) {
        kube::gvk kind{"", "v1", ref.kind};
        auto obj = client.get(kind, namespace_, ref.name);
        if (!obj) {
            if (kube::is_not_found(obj.err()) && ref.optional) continue;
            return transient_error(fmt::format("substitute from '{}/{}' failed: {}", ref.kind, ref.name,
                                               obj.err().message),
                                   "BuildFailed");
        }
        auto data = ref.kind == "Secret" ? api::secret_data(*obj) : api::config_map_data(*obj);
        if (!data) return data.err();
        for (auto& [k, v] : *data) vars[k] = envsubst::normalize_value(v);
    }
    for (const auto& [k, v] : spec.substitute) vars[k] = envsubst::normalize_value(v);
    WEIR_TRY(envsubst::validate_variable_names(vars));
    return vars;
}

result<std::optional<sops::keys>> resolve_decryption_keys(kube::client& client, std::string_view namespace_,
                                                         const api::kustomize_v1::kustomization_spec& spec)
{
    if (!spec.decryption_provider) return std::optional<sops::keys>{};
    std::vector<std::pair<std::string, std::string>> entries;
    std::string secret_name = spec.decryption_secret_ref ? spec.decryption_secret_ref->name : "";
    if (!secret_name.empty()) {
        auto secret = client.get({"", "v1", "Secret"}, namespace_, secret_name);
        if (!secret)
            return transient_error(fmt::format("decryption secret '{}/{}' could not be read: {}", namespace_,
                                               secret_name, secret.err().message),
                                   "DecryptionFailed");
        WEIR_TRY_ASSIGN(auto data, api::secret_data(*secret));
        entries.assign(data.begin(), data.end());
    }
    WEIR_TRY_ASSIGN(auto keys, sops::keys_from_secret(entries, fmt::format("{}/{}", namespace_, secret_name)));
    return std::optional<sops::keys>(std::move(keys));
}

namespace {

std::string subject(const value& obj)
{
    const value* name = obj.find_path({"metadata", "name"});
    return fmt::format("{}/{}", obj.get_string("kind"), name && name->is_string() ? name->as_string() : "");
}

} // namespace

std::function<status(value&)> post_build_step(const api::kustomize_v1::kustomization_spec& spec,
                                              envsubst::variables vars, std::optional<sops::keys> keys)
{
    bool always = spec.substitute_strategy == "Always";
    // Flux's default strategy skips substitution entirely when no variable is defined.
    bool substitute = always || !vars.empty() || !spec.substitute_from.empty() || !spec.substitute.empty();
    return [vars = std::move(vars), keys = std::move(keys), always, substitute](value& obj) -> status {
        if (keys) {
            // The build may have added a namespace or labels to an encrypted object, which its
            // whole-file MAC would flag; every encrypted value is still authenticated by AES-GCM.
            auto decrypted = sops::decrypt_object(obj, *keys, /*verify_mac=*/false);
            if (!decrypted) return decrypted.err();
        } else if (sops::has_metadata(obj) && !sops::decryption_disabled(obj)) {
            return terminal_error(fmt::format("{} is SOPS-encrypted: configure spec.decryption with provider "
                                              "sops and a secretRef holding the age key",
                                              subject(obj)),
                                  "DecryptionFailed");
        }
        if (!substitute || envsubst::substitution_disabled(obj)) return ok();
        auto changed = envsubst::substitute_object(obj, vars, {.strict = true, .always = always});
        if (!changed)
            return terminal_error(fmt::format("{} post-build substitution failed: {}", subject(obj), changed.err().message),
                                  "BuildFailed");
        return ok();
    };
}

kustomize::source_filter secret_source_step(std::optional<sops::keys> keys)
{
    return [keys = std::move(keys)](std::string_view path, std::string text) -> result<std::string> {
        sops::format format = sops::format_for_path(path);
        if (!sops::looks_encrypted(text, format)) return text;
        if (!keys)
            return terminal_error(fmt::format("secretGenerator source '{}' is SOPS-encrypted: configure spec.decryption "
                                              "with provider sops and a secretRef holding the age key",
                                              path),
                                  "DecryptionFailed");
        return sops::decrypt_file(text, format, *keys, path);
    };
}

} // namespace weir::kustomize_controller
