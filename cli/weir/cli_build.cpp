#include "cli_build.hpp"

#include "cli_common.hpp"

#include <weir/api/kustomize_v1.hpp>
#include <weir/envsubst/envsubst.hpp>
#include <weir/kube/errors.hpp>
#include <weir/kustomization/build.hpp>

#include <fmt/format.h>

namespace weir::cli {

namespace fs = std::filesystem;

result<named_build> build_named(const parsed_args& f, std::string_view verb)
{
    std::size_t i = 0;
    const flux_kind* k = take_kind(f.pos, i);
    std::string usage = fmt::format("usage: weir {} kustomization <name> --path DIR", verb);
    if (!k || k->kind != "Kustomization") return terminal_error(usage);
    if (i >= f.pos.size()) return terminal_error(fmt::format("{} kustomization: name is required", verb));
    if (!f.has("path")) return terminal_error(fmt::format("{} kustomization: --path is required", verb));
    WEIR_TRY_ASSIGN(auto c, connect(f));
    auto ks = c->get(k->gvk, f.namespace_(), f.pos[i]);
    if (!ks) {
        if (kube::is_not_found(ks.err()))
            return terminal_error(fmt::format("Kustomization '{}/{}' not found", f.namespace_(), f.pos[i]));
        return ks.err();
    }
    WEIR_TRY_ASSIGN(auto objects, build_local(*c, *ks, f.get("path")));
    return named_build{std::move(c), std::move(*ks), std::move(objects)};
}

result<std::vector<value>> build_local(kube::client& c, const value& ks, const fs::path& dir)
{
    if (!fs::is_directory(dir))
        return terminal_error(fmt::format("--path {}: no such directory", dir.string()));
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

    // The build only reads the directory (Flux's overlays stay in memory), so no copy is needed.
    spec.path = "./";
    kustomization::build_request req{.root = dir, .spec = spec, .name = name, .namespace_ = ns};
    req.post_build = [&](value& obj) -> status {
        if (!substitute || envsubst::substitution_disabled(obj)) return ok();
        auto changed = envsubst::substitute_object(obj, vars, {.strict = true, .always = always});
        if (!changed) return changed.err();
        return ok();
    };
    return kustomization::build(req);
}

} // namespace weir::cli
