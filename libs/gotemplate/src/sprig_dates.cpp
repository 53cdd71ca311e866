// Sprig 3.2.3's dates on Go's layout strings ("2006-01-02T15:04:05Z07:00"): now, date,
// dateInZone, htmlDate, toDate, unixEpoch, dateModify, duration, durationRound, ago.
// Zones: "UTC" and "Local" (the machine's); other zone names fall back to UTC, as Go does for
// a zone it cannot load.
#include "funcs.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <optional>

namespace weir::gotemplate::detail {
namespace {

using args = std::span<const go_value>;
using S = param;

const char* months[] = {"January", "February", "March",     "April",   "May",      "June",
                        "July",    "August",   "September", "October", "November", "December"};
const char* days[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};

struct civil {
    std::tm tm{};
    long offset = 0; // seconds east of UTC
    std::string zone;
    std::int64_t nanos = 0;
};

// Go's zero time (year 1) lies outside int64 nanoseconds: this value stands for it.
constexpr std::int64_t zero_time = INT64_MIN;

civil to_civil(std::int64_t unix_nanos, bool utc)
{
    civil c;
    if (unix_nanos == zero_time) {
        auto t = static_cast<std::time_t>(-62135596800LL);
        gmtime_r(&t, &c.tm);
        c.zone = "UTC";
        return c;
    }
    std::int64_t secs = unix_nanos / 1000000000;
    c.nanos = unix_nanos % 1000000000;
    if (c.nanos < 0) c.nanos += 1000000000, --secs;
    auto t = static_cast<std::time_t>(secs);
    if (utc) {
        gmtime_r(&t, &c.tm);
        c.zone = "UTC";
    } else {
        localtime_r(&t, &c.tm);
        c.offset = c.tm.tm_gmtoff;
        c.zone = c.tm.tm_zone ? c.tm.tm_zone : "UTC";
    }
    return c;
}

std::string two(int v)
{
    return fmt::format("{:02d}", v);
}

std::string offset_str(long off, bool colon, bool z, bool seconds = false)
{
    if (z && off == 0) return "Z";
    char sign = off < 0 ? '-' : '+';
    long a = off < 0 ? -off : off;
    std::string s = fmt::format("{}{:02d}{}{:02d}", sign, a / 3600, colon ? ":" : "", (a / 60) % 60);
    if (seconds) s += fmt::format("{}{:02d}", colon ? ":" : "", a % 60);
    return s;
}

} // namespace

// time.Time.Format with Go's reference layout.
std::string go_time_format(std::int64_t unix_nanos, std::string_view layout, bool utc)
{
    civil c = to_civil(unix_nanos, utc);
    const std::tm& t = c.tm;
    std::string out;
    auto starts = [&](std::size_t i, std::string_view tok) { return layout.substr(i).starts_with(tok); };
    for (std::size_t i = 0; i < layout.size();) {
        int hour12 = t.tm_hour % 12 == 0 ? 12 : t.tm_hour % 12;
        if (starts(i, "January"))
            out += months[t.tm_mon], i += 7;
        else if (starts(i, "Jan"))
            out += std::string(months[t.tm_mon]).substr(0, 3), i += 3;
        else if (starts(i, "Monday"))
            out += days[t.tm_wday], i += 6;
        else if (starts(i, "Mon"))
            out += std::string(days[t.tm_wday]).substr(0, 3), i += 3;
        else if (starts(i, "MST"))
            out += c.zone, i += 3;
        else if (starts(i, "2006"))
            out += fmt::format("{:04d}", t.tm_year + 1900), i += 4;
        else if (starts(i, "2")) {
            if (starts(i, "2006")) continue;
            out += std::to_string(t.tm_mday), i += 1;
        } else if (starts(i, "_2")) {
            if (starts(i, "_2006"))
                out += "_", i += 1;
            else
                out += fmt::format("{:2d}", t.tm_mday), i += 2;
        } else if (starts(i, "01"))
            out += two(t.tm_mon + 1), i += 2;
        else if (starts(i, "02"))
            out += two(t.tm_mday), i += 2;
        else if (starts(i, "03"))
            out += two(hour12), i += 2;
        else if (starts(i, "04"))
            out += two(t.tm_min), i += 2;
        else if (starts(i, "05"))
            out += two(t.tm_sec), i += 2;
        else if (starts(i, "06"))
            out += two((t.tm_year + 1900) % 100), i += 2;
        else if (starts(i, "002"))
            out += fmt::format("{:03d}", t.tm_yday + 1), i += 3;
        else if (starts(i, "15"))
            out += two(t.tm_hour), i += 2;
        else if (starts(i, "1"))
            out += std::to_string(t.tm_mon + 1), i += 1;
        else if (starts(i, "3"))
            out += std::to_string(hour12), i += 1;
        else if (starts(i, "4"))
            out += std::to_string(t.tm_min), i += 1;
        else if (starts(i, "5"))
            out += std::to_string(t.tm_sec), i += 1;
        else if (starts(i, "PM"))
            out += t.tm_hour >= 12 ? "PM" : "AM", i += 2;
        else if (starts(i, "pm"))
            out += t.tm_hour >= 12 ? "pm" : "am", i += 2;
        else if (starts(i, "Z07:00:00"))
            out += offset_str(c.offset, true, true, true), i += 9;
        else if (starts(i, "-07:00:00"))
            out += offset_str(c.offset, true, false, true), i += 9;
        else if (starts(i, "Z07:00"))
            out += offset_str(c.offset, true, true), i += 6;
        else if (starts(i, "-07:00"))
            out += offset_str(c.offset, true, false), i += 6;
        else if (starts(i, "Z0700"))
            out += offset_str(c.offset, false, true), i += 5;
        else if (starts(i, "-0700"))
            out += offset_str(c.offset, false, false), i += 5;
        else if (starts(i, "Z07"))
            out += c.offset == 0 ? "Z" : offset_str(c.offset, false, false).substr(0, 3), i += 3;
        else if (starts(i, "-07"))
            out += offset_str(c.offset, false, false).substr(0, 3), i += 3;
        else if ((layout[i] == '.' || layout[i] == ',') && i + 1 < layout.size() &&
                 (layout[i + 1] == '0' || layout[i + 1] == '9')) {
            char d = layout[i + 1];
            std::size_t j = i + 1;
            while (j < layout.size() && layout[j] == d)
                ++j;
            if (j < layout.size() && std::isdigit(static_cast<unsigned char>(layout[j]))) {
                out += layout[i++];
                continue;
            }
            std::size_t n = j - i - 1;
            std::string frac = fmt::format("{:09d}", c.nanos).substr(0, std::min<std::size_t>(n, 9));
            if (d == '9') {
                while (!frac.empty() && frac.back() == '0')
                    frac.pop_back();
                if (!frac.empty()) out += layout[i] + frac;
            } else {
                out += layout[i] + frac;
            }
            i = j;
        } else {
            out += layout[i++];
        }
    }
    return out;
}

// time.Time.String
std::string go_time_string(std::int64_t unix_nanos)
{
    return go_time_format(unix_nanos, "2006-01-02 15:04:05.999999999 -0700 MST", false);
}

namespace {

std::int64_t now_nanos()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// Sprig's formatDate: a time, or Unix seconds as int/int64/int32; anything else is now.
std::string format_date(const go_value& date, std::string_view layout, std::string_view zone)
{
    std::int64_t nanos = date.is_time()  ? date.as_time()
                         : date.is_int() ? date.as_int() * 1000000000
                                         : now_nanos();
    return go_time_format(nanos, layout, zone != "Local");
}

// time.ParseInLocation for numeric layouts (the common chart case); nullopt when it fails.
std::optional<std::int64_t> parse_time(std::string_view layout, std::string_view value,
                                       std::string* why = nullptr)
{
    // On failure, Go names the rest of the value and the layout element it could not match.
    auto failed = [&](std::size_t v_at, std::string_view elem) -> std::optional<std::int64_t> {
        if (why)
            *why = fmt::format("cannot parse \"{}\" as \"{}\"", value.substr(std::min(v_at, value.size())),
                               elem);
        return std::nullopt;
    };
    std::tm t{};
    t.tm_mday = 1;
    long offset = 0;
    bool has_offset = false;
    std::int64_t nanos = 0;
    std::size_t v = 0;
    auto num = [&](std::size_t min, std::size_t max, int& dst) {
        std::size_t s = v;
        while (v < value.size() && v - s < max && std::isdigit(static_cast<unsigned char>(value[v])))
            ++v;
        if (v - s < min) return false;
        dst = std::atoi(std::string(value.substr(s, v - s)).c_str());
        return true;
    };
    auto starts = [&](std::size_t i, std::string_view tok) { return layout.substr(i).starts_with(tok); };
    for (std::size_t i = 0; i < layout.size();) {
        int x = 0;
        if (starts(i, "2006")) {
            if (!num(4, 4, x)) return failed(v, "2006");
            t.tm_year = x - 1900, i += 4;
        } else if (starts(i, "01") || starts(i, "02") || starts(i, "15") || starts(i, "04") ||
                   starts(i, "05") || starts(i, "03")) {
            std::string_view tok = layout.substr(i, 2);
            std::size_t at = v;
            if (!num(2, 2, x)) return failed(at, tok);
            if (tok == "01")
                t.tm_mon = x - 1;
            else if (tok == "02")
                t.tm_mday = x;
            else if (tok == "15" || tok == "03")
                t.tm_hour = x;
            else if (tok == "04")
                t.tm_min = x;
            else
                t.tm_sec = x;
            i += 2;
        } else if (starts(i, "Jan")) {
            bool found = false;
            for (int m = 0; m < 12 && !found; ++m)
                if (value.substr(v).starts_with(std::string(months[m]).substr(0, 3)))
                    t.tm_mon = m, v += 3, found = true;
            if (!found) return failed(v, "Jan");
            i += 3;
        } else if (starts(i, "Z07:00") || starts(i, "-07:00")) {
            if (v < value.size() && value[v] == 'Z' && layout[i] == 'Z') {
                ++v;
            } else {
                if (v >= value.size() || (value[v] != '+' && value[v] != '-')) return std::nullopt;
                int sign = value[v++] == '-' ? -1 : 1, h = 0, m = 0;
                if (!num(2, 2, h) || v >= value.size() || value[v++] != ':' || !num(2, 2, m))
                    return std::nullopt;
                offset = sign * (h * 3600 + m * 60);
            }
            has_offset = true;
            i += 6;
        } else if (layout[i] == '.' && i + 1 < layout.size() &&
                   (layout[i + 1] == '0' || layout[i + 1] == '9')) {
            while (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9'))
                ++i;
            ++i;
            if (v < value.size() && value[v] == '.') {
                ++v;
                std::size_t s = v;
                while (v < value.size() && std::isdigit(static_cast<unsigned char>(value[v])))
                    ++v;
                std::string f(value.substr(s, std::min<std::size_t>(v - s, 9)));
                f.resize(9, '0');
                nanos = std::atoll(f.c_str());
            }
        } else {
            if (v >= value.size() || value[v] != layout[i]) return failed(v, layout.substr(i, 1));
            ++v, ++i;
        }
    }
    if (v != value.size()) return std::nullopt;
    std::time_t secs;
    if (has_offset) {
        secs = timegm(&t) - offset;
    } else {
        t.tm_isdst = -1;
        secs = mktime(&t); // time.Local
    }
    return static_cast<std::int64_t>(secs) * 1000000000 + nanos;
}

// time.Duration.String
std::string duration_string(std::int64_t d)
{
    if (d == 0) return "0s";
    bool neg = d < 0;
    auto u = static_cast<std::uint64_t>(neg ? -d : d);
    std::string out;
    if (u < 1000000000) {
        if (u < 1000)
            out = std::to_string(u) + "ns";
        else if (u < 1000000)
            out = fmt::format("{}µs", static_cast<double>(u) / 1e3);
        else
            out = fmt::format("{}ms", static_cast<double>(u) / 1e6);
    } else {
        std::uint64_t secs = u / 1000000000, frac = u % 1000000000;
        std::string s = std::to_string(secs % 60);
        if (frac) {
            std::string f = fmt::format("{:09d}", frac);
            while (f.back() == '0')
                f.pop_back();
            s += "." + f;
        }
        s += "s";
        std::uint64_t mins = secs / 60;
        if (mins) s = std::to_string(mins % 60) + "m" + s;
        if (mins / 60) s = std::to_string(mins / 60) + "h" + s;
        out = s;
    }
    return neg ? "-" + out : out;
}

// time.ParseDuration
std::optional<std::int64_t> parse_duration(std::string_view s)
{
    if (s == "0") return 0;
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) neg = s[0] == '-', s.remove_prefix(1);
    if (s.empty()) return std::nullopt;
    double total = 0;
    while (!s.empty()) {
        std::size_t i = 0;
        while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
            ++i;
        if (i == 0) return std::nullopt;
        double n = std::atof(std::string(s.substr(0, i)).c_str());
        s.remove_prefix(i);
        std::size_t u = 0;
        while (u < s.size() && !std::isdigit(static_cast<unsigned char>(s[u])) && s[u] != '.')
            ++u;
        std::string_view unit = s.substr(0, u);
        s.remove_prefix(u);
        double mult = unit == "ns"                     ? 1
                      : (unit == "us" || unit == "µs") ? 1e3
                      : unit == "ms"                   ? 1e6
                      : unit == "s"                    ? 1e9
                      : unit == "m"                    ? 60e9
                      : unit == "h"                    ? 3600e9
                                                       : -1;
        if (mult < 0) return std::nullopt;
        total += n * mult;
    }
    return static_cast<std::int64_t>(neg ? -total : total);
}

} // namespace

void add_sprig_dates(function_table& t)
{
    t.add("now", fn({}, false,
                    [](call_context&, args) -> result<go_value> { return go_value::of_time(now_nanos()); }));
    t.add("date", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_string(format_date(a[1], a[0].as_string(), "Local"));
          }));
    t.add("dateInZone",
          fn({S::string_, S::any, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_string(format_date(a[1], a[0].as_string(), a[2].as_string()));
          }));
    t.add("htmlDate", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_string(format_date(a[0], "2006-01-02", "Local"));
          }));
    t.add("htmlDateInZone", fn({S::any, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_string(format_date(a[0], "2006-01-02", a[1].as_string()));
          }));
    t.add("toDate", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              auto n = parse_time(a[0].as_string(), a[1].as_string());
              return go_value::of_time(n ? *n : zero_time); // the zero time on failure
          }));
    t.add("mustToDate", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              std::string why;
              auto n = parse_time(a[0].as_string(), a[1].as_string(), &why);
              if (!n)
                  return fail(fmt::format("parsing time \"{}\" as \"{}\": {}", a[1].as_string(),
                                          a[0].as_string(), why));
              return go_value::of_time(*n);
          }));
    t.add("unixEpoch", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (!a[0].is_time())
                  return fail("wrong type for value; expected time.Time; got " + a[0].type_name());
              std::int64_t n = a[0].as_time();
              return go_value::of_string(std::to_string(n / 1000000000 - (n % 1000000000 < 0 ? 1 : 0)));
          }));
    t.add("dateModify", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (!a[1].is_time())
                  return fail("wrong type for value; expected time.Time; got " + a[1].type_name());
              auto d = parse_duration(a[0].as_string());
              return go_value::of_time(a[1].as_time() + (d ? *d : 0));
          }));
    t.add("duration", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              // Sprig reads only int64 and decimal strings; any other type is 0
              std::int64_t n = 0;
              if (a[0].type() == go_type::int64_)
                  n = a[0].as_int();
              else if (a[0].is_string())
                  n = std::atoll(a[0].as_string().c_str());
              return go_value::of_string(duration_string(n * 1000000000));
          }));
    t.add("ago", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              std::int64_t then = a[0].is_time()  ? a[0].as_time()
                                  : a[0].is_int() ? a[0].as_int() * 1000000000
                                                  : now_nanos();
              std::int64_t d = now_nanos() - then;
              d = (d + 500000000) / 1000000000 * 1000000000; // Round(time.Second)
              return go_value::of_string(duration_string(d));
          }));
}

} // namespace weir::gotemplate::detail
