// Private: Table columns of built-in kinds (table_builtin.cpp), used by table.cpp.
#pragma once

#include <weir/core/value.hpp>

#include <cstdint>
#include <initializer_list>
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

// Cells and the small helpers they are made of (table_cells.cpp).
namespace cells {
const value* at(const value& obj, std::initializer_list<std::string_view> path);
std::int64_t num(const value& obj, std::initializer_list<std::string_view> path); // 0 when absent
std::string str(const value& obj, std::initializer_list<std::string_view> path);  // "" when absent
value or_none(std::string s);                                                     // "" -> "<none>"
std::size_t count(const value& obj, std::string_view key);                        // keys or items
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string selector_string(const value* label_selector); // "a=b,c in (x,y)"
std::string labels_string(const value* map);              // sorted "k=v,k2=v2"
std::vector<std::string> lb_ingress(const value& obj);    // status.loadBalancer.ingress IPs/hostnames
std::string age_of(std::string timestamp);                // human age, "<unknown>" when empty
value name_cell(const value& obj);
value age_cell(const value& obj);
value containers_cell(const value& obj);
value images_cell(const value& obj);
value selector_cell(const value& obj);
value service_external_ip(const value& obj);
value service_ports(const value& obj);
value job_status(const value& obj);
value job_completions(const value& obj);
value job_duration(const value& obj);
value bound(const value& binding, std::string_view subject_kind);
value event_last_seen(const value& event);
value event_object(const value& event);
value event_source(const value& event);
value pod_ready(const value& pod);
value pod_status(const value& pod);
value pod_restarts(const value& pod);
value pod_readiness_gates(const value& pod);
} // namespace cells

} // namespace weir::apiserver
