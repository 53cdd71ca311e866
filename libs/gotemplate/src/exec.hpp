// The executor: walks parse trees over go_value data, Go's exec.go rule by rule.
#pragma once

#include "ast.hpp"

#include <weir/gotemplate/template.hpp>

namespace weir::gotemplate::detail {

struct set_data {
    function_table functions;
    tree_map trees;
    // tpl renders text against a small set of its own trees on top of the running set, so that
    // a call neither copies the set's trees nor its functions.
    const set_data* parent = nullptr;

    const template_tree* find_tree(std::string_view name) const
    {
        auto it = trees.find(name);
        if (it != trees.end()) return it->second.get();
        return parent ? parent->find_tree(name) : nullptr;
    }
    const function* find_function(std::string_view name) const
    {
        return parent ? parent->find_function(name) : functions.find(name);
    }
};

status execute_tree(const set_data& set, const options& opts, std::string& out, std::string_view name,
                    const go_value& data, std::size_t depth);

} // namespace weir::gotemplate::detail
