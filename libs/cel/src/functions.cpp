// Values, equality, operators and the standard functions of the CEL subset.
#include "ast.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <re2/re2.h>

namespace weir::cel {

const char* type_name(const val& v)
{
    switch (v.tag) {
    case val::t::null:
        return "null_type";
    case val::t::boolean:
        return "bool";
    case val::t::int_:
        return "int";
    case val::t::uint_:
        return "uint";
    case val::t::double_:
        return "double";
    case val::t::string:
        return "string";
    case val::t::bytes:
        return "bytes";
    case val::t::list:
        return "list";
    case val::t::map:
        return "map";
    case val::t::type:
        return "type";
    case val::t::error:
        return "error";
    case val::t::timestamp:
        return "google.protobuf.Timestamp";
    case val::t::duration:
        return "google.protobuf.Duration";
    }
    return "unknown";
}

val from_value(const value& v)
{
    switch (v.type()) {
    case value::kind::null:
        return {};
    case value::kind::boolean:
        return val::boolean(v.as_bool());
    case value::kind::integer:
        return val::int_(v.as_int());
    case value::kind::number:
        return val::double_(v.as_double());
    case value::kind::string:
        return val::string(v.as_string());
    case value::kind::array: {
        val out = val::new_list();
        out.list->reserve(v.as_array().size());
        for (const auto& e : v.as_array())
            out.list->push_back(from_value(e));
        return out;
    }
    case value::kind::object: {
        val out = val::new_map();
        out.map->reserve(v.as_object().size());
        for (const auto& [k, e] : v.as_object())
            out.map->emplace_back(val::string(k), from_value(e));
        return out;
    }
    }
    return {};
}

value to_value(const val& v)
{
    switch (v.tag) {
    case val::t::boolean:
        return value(v.b);
    case val::t::int_:
        return value(static_cast<long long>(v.i));
    case val::t::uint_:
        return v.u <= static_cast<std::uint64_t>(INT64_MAX) ? value(static_cast<long long>(v.u))
                                                            : value(static_cast<double>(v.u));
    case val::t::double_:
        return value(v.d);
    case val::t::string:
    case val::t::bytes:
    case val::t::type:
        return value(v.s);
    case val::t::timestamp:
    case val::t::duration:
        return value(time_string(v));
    case val::t::list: {
        array a;
        for (const auto& e : *v.list)
            a.push_back(to_value(e));
        return value(std::move(a));
    }
    case val::t::map: {
        object o;
        for (const auto& [k, e] : *v.map)
            o.set(k.tag == val::t::string ? k.s
                  : to_value(k).is_int()  ? std::to_string(to_value(k).as_int())
                                          : k.s,
                  to_value(e));
        return value(std::move(o));
    }
    default:
        return {};
    }
}

namespace {

bool is_num(const val& v)
{
    return v.tag == val::t::int_ || v.tag == val::t::uint_ || v.tag == val::t::double_;
}

// Compares numbers of any of the three types exactly: -1, 0, 1, or 2 when a NaN is involved.
int num_cmp(const val& a, const val& b)
{
    if (a.tag == b.tag) {
        if (a.tag == val::t::int_) return (a.i > b.i) - (a.i < b.i);
        if (a.tag == val::t::uint_) return (a.u > b.u) - (a.u < b.u);
    }
    if (a.tag == val::t::int_ && b.tag == val::t::uint_)
        return a.i < 0 ? -1 : num_cmp(val::uint_(static_cast<std::uint64_t>(a.i)), b);
    if (a.tag == val::t::uint_ && b.tag == val::t::int_) return -num_cmp(b, a);
    auto as_d = [](const val& x) {
        return x.tag == val::t::int_    ? static_cast<double>(x.i)
               : x.tag == val::t::uint_ ? static_cast<double>(x.u)
                                        : x.d;
    };
    double x = as_d(a), y = as_d(b);
    if (std::isnan(x) || std::isnan(y)) return 2;
    return (x > y) - (x < y);
}

val no_overload(const std::string& f, const std::vector<val>& a)
{
    std::string m = "no such overload: " + f + "(";
    for (std::size_t i = 0; i < a.size(); ++i)
        m += (i ? ", " : "") + std::string(type_name(a[i]));
    return val::error(m + ")");
}

val compare(const std::string& f, const val& a, const val& b)
{
    int c = 0;
    if (is_num(a) && is_num(b)) {
        c = num_cmp(a, b);
        if (c == 2) return val::boolean(false);
    } else if (a.tag == b.tag && (a.tag == val::t::string || a.tag == val::t::bytes)) {
        c = a.s.compare(b.s);
        c = (c > 0) - (c < 0);
    } else if (a.tag == b.tag && (a.tag == val::t::timestamp || a.tag == val::t::duration)) {
        c = (a.i > b.i) - (a.i < b.i);
    } else if (a.tag == b.tag && a.tag == val::t::boolean) {
        c = static_cast<int>(a.b) - static_cast<int>(b.b);
    } else {
        return no_overload(f, {a, b});
    }
    if (f == "<") return val::boolean(c < 0);
    if (f == "<=") return val::boolean(c <= 0);
    if (f == ">") return val::boolean(c > 0);
    return val::boolean(c >= 0);
}

val arith(const std::string& f, const val& a, const val& b)
{
    char o = f[0];
    for (const val* x : {&a, &b})
        if (x->tag == val::t::timestamp || x->tag == val::t::duration) return time_arith(o, a, b);
    if (a.tag != b.tag) return no_overload(f, {a, b});
    if (a.tag == val::t::int_) {
        std::int64_t r = 0;
        bool ovf = false;
        if (o == '+')
            ovf = __builtin_add_overflow(a.i, b.i, &r);
        else if (o == '-')
            ovf = __builtin_sub_overflow(a.i, b.i, &r);
        else if (o == '*')
            ovf = __builtin_mul_overflow(a.i, b.i, &r);
        else if (b.i == 0)
            return val::error(o == '/' ? "division by zero" : "modulus by zero");
        else if (a.i == INT64_MIN && b.i == -1)
            ovf = true;
        else
            r = o == '/' ? a.i / b.i : a.i % b.i;
        return ovf ? val::error("integer overflow in " + f) : val::int_(r);
    }
    if (a.tag == val::t::uint_) {
        std::uint64_t r = 0;
        bool ovf = false;
        if (o == '+')
            ovf = __builtin_add_overflow(a.u, b.u, &r);
        else if (o == '-')
            ovf = __builtin_sub_overflow(a.u, b.u, &r);
        else if (o == '*')
            ovf = __builtin_mul_overflow(a.u, b.u, &r);
        else if (b.u == 0)
            return val::error(o == '/' ? "division by zero" : "modulus by zero");
        else
            r = o == '/' ? a.u / b.u : a.u % b.u;
        return ovf ? val::error("unsigned integer overflow in " + f) : val::uint_(r);
    }
    if (a.tag == val::t::double_ && o != '%') {
        return val::double_(o == '+' ? a.d + b.d : o == '-' ? a.d - b.d : o == '*' ? a.d * b.d : a.d / b.d);
    }
    if (o == '+' && (a.tag == val::t::string || a.tag == val::t::bytes)) {
        val r = a;
        r.s += b.s;
        return r;
    }
    if (o == '+' && a.tag == val::t::list) {
        val r = val::new_list();
        *r.list = *a.list;
        r.list->insert(r.list->end(), b.list->begin(), b.list->end());
        return r;
    }
    return no_overload(f, {a, b});
}

val contains_in(const val& x, const val& coll)
{
    if (coll.tag == val::t::list) {
        for (const auto& e : *coll.list)
            if (equals(e, x).b) return val::boolean(true);
        return val::boolean(false);
    }
    if (coll.tag == val::t::map) {
        for (const auto& kv : *coll.map)
            if (equals(kv.first, x).b) return val::boolean(true);
        return val::boolean(false);
    }
    return no_overload("in", {x, coll});
}

// The whole of s as a decimal integer, or nullopt.
template <class T> std::optional<T> parse_whole(const std::string& s)
{
    T r{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), r);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return r;
}

std::size_t utf8_length(const std::string& s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

val convert(const std::string& f, const val& a)
{
    if (f == "int") {
        if (a.tag == val::t::int_) return a;
        if (a.tag == val::t::uint_)
            return a.u > static_cast<std::uint64_t>(INT64_MAX) ? val::error("int() range error")
                                                               : val::int_(static_cast<std::int64_t>(a.u));
        if (a.tag == val::t::double_) {
            if (!(a.d > -9223372036854775808.0 && a.d < 9223372036854775808.0))
                return val::error("int() range error");
            return val::int_(static_cast<std::int64_t>(a.d)); // truncates toward zero, as CEL does
        }
        if (a.tag == val::t::string) {
            auto r = parse_whole<std::int64_t>(a.s);
            return r ? val::int_(*r) : val::error("int() cannot convert '" + a.s + "'");
        }
    } else if (f == "uint") {
        if (a.tag == val::t::uint_) return a;
        if (a.tag == val::t::int_)
            return a.i < 0 ? val::error("uint() range error") : val::uint_(static_cast<std::uint64_t>(a.i));
        if (a.tag == val::t::double_) {
            if (!(a.d > -1.0 && a.d < 18446744073709551616.0)) return val::error("uint() range error");
            return val::uint_(static_cast<std::uint64_t>(a.d));
        }
        if (a.tag == val::t::string) {
            auto r = parse_whole<std::uint64_t>(a.s);
            return r ? val::uint_(*r) : val::error("uint() cannot convert '" + a.s + "'");
        }
    } else if (f == "double") {
        if (a.tag == val::t::double_) return a;
        if (a.tag == val::t::int_) return val::double_(static_cast<double>(a.i));
        if (a.tag == val::t::uint_) return val::double_(static_cast<double>(a.u));
        if (a.tag == val::t::string) {
            try {
                std::size_t used = 0;
                double d = std::stod(a.s, &used);
                if (used == a.s.size()) return val::double_(d);
            } catch (const std::exception&) {
            }
            return val::error("double() cannot convert '" + a.s + "'");
        }
    } else if (f == "string") {
        if (a.tag == val::t::string) return a;
        if (a.tag == val::t::bytes) return val::string(a.s);
        if (a.tag == val::t::timestamp || a.tag == val::t::duration) return val::string(time_string(a));
        if (a.tag == val::t::int_) return val::string(std::to_string(a.i));
        if (a.tag == val::t::uint_) return val::string(std::to_string(a.u));
        if (a.tag == val::t::boolean) return val::string(a.b ? "true" : "false");
        if (a.tag == val::t::double_) {
            char buf[64];
            auto [p, ec] = std::to_chars(buf, buf + sizeof buf, a.d);
            return ec == std::errc() ? val::string(std::string(buf, p))
                                     : val::error("string() cannot convert a double");
        }
    } else if (f == "bytes") {
        if (a.tag == val::t::bytes) return a;
        if (a.tag == val::t::string) return val::bytes(a.s);
    } else if (f == "bool") {
        if (a.tag == val::t::boolean) return a;
        if (a.tag == val::t::string) {
            for (const char* t : {"1", "t", "true", "TRUE", "True"})
                if (a.s == t) return val::boolean(true);
            for (const char* t : {"0", "f", "false", "FALSE", "False"})
                if (a.s == t) return val::boolean(false);
            return val::error("bool() cannot convert '" + a.s + "'");
        }
    }
    return no_overload(f, {a});
}

val string_function(const std::string& f, const std::vector<val>& a)
{
    const std::string& s = a[0].s;
    if (f == "lowerAscii" || f == "upperAscii") {
        std::string r = s;
        for (char& c : r)
            if (f[0] == 'l' ? (c >= 'A' && c <= 'Z') : (c >= 'a' && c <= 'z'))
                c = static_cast<char>(c ^ 0x20);
        return val::string(std::move(r));
    }
    if (a.size() != 2 || a[1].tag != val::t::string) return no_overload(f, a);
    const std::string& x = a[1].s;
    if (f == "startsWith") return val::boolean(s.rfind(x, 0) == 0);
    if (f == "endsWith")
        return val::boolean(s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0);
    if (f == "contains") return val::boolean(s.find(x) != std::string::npos);
    if (f == "matches") {
        RE2 re(x, RE2::Quiet);
        if (!re.ok()) return val::error("matches(): invalid regular expression '" + x + "': " + re.error());
        return val::boolean(RE2::PartialMatch(s, re));
    }
    return no_overload(f, a);
}

} // namespace

val equals(const val& a, const val& b)
{
    if (a.is_error()) return a;
    if (b.is_error()) return b;
    if (is_num(a) && is_num(b)) return val::boolean(num_cmp(a, b) == 0);
    if (a.tag != b.tag) return val::boolean(false);
    switch (a.tag) {
    case val::t::null:
        return val::boolean(true);
    case val::t::boolean:
        return val::boolean(a.b == b.b);
    case val::t::string:
    case val::t::bytes:
    case val::t::type:
        return val::boolean(a.s == b.s);
    case val::t::timestamp:
    case val::t::duration:
        return val::boolean(a.i == b.i);
    case val::t::list: {
        if (a.list->size() != b.list->size()) return val::boolean(false);
        for (std::size_t i = 0; i < a.list->size(); ++i)
            if (!equals((*a.list)[i], (*b.list)[i]).b) return val::boolean(false);
        return val::boolean(true);
    }
    case val::t::map: {
        if (a.map->size() != b.map->size()) return val::boolean(false);
        for (const auto& [k, v] : *a.map) {
            bool found = false;
            for (const auto& [k2, v2] : *b.map)
                if (equals(k, k2).b) {
                    found = equals(v, v2).b;
                    break;
                }
            if (!found) return val::boolean(false);
        }
        return val::boolean(true);
    }
    default:
        return val::boolean(false);
    }
}

val call_function(const std::string& f, std::vector<val>& a, bool receiver)
{
    if (a.size() == 2 && !receiver) {
        if (f == "==") return equals(a[0], a[1]);
        if (f == "!=") {
            val e = equals(a[0], a[1]);
            return e.is_error() ? e : val::boolean(!e.b);
        }
        if (f == "<" || f == "<=" || f == ">" || f == ">=") return compare(f, a[0], a[1]);
        if (f == "+" || f == "-" || f == "*" || f == "/" || f == "%") return arith(f, a[0], a[1]);
        if (f == "in") return contains_in(a[0], a[1]);
    }
    if (f == "-_") {
        if (a[0].tag == val::t::int_)
            return a[0].i == INT64_MIN ? val::error("integer overflow in negation") : val::int_(-a[0].i);
        if (a[0].tag == val::t::double_) return val::double_(-a[0].d);
        return no_overload("-", a);
    }
    if (f == "size" && a.size() == 1) {
        const val& x = a[0];
        if (x.tag == val::t::string) return val::int_(static_cast<std::int64_t>(utf8_length(x.s)));
        if (x.tag == val::t::bytes) return val::int_(static_cast<std::int64_t>(x.s.size()));
        if (x.tag == val::t::list) return val::int_(static_cast<std::int64_t>(x.list->size()));
        if (x.tag == val::t::map) return val::int_(static_cast<std::int64_t>(x.map->size()));
        return no_overload(f, a);
    }
    if ((f == "timestamp" || f == "duration") && a.size() == 1 && !receiver) return time_call(f, a[0]);
    if (f == "type" && a.size() == 1 && !receiver) return val::type(type_name(a[0]));
    if (!receiver && a.size() == 1 &&
        (f == "int" || f == "uint" || f == "double" || f == "string" || f == "bytes" || f == "bool"))
        return convert(f, a[0]);
    if (f == "matches" && !receiver && a.size() == 2) return string_function(f, a);
    bool str_fn = f == "startsWith" || f == "endsWith" || f == "contains" || f == "matches" ||
                  f == "lowerAscii" || f == "upperAscii";
    if (str_fn && receiver) {
        if (a[0].tag != val::t::string) return no_overload(f, a);
        return string_function(f, a);
    }
    return val::error("unknown function '" + f + "' with " +
                      std::to_string(receiver ? a.size() - 1 : a.size()) + " argument(s)");
}

} // namespace weir::cel
