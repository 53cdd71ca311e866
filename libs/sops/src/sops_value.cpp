#include "crypto.hpp"
#include "encoding.hpp"
#include "sops_detail.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <map>

namespace weir::sops {

error detail::failure(std::string message) { return terminal_error(std::move(message), "DecryptionFailed"); }

namespace detail {
namespace {

// Go's strconv.ParseBool.
std::optional<bool> parse_bool(std::string_view s)
{
    if (s == "1" || s == "t" || s == "T" || s == "TRUE" || s == "true" || s == "True") return true;
    if (s == "0" || s == "f" || s == "F" || s == "FALSE" || s == "false" || s == "False") return false;
    return std::nullopt;
}

std::optional<std::int64_t> parse_int(std::string_view s)
{
    if (!s.empty() && s[0] == '+') s.remove_prefix(1);
    std::int64_t v = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
    return v;
}

std::optional<double> parse_float(std::string_view s)
{
    std::string t(s);
    if (t.empty()) return std::nullopt;
    char* end = nullptr;
    double d = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size()) return std::nullopt;
    return d;
}

bool digits(std::string_view s)
{
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

} // namespace

result<value> decrypt_scalar(std::string_view text, std::string_view key, std::string_view aad, std::string& plain)
{
    plain.clear();
    if (text.empty()) return value(std::string()); // SOPS leaves empty strings unencrypted
    WEIR_TRY_ASSIGN(encrypted_value ev, parse_encrypted_value(text));
    auto out = crypto::aes256gcm_open(key, ev.iv, ev.data, ev.tag, aad);
    if (!out) return failure("AES-GCM authentication failed");
    plain = std::move(*out);
    const std::string& t = ev.type;
    if (t == "str" || t == "bytes" || t == "time" || t == "comment") return value(plain);
    if (t == "int") {
        auto v = parse_int(plain);
        if (!v) return failure("a value of type int does not hold an integer");
        return value(*v);
    }
    if (t == "float") {
        auto v = parse_float(plain);
        if (!v) return failure("a value of type float does not hold a number");
        return value(*v);
    }
    if (t == "bool") {
        auto v = parse_bool(plain);
        if (!v) return failure("a value of type bool does not hold a boolean");
        return value(*v);
    }
    return failure(fmt::format("unknown SOPS value type \"{}\"", t));
}

std::string mac_bytes(const value& v)
{
    switch (v.type()) {
    case value::kind::string: return v.as_string();
    case value::kind::integer: return std::to_string(v.as_int());
    case value::kind::boolean: return v.as_bool() ? "True" : "False";
    case value::kind::number: {
        double d = v.as_double();
        if (std::isnan(d)) return "NaN";
        if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
        // Go's FormatFloat(f, 'f', -1, 64): the shortest digits that round-trip, never an exponent.
        char buf[400];
        auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
        return std::string(buf, r.ptr);
    }
    default: return {};
    }
}

result<std::string> normalize_rfc3339(std::string_view s)
{
    // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
    auto bad = [&] {
        return failure(fmt::format("sops metadata lastmodified \"{}\" is not an RFC 3339 time", s));
    };
    if (s.size() < 20 || !digits(s.substr(0, 4)) || s[4] != '-' || !digits(s.substr(5, 2)) || s[7] != '-' ||
        !digits(s.substr(8, 2)) || (s[10] != 'T' && s[10] != 't') || !digits(s.substr(11, 2)) || s[13] != ':' ||
        !digits(s.substr(14, 2)) || s[16] != ':' || !digits(s.substr(17, 2)))
        return bad();
    std::string out(s.substr(0, 19));
    out[10] = 'T';
    std::size_t i = 19;
    if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
        ++i;
        std::size_t b = i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == b) return bad();
    }
    std::string_view zone = s.substr(i);
    if (zone == "Z" || zone == "z") return out + "Z";
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') || !digits(zone.substr(1, 2)) || zone[3] != ':' ||
        !digits(zone.substr(4, 2)))
        return bad();
    if (zone.substr(1) == "00:00") return out + "Z";
    return out + std::string(zone);
}

result<value> unflatten(const std::vector<std::pair<std::string, std::string>>& entries)
{
    // Keys like "age__list_0__map_enc": "__map_" opens a mapping key, "__list_" a list index.
    value root = object{};
    for (const auto& entry : entries) {
        const std::string& flat = entry.first; // a named reference: clang 14 cannot capture bindings
        std::vector<std::pair<bool, std::string>> tokens; // (is_list, key or index)
        std::size_t pos = 0, start = 0;
        bool list = false;
        auto finish = [&](std::size_t end) { tokens.emplace_back(list, flat.substr(start, end - start)); };
        while (pos < flat.size()) {
            if (flat.compare(pos, 6, "__map_") == 0) {
                finish(pos);
                pos += 6;
                start = pos;
                list = false;
            } else if (flat.compare(pos, 7, "__list_") == 0) {
                finish(pos);
                pos += 7;
                start = pos;
                list = true;
            } else {
                ++pos;
            }
        }
        finish(flat.size());
        value* cur = &root;
        for (std::size_t t = 0; t < tokens.size(); ++t) {
            const auto& [is_list, key] = tokens[t];
            if (is_list) {
                auto idx = parse_int(key);
                if (!idx || *idx < 0 || *idx > 1000) return failure(fmt::format("bad sops metadata key \"sops_{}\"", flat));
                if (cur->is_null()) *cur = array{};
                if (!cur->is_array()) return failure(fmt::format("bad sops metadata key \"sops_{}\"", flat));
                auto& a = cur->as_array();
                if (a.size() <= static_cast<std::size_t>(*idx)) a.resize(static_cast<std::size_t>(*idx) + 1);
                cur = &a[static_cast<std::size_t>(*idx)];
            } else {
                if (cur->is_null()) *cur = object{};
                if (!cur->is_object()) return failure(fmt::format("bad sops metadata key \"sops_{}\"", flat));
                cur = &(*cur)[key];
            }
        }
        *cur = value(entry.second);
    }
    return root;
}

} // namespace detail

result<encrypted_value> parse_encrypted_value(std::string_view text)
{
    constexpr std::string_view prefix = "ENC[AES256_GCM,";
    auto bad = [] {
        return detail::failure("a value is not in SOPS's ENC[AES256_GCM,data:...,iv:...,tag:...,type:...] form");
    };
    if (text.substr(0, prefix.size()) != prefix || text.empty() || text.back() != ']') return bad();
    std::string_view body = text.substr(prefix.size(), text.size() - prefix.size() - 1);
    std::map<std::string_view, std::string_view> fields;
    while (!body.empty()) {
        std::size_t comma = body.find(',');
        std::string_view part = body.substr(0, comma);
        std::size_t colon = part.find(':');
        if (colon == std::string_view::npos) return bad();
        if (!fields.emplace(part.substr(0, colon), part.substr(colon + 1)).second) return bad();
        if (comma == std::string_view::npos) break;
        body.remove_prefix(comma + 1);
    }
    if (fields.size() != 4 || !fields.count("data") || !fields.count("iv") || !fields.count("tag") ||
        !fields.count("type"))
        return bad();
    encrypted_value ev;
    auto data = encoding::base64_decode(fields["data"], true);
    auto iv = encoding::base64_decode(fields["iv"], true);
    auto tag = encoding::base64_decode(fields["tag"], true);
    if (!data || !iv || !tag || iv->empty() || tag->size() != 16)
        return detail::failure("a SOPS ENC[...] value has malformed base64 data, iv or tag");
    ev.data = std::move(*data);
    ev.iv = std::move(*iv);
    ev.tag = std::move(*tag);
    ev.type.assign(fields["type"]);
    return ev;
}

} // namespace weir::sops
