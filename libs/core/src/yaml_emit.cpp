// Block-style YAML output in the layout kubectl and kustomize print.
#include "yaml_scalar.hpp"

#include <weir/core/yaml.hpp>

#include <charconv>
#include <cmath>

namespace weir {
namespace {

bool is_printable_utf8_or_ascii(unsigned char c) { return c >= 0x20 || c == '\t' || c == '\n'; }

void append_indent(std::string& out, int n) { out.append(static_cast<std::size_t>(n), ' '); }

std::string double_quoted(std::string_view s)
{
    std::string out = "\"";
    for (unsigned char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        default:
            if (c < 0x20 || c == 0x7f) {
                static const char hex[] = "0123456789abcdef";
                out += "\\x";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else
                out += static_cast<char>(c);
        }
    }
    out += '"';
    return out;
}

// A multi-line string fits a literal block when every line is plain printable text and the first
// line does not start with a space (which would need an indentation indicator).
bool literal_block_ok(std::string_view s)
{
    if (s.find('\n') == std::string_view::npos || s.front() == ' ' || s.front() == '\n') return false;
    for (unsigned char c : s)
        if (!is_printable_utf8_or_ascii(c) || c == 0x7f) return false;
    // Lines of only spaces would be read back as empty lines.
    std::size_t start = 0;
    while (start < s.size()) {
        std::size_t end = s.find('\n', start);
        if (end == std::string_view::npos) end = s.size();
        auto line = s.substr(start, end - start);
        if (!line.empty() && line.find_first_not_of(' ') == std::string_view::npos) return false;
        if (!line.empty() && (line.back() == ' ' || line.back() == '\t')) return false;
        start = end + 1;
    }
    return true;
}

void append_literal_block(std::string& out, std::string_view s, int indent)
{
    std::size_t trailing = 0;
    while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
    out += trailing == 0 ? "|-" : trailing == 1 ? "|" : "|+";
    out += '\n';
    std::string_view body = s.substr(0, s.size() - trailing);
    std::size_t start = 0;
    while (start <= body.size()) {
        std::size_t end = body.find('\n', start);
        if (end == std::string_view::npos) end = body.size();
        auto line = body.substr(start, end - start);
        if (!line.empty()) append_indent(out, indent);
        out.append(line);
        out += '\n';
        start = end + 1;
    }
    for (std::size_t i = 1; i < trailing; ++i) out += '\n';
}

std::string format_double(double d)
{
    if (std::isnan(d)) return ".nan";
    if (std::isinf(d)) return d > 0 ? ".inf" : "-.inf";
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    std::string s(buf, p);
    // Keep it a float when read back, by every YAML reader (PyYAML wants a dot before an exponent).
    auto e = s.find('e');
    std::string mantissa = s.substr(0, e);
    if (mantissa.find('.') == std::string::npos) mantissa += ".0";
    return e == std::string::npos ? mantissa : mantissa + s.substr(e);
}

// Whether `v` is written on the line of its key (scalars and empty collections).
bool inline_value(const value& v)
{
    if (v.is_object()) return v.as_object().empty();
    if (v.is_array()) return v.as_array().empty();
    return true;
}

void append_key(std::string& out, std::string_view key)
{
    if (yaml_plain_safe(key)) out.append(key);
    else out += double_quoted(key);
}

// Writes an inline value after "key: " or "- "; `indent` is the indentation of its continuation
// lines. Ends with a newline.
void append_inline(std::string& out, const value& v, int indent)
{
    switch (v.type()) {
    case value::kind::null: out += "null"; break;
    case value::kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case value::kind::integer: out += std::to_string(v.as_int()); break;
    case value::kind::number: out += format_double(v.as_double()); break;
    case value::kind::string: {
        const std::string& s = v.as_string();
        if (yaml_plain_safe(s)) out += s;
        else if (literal_block_ok(s)) {
            append_literal_block(out, s, indent);
            return;
        } else
            out += double_quoted(s);
        break;
    }
    case value::kind::array: out += "[]"; break;
    case value::kind::object: out += "{}"; break;
    }
    out += '\n';
}

void append_block(std::string& out, const value& v, int indent, bool first_line_written);

void append_object(std::string& out, const object& o, int indent, bool first_line_written)
{
    bool first = true;
    for (const auto& [k, child] : o) {
        if (!(first && first_line_written)) append_indent(out, indent);
        first = false;
        append_key(out, k);
        if (inline_value(child)) {
            out += ": ";
            append_inline(out, child, indent + 2);
        } else {
            out += ":\n";
            // Sequences sit flush under their key, as kubectl prints them.
            append_block(out, child, child.is_array() ? indent : indent + 2, false);
        }
    }
}

void append_array(std::string& out, const array& a, int indent, bool first_line_written)
{
    bool first = true;
    for (const auto& item : a) {
        if (!(first && first_line_written)) append_indent(out, indent);
        first = false;
        out += "- ";
        if (inline_value(item)) append_inline(out, item, indent + 2);
        else append_block(out, item, indent + 2, true);
    }
}

void append_block(std::string& out, const value& v, int indent, bool first_line_written)
{
    if (v.is_object() && !v.as_object().empty()) append_object(out, v.as_object(), indent, first_line_written);
    else if (v.is_array() && !v.as_array().empty()) append_array(out, v.as_array(), indent, first_line_written);
    else append_inline(out, v, indent + 2); // a bare scalar document: block lines need indenting
}

} // namespace

bool yaml_plain_safe(std::string_view s)
{
    if (s.empty()) return false;
    if (s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') return false;
    static constexpr std::string_view indicators = "?:,[]{}#&*!|>'\"%@`";
    if (indicators.find(s.front()) != std::string_view::npos) return false;
    if (s.front() == '-' && (s.size() == 1 || s[1] == ' ' || s.substr(0, 3) == "---")) return false;
    if (s.back() == ':') return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) return false;
        if (c == ':' && i + 1 < s.size() && (s[i + 1] == ' ' || s[i + 1] == '\t')) return false;
        if (c == '#' && i > 0 && (s[i - 1] == ' ' || s[i - 1] == '\t')) return false;
        // Non-breaking and other unusual spaces read badly in some tools; quote them.
        if (c == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xa0) return false;
    }
    if (s == "..." ) return false;
    if (detail::resolve_plain_scalar(s, yaml_schema::core_1_2)) return false;
    if (detail::resolve_plain_scalar(s, yaml_schema::kubernetes_1_1)) return false;
    if (detail::looks_like_yaml11_special(s)) return false;
    return true;
}

std::string to_yaml(const value& v)
{
    std::string out;
    append_block(out, v, 0, false);
    return out;
}

std::string to_yaml_stream(const std::vector<value>& docs)
{
    std::string out;
    for (std::size_t i = 0; i < docs.size(); ++i) {
        if (i) out += "---\n";
        append_block(out, docs[i], 0, false);
    }
    return out;
}

} // namespace weir
