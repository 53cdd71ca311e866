// toYaml as Helm writes it: sigs.k8s.io/yaml over go-yaml v2. Keys sorted (they come from Go
// maps), sequences flush under their key, strings plain when they read back as themselves,
// single-quoted when only the YAML syntax forbids plain ('{{ include "x" . }}', which
// `tpl (toYaml ...)` must get back intact), double-quoted when they would read back as another
// type ("true", "1", ""), literal blocks for multi-line text.
#include "render_internal.hpp"

#include <weir/core/json.hpp>

#include <cmath>
#include <cstdio>
#include <regex>

namespace weir::helm {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

// go-yaml v2's resolve(): would this plain scalar read back as something other than a string?
bool resolves_to_non_string(const std::string& s)
{
    static const char* const words[] = {"", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N",
                                        "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE", "on",
                                        "On", "ON", "off", "Off", "OFF", ".inf", ".Inf", ".INF", "+.inf", "+.Inf",
                                        "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "<<"};
    for (const char* w : words)
        if (s == w) return true;
    static const std::regex int_re("^[-+]?(0b[01_]+|0x[0-9a-fA-F_]+|0o?[0-7_]+|[0-9][0-9_]*)$");
    static const std::regex float_re("^[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?$");
    static const std::regex base60_re("^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$");
    static const std::regex time_re("^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}([Tt ].*)?$");
    char c = s[0];
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.')) return false;
    return std::regex_match(s, int_re) || std::regex_match(s, float_re) || std::regex_match(s, base60_re) ||
           std::regex_match(s, time_re);
}

// yaml_emitter_analyze_scalar, for block context: may this string be written plain?
bool plain_allowed(const std::string& s)
{
    if (s.empty()) return false;
    if (s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0) return false;
    if (is_space(s.front()) || is_space(s.back())) return false;
    static const std::string always = "#,[]{}&*!|>'\"%@`";
    if (always.find(s[0]) != std::string::npos) return false;
    auto blank_after = [&](std::size_t i) { return i + 1 >= s.size() || is_space(s[i + 1]); };
    if ((s[0] == '-' || s[0] == '?' || s[0] == ':') && blank_after(0)) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n' || c == '\r' || (c < 0x20 && c != '\t') || c == 0x7f) return false;
        if (c == ':' && blank_after(i)) return false;
        if (c == '#' && i > 0 && is_space(s[i - 1])) return false;
    }
    return true;
}

bool single_allowed(const std::string& s)
{
    for (unsigned char c : s)
        if (c == '\n' || c == '\r' || (c < 0x20 && c != '\t') || c == 0x7f) return false;
    return true;
}

std::string double_quoted(const std::string& s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case 0: out += "\\0"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\x%02X", c);
                out += buf;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    return out + "\"";
}

// A literal block is possible unless a line ends in a space (go-yaml then double-quotes).
bool literal_allowed(const std::string& s)
{
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\n' && i > 0 && is_space(s[i - 1])) return false;
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) return false;
    }
    return !s.empty() && !is_space(s.back());
}

void literal(const std::string& s, int indent, std::string& out)
{
    out += '|';
    if (s[0] == ' ' || s[0] == '\n') out += "2";
    std::size_t trailing = 0;
    for (std::size_t i = s.size(); i > 0 && s[i - 1] == '\n'; --i) ++trailing;
    if (trailing == 0) out += '-';
    else if (trailing > 1) out += '+';
    std::string pad(std::size_t(indent), ' ');
    std::size_t st = 0;
    std::string body = trailing ? s.substr(0, s.size() - 1) : s;
    for (;;) {
        auto nl = body.find('\n', st);
        std::string line = body.substr(st, nl == std::string::npos ? std::string::npos : nl - st);
        out += '\n';
        if (!line.empty()) out += pad + line;
        if (nl == std::string::npos) break;
        st = nl + 1;
    }
}

void scalar_string(const std::string& s, int indent, std::string& out)
{
    if (s.find('\n') != std::string::npos) {
        if (literal_allowed(s)) return literal(s, indent, out);
        out += double_quoted(s);
        return;
    }
    if (resolves_to_non_string(s)) {
        out += double_quoted(s);
        return;
    }
    if (plain_allowed(s)) out += s;
    else if (single_allowed(s)) {
        out += '\'';
        for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
        out += '\'';
    } else {
        out += double_quoted(s);
    }
}

std::string number(const weir::value& v)
{
    if (v.is_int()) return std::to_string(v.as_int());
    double d = v.as_double();
    if (std::isnan(d)) return ".nan";
    if (std::isinf(d)) return d > 0 ? "+.inf" : "-.inf";
    std::string s = detail::go_float_string(d);
    return s;
}

void node(const weir::value& v, int indent, std::string& out);

void scalar(const weir::value& v, int indent, std::string& out)
{
    switch (v.type()) {
    case weir::value::kind::null: out += "null"; break;
    case weir::value::kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case weir::value::kind::integer:
    case weir::value::kind::number: out += number(v); break;
    case weir::value::kind::string: scalar_string(v.as_string(), indent, out); break;
    default: break;
    }
}

void mapping(const weir::object& o, int indent, std::string& out, bool first_inline)
{
    bool first = true;
    for (const auto& [k, v] : o) {
        if (!(first && first_inline)) out += std::string(std::size_t(indent), ' ');
        first = false;
        scalar_string(k, indent, out);
        out += ':';
        if (v.is_object() && !v.as_object().empty()) {
            out += '\n';
            mapping(v.as_object(), indent + 2, out, false);
        } else if (v.is_array() && !v.as_array().empty()) {
            out += '\n';
            node(v, indent, out); // go-yaml v2 writes sequences flush with their key
        } else {
            out += ' ';
            if (v.is_object()) out += "{}\n";
            else if (v.is_array()) out += "[]\n";
            else {
                scalar(v, indent + 2, out);
                out += '\n';
            }
        }
    }
}

void sequence(const weir::array& a, int indent, std::string& out, bool first_inline)
{
    bool first = true;
    for (const auto& e : a) {
        if (!(first && first_inline)) out += std::string(std::size_t(indent), ' ');
        first = false;
        out += "- ";
        if (e.is_object() && !e.as_object().empty()) mapping(e.as_object(), indent + 2, out, true);
        else if (e.is_array() && !e.as_array().empty()) sequence(e.as_array(), indent + 2, out, true);
        else if (e.is_object()) out += "{}\n";
        else if (e.is_array()) out += "[]\n";
        else {
            scalar(e, indent + 2, out);
            out += '\n';
        }
    }
}

void node(const weir::value& v, int indent, std::string& out)
{
    if (v.is_object()) {
        if (v.as_object().empty()) out += "{}\n";
        else mapping(v.as_object(), indent, out, false);
    } else if (v.is_array()) {
        if (v.as_array().empty()) out += "[]\n";
        else sequence(v.as_array(), indent, out, false);
    } else {
        scalar(v, indent, out);
        out += '\n';
    }
}

} // namespace

std::string go_yaml(const weir::value& v)
{
    std::string out;
    node(v, 0, out);
    return out;
}

} // namespace weir::helm
