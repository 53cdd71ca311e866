// Go's parse.NewNumber: which of int, uint and float a number literal or character constant is.
#include "parser.hpp"
#include "strconv.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>

namespace weir::gotemplate::detail {
namespace {

// strconv.ParseInt/ParseUint with base 0.
void parse_integer(std::string_view s, number_info& x)
{
    bool neg = false, sign = false;
    if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
        neg = s[0] == '-';
        sign = true;
        s.remove_prefix(1);
    }
    int base = 10;
    if (s.size() > 1 && s[0] == '0') {
        char b = static_cast<char>(s[1] | 0x20);
        if (b == 'x')
            base = 16, s.remove_prefix(2);
        else if (b == 'o')
            base = 8, s.remove_prefix(2);
        else if (b == 'b')
            base = 2, s.remove_prefix(2);
        else
            base = 8, s.remove_prefix(1);
    }
    if (s.empty()) return;
    std::uint64_t v = 0;
    for (char c : s) {
        int d = c >= '0' && c <= '9'                     ? c - '0'
                : (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
                                                         : 99;
        if (d >= base) return;
        auto ub = static_cast<std::uint64_t>(base);
        if (v > (UINT64_MAX - static_cast<std::uint64_t>(d)) / ub) return; // overflows uint64
        v = v * ub + static_cast<std::uint64_t>(d);
    }
    if (!sign) {
        x.is_uint = true;
        x.u = v;
    }
    if (neg ? v <= static_cast<std::uint64_t>(INT64_MAX) + 1 : v <= static_cast<std::uint64_t>(INT64_MAX)) {
        x.is_int = true;
        x.i = neg ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
        if (x.i == 0) x.is_uint = true, x.u = 0;
    }
}
} // namespace

result<number_info> parse_number(bool char_constant, std::string_view text)
{
    number_info x;
    auto errorf = [](std::string m) { return terminal_error(std::move(m)); };
    if (char_constant) {
        // strconv.UnquoteChar on the first character, then the closing quote must follow
        std::string_view body = std::string_view(text).substr(1);
        std::size_t len = 1;
        if (body.empty() || body[0] == '\'') return errorf("invalid syntax");
        if (body[0] == '\\') {
            char e = body.size() > 1 ? body[1] : '\0';
            len = e == 'x' ? 4 : e == 'u' ? 6 : e == 'U' ? 10 : (e >= '0' && e <= '7') ? 4 : 2;
        } else {
            len = rune_length(body, 0);
        }
        auto s = go_unquote("'" + std::string(body.substr(0, std::min(len, body.size()))) + "'");
        if (!s) return errorf("invalid syntax");
        if (body.substr(std::min(len, body.size())) != "'")
            return errorf(fmt::format("malformed character constant: {}", text));
        char32_t r = decode_rune(*s, 0);
        x.is_int = x.is_uint = x.is_float = true;
        x.i = static_cast<std::int64_t>(r);
        x.u = r;
        x.f = static_cast<double>(r);
        return x;
    }
    if (text.ends_with("i")) return errorf(fmt::format("complex numbers are not supported: {}", text));
    std::string clean;
    for (char c : text)
        if (c != '_') clean += c;
    parse_integer(clean, x);
    if (x.is_int) {
        x.is_float = true;
        x.f = static_cast<double>(x.i);
    } else if (x.is_uint) {
        x.is_float = true;
        x.f = static_cast<double>(x.u);
    } else {
        errno = 0;
        char* endp = nullptr;
        double f = std::strtod(clean.c_str(), &endp);
        bool ok =
            endp && *endp == '\0' && !clean.empty() && !(errno == ERANGE && std::isinf(f)) &&
            !(clean.size() > 1 && clean[0] == '0' && std::isdigit(static_cast<unsigned char>(clean[1])) &&
              clean.find_first_of(".eE") == std::string::npos);
        if (ok) {
            if (clean.find_first_of(".eEpP") == std::string::npos)
                return errorf(fmt::format("integer overflow: {}", go_quote(text)));
            x.is_float = true;
            x.f = f;
            if (std::fabs(f) < 9.2e18 && static_cast<double>(static_cast<std::int64_t>(f)) == f) {
                x.is_int = true;
                x.i = static_cast<std::int64_t>(f);
            }
            if (f >= 0 && f < 1.8e19 && static_cast<double>(static_cast<std::uint64_t>(f)) == f) {
                x.is_uint = true;
                x.u = static_cast<std::uint64_t>(f);
            }
        }
    }
    if (!x.is_int && !x.is_uint && !x.is_float)
        return errorf(fmt::format("illegal number syntax: {}", go_quote(text)));
    return x;
}

} // namespace weir::gotemplate::detail
