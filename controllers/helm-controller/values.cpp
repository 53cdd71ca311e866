#include "values.hpp"

#include <weir/api/secret.hpp>
#include <weir/artifact/digest.hpp>
#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/helm/values.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>
#include <openssl/sha.h>

#include <algorithm>

namespace weir::helm_controller {

namespace {

// Keys sorted at every level, so equal values give equal digests whatever order they were written in.
value canonical(const value& v)
{
    if (v.is_array()) {
        array out;
        for (const auto& item : v.as_array())
            out.push_back(canonical(item));
        return out;
    }
    if (!v.is_object()) return v;
    std::vector<std::pair<std::string, const value*>> items;
    for (const auto& [k, item] : v.as_object())
        items.emplace_back(k, &item);
    std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    object out;
    for (const auto& [k, item] : items)
        out.push_back(k, canonical(*item));
    return out;
}

error values_error(std::string message, bool terminal)
{
    return terminal ? terminal_error(std::move(message), "ValuesError")
                    : transient_error(std::move(message), "ValuesError");
}

} // namespace

result<value> compose_values(kube::client& client, std::string_view namespace_,
                             const api::helm_v2::helm_release_spec& spec)
{
    value result = object{};
    for (const auto& ref : spec.values_from) {
        std::string what = fmt::format("{} '{}/{}'", ref.kind, namespace_, ref.name);
        auto obj = client.get({"", "v1", ref.kind}, namespace_, ref.name);
        if (!obj) {
            if (kube::is_not_found(obj.err()) && ref.optional) continue;
            return values_error(fmt::format("could not find {}: {}", what, obj.err().message), false);
        }
        auto data = ref.kind == "Secret" ? api::secret_data(*obj) : api::config_map_data(*obj);
        if (!data) return data.err();
        auto it = data->find(ref.values_key);
        if (it == data->end()) {
            if (ref.optional) continue;
            return values_error(fmt::format("missing key '{}' in {}", ref.values_key, what), false);
        }
        if (!ref.target_path.empty()) {
            // The whole data value lands at the path, as Helm's --set would put it (typed), or
            // as --set-literal does with `literal: true`.
            std::string expr = ref.target_path + "=" + it->second;
            if (auto s = helm::parse_set(expr, result,
                                         ref.literal ? helm::set_mode::literal : helm::set_mode::typed);
                !s)
                return values_error(
                    fmt::format("unable to merge value from key '{}' in {} into target path '{}': {}",
                                ref.values_key, what, ref.target_path, s.err().message),
                    true);
            continue;
        }
        auto doc = parse_yaml(it->second);
        if (!doc || (!doc->is_object() && !doc->is_null()))
            return values_error(fmt::format("unable to read values from key '{}' in {}: {}", ref.values_key,
                                            what, doc ? "not a map" : doc.err().message),
                                true);
        if (doc->is_object()) result = helm::merge_maps(std::move(result), *doc);
    }
    if (spec.values.is_object()) result = helm::merge_maps(std::move(result), spec.values);
    return result;
}

std::string config_digest(const value& values)
{
    return artifact::digest_of(to_json(canonical(values)));
}

std::string values_checksum(const value& values)
{
    std::string json = to_json(canonical(values));
    unsigned char out[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(json.data()), json.size(), out);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

} // namespace weir::helm_controller
