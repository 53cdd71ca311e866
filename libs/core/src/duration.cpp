#include <weir/core/duration.hpp>

#include <fmt/format.h>

#include <cstdint>
#include <limits>

namespace weir {
namespace {

struct unit {
    std::string_view name;
    std::int64_t nanos;
};

constexpr unit units[] = {{"ns", 1},           {"us", 1'000},          {"\xc2\xb5s", 1'000},
                          {"\xce\xbcs", 1'000}, {"ms", 1'000'000},      {"s", 1'000'000'000},
                          {"m", 60'000'000'000}, {"h", 3'600'000'000'000}};

error bad(std::string_view text, std::string_view why)
{
    return terminal_error(fmt::format("invalid duration \"{}\": {}", text, why), "InvalidDuration");
}

} // namespace

result<std::chrono::nanoseconds> parse_duration(std::string_view text)
{
    std::string_view s = text;
    bool negative = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        negative = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s == "0") return std::chrono::nanoseconds{0};
    if (s.empty()) return bad(text, "empty");
    long double total = 0;
    while (!s.empty()) {
        std::size_t i = 0;
        long double whole = 0, frac = 0, scale = 1;
        std::size_t digits = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') whole = whole * 10 + (s[i++] - '0'), ++digits;
        if (i < s.size() && s[i] == '.') {
            ++i;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') frac = frac * 10 + (s[i++] - '0'), scale *= 10, ++digits;
        }
        if (digits == 0) return bad(text, "expected a number");
        std::size_t u = i;
        while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
        std::string_view name = s.substr(i, u - i);
        if (name.empty()) return bad(text, "missing unit (use ns, us, ms, s, m or h)");
        const unit* found = nullptr;
        for (const auto& un : units)
            if (un.name == name) found = &un;
        if (!found) return bad(text, fmt::format("unknown unit \"{}\" (use ns, us, ms, s, m or h)", name));
        total += (whole + frac / scale) * static_cast<long double>(found->nanos);
        if (total > static_cast<long double>(std::numeric_limits<std::int64_t>::max())) return bad(text, "overflow");
        s.remove_prefix(u);
    }
    auto n = static_cast<std::int64_t>(total + 0.5L);
    return std::chrono::nanoseconds{negative ? -n : n};
}

std::string format_duration(std::chrono::nanoseconds d)
{
    std::int64_t n = d.count();
    if (n == 0) return "0s";
    std::string sign = n < 0 ? "-" : "";
    std::uint64_t u = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    auto trim = [](std::string s) {
        while (!s.empty() && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        return s;
    };
    if (u < 1'000) return fmt::format("{}{}ns", sign, u);
    if (u < 1'000'000) return fmt::format("{}{}µs", sign, trim(fmt::format("{}.{:03}", u / 1'000, u % 1'000)));
    if (u < 1'000'000'000)
        return fmt::format("{}{}ms", sign, trim(fmt::format("{}.{:06}", u / 1'000'000, u % 1'000'000)));
    std::uint64_t secs = u / 1'000'000'000, nanos = u % 1'000'000'000;
    std::string sec_part = trim(fmt::format("{}.{:09}", secs % 60, nanos)) + "s";
    std::uint64_t mins = secs / 60;
    if (mins == 0) return sign + sec_part;
    std::uint64_t hours = mins / 60;
    if (hours == 0) return fmt::format("{}{}m{}", sign, mins % 60, sec_part);
    return fmt::format("{}{}h{}m{}", sign, hours, mins % 60, sec_part);
}

} // namespace weir
