#include "gofmt.hpp"

#include "strconv.hpp"

#include <weir/gotemplate/template.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstdint>

namespace weir::gotemplate::detail {

std::string go_time_string(std::int64_t unix_nanos); // sprig_dates.cpp

namespace {

struct spec {
    bool minus = false, plus = false, sharp = false, space = false, zero = false;
    int width = -1, prec = -1;
    char verb = 'v';
};

void pad(std::string& out, std::string_view s, const spec& sp, bool numeric = false)
{
    int n = static_cast<int>(rune_count(s));
    if (sp.width <= n) {
        out += s;
        return;
    }
    std::size_t fill = static_cast<std::size_t>(sp.width - n);
    if (sp.minus) {
        out += s;
        out.append(fill, ' ');
    } else if (sp.zero) {
        // zeros go after the sign of a number
        if (numeric && !s.empty() && (s[0] == '-' || s[0] == '+' || s[0] == ' ')) {
            out += s[0];
            s.remove_prefix(1);
        }
        out.append(fill, '0');
        out += s;
    } else {
        out.append(fill, ' ');
        out += s;
    }
}

void print_value(std::string& out, const go_value& v, const spec& sp, int depth);

// Go prints the operand with %v but keeps the flags, width and precision of the bad verb.
void bad_verb(std::string& out, const go_value& v, const spec& sp)
{
    char verb = sp.verb;
    out += "%!";
    out += verb;
    out += '(';
    if (v.is_missing() || v.is_nil()) {
        out += "<nil>";
    } else {
        out += v.type_name();
        out += '=';
        spec as_v = sp;
        as_v.verb = 'v';
        print_value(out, v, as_v, 0);
    }
    out += ')';
}

std::string integer_digits(std::uint64_t u, int base, bool upper)
{
    if (u == 0) return "0";
    const char* d = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    std::string s;
    while (u) {
        s.insert(s.begin(), d[u % static_cast<unsigned>(base)]);
        u /= static_cast<unsigned>(base);
    }
    return s;
}

void format_int(std::string& out, std::int64_t i, const spec& sp)
{
    char verb = sp.verb;
    if (verb == 'c')
        return pad(
            out,
            [&] {
                std::string s;
                append_rune(s, static_cast<char32_t>(i));
                return s;
            }(),
            sp);
    if (verb == 'q') return pad(out, go_quote_rune(static_cast<char32_t>(i), sp.plus), sp);
    if (verb == 'U') {
        std::string s = fmt::format("U+{:04X}", static_cast<std::uint64_t>(i));
        if (sp.sharp && i >= 0 && is_print(static_cast<char32_t>(i))) {
            s += " '";
            append_rune(s, static_cast<char32_t>(i));
            s += "'";
        }
        return pad(out, s, sp);
    }
    int base = verb == 'b' ? 2 : (verb == 'o' || verb == 'O') ? 8 : (verb == 'x' || verb == 'X') ? 16 : 10;
    bool neg = i < 0;
    std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(i) : static_cast<std::uint64_t>(i);
    std::string digits = integer_digits(u, base, verb == 'X');
    if (sp.prec >= 0) {
        if (sp.prec == 0 && u == 0) digits.clear();
        if (static_cast<int>(digits.size()) < sp.prec)
            digits.insert(0, static_cast<std::size_t>(sp.prec) - digits.size(), '0');
    } else if (sp.zero && !sp.minus && sp.width > 0) {
        int w = sp.width - ((neg || sp.plus || sp.space) ? 1 : 0);
        if (sp.sharp && base != 10) w -= base == 8 ? 1 : 2;
        if (static_cast<int>(digits.size()) < w)
            digits.insert(0, static_cast<std::size_t>(w) - digits.size(), '0');
    }
    std::string prefix;
    if (sp.sharp) {
        if (base == 16)
            prefix = verb == 'X' ? "0X" : "0x";
        else if (base == 2)
            prefix = "0b";
        else if (base == 8 && (digits.empty() || digits[0] != '0'))
            prefix = "0";
    }
    if (verb == 'O') prefix = "0o";
    std::string s = (neg ? "-" : sp.plus ? "+" : sp.space ? " " : "") + prefix + digits;
    spec nz = sp;
    nz.zero = false;
    pad(out, s, nz);
}

// strconv's 'x' format: -0x1.8p+00, shortest mantissa unless a precision is given.
std::string hex_float(double f, bool upper, int prec)
{
    if (std::isnan(f)) return "NaN";
    if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
    std::string s = std::signbit(f) ? "-" : "";
    double a = std::fabs(f);
    std::uint64_t mant = 0;
    int exp = 0;
    if (a != 0) {
        int e2;
        double m = std::frexp(a, &e2);                        // a = m * 2^e2, m in [0.5, 1)
        mant = static_cast<std::uint64_t>(std::ldexp(m, 53)); // 53 significant bits
        exp = e2 - 1;
    }
    // mant holds 1.xxxx in bits 52..0: the 52 fraction bits are 13 hex digits
    std::uint64_t frac = mant & ((std::uint64_t{1} << 52) - 1);
    std::string digits;
    for (int i = 12; i >= 0; --i)
        digits += "0123456789abcdef"[(frac >> (4 * i)) & 15];
    if (prec < 0) {
        while (!digits.empty() && digits.back() == '0')
            digits.pop_back();
    } else if (prec < 13) {
        // round half to even on the dropped digits
        std::uint64_t keep = frac >> (4 * (13 - prec));
        std::uint64_t rest = frac & ((std::uint64_t{1} << (4 * (13 - prec))) - 1);
        std::uint64_t half = std::uint64_t{1} << (4 * (13 - prec) - 1);
        std::uint64_t lead = a == 0 ? 0 : 1;
        if (rest > half || (rest == half && (keep & 1))) {
            ++keep;
            if (prec == 0 ? keep > 0 : (keep >> (4 * prec)) != 0) {
                keep = prec == 0 ? 0 : keep & ((std::uint64_t{1} << (4 * prec)) - 1);
                ++lead;
                if (lead == 2) lead = 1, ++exp;
            }
        }
        digits.clear();
        for (int i = prec - 1; i >= 0; --i)
            digits += "0123456789abcdef"[(keep >> (4 * i)) & 15];
    } else {
        digits.append(static_cast<std::size_t>(prec - 13), '0');
    }
    s += a == 0 ? "0x0" : "0x1";
    if (!digits.empty()) s += "." + digits;
    s += 'p';
    s += exp < 0 ? '-' : '+';
    int ae = std::abs(exp);
    if (ae < 10) s += '0';
    s += std::to_string(ae);
    if (upper)
        for (char& c : s)
            c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

void format_float_verb(std::string& out, double f, const spec& sp)
{
    char verb = sp.verb == 'v' ? 'g' : sp.verb == 'F' ? 'f' : sp.verb;
    if (verb == 'b') {
        // strconv 'b': decimal mantissa and binary exponent, 3.5 is 7881299347898368p-51
        int e2 = 0;
        double m = std::frexp(std::fabs(f), &e2);
        auto mant = static_cast<std::int64_t>(std::ldexp(m, 53));
        int exp = f == 0 ? -1074 : e2 - 53;
        if (f == 0) mant = 0;
        std::string s = std::string(std::signbit(f) ? "-"
                                    : sp.plus       ? "+"
                                                    : "") +
                        std::to_string(mant) + "p" + (exp < 0 ? "-" : "+") + std::to_string(std::abs(exp));
        return pad(out, s, sp, true);
    }
    if (verb == 'x' || verb == 'X') {
        spec p = sp;
        return pad(out, (sp.plus && !std::signbit(f) ? "+" : "") + hex_float(f, verb == 'X', sp.prec), p,
                   true);
    }
    int prec = sp.prec;
    if (prec < 0 && (verb == 'e' || verb == 'E' || verb == 'f')) prec = 6;
    std::string s = format_float(f, verb, prec);
    if (s == "+Inf")
        s = sp.plus ? "+Inf" : sp.space ? " Inf" : "Inf";
    else if (s[0] != '-' && s != "NaN")
        s = (sp.plus ? "+" : sp.space ? " " : "") + s;
    else if (s == "NaN")
        s = sp.plus ? "+NaN" : sp.space ? " NaN" : "NaN";
    if (sp.sharp && s.find('.') == std::string::npos) {
        auto e = s.find_first_of("eE");
        s.insert(e == std::string::npos ? s.size() : e, ".");
    }
    bool finite = s.find("Inf") == std::string::npos && s.find("NaN") == std::string::npos;
    spec p = sp;
    if (!finite) p.zero = false;
    pad(out, s, p, true);
}

void format_string(std::string& out, std::string_view s, const spec& sp)
{
    switch (sp.verb) {
    case 'v':
    case 's': {
        if (sp.prec >= 0) {
            std::size_t n = 0;
            for (int r = 0; r < sp.prec && n < s.size(); ++r)
                n += rune_length(s, n);
            s = s.substr(0, n);
        }
        return pad(out, s, sp);
    }
    case 'q':
        if (sp.sharp && s.find('`') == std::string_view::npos && valid_utf8(s)) {
            bool ok = true;
            for (char c : s)
                ok = ok && (c == '\t' || (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f));
            if (ok) return pad(out, "`" + std::string(s) + "`", sp);
        }
        return pad(out, go_quote(s, sp.plus), sp);
    case 'x':
    case 'X': {
        std::string h;
        std::size_t n =
            sp.prec >= 0 ? std::min<std::size_t>(s.size(), static_cast<std::size_t>(sp.prec)) : s.size();
        for (std::size_t i = 0; i < n; ++i) {
            if (i > 0 && sp.space) h += ' ';
            if (sp.sharp && (i == 0 || sp.space)) h += sp.verb == 'x' ? "0x" : "0X";
            h += sp.verb == 'x' ? fmt::format("{:02x}", static_cast<unsigned char>(s[i]))
                                : fmt::format("{:02X}", static_cast<unsigned char>(s[i]));
        }
        return pad(out, h, sp);
    }
    default:
        bad_verb(out, go_value::of_string(std::string(s)), sp);
    }
}

// %#v: Go-syntax representation.
void go_syntax(std::string& out, const go_value& v, int depth)
{
    switch (v.type()) {
    case go_type::invalid:
    case go_type::nil:
        out += depth > 0 ? "interface {}(nil)" : "<nil>";
        return;
    case go_type::bool_:
        out += v.as_bool() ? "true" : "false";
        return;
    case go_type::float64_:
        out += format_float(v.as_float(), 'g', -1);
        return;
    case go_type::string_:
        out += go_quote(v.as_string());
        return;
    default:
        break;
    }
    if (v.is_int()) {
        out += std::to_string(v.as_int());
        return;
    }
    out += v.type_name();
    if (v.is_nil_slice()) {
        out += "(nil)";
        return;
    }
    out += '{';
    bool first = true;
    if (v.is_list()) {
        for (auto& e : v.as_list()) {
            if (!first) out += ", ";
            first = false;
            go_syntax(out, e, depth + 1);
        }
    } else {
        for (auto& [k, e] : v.as_map()) {
            if (!first) out += ", ";
            first = false;
            out += go_quote(k) + ":";
            go_syntax(out, e, depth + 1);
        }
    }
    out += '}';
}

// Maps can hold themselves (Sprig's set and merge share them); Go's fmt then overflows its
// stack, weir prints a marker instead.
constexpr int max_print_depth = 1500;

void print_value(std::string& out, const go_value& v, const spec& sp, int depth)
{
    if (depth > max_print_depth) {
        out += "<too deep>";
        return;
    }
    if (sp.verb == 'T') return pad(out, v.type_name(), sp);
    if (sp.verb == 'v' && sp.sharp) return go_syntax(out, v, depth);
    // A value with a String() method (Helm's .Capabilities.KubeVersion) prints through it for
    // %v and %s, as Go's fmt does for a Stringer.
    if (const method_set* ms = v.methods(); ms && ms->display && (sp.verb == 'v' || sp.verb == 's'))
        return pad(out, *ms->display, sp);
    switch (v.type()) {
    case go_type::invalid:
    case go_type::nil:
        if (depth > 0) {
            out += "<nil>"; // Go writes a nil element without padding
            return;
        }
        if (sp.verb == 'v') return pad(out, sp.sharp ? "<nil>" : "<nil>", sp);
        return bad_verb(out, v, sp);
    case go_type::bool_:
        if (sp.verb == 'v' || sp.verb == 't') return pad(out, v.as_bool() ? "true" : "false", sp);
        return bad_verb(out, v, sp);
    case go_type::float64_:
        switch (sp.verb) {
        case 'v':
        case 'g':
        case 'G':
        case 'e':
        case 'E':
        case 'f':
        case 'F':
        case 'x':
        case 'X':
        case 'b':
            return format_float_verb(out, v.as_float(), sp);
        default:
            return bad_verb(out, v, sp);
        }
    case go_type::string_:
        return format_string(out, v.as_string(), sp);
    default:
        break;
    }
    if (v.is_int()) {
        switch (sp.verb) {
        case 'v':
        case 'd':
        case 'b':
        case 'o':
        case 'O':
        case 'x':
        case 'X':
        case 'c':
        case 'q':
        case 'U': {
            spec s = sp;
            if (s.verb == 'v') s.verb = 'd';
            return format_int(out, v.as_int(), s);
        }
        default:
            return bad_verb(out, v, sp);
        }
    }
    if (v.is_time()) {
        spec s = sp;
        s.verb = sp.verb == 'v' ? 's' : sp.verb;
        return format_string(out, go_time_string(v.as_time()), s);
    }
    if (v.is_list()) {
        out += '[';
        bool first = true;
        for (auto& e : v.as_list()) {
            if (!first) out += ' ';
            first = false;
            print_value(out, e, sp, depth + 1);
        }
        out += ']';
        return;
    }
    out += "map[";
    bool first = true;
    for (auto& [k, e] : v.as_map()) {
        if (!first) out += ' ';
        first = false;
        format_string(out, k, sp);
        out += ':';
        print_value(out, e, sp, depth + 1);
    }
    out += ']';
}

} // namespace

void append_value(std::string& out, const go_value& v)
{
    print_value(out, v, spec{}, 0);
}

std::string to_display(const go_value& v)
{
    std::string s;
    append_value(s, v);
    return s;
}

std::string go_sprint(std::span<const go_value> args)
{
    std::string out;
    bool prev_string = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        bool is_string = args[i].is_string();
        if (i > 0 && !is_string && !prev_string) out += ' ';
        append_value(out, args[i]);
        prev_string = is_string;
    }
    return out;
}

std::string go_sprintln(std::span<const go_value> args)
{
    std::string out;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if (i > 0) out += ' ';
        append_value(out, args[i]);
    }
    out += '\n';
    return out;
}

std::string go_sprintf(std::string_view f, std::span<const go_value> args)
{
    std::string out;
    std::size_t argi = 0;
    std::size_t i = 0;
    while (i < f.size()) {
        auto pct = f.find('%', i);
        if (pct == std::string_view::npos) {
            out += f.substr(i);
            break;
        }
        out += f.substr(i, pct - i);
        i = pct + 1;
        spec sp;
        for (; i < f.size(); ++i) {
            char c = f[i];
            if (c == '#')
                sp.sharp = true;
            else if (c == '0')
                sp.zero = !sp.minus;
            else if (c == '+')
                sp.plus = true;
            else if (c == '-')
                sp.minus = true, sp.zero = false;
            else if (c == ' ')
                sp.space = true;
            else
                break;
        }
        auto read_num = [&](int& dst) {
            if (i < f.size() && f[i] == '*') {
                ++i;
                if (argi < args.size() && args[argi].is_int() && args[argi].as_int() <= 1000000 &&
                    args[argi].as_int() >= -1000000) {
                    dst = static_cast<int>(args[argi++].as_int());
                    if (&dst == &sp.width && dst < 0) sp.minus = true, dst = -dst, sp.zero = false;
                    if (&dst == &sp.prec && dst < 0) dst = -1;
                } else {
                    if (argi < args.size()) ++argi;
                    out += &dst == &sp.width ? "%!(BADWIDTH)" : "%!(BADPREC)";
                    dst = -1;
                }
                return;
            }
            // Go's parsenum: a number that passes 1e6 before its last digit makes the rest of the
            // format unreadable (it then reports NOVERB)
            long n = -1;
            while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
                if (n > 1000000) {
                    i = f.size();
                    n = -1;
                    break;
                }
                n = (n < 0 ? 0 : n * 10) + (f[i++] - '0');
            }
            dst = static_cast<int>(n);
        };
        read_num(sp.width);
        if (i < f.size() && f[i] == '.') {
            ++i;
            read_num(sp.prec);
            if (sp.prec < 0) sp.prec = 0;
        }
        if (i >= f.size()) {
            out += "%!(NOVERB)";
            break;
        }
        std::size_t vl = rune_length(f, i);
        std::string_view verb = f.substr(i, vl);
        i += vl;
        if (verb == "%") {
            out += '%';
            continue;
        }
        if (argi >= args.size()) {
            out += "%!" + std::string(verb) + "(MISSING)";
            continue;
        }
        if (vl != 1) {
            out += "%!" + std::string(verb) + "(";
            out += args[argi].type_name() + "=" + to_display(args[argi]) + ")";
            ++argi;
            continue;
        }
        sp.verb = verb[0];
        print_value(out, args[argi++], sp, 0);
    }
    if (argi < args.size()) {
        out += "%!(EXTRA ";
        for (std::size_t k = argi; k < args.size(); ++k) {
            if (k > argi) out += ", ";
            if (args[k].is_nil() || args[k].is_missing())
                out += "<nil>";
            else
                out += args[k].type_name() + "=" + to_display(args[k]);
        }
        out += ')';
    }
    return out;
}

} // namespace weir::gotemplate::detail
