#include "strconv.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdlib>

namespace weir::gotemplate::detail {

namespace {
std::size_t decode(std::string_view s, std::size_t pos, char32_t& r)
{
    auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[pos + i]); };
    unsigned char c = b(0);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (n == 0 || pos + n > s.size()) {
        r = 0xFFFD;
        return 1;
    }
    if (n == 1) {
        r = c;
        return 1;
    }
    char32_t v = c & (0x7F >> n);
    for (std::size_t i = 1; i < n; ++i) {
        if ((b(i) & 0xC0) != 0x80) {
            r = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (b(i) & 0x3F);
    }
    static constexpr char32_t min_for[] = {0, 0, 0x80, 0x800, 0x10000};
    if (v < min_for[n] || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        r = 0xFFFD;
        return 1;
    }
    r = v;
    return n;
}

void append_escaped(std::string& out, char32_t r, char quote, bool ascii_only)
{
    if (r == static_cast<char32_t>(quote) || r == '\\') {
        out += '\\';
        out += static_cast<char>(r);
        return;
    }
    if (ascii_only ? (r < 0x7f && is_print(r)) : is_print(r)) {
        append_rune(out, r);
        return;
    }
    switch (r) {
    case '\a':
        out += "\\a";
        return;
    case '\b':
        out += "\\b";
        return;
    case '\f':
        out += "\\f";
        return;
    case '\n':
        out += "\\n";
        return;
    case '\r':
        out += "\\r";
        return;
    case '\t':
        out += "\\t";
        return;
    case '\v':
        out += "\\v";
        return;
    default:
        break;
    }
    if (r < ' ' || r == 0x7f)
        out += fmt::format("\\x{:02x}", static_cast<unsigned>(r));
    else if (r < 0x10000)
        out += fmt::format("\\u{:04x}", static_cast<unsigned>(r));
    else
        out += fmt::format("\\U{:08x}", static_cast<unsigned>(r));
}
} // namespace

char32_t decode_rune(std::string_view s, std::size_t pos)
{
    char32_t r;
    decode(s, pos, r);
    return r;
}
std::size_t rune_length(std::string_view s, std::size_t pos)
{
    char32_t r;
    return decode(s, pos, r);
}
std::size_t rune_count(std::string_view s)
{
    std::size_t n = 0;
    for (std::size_t i = 0; i < s.size(); i += rune_length(s, i))
        ++n;
    return n;
}
bool valid_utf8(std::string_view s)
{
    for (std::size_t i = 0; i < s.size();) {
        char32_t r;
        std::size_t n = decode(s, i, r);
        if (r == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) return false;
        i += n;
    }
    return true;
}

void append_rune(std::string& out, char32_t r)
{
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
    if (r < 0x80) {
        out += static_cast<char>(r);
    } else if (r < 0x800) {
        out += static_cast<char>(0xC0 | (r >> 6));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else if (r < 0x10000) {
        out += static_cast<char>(0xE0 | (r >> 12));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (r >> 18));
        out += static_cast<char>(0x80 | ((r >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((r >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (r & 0x3F));
    }
}

bool is_print(char32_t r)
{
    if (r < 0x20 || r == 0x7f) return false;
    if (r >= 0x80 && r < 0xA0) return false;
    if (r == 0xAD) return false; // soft hyphen is a format character
    if (r >= 0x2028 && r <= 0x202E) return false;
    if (r >= 0x200B && r <= 0x200F) return false;
    if (r >= 0x2060 && r <= 0x206F) return false;
    if (r == 0xFEFF || r == 0xFFFD + 0x100) return false;
    if (r >= 0xD800 && r <= 0xDFFF) return false;
    if (r >= 0xE000 && r <= 0xF8FF) return false;                 // private use
    if (r == 0xFFFE || r == 0xFFFF || r >= 0xF0000) return false; // planes 15-16: private use
    return true;
}

std::string go_quote(std::string_view s, bool ascii_only)
{
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        char32_t r;
        std::size_t n = decode(s, i, r);
        if (r == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
            out += fmt::format("\\x{:02x}", static_cast<unsigned char>(s[i]));
        } else {
            append_escaped(out, r, '"', ascii_only);
        }
        i += n;
    }
    out += '"';
    return out;
}

std::string go_quote_rune(char32_t r, bool ascii_only)
{
    std::string out = "'";
    if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
    append_escaped(out, r, '\'', ascii_only);
    out += '\'';
    return out;
}

result<std::string> go_unquote(std::string_view lit)
{
    auto bad = [] { return terminal_error("invalid syntax"); };
    if (lit.size() < 2) return bad();
    char q = lit.front();
    if (q != lit.back()) return bad();
    auto body = lit.substr(1, lit.size() - 2);
    if (q == '`') {
        if (body.find('`') != std::string_view::npos) return bad();
        std::string out;
        for (char c : body)
            if (c != '\r') out += c;
        return out;
    }
    if (q != '"' && q != '\'') return bad();
    std::string out;
    std::size_t runes = 0;
    for (std::size_t i = 0; i < body.size();) {
        char c = body[i];
        if (c == q || c == '\n') return bad();
        ++runes;
        if (c != '\\') {
            std::size_t n = rune_length(body, i);
            out.append(body.substr(i, n));
            i += n;
            continue;
        }
        if (++i >= body.size()) return bad();
        char e = body[i++];
        auto hex = [&](std::size_t n) -> long {
            if (i + n > body.size()) return -1;
            std::string h(body.substr(i, n));
            for (char d : h)
                if (!std::isxdigit(static_cast<unsigned char>(d))) return -1;
            i += n;
            return std::strtol(h.c_str(), nullptr, 16);
        };
        switch (e) {
        case 'a':
            out += '\a';
            break;
        case 'b':
            out += '\b';
            break;
        case 'f':
            out += '\f';
            break;
        case 'n':
            out += '\n';
            break;
        case 'r':
            out += '\r';
            break;
        case 't':
            out += '\t';
            break;
        case 'v':
            out += '\v';
            break;
        case '\\':
            out += '\\';
            break;
        case '\'':
        case '"':
            if (e != q) return bad();
            out += e;
            break;
        case 'x': {
            long v = hex(2);
            if (v < 0) return bad();
            if (q == '\'')
                append_rune(out, static_cast<char32_t>(v));
            else
                out += static_cast<char>(v);
            break;
        }
        case 'u':
        case 'U': {
            long v = hex(e == 'u' ? 4 : 8);
            if (v < 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return bad();
            append_rune(out, static_cast<char32_t>(v));
            break;
        }
        default:
            if (e < '0' || e > '7' || i + 2 > body.size()) return bad();
            {
                int v = e - '0';
                for (int k = 0; k < 2; ++k) {
                    char d = body[i++];
                    if (d < '0' || d > '7') return bad();
                    v = v * 8 + (d - '0');
                }
                if (v > 255) return bad();
                if (q == '\'')
                    append_rune(out, static_cast<char32_t>(v));
                else
                    out += static_cast<char>(v);
            }
        }
    }
    if (q == '\'' && runes != 1) return bad();
    return out;
}

namespace {
// Shortest or fixed-precision digits and decimal exponent: value = 0.d1d2... * 10^dp.
struct decimal_digits {
    std::string d;
    int dp = 0;
};

decimal_digits digits_of(double f, int prec /* significant digits, -1 shortest */)
{
    char buf[64];
    std::to_chars_result r = prec < 0 ? std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific)
                                      : std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific,
                                                      prec > 0 ? prec - 1 : 0);
    std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
    auto e = s.find('e');
    decimal_digits out;
    for (char c : s.substr(0, e))
        if (c >= '0' && c <= '9') out.d += c;
    int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
    out.dp = exp + 1;
    if (f == 0) out.dp = 1, out.d = prec < 0 ? "0" : out.d;
    return out;
}

std::string exp_form(const decimal_digits& dd, char e, int prec, bool shortest)
{
    std::string out;
    out += dd.d.empty() ? '0' : dd.d[0];
    std::string frac = dd.d.size() > 1 ? dd.d.substr(1) : "";
    if (!shortest) frac.resize(static_cast<std::size_t>(std::max(prec, 0)), '0');
    if (!frac.empty()) out += "." + frac;
    int exp = dd.d.empty() || (dd.d == "0") ? 0 : dd.dp - 1;
    out += e;
    out += exp < 0 ? '-' : '+';
    int a = std::abs(exp);
    if (a < 10) out += '0';
    out += std::to_string(a);
    return out;
}

std::string fixed_form(const decimal_digits& dd, int prec, bool shortest)
{
    std::string out;
    if (dd.dp > 0) {
        for (int i = 0; i < dd.dp; ++i)
            out += i < static_cast<int>(dd.d.size()) ? dd.d[static_cast<std::size_t>(i)] : '0';
    } else {
        out += '0';
    }
    int want = shortest ? std::max(static_cast<int>(dd.d.size()) - dd.dp, 0) : prec;
    if (want > 0) {
        out += '.';
        for (int i = 0; i < want; ++i) {
            int j = dd.dp + i;
            out += j >= 0 && j < static_cast<int>(dd.d.size()) ? dd.d[static_cast<std::size_t>(j)] : '0';
        }
    }
    return out;
}
} // namespace

std::string format_float(double f, char fmtc, int prec)
{
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
    std::string sign = std::signbit(f) ? "-" : "";
    double a = std::fabs(f);
    bool shortest = prec < 0;
    switch (fmtc) {
    case 'e':
    case 'E':
        return sign + exp_form(digits_of(a, shortest ? -1 : prec + 1), fmtc, prec, shortest);
    case 'f': {
        if (shortest) return sign + fixed_form(digits_of(a, -1), 0, true);
        char buf[400];
        auto r = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::fixed, prec);
        return sign + std::string(buf, r.ptr);
    }
    default: { // g G: Go picks %e when exp < -4 || exp >= eprec
        int p = prec == 0 ? 1 : prec;
        decimal_digits dd = digits_of(a, shortest ? -1 : p);
        while (dd.d.size() > 1 && dd.d.back() == '0')
            dd.d.pop_back();
        int nd = static_cast<int>(dd.d.size());
        int eprec = shortest ? 6 : p;
        if (!shortest && eprec > nd && nd >= dd.dp) eprec = nd;
        int exp = a == 0 ? 0 : dd.dp - 1;
        if (exp < -4 || exp >= eprec) return sign + exp_form(dd, fmtc == 'G' ? 'E' : 'e', 0, true);
        return sign + fixed_form(dd, 0, true);
    }
    }
}

} // namespace weir::gotemplate::detail

namespace weir::gotemplate::detail {

bool is_upper(char32_t r)
{
    return to_lower(r) != r;
}
bool is_lower(char32_t r)
{
    return to_upper(r) != r || r == 0xDF;
}
bool is_space(char32_t r)
{
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
           (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f ||
           r == 0x3000;
}

char32_t to_upper(char32_t r)
{
    if (r >= 'a' && r <= 'z') return r - 32;
    if (r < 0x80) return r;
    if (r == 0xB5) return 0x39C;
    if (r == 0xFF) return 0x178;
    if (r >= 0xE0 && r <= 0xFE && r != 0xF7) return r - 32;
    if (r >= 0x100 && r <= 0x137 && (r & 1)) return r - 1;
    if (r >= 0x139 && r <= 0x148 && !(r & 1)) return r - 1;
    if (r >= 0x14A && r <= 0x177 && (r & 1)) return r - 1;
    if (r == 0x17A || r == 0x17C || r == 0x17E) return r - 1;
    if (r >= 0x3B1 && r <= 0x3C9 && r != 0x3C2) return r - 32;
    if (r == 0x3C2) return 0x3A3;
    if (r >= 0x430 && r <= 0x44F) return r - 32;
    if (r >= 0x450 && r <= 0x45F) return r - 80;
    return r;
}

char32_t to_lower(char32_t r)
{
    if (r >= 'A' && r <= 'Z') return r + 32;
    if (r < 0x80) return r;
    if (r == 0x178) return 0xFF;
    if (r >= 0xC0 && r <= 0xDE && r != 0xD7) return r + 32;
    if (r >= 0x100 && r <= 0x137 && !(r & 1)) return r + 1;
    if (r >= 0x139 && r <= 0x148 && (r & 1)) return r + 1;
    if (r >= 0x14A && r <= 0x177 && !(r & 1)) return r + 1;
    if (r == 0x179 || r == 0x17B || r == 0x17D) return r + 1;
    if (r >= 0x391 && r <= 0x3A9 && r != 0x3A2) return r + 32;
    if (r >= 0x410 && r <= 0x42F) return r + 32;
    if (r >= 0x400 && r <= 0x40F) return r + 80;
    return r;
}

} // namespace weir::gotemplate::detail
