// Go's fmt package for template values: Sprint, Sprintln, Sprintf with Go's verbs, flags and
// its printing of maps (map[a:1 b:2]), slices ([1 2 3]), nil (<nil>) and floats (1e+06).
#pragma once

#include <weir/gotemplate/go_value.hpp>

#include <span>
#include <string>
#include <string_view>

namespace weir::gotemplate::detail {

std::string go_sprint(std::span<const go_value> args);
std::string go_sprintln(std::span<const go_value> args);
std::string go_sprintf(std::string_view format, std::span<const go_value> args);
// fmt.Sprint of one value (%v), appended.
void append_value(std::string& out, const go_value& v);
std::string to_display(const go_value& v);

} // namespace weir::gotemplate::detail
