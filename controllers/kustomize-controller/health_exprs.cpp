#include "health_exprs.hpp"

#include <fmt/format.h>

namespace weir::kustomize_controller {
namespace {

result<std::optional<cel::program>> compile_optional(const std::string& src, const std::string& where)
{
    if (src.empty()) return std::optional<cel::program>{};
    auto p = cel::compile(src);
    if (!p) return p.err().wrap(where);
    return std::optional<cel::program>(std::move(*p));
}

} // namespace

result<health_exprs> health_exprs::compile(const std::vector<api::kustomize_v1::health_check_expr>& specs)
{
    health_exprs out;
    for (std::size_t i = 0; i < specs.size(); ++i) {
        const auto& s = specs[i];
        std::string where = fmt::format("spec.healthCheckExprs[{}] ({} {})", i, s.api_version, s.kind);
        WEIR_TRY_ASSIGN(auto in_progress, compile_optional(s.in_progress, where + ".inProgress"));
        WEIR_TRY_ASSIGN(auto failed, compile_optional(s.failed, where + ".failed"));
        WEIR_TRY_ASSIGN(auto current, compile_optional(s.current, where + ".current"));
        if (!current) return terminal_error(where + ": current must not be empty", "InvalidExpression");
        out.entries_.push_back(
            {s.api_version, s.kind, std::move(in_progress), std::move(failed), std::move(*current)});
    }
    return out;
}

std::optional<ssa::health_result> health_exprs::judge(const value& obj) const
{
    if (!obj.is_object()) return std::nullopt;
    std::string_view api_version = obj.get_string("apiVersion"), kind = obj.get_string("kind");
    for (const auto& e : entries_) {
        if (e.api_version != api_version || e.kind != kind) continue;
        struct step {
            const cel::program* prog;
            const char* field;
            ssa::health status;
        };
        const step steps[] = {
            {e.in_progress ? &*e.in_progress : nullptr, "inProgress", ssa::health::in_progress},
            {e.failed ? &*e.failed : nullptr, "failed", ssa::health::failed},
            {&e.current, "current", ssa::health::current}};
        for (const auto& st : steps) {
            if (!st.prog) continue;
            auto r = cel::evaluate_bool(*st.prog, obj.as_object());
            // An error (a field not there yet, a type mismatch) keeps the object in progress.
            if (!r) return ssa::health_result{ssa::health::in_progress, r.err().message};
            if (*r)
                return ssa::health_result{
                    st.status,
                    fmt::format("healthCheckExprs {} expression '{}' is true", st.field, st.prog->source())};
        }
        return ssa::health_result{ssa::health::in_progress, "no healthCheckExprs expression is true yet"};
    }
    return std::nullopt;
}

} // namespace weir::kustomize_controller
