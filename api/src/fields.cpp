#include "fields.hpp"

#include <fmt/format.h>

namespace weir::api::detail {

error invalid_field(std::string_view path, std::string_view why)
{
    return terminal_error(fmt::format("{}: {}", path, why), "InvalidSpec");
}

result<std::optional<std::string>> optional_string(const value& parent, std::string_view key, std::string_view path)
{
    const value* v = parent.find(key);
    if (!v || v->is_null()) return std::optional<std::string>{};
    if (!v->is_string()) return invalid_field(path, fmt::format("must be a string, not {}", v->type_name()));
    return std::optional<std::string>{v->as_string()};
}

result<std::string> required_string(const value& parent, std::string_view key, std::string_view path)
{
    WEIR_TRY_ASSIGN(auto s, optional_string(parent, key, path));
    if (!s || s->empty()) return invalid_field(path, "is required");
    return std::move(*s);
}

result<bool> optional_bool(const value& parent, std::string_view key, std::string_view path, bool fallback)
{
    const value* v = parent.find(key);
    if (!v || v->is_null()) return fallback;
    if (!v->is_bool()) return invalid_field(path, fmt::format("must be true or false, not {}", v->type_name()));
    return v->as_bool();
}

result<std::optional<std::chrono::nanoseconds>> optional_duration(const value& parent, std::string_view key,
                                                                   std::string_view path)
{
    WEIR_TRY_ASSIGN(auto s, optional_string(parent, key, path));
    if (!s) return std::optional<std::chrono::nanoseconds>{};
    auto d = parse_duration(*s);
    if (!d) return invalid_field(path, d.err().message);
    if (d->count() < 0) return invalid_field(path, "must not be negative");
    return std::optional<std::chrono::nanoseconds>{*d};
}

result<std::vector<std::string>> string_list(const value& parent, std::string_view key, std::string_view path)
{
    std::vector<std::string> out;
    const value* v = parent.find(key);
    if (!v || v->is_null()) return out;
    if (!v->is_array()) return invalid_field(path, "must be a list of strings");
    for (const auto& item : v->as_array()) {
        if (!item.is_string()) return invalid_field(path, "must be a list of strings");
        out.push_back(item.as_string());
    }
    return out;
}

result<std::map<std::string, std::string>> string_map(const value& parent, std::string_view key,
                                                      std::string_view path)
{
    std::map<std::string, std::string> out;
    const value* v = parent.find(key);
    if (!v || v->is_null()) return out;
    if (!v->is_object()) return invalid_field(path, "must be a map of strings");
    for (const auto& [k, item] : v->as_object()) {
        if (!item.is_string()) return invalid_field(fmt::format("{}.{}", path, k), "must be a string");
        out[k] = item.as_string();
    }
    return out;
}

result<std::optional<local_object_reference>> optional_ref(const value& parent, std::string_view key,
                                                           std::string_view path)
{
    const value* r = parent.find(key);
    if (!r || r->is_null()) return std::optional<local_object_reference>{};
    WEIR_TRY_ASSIGN(auto name, required_string(*r, "name", std::string(path) + ".name"));
    return std::optional<local_object_reference>{local_object_reference{std::move(name)}};
}

} // namespace weir::api::detail
