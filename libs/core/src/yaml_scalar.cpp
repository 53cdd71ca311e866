#include "yaml_scalar.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <string>

namespace weir::detail {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool is_oct(char c) { return c >= '0' && c <= '7'; }

bool all_of(std::string_view s, bool (*pred)(char))
{
    if (s.empty()) return false;
    for (char c : s)
        if (!pred(c)) return false;
    return true;
}

bool one_of(std::string_view s, std::initializer_list<std::string_view> options)
{
    for (auto o : options)
        if (s == o) return true;
    return false;
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool is_float_syntax(std::string_view s)
{
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    std::size_t int_digits = 0, frac_digits = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
    bool dot = false;
    if (i < s.size() && s[i] == '.') {
        dot = true;
        ++i;
        while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
    }
    if (int_digits == 0 && frac_digits == 0) return false;
    if (int_digits == 0 && !dot) return false;
    if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
        std::size_t exp_digits = 0;
        while (i < s.size() && is_digit(s[i])) ++i, ++exp_digits;
        if (exp_digits == 0) return false;
    }
    return i == s.size();
}

std::optional<value> parse_int(std::string_view digits, int base, bool negative)
{
    std::uint64_t u = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), u, base);
    if (p != digits.data() + digits.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range || u > static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0)) {
        // Too large for int64: Go readers fall back to a float.
        double d = 0;
        for (char c : digits) d = d * base + (is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10);
        return value{negative ? -d : d};
    }
    if (negative) return value{static_cast<long long>(0 - u)};
    return value{static_cast<long long>(u)};
}

std::optional<value> parse_float(std::string_view s)
{
    std::string tmp(s.front() == '+' ? s.substr(1) : s);
    double d = 0;
    auto [p, ec] = std::from_chars(tmp.data(), tmp.data() + tmp.size(), d);
    if (p != tmp.data() + tmp.size()) return std::nullopt;
    if (ec == std::errc::result_out_of_range) d = tmp[0] == '-' ? -HUGE_VAL : HUGE_VAL;
    return value{d};
}

std::optional<value> resolve_special_float(std::string_view s)
{
    if (one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"}))
        return value{std::numeric_limits<double>::infinity()};
    if (one_of(s, {"-.inf", "-.Inf", "-.INF"})) return value{-std::numeric_limits<double>::infinity()};
    if (one_of(s, {".nan", ".NaN", ".NAN"})) return value{std::numeric_limits<double>::quiet_NaN()};
    return std::nullopt;
}

std::optional<value> resolve_core(std::string_view s)
{
    if (one_of(s, {"", "~", "null", "Null", "NULL"})) return value{};
    if (one_of(s, {"true", "True", "TRUE"})) return value{true};
    if (one_of(s, {"false", "False", "FALSE"})) return value{false};
    if (s.size() > 2 && s[0] == '0' && s[1] == 'o' && all_of(s.substr(2), is_oct))
        return parse_int(s.substr(2), 8, false);
    if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s.substr(2), is_hex))
        return parse_int(s.substr(2), 16, false);
    bool sign = !s.empty() && (s[0] == '-' || s[0] == '+');
    if (all_of(s.substr(sign ? 1 : 0), is_digit)) return parse_int(s.substr(sign ? 1 : 0), 10, s[0] == '-');
    if (auto f = resolve_special_float(s)) return f;
    if (is_float_syntax(s)) return parse_float(s);
    return std::nullopt;
}

std::optional<value> resolve_k8s11(std::string_view raw)
{
    if (one_of(raw, {"", "~", "null", "Null", "NULL"})) return value{};
    if (one_of(raw, {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})) return value{true};
    if (one_of(raw, {"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"}))
        return value{false};
    if (auto f = resolve_special_float(raw)) return f;
    // go-yaml v2 drops underscores in numbers and reads Go's base prefixes (0x, 0b, leading 0).
    std::string s;
    for (char c : raw)
        if (c != '_') s += c;
    if (s.empty() || raw.front() == '_') return std::nullopt;
    bool neg = s[0] == '-';
    std::string_view body = std::string_view(s).substr(s[0] == '-' || s[0] == '+' ? 1 : 0);
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X') && all_of(body.substr(2), is_hex))
        return parse_int(body.substr(2), 16, neg);
    if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B') &&
        all_of(body.substr(2), [](char c) { return c == '0' || c == '1'; }))
        return parse_int(body.substr(2), 2, neg);
    if (body.size() > 1 && body[0] == '0' && all_of(body.substr(1), is_oct)) return parse_int(body.substr(1), 8, neg);
    if (all_of(body, is_digit)) return parse_int(body, 10, neg);
    if (is_float_syntax(s)) return parse_float(s);
    return std::nullopt;
}

} // namespace

std::optional<value> resolve_plain_scalar(std::string_view text, yaml_schema schema)
{
    if (schema == yaml_schema::kyaml_1_2) {
        bool sign = !text.empty() && (text[0] == '-' || text[0] == '+');
        std::string_view body = text.substr(sign ? 1 : 0);
        if (body.size() > 1 && body[0] == '0' && all_of(body.substr(1), is_oct))
            return parse_int(body.substr(1), 8, text[0] == '-');
        return resolve_core(text);
    }
    return schema == yaml_schema::core_1_2 ? resolve_core(text) : resolve_k8s11(text);
}

bool looks_like_yaml11_special(std::string_view s)
{
    if (s == "=" || s == "<<") return true;
    // Timestamps: YYYY-M-D...
    if (s.size() >= 8 && all_of(s.substr(0, 4), is_digit) && s[4] == '-') return true;
    // Base-60 numbers such as 1:20 or 190:20:30.
    bool has_colon = false;
    std::size_t start = (s.size() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (start >= s.size() || !is_digit(s[start])) return false;
    for (std::size_t i = start; i < s.size(); ++i) {
        if (s[i] == ':') has_colon = true;
        else if (!is_digit(s[i]) && s[i] != '_' && s[i] != '.') return false;
    }
    return has_colon;
}

} // namespace weir::detail
