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

std::function<status(value&)> substitution_step(const api::kustomize_v1::kustomization_spec& spec,
                                                envsubst::variables vars)
{
    bool always = spec.substitute_strategy == "Always";
    // Flux's default strategy skips substitution entirely when no variable is defined.
    if (vars.empty() && !always && spec.substitute_from.empty() && spec.substitute.empty()) return {};
    return [vars = std::move(vars), always](value& obj) -> status {
        if (envsubst::substitution_disabled(obj)) return ok();
        auto changed = envsubst::substitute_object(obj, vars, {.strict = true, .always = always});
        if (!changed)
            return terminal_error(fmt::format("{}/{} post-build substitution failed: {}", obj.get_string("kind"),
                                              obj.find_path({"metadata", "name"})->as_string(), changed.err().message),
                                  "BuildFailed");
        return ok();
    };
}

} // namespace weir::kustomize_controller
