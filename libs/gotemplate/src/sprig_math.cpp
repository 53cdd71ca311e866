// Sprig 3.2.3's numbers (numeric.go), with spf13/cast's conversions: strings parse with base 0
// and read as 0 when they do not parse, floats truncate, nil is 0.
#include "funcs.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <random>

namespace weir::gotemplate::detail {
namespace {

using args = std::span<const go_value>;
using S = param;

std::int64_t parse_int_base0(const std::string& s)
{
    std::string_view v = s;
    bool neg = false;
    if (!v.empty() && (v[0] == '+' || v[0] == '-')) neg = v[0] == '-', v.remove_prefix(1);
    int base = 10;
    if (v.size() > 1 && v[0] == '0') {
        char b = static_cast<char>(v[1] | 0x20);
        if (b == 'x')
            base = 16, v.remove_prefix(2);
        else if (b == 'o')
            base = 8, v.remove_prefix(2);
        else if (b == 'b')
            base = 2, v.remove_prefix(2);
        else
            base = 8, v.remove_prefix(1);
    }
    if (v.empty()) return 0;
    std::string digits(v);
    for (char c : digits)
        if (!std::isxdigit(static_cast<unsigned char>(c))) return 0;
    errno = 0;
    char* end = nullptr;
    long long x = std::strtoll(digits.c_str(), &end, base);
    if (errno == ERANGE || *end != '\0') return 0;
    return neg ? -x : x;
}

} // namespace

std::int64_t cast_to_int64(const go_value& v)
{
    if (v.is_int()) return v.as_int();
    if (v.is_float()) {
        double f = v.as_float();
        if (std::isnan(f) || f >= 9.3e18 || f <= -9.3e18) return INT64_MIN;
        return static_cast<std::int64_t>(f);
    }
    if (v.is_bool()) return v.as_bool() ? 1 : 0;
    if (v.is_string()) return parse_int_base0(v.as_string());
    return 0;
}

double cast_to_float64(const go_value& v)
{
    if (v.is_float()) return v.as_float();
    if (v.is_int()) return static_cast<double>(v.as_int());
    if (v.is_bool()) return v.as_bool() ? 1 : 0;
    if (v.is_string()) {
        const std::string& s = v.as_string();
        char* end = nullptr;
        double d = std::strtod(s.c_str(), &end);
        if (s.empty() || *end != '\0' || std::isspace(static_cast<unsigned char>(s[0]))) return 0;
        // strtod reads hex without an exponent ("0x1F"); Go's ParseFloat does not
        if (s.find_first_of("xX") != std::string::npos && s.find_first_of("pP") == std::string::npos)
            return 0;
        return d;
    }
    return 0;
}

namespace {
std::int64_t to_int64(const go_value& v)
{
    return cast_to_int64(v);
}
double to_float64(const go_value& v)
{
    return cast_to_float64(v);
}

go_value i64(std::int64_t x)
{
    return go_value::of_int64(x);
}
go_value f64(double x)
{
    return go_value::of_float(x);
}

// shopspring/decimal works on the shortest decimal form of each float; rounding the binary
// result to 15 significant digits gives the same answer for the values charts use.
double decimal_round(double x)
{
    if (!std::isfinite(x)) return x;
    if (x == 0) return 0; // a decimal zero has no sign
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.15g", x);
    return std::strtod(buf, nullptr);
}

} // namespace

void add_sprig_math(function_table& t)
{
    t.add("add", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              std::int64_t s = 0;
              for (auto& v : a)
                  s += to_int64(v);
              return i64(s);
          }));
    t.add("add1", fn({S::any}, false,
                     [](call_context&, args a) -> result<go_value> { return i64(to_int64(a[0]) + 1); }));
    t.add("sub", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              return i64(to_int64(a[0]) - to_int64(a[1]));
          }));
    t.add("div", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (to_int64(a[1]) == 0) return fail("runtime error: integer divide by zero");
              return i64(to_int64(a[0]) / to_int64(a[1]));
          }));
    t.add("mod", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (to_int64(a[1]) == 0) return fail("runtime error: integer divide by zero");
              return i64(to_int64(a[0]) % to_int64(a[1]));
          }));
    t.add("mul", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              std::int64_t p = to_int64(a[0]);
              for (std::size_t i = 1; i < a.size(); ++i)
                  p *= to_int64(a[i]);
              return i64(p);
          }));
    auto minmax = [](bool is_max) {
        return fn({S::any, S::any}, true, [is_max](call_context&, args a) -> result<go_value> {
            std::int64_t r = to_int64(a[0]);
            for (std::size_t i = 1; i < a.size(); ++i) {
                std::int64_t x = to_int64(a[i]);
                if (is_max ? x > r : x < r) r = x;
            }
            return i64(r);
        });
    };
    t.add("max", minmax(true));
    t.add("biggest", minmax(true));
    t.add("min", minmax(false));
    auto minmaxf = [](bool is_max) {
        return fn({S::any, S::any}, true, [is_max](call_context&, args a) -> result<go_value> {
            double r = to_float64(a[0]);
            for (std::size_t i = 1; i < a.size(); ++i)
                r = is_max ? std::fmax(r, to_float64(a[i])) : std::fmin(r, to_float64(a[i]));
            return f64(r);
        });
    };
    t.add("maxf", minmaxf(true));
    t.add("minf", minmaxf(false));
    t.add("addf", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              double s = 0;
              for (auto& v : a)
                  s += to_float64(v);
              return f64(decimal_round(s));
          }));
    t.add("add1f", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return f64(decimal_round(to_float64(a[0]) + 1));
          }));
    t.add("subf", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              double s = to_float64(a[0]);
              for (std::size_t i = 1; i < a.size(); ++i)
                  s -= to_float64(a[i]);
              return f64(decimal_round(s));
          }));
    t.add("mulf", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              double s = to_float64(a[0]);
              for (std::size_t i = 1; i < a.size(); ++i)
                  s *= to_float64(a[i]);
              return f64(decimal_round(s));
          }));
    t.add("divf", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              double s = to_float64(a[0]);
              for (std::size_t i = 1; i < a.size(); ++i) {
                  if (to_float64(a[i]) == 0) return fail("decimal division by 0");
                  s /= to_float64(a[i]);
              }
              return f64(decimal_round(s));
          }));
    t.add("floor", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return f64(std::floor(to_float64(a[0])));
          }));
    t.add("ceil", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return f64(std::ceil(to_float64(a[0])));
          }));
    t.add("round", fn({S::any, S::int_, S::float64_}, true, [](call_context&, args a) -> result<go_value> {
              double on = a.size() > 2 ? a[2].as_float() : .5;
              double pow = std::pow(10.0, static_cast<double>(a[1].as_int()));
              double digit = pow * to_float64(a[0]);
              double ip;
              double frac = std::modf(digit, &ip);
              return f64((frac >= on ? std::ceil(digit) : std::floor(digit)) / pow);
          }));
    t.add("int", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_int(to_int64(a[0]));
          }));
    t.add("int64",
          fn({S::any}, false, [](call_context&, args a) -> result<go_value> { return i64(to_int64(a[0])); }));
    t.add("float64", fn({S::any}, false,
                        [](call_context&, args a) -> result<go_value> { return f64(to_float64(a[0])); }));
    t.add("atoi", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const std::string& s = a[0].as_string();
              std::string_view v = s;
              if (!v.empty() && (v[0] == '+' || v[0] == '-')) v.remove_prefix(1);
              bool ok = !v.empty() && v.find_first_not_of("0123456789") == std::string_view::npos;
              errno = 0;
              long long x = ok ? std::strtoll(s.c_str(), nullptr, 10) : 0;
              return go_value::of_int(errno == ERANGE ? 0 : x);
          }));
    auto until_step = [](std::int64_t start, std::int64_t stop, std::int64_t step) -> result<go_value> {
        go_list v;
        double n = step == 0
                       ? 0
                       : (static_cast<double>(stop) - static_cast<double>(start)) / static_cast<double>(step);
        if (n > static_cast<double>(max_generated_list))
            return fail(fmt::format("{} elements exceed the limit of {} for a generated list",
                                    static_cast<std::int64_t>(n), max_generated_list));
        if (stop < start) {
            if (step >= 0) return go_value::of_list(std::move(v), go_type::list_int);
            for (std::int64_t i = start; i > stop; i += step)
                v.push_back(go_value::of_int(i));
        } else {
            if (step <= 0) return go_value::of_list(std::move(v), go_type::list_int);
            for (std::int64_t i = start; i < stop; i += step)
                v.push_back(go_value::of_int(i));
        }
        return go_value::of_list(std::move(v), go_type::list_int);
    };
    t.add("until", fn({S::int_}, false, [until_step](call_context&, args a) -> result<go_value> {
              std::int64_t c = a[0].as_int();
              return until_step(0, c, c < 0 ? -1 : 1);
          }));
    t.add("untilStep",
          fn({S::int_, S::int_, S::int_}, false, [until_step](call_context&, args a) -> result<go_value> {
              return until_step(a[0].as_int(), a[1].as_int(), a[2].as_int());
          }));
    // seq 5, seq 2 5, seq 0 2 10: the numbers joined by spaces
    t.add("seq", fn({S::int_}, true, [until_step](call_context&, args a) -> result<go_value> {
              std::int64_t start = 1, end = 0, step = 1;
              if (a.size() == 1) {
                  end = a[0].as_int();
                  if (end < start) step = -1;
              } else if (a.size() == 2) {
                  start = a[0].as_int(), end = a[1].as_int();
                  if (end < start) step = -1;
              } else if (a.size() == 3) {
                  start = a[0].as_int(), step = a[1].as_int(), end = a[2].as_int();
                  if (end < start && step > 0) return go_value::of_string("");
              } else {
                  return go_value::of_string("");
              }
              std::int64_t inc = a.size() == 3 ? (end < start ? -1 : 1) : step;
              WEIR_TRY_ASSIGN(go_value l, until_step(start, end + inc, step));
              std::string out;
              for (auto& e : l.as_list())
                  out += (out.empty() ? "" : " ") + std::to_string(e.as_int());
              return go_value::of_string(std::move(out));
          }));
    t.add("randInt", fn({S::int_, S::int_}, false, [](call_context&, args a) -> result<go_value> {
              if (a[1].as_int() <= a[0].as_int()) return fail("invalid argument to Intn");
              static thread_local std::mt19937_64 rng{std::random_device{}()};
              std::uniform_int_distribution<std::int64_t> d(a[0].as_int(), a[1].as_int() - 1);
              return go_value::of_int(d(rng));
          }));
}

} // namespace weir::gotemplate::detail
