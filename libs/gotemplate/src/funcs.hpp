// Helpers shared by the builtin and Sprig function files.
#pragma once

#include <weir/gotemplate/template.hpp>

#include <fmt/format.h>

namespace weir::gotemplate::detail {

inline function fn(std::vector<param> params, bool variadic, function_body body)
{
    return function{std::move(params), variadic, std::move(body), false};
}
inline error fail(std::string msg)
{
    return terminal_error(std::move(msg));
}

// Go's printableValue + fmt.Sprint for one argument: missing prints "<no value>".
std::string printable(const go_value& v);
// Sprig's strval / fmt.Sprintf("%v"): nil prints "<nil>".
std::string strval(const go_value& v);

// spf13/cast's ToInt64 and ToFloat64 as Sprig uses them: strings parse strictly (base 0 for
// integers), anything unparsable is 0.
std::int64_t cast_to_int64(const go_value& v);
double cast_to_float64(const go_value& v);

// Functions that build large values check them against these bounds, so a chart cannot make
// the renderer allocate without limit before the output limit is reached.
constexpr std::int64_t max_generated_list = 1 << 20;
result<void> check_size(call_context& ctx, std::size_t bytes, std::string_view what);

std::string go_time_format(std::int64_t unix_nanos, std::string_view layout, bool utc);

void add_builtins(function_table& t);
void add_sprig_strings(function_table& t);
void add_sprig_lists(function_table& t);
void add_sprig_math(function_table& t);
void add_sprig_misc(function_table& t);
void add_sprig_crypto(function_table& t);
void add_sprig_dates(function_table& t);

} // namespace weir::gotemplate::detail
