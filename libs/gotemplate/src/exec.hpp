// The executor: walks parse trees over go_value data, Go's exec.go rule by rule.
#pragma once

#include "ast.hpp"

#include <weir/gotemplate/template.hpp>

namespace weir::gotemplate::detail {

struct set_data {
    function_table functions;
    tree_map trees;
};

status execute_tree(const set_data& set, const options& opts, std::string& out, std::string_view name,
                    const go_value& data, std::size_t depth);

} // namespace weir::gotemplate::detail
