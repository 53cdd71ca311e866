// Private: Table columns of built-in kinds (table_builtin.cpp), used by table.cpp.
#pragma once

#include <weir/core/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace weir::apiserver {

// "5m", "3h12m", "2d": kubectl's human durations, from an RFC 3339 time to now.
std::string human_age(std::string_view rfc3339);

struct builtin_column {
    const char* name;
    const char* type; // string, integer, date
    int priority;     // 1: only with -o wide
    const char* description;
    value (*cell)(const value& obj);
};

// The columns the real server prints for a built-in resource (Name and Age included), or
// nullptr when it has none of its own (then Name and Age).
const std::vector<builtin_column>* builtin_table(std::string_view group, std::string_view resource);

} // namespace weir::apiserver
