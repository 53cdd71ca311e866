// Hand-written rather than spdlog: what we need is one structured line per call with typed
// fields, which spdlog only offers through its own formatting layer at a higher cost.
#include <weir/core/json.hpp>
#include <weir/core/log.hpp>

#include <fmt/format.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace weir {
namespace {

std::atomic<int> g_level{static_cast<int>(log_level::info)};
std::atomic<log_encoding> g_encoding{log_encoding::json};
std::atomic<void (*)(std::string_view)> g_sink{nullptr};
std::mutex g_write_mutex;

const char* level_name(log_level l)
{
    switch (l) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warn: return "warn";
    case log_level::error: return "error";
    }
    return "info";
}

std::string timestamp()
{
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

void write_line(std::string_view line)
{
    if (auto sink = g_sink.load()) {
        sink(line);
        return;
    }
    std::lock_guard lock(g_write_mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace

bool parse_log_level(std::string_view text, log_level& out)
{
    for (auto l : {log_level::trace, log_level::debug, log_level::info, log_level::warn, log_level::error})
        if (text == level_name(l)) return out = l, true;
    return false;
}

bool parse_log_encoding(std::string_view text, log_encoding& out)
{
    if (text == "json") return out = log_encoding::json, true;
    if (text == "console") return out = log_encoding::console, true;
    return false;
}

void configure_logging(log_level level, log_encoding encoding)
{
    g_level = static_cast<int>(level);
    g_encoding = encoding;
}

void set_log_sink(void (*sink)(std::string_view line)) { g_sink = sink; }

bool logger::enabled(log_level level) const { return static_cast<int>(level) >= g_level.load(); }

void logger::log(log_level level, std::string_view msg, log_fields fields) const
{
    if (!enabled(level)) return;
    std::string line;
    if (g_encoding.load() == log_encoding::json) {
        line = fmt::format("{{\"level\":\"{}\",\"ts\":\"{}\",\"logger\":{},\"msg\":{}", level_name(level), timestamp(),
                           json_quote(name_), json_quote(msg));
        for (const auto& f : fields) {
            line += ',';
            line += json_quote(f.key);
            line += ':';
            line += f.raw ? f.value : json_quote(f.value);
        }
        line += "}\n";
    } else {
        line = fmt::format("{} {:<5} {} {}", timestamp(), level_name(level), name_, msg);
        for (const auto& f : fields) line += fmt::format(" {}={}", f.key, f.value);
        line += '\n';
    }
    write_line(line);
}

} // namespace weir
