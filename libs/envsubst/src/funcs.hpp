// Private: the string functions behind each ${var<op>...} form, with Flux's (Go) semantics.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace weir::envsubst::detail {

// Applies the function named by `op` to the value `s` with the evaluated arguments.
std::string apply(std::string_view op, const std::string& s, const std::vector<std::string>& args);

// Go's path.Match: `*` and `?` never match '/', [...] classes with ^ negation and ranges, `\`
// escapes. Returns -1 for a malformed pattern, else 1 on a match and 0 otherwise.
int glob_match(std::string_view pattern, std::string_view name);

} // namespace weir::envsubst::detail
