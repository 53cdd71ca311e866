#include <weir/kube/time.hpp>

#include <fmt/format.h>

#include <charconv>
#include <ctime>

namespace weir::kube {
namespace {
std::tm to_tm(sys_time t)
{
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return tm;
}

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out)
{
    if (pos + len > s.size()) return false;
    auto [p, ec] = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return ec == std::errc{} && p == s.data() + pos + len;
}
} // namespace

std::string format_time(sys_time t)
{
    std::tm tm = to_tm(t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min, tm.tm_sec);
}

std::string format_micro_time(sys_time t)
{
    std::tm tm = to_tm(t);
    auto micros = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count() % 1000000;
    if (micros < 0) micros += 1000000;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

result<sys_time> parse_time(std::string_view s)
{
    std::tm tm{};
    int y, mo, d, h, mi, sec;
    if (!read_int(s, 0, 4, y) || s.size() < 20 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
        !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't') || !read_int(s, 11, 2, h) || s[13] != ':' ||
        !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec))
        return terminal_error("invalid timestamp '" + std::string(s) + "': want RFC 3339", "InvalidTime");
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    auto t = std::chrono::system_clock::from_time_t(timegm(&tm));
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
        std::size_t start = ++pos;
        long long frac = 0;
        int digits = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9) frac = frac * 10 + (s[pos] - '0'), ++digits;
            ++pos;
        }
        if (pos == start) return terminal_error("invalid timestamp '" + std::string(s) + "'", "InvalidTime");
        while (digits < 9) frac *= 10, ++digits;
        t += std::chrono::duration_cast<sys_time::duration>(std::chrono::nanoseconds(frac));
    }
    if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        int oh, om;
        if (!read_int(s, pos + 1, 2, oh) || !read_int(s, pos + 4, 2, om))
            return terminal_error("invalid timestamp offset in '" + std::string(s) + "'", "InvalidTime");
        auto off = std::chrono::hours(oh) + std::chrono::minutes(om);
        t = s[pos] == '+' ? t - off : t + off;
    } else if (pos >= s.size() || (s[pos] != 'Z' && s[pos] != 'z')) {
        return terminal_error("invalid timestamp '" + std::string(s) + "': missing zone", "InvalidTime");
    }
    return t;
}

} // namespace weir::kube
