// weir::cel: a small evaluator for the subset of Google's Common Expression Language (CEL) that
// health-check expressions use (Flux's Kustomization spec.healthCheckExprs).
//
//   auto prog = cel::compile("status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')");
//   auto ok = cel::evaluate_bool(*prog, obj.as_object());   // top-level keys become variables
//
// Supported: int/uint/double/string/bytes/bool/null literals, lists, maps, a.b, a[i], has(a.b),
// ! - * / % + < <= > >= == != && || ?: in, the macros all/exists/exists_one/map/filter, and
// size int uint double string bool type matches startsWith endsWith contains lowerAscii upperAscii.
// Errors follow CEL: a missing key is an error, && and || absorb an error when the other side
// decides. Compile errors name the column (1-based) of the problem.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace weir::cel {

struct node;

// A parsed expression; cheap to share and evaluate many times.
class program {
public:
    program(std::shared_ptr<const node> root, std::string source);
    const node& root() const { return *root_; }
    const std::string& source() const { return source_; }

private:
    std::shared_ptr<const node> root_;
    std::string source_;
};

// Parses `source`; a syntax error is terminal and names the column.
result<program> compile(std::string_view source);

// Evaluates with each member of `vars` bound as a variable. A runtime error (no such key, type
// mismatch, division by zero) is terminal and names the column of the failing operation.
result<value> evaluate(const program& p, const object& vars);

// As evaluate, and the result must be a bool.
result<bool> evaluate_bool(const program& p, const object& vars);

} // namespace weir::cel
