#include "cli_build.hpp"

#include <weir/api/kustomize_v1.hpp>
#include <weir/envsubst/envsubst.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kustomization/build.hpp>
#include <weir/core/temp_dir.hpp>

#include <fmt/format.h>

namespace weir::cli {

namespace fs = std::filesystem;

result<std::vector<value>> build_local(kube::client& c, const value& ks, const fs::path& dir)
{
    if (!fs::is_directory(dir)) return terminal_error(fmt::format("--path {}: no such directory", dir.string()));
    WEIR_TRY_ASSIGN(auto spec, api::kustomize_v1::kustomization_spec::from(ks));
    std::string ns(kube::namespace_of(ks)), name(kube::name_of(ks));
    envsubst::variables vars;
    for (const auto& ref : spec.substitute_from) {
        auto obj = c.get({"", "v1", ref.kind}, ns, ref.name);
        if (!obj) {
            if (kube::is_not_found(obj.err()) && ref.optional) continue;
            return obj.err().wrap(fmt::format("substitute from {}/{}", ref.kind, ref.name));
        }
        WEIR_TRY(envsubst::add_variables(vars, *obj));
    }
    if (const value* inline_vars = ks.find_path({"spec", "postBuild", "substitute"}))
        WEIR_TRY(envsubst::add_inline_variables(vars, *inline_vars));
    bool always = spec.substitute_strategy == "Always";
    bool substitute = always || !vars.empty() || !spec.substitute_from.empty() || !spec.substitute.empty();

    temp_dir scratch(fs::temp_directory_path(), "weir-build");
    fs::copy(dir, scratch.path() / "root", fs::copy_options::recursive);
    spec.path = "./";
    kustomization::build_request req{.root = scratch.path() / "root", .spec = spec, .name = name, .namespace_ = ns};
    req.post_build = [&](value& obj) -> status {
        if (!substitute || envsubst::substitution_disabled(obj)) return ok();
        auto changed = envsubst::substitute_object(obj, vars, {.strict = true, .always = always});
        if (!changed) return changed.err();
        return ok();
    };
    return kustomization::build(req);
}

} // namespace weir::cli
