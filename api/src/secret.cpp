#include <weir/api/secret.hpp>
#include <weir/core/encoding.hpp>

#include <fmt/format.h>

namespace weir::api {
namespace {

status decode_into(const value& obj, std::string_view field, std::map<std::string, std::string>& out)
{
    const value* data = obj.find(field);
    if (!data || !data->is_object()) return ok();
    for (const auto& [k, v] : data->as_object()) {
        if (!v.is_string()) continue;
        auto decoded = base64_decode(v.as_string());
        if (!decoded) {
            const value* name = obj.find_path({"metadata", "name"});
            return terminal_error(fmt::format("{} '{}' key '{}': {}", obj.get_string("kind", "object"),
                                              name && name->is_string() ? name->as_string() : "", k,
                                              decoded.err().message),
                                  "InvalidSecret");
        }
        out[k] = std::move(*decoded);
    }
    return ok();
}

void copy_strings(const value& obj, std::string_view field, std::map<std::string, std::string>& out)
{
    if (const value* sd = obj.find(field); sd && sd->is_object())
        for (const auto& [k, v] : sd->as_object())
            if (v.is_string()) out[k] = v.as_string();
}

} // namespace

result<std::map<std::string, std::string>> secret_data(const value& secret)
{
    std::map<std::string, std::string> out;
    WEIR_TRY(decode_into(secret, "data", out));
    copy_strings(secret, "stringData", out);
    return out;
}

result<std::map<std::string, std::string>> config_map_data(const value& config_map)
{
    std::map<std::string, std::string> out;
    copy_strings(config_map, "data", out);
    WEIR_TRY(decode_into(config_map, "binaryData", out));
    return out;
}

} // namespace weir::api
