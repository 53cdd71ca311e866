// Reading spec fields with the error messages users need ("spec.interval: ...").
#pragma once

#include <weir/api/meta.hpp>
#include <weir/core/duration.hpp>
#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <vector>
#include <string>

namespace weir::api::detail {

error invalid_field(std::string_view path, std::string_view why);

// The string at key, or nullopt when absent; a non-string is a terminal error naming the path.
result<std::optional<std::string>> optional_string(const value& parent, std::string_view key, std::string_view path);
// {name: ...} at key (secretRef, certSecretRef, ...), or nullopt when absent or null.
result<std::optional<local_object_reference>> optional_ref(const value& parent, std::string_view key,
                                                           std::string_view path);
result<std::string> required_string(const value& parent, std::string_view key, std::string_view path);
result<bool> optional_bool(const value& parent, std::string_view key, std::string_view path, bool fallback);
result<std::optional<std::chrono::nanoseconds>> optional_duration(const value& parent, std::string_view key,
                                                                   std::string_view path);
result<std::vector<std::string>> string_list(const value& parent, std::string_view key, std::string_view path);
result<std::map<std::string, std::string>> string_map(const value& parent, std::string_view key,
                                                      std::string_view path);

} // namespace weir::api::detail
