// The parser of Go's text/template: tokens to trees, with Go's error messages
// ("template: NAME:LINE: MESSAGE").
#pragma once

#include "ast.hpp"

#include <weir/core/result.hpp>

#include <functional>
#include <string_view>

namespace weir::gotemplate::detail {

struct parse_options {
    std::function<bool(std::string_view)> has_function;
    std::size_t max_depth = 1000; // nested parentheses and control structures
};

// Go's NewNumber for a number token (char_constant: a 'x' literal); Go's error text on failure.
result<number_info> parse_number(bool char_constant, std::string_view text);

// Parses `text` as template `name`; the trees (the top one first) of it and its defines.
result<std::vector<std::shared_ptr<template_tree>>>
parse_template(std::string_view name, std::string_view text, const parse_options& opts);

} // namespace weir::gotemplate::detail
