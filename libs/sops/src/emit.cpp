#include "emit.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>

namespace weir::sops::detail {
namespace {

// Go's encoding/json string encoding: HTML-sensitive characters and U+2028/U+2029 escaped,
// invalid UTF-8 replaced by U+FFFD.
void quote(std::string& out, std::string_view s)
{
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20 || c == '<' || c == '>' || c == '&') {
                    out += "\\u00";
                    out += hex[c >> 4];
                    out += hex[c & 15];
                } else {
                    out += static_cast<char>(c);
                }
            }
            ++i;
            continue;
        }
        std::size_t n = (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool valid = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; valid && k < n; ++k) valid = (static_cast<unsigned char>(s[i + k]) & 0xc0) == 0x80;
        if (!valid) {
            out += "\\ufffd";
            ++i;
            continue;
        }
        std::string_view seq = s.substr(i, n);
        if (seq == "\xe2\x80\xa8") out += "\\u2028";
        else if (seq == "\xe2\x80\xa9") out += "\\u2029";
        else out.append(seq);
        i += n;
    }
    out += '"';
}

// Go's json float64 encoding: shortest round-trip digits, 'f' form unless the exponent is < -6 or
// >= 21, where it uses 'e' with at least two exponent digits.
void number(std::string& out, double d)
{
    if (!std::isfinite(d)) {
        out += "null"; // Go refuses these; they cannot come out of a JSON or YAML SOPS file
        return;
    }
    char buf[64];
    double a = std::fabs(d);
    bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
    auto r = std::to_chars(buf, buf + sizeof buf, d, exp ? std::chars_format::scientific : std::chars_format::fixed);
    std::string s(buf, r.ptr);
    if (exp) {
        std::size_t e = s.find('e');
        std::string mant = s.substr(0, e), ex = s.substr(e + 1);
        char sign = ex[0] == '-' ? '-' : '+';
        if (ex[0] == '-' || ex[0] == '+') ex.erase(0, 1);
        while (ex.size() > 1 && ex[0] == '0') ex.erase(0, 1);
        if (ex.size() < 2) ex.insert(0, "0");
        s = mant + "e" + sign + ex;
    }
    out += s;
}

void emit(std::string& out, const value& v, int depth)
{
    auto newline = [&](int d) {
        out += '\n';
        out.append(static_cast<std::size_t>(d), '\t');
    };
    switch (v.type()) {
    case value::kind::null: out += "null"; break;
    case value::kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case value::kind::integer: out += std::to_string(v.as_int()); break;
    case value::kind::number: number(out, v.as_double()); break;
    case value::kind::string: quote(out, v.as_string()); break;
    case value::kind::array: {
        const auto& a = v.as_array();
        if (a.empty()) {
            out += "[]";
            break;
        }
        out += '[';
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (i) out += ',';
            newline(depth + 1);
            emit(out, a[i], depth + 1);
        }
        newline(depth);
        out += ']';
        break;
    }
    case value::kind::object: {
        const auto& o = v.as_object();
        if (o.empty()) {
            out += "{}";
            break;
        }
        out += '{';
        bool first = true;
        for (const auto& [k, child] : o) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            quote(out, k);
            out += ": ";
            emit(out, child, depth + 1);
        }
        newline(depth);
        out += '}';
        break;
    }
    }
}

} // namespace

std::string emit_json(const value& doc)
{
    std::string out;
    emit(out, doc, 0);
    out += '\n';
    return out;
}

result<std::string> emit_dotenv(const value& doc, std::string_view name)
{
    std::string out;
    if (!doc.is_object()) return terminal_error(fmt::format("{}: only a mapping can be written as dotenv", name),
                                                "DecryptionFailed");
    for (const auto& [k, v] : doc.as_object()) {
        std::string s;
        switch (v.type()) {
        case value::kind::string:
            for (char c : v.as_string()) s += c == '\n' ? std::string("\\n") : std::string(1, c);
            break;
        case value::kind::boolean: s = v.as_bool() ? "true" : "false"; break;
        case value::kind::integer: s = std::to_string(v.as_int()); break;
        case value::kind::null: s = "<nil>"; break;
        case value::kind::number: {
            // SOPS's ValToString: %G-like shortest form, with ".0" when it reads as an integer.
            char buf[64];
            auto r = std::to_chars(buf, buf + sizeof buf, v.as_double());
            s.assign(buf, r.ptr);
            if (s.find_first_of(".e") == std::string::npos) s += ".0";
            break;
        }
        default:
            return terminal_error(fmt::format("{}: cannot use complex value in dotenv file; offending key {}", name, k),
                                  "DecryptionFailed");
        }
        out += k + "=" + s + "\n";
    }
    return out;
}

} // namespace weir::sops::detail
