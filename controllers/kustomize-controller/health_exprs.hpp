// spec.healthCheckExprs: CEL expressions that judge the health of custom resources of one
// apiVersion/kind instead of the generic kstatus rules, with Flux's semantics:
//   - the object's top-level fields (apiVersion, kind, metadata, spec, status) are the variables;
//   - inProgress, then failed, then current are evaluated; the first that is true decides;
//   - none true, or an evaluation error (such as a field not set yet), means in progress, so the
//     wait goes on until the timeout.
#pragma once

#include <weir/api/kustomize_v1.hpp>
#include <weir/cel/cel.hpp>
#include <weir/ssa/kstatus.hpp>

#include <optional>
#include <vector>

namespace weir::kustomize_controller {

class health_exprs {
public:
    // Compiles every expression; a syntax error is terminal and names the entry and the column.
    static result<health_exprs> compile(const std::vector<api::kustomize_v1::health_check_expr>& specs);

    bool empty() const { return entries_.empty(); }
    // The health of `obj` when an entry matches its apiVersion and kind, else nullopt.
    std::optional<ssa::health_result> judge(const value& obj) const;

private:
    struct entry {
        std::string api_version, kind;
        std::optional<cel::program> in_progress, failed;
        cel::program current;
    };
    std::vector<entry> entries_;
};

} // namespace weir::kustomize_controller
