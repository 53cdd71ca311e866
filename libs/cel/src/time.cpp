// timestamp() and duration(): RFC 3339 instants and Go-style durations, both held as int64
// nanoseconds (since the Unix epoch for timestamps: years 1678 to 2261, ample for status fields).
#include "ast.hpp"

#include <cctype>
#include <cstdio>

namespace weir::cel {
namespace {

constexpr std::int64_t ns_per_s = 1'000'000'000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    auto yoe = static_cast<unsigned>(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool digits(const std::string& s, std::size_t at, std::size_t n, int& out)
{
    if (at + n > s.size()) return false;
    out = 0;
    for (std::size_t i = at; i < at + n; ++i) {
        if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
        out = out * 10 + (s[i] - '0');
    }
    return true;
}

val parse_timestamp(const std::string& s)
{
    int y, mo, d, h, mi, se;
    bool ok = digits(s, 0, 4, y) && s.size() > 4 && s[4] == '-' && digits(s, 5, 2, mo) && s[7] == '-' &&
              digits(s, 8, 2, d) && s.size() > 10 && (s[10] == 'T' || s[10] == 't') && digits(s, 11, 2, h) &&
              s[13] == ':' && digits(s, 14, 2, mi) && s.size() > 16 && s[16] == ':' && digits(s, 17, 2, se);
    if (!ok || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
        return val::error("timestamp() cannot parse '" + s + "' as RFC 3339");
    std::size_t at = 19;
    std::int64_t frac = 0;
    if (at < s.size() && s[at] == '.') {
        std::int64_t scale = ns_per_s;
        for (++at; at < s.size() && std::isdigit(static_cast<unsigned char>(s[at])); ++at)
            if (scale > 1) frac += (s[at] - '0') * (scale /= 10);
    }
    std::int64_t offset = 0;
    int oh = 0, om = 0;
    if (at + 1 == s.size() && (s[at] == 'Z' || s[at] == 'z')) {
    } else if (at + 6 == s.size() && (s[at] == '+' || s[at] == '-') && digits(s, at + 1, 2, oh) &&
               s[at + 3] == ':' && digits(s, at + 4, 2, om)) {
        offset = (s[at] == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    } else {
        return val::error("timestamp() cannot parse '" + s + "' as RFC 3339 (zone)");
    }
    std::int64_t secs = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
                        h * 3600 + mi * 60 + se - offset;
    val v;
    v.tag = val::t::timestamp;
    v.i = secs * ns_per_s + frac;
    return v;
}

val parse_duration(const std::string& s)
{
    std::size_t at = 0;
    bool negative = !s.empty() && (s[0] == '-' || s[0] == '+');
    negative = negative && s[0] == '-';
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) ++at;
    long double total = 0;
    if (at == s.size()) return val::error("duration() cannot parse '" + s + "'");
    if (s.substr(at) == "0") at = s.size();
    while (at < s.size()) {
        std::size_t b = at;
        while (at < s.size() && (std::isdigit(static_cast<unsigned char>(s[at])) || s[at] == '.'))
            ++at;
        if (b == at) return val::error("duration() cannot parse '" + s + "': expected a number");
        long double n = std::stold(s.substr(b, at - b));
        std::size_t u = at;
        while (at < s.size() && !std::isdigit(static_cast<unsigned char>(s[at])) && s[at] != '.')
            ++at;
        std::string unit = s.substr(u, at - u);
        long double scale = unit == "h"                           ? 3600e9L
                            : unit == "m"                         ? 60e9L
                            : unit == "s"                         ? 1e9L
                            : unit == "ms"                        ? 1e6L
                            : unit == "us" || unit == "\xc2\xb5s" ? 1e3L
                            : unit == "ns"                        ? 1.0L
                                                                  : 0.0L;
        if (scale == 0) return val::error("duration() cannot parse '" + s + "': unknown unit '" + unit + "'");
        total += n * scale;
    }
    if (total > 9.2e18L) return val::error("duration() out of range: '" + s + "'");
    val v;
    v.tag = val::t::duration;
    v.i = static_cast<std::int64_t>(negative ? -total : total);
    return v;
}

} // namespace

val time_call(const std::string& f, const val& a)
{
    val::t want = f == "timestamp" ? val::t::timestamp : val::t::duration;
    if (a.tag == want) return a;
    if (a.tag != val::t::string) return val::error("no such overload: " + f + "(" + type_name(a) + ")");
    return f == "timestamp" ? parse_timestamp(a.s) : parse_duration(a.s);
}

val time_arith(char o, const val& a, const val& b)
{
    using t = val::t;
    val r;
    bool ovf = false;
    if (o == '+' && ((a.tag == t::timestamp && b.tag == t::duration) ||
                     (a.tag == t::duration && b.tag == t::timestamp))) {
        r.tag = t::timestamp;
        ovf = __builtin_add_overflow(a.i, b.i, &r.i);
    } else if (o == '+' && a.tag == t::duration && b.tag == t::duration) {
        r.tag = t::duration;
        ovf = __builtin_add_overflow(a.i, b.i, &r.i);
    } else if (o == '-' && a.tag == t::timestamp && (b.tag == t::duration || b.tag == t::timestamp)) {
        r.tag = b.tag == t::timestamp ? t::duration : t::timestamp;
        ovf = __builtin_sub_overflow(a.i, b.i, &r.i);
    } else if (o == '-' && a.tag == t::duration && b.tag == t::duration) {
        r.tag = t::duration;
        ovf = __builtin_sub_overflow(a.i, b.i, &r.i);
    } else {
        return val::error(std::string("no such overload: ") + type_name(a) + " " + o + " " + type_name(b));
    }
    return ovf ? val::error("timestamp or duration overflow") : r;
}

std::string time_string(const val& v)
{
    if (v.tag == val::t::duration) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%.9gs", static_cast<double>(v.i) / ns_per_s);
        return buf;
    }
    // Civil date from days (H. Hinnant's civil_from_days).
    std::int64_t secs = v.i >= 0 ? v.i / ns_per_s : (v.i - ns_per_s + 1) / ns_per_s;
    std::int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400, sod = secs - days * 86400;
    std::int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    auto doe = static_cast<unsigned>(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, m = mp < 10 ? mp + 3 : mp - 9;
    std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(y), m, d,
                  static_cast<long long>(sod / 3600), static_cast<long long>(sod / 60 % 60),
                  static_cast<long long>(sod % 60));
    return buf;
}

} // namespace weir::cel
