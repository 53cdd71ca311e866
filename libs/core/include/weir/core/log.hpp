// Structured logging: one JSON object per line by default, or a console line for people.
//
//   auto log = weir::logger("source-controller");
//   log.info("artifact stored", {{"name", "podinfo"}, {"revision", rev}});
//   log.error("fetch failed", {{"error", err.message}});
//
// JSON form: {"level":"info","ts":"2026-11-22T10:00:00.123Z","logger":"source-controller",
// "msg":"artifact stored","name":"podinfo","revision":"main@sha1:..."}.
// Configure once at start-up from --log-level and --log-encoding. Thread-safe; one write per line.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace weir {

enum class log_level : int { trace = -2, debug = -1, info = 0, warn = 1, error = 2 };
enum class log_encoding : unsigned char { json, console };

struct log_field {
    std::string_view key;
    std::string value;
    log_field(std::string_view k, std::string v) : key(k), value(std::move(v)) {}
    log_field(std::string_view k, std::string_view v) : key(k), value(v) {}
    log_field(std::string_view k, const char* v) : key(k), value(v) {}
    log_field(std::string_view k, long long v) : key(k), value(std::to_string(v)), raw(true) {}
    log_field(std::string_view k, int v) : key(k), value(std::to_string(v)), raw(true) {}
    log_field(std::string_view k, std::size_t v) : key(k), value(std::to_string(v)), raw(true) {}
    log_field(std::string_view k, double v) : key(k), value(std::to_string(v)), raw(true) {}
    log_field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), raw(true) {}
    bool raw = false; // written as a JSON number or bool rather than a string
};

using log_fields = std::initializer_list<log_field>;

// Parses "trace|debug|info|warn|error"; false when unknown.
bool parse_log_level(std::string_view text, log_level& out);
bool parse_log_encoding(std::string_view text, log_encoding& out);
void configure_logging(log_level level, log_encoding encoding);
// Where lines go (default stderr); for tests.
void set_log_sink(void (*sink)(std::string_view line));

class logger {
public:
    explicit logger(std::string name) : name_(std::move(name)) {}
    logger child(std::string_view suffix) const { return logger(name_ + "." + std::string(suffix)); }

    void log(log_level level, std::string_view msg, log_fields fields = {}) const;
    void trace(std::string_view msg, log_fields f = {}) const { log(log_level::trace, msg, f); }
    void debug(std::string_view msg, log_fields f = {}) const { log(log_level::debug, msg, f); }
    void info(std::string_view msg, log_fields f = {}) const { log(log_level::info, msg, f); }
    void warn(std::string_view msg, log_fields f = {}) const { log(log_level::warn, msg, f); }
    void error(std::string_view msg, log_fields f = {}) const { log(log_level::error, msg, f); }
    bool enabled(log_level level) const;
    const std::string& name() const { return name_; }

private:
    std::string name_;
};

} // namespace weir
