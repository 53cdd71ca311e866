// Private: the syntax tree of a substitution template and its parser.
#pragma once

#include <weir/core/result.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weir::envsubst::detail {

// A template is a list of nodes; a node is literal text or one ${...} expression whose
// arguments are themselves nodes (a text run or a nested expression).
struct node {
    bool is_expr = false;
    std::string text;   // literal text (is_expr == false)
    std::string param;  // variable name
    std::string op;     // "", ":=", "/", "##", ...
    std::size_t offset = 0; // where the expression starts in the input, for messages
    std::vector<node> args;
};

result<std::vector<node>> parse(std::string_view input);

// 1-based line and column of a byte offset, for messages.
std::string location(std::string_view input, std::size_t offset);

} // namespace weir::envsubst::detail
