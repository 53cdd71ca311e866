// weir logs [--dir .weir]: the controllers' logs. Under `weir dev up` the controllers are local
// processes writing JSON lines to <dir>/logs/<controller>.log; this reads and filters them, and
// with --follow keeps printing what they write next (as `flux logs --follow` does).
#include "cli_common.hpp"

#include <weir/core/json.hpp>

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

namespace {

using namespace weir;
namespace fs = std::filesystem;

struct filters {
    std::string kind, name, level;
};

// "<time> <level> <controller> <message>" for a JSON log line that passes the filters.
std::optional<std::string> format_line(const std::string& controller, const std::string& line,
                                       const filters& f)
{
    auto j = parse_json(line);
    if (!j || !j->is_object()) return std::nullopt;
    std::string level(j->get_string("level")), msg(j->get_string("msg"));
    if (!f.level.empty() && level != f.level) return std::nullopt;
    if (!f.kind.empty() && line.find(f.kind) == std::string::npos) return std::nullopt;
    if (!f.name.empty() && line.find("\"" + f.name + "\"") == std::string::npos &&
        line.find("/" + f.name + "\"") == std::string::npos)
        return std::nullopt;
    std::string ts(j->get_string("ts"));
    if (ts.empty()) ts = std::string(j->get_string("time"));
    return ts + " " + level + " " + controller + " " + msg;
}

// Reads the complete lines added to each file since the last call (a line still being written
// waits for the next call).
class log_reader {
public:
    explicit log_reader(std::vector<fs::path> files) : files_(std::move(files)) {}

    std::vector<std::string> read_new(const filters& f)
    {
        std::vector<std::string> out;
        for (const auto& file : files_) {
            std::ifstream in(file);
            std::streamoff& offset = offsets_[file];
            in.seekg(offset);
            std::string controller = file.stem().string();
            for (std::string line; std::getline(in, line);) {
                if (in.eof()) break; // no newline yet: incomplete
                offset += static_cast<std::streamoff>(line.size()) + 1;
                if (auto text = format_line(controller, line, f)) out.push_back(std::move(*text));
            }
        }
        std::sort(out.begin(), out.end()); // by time across controllers
        return out;
    }

private:
    std::vector<fs::path> files_;
    std::map<fs::path, std::streamoff> offsets_;
};

int logs(const cli::args& a)
{
    auto f = cli::parse(
        a,
        {{"dir", true}, {"kind", true}, {"name", true}, {"level", true}, {"tail", true}, {"follow", false}});
    if (!f) return cli::fail(f.err().message);
    fs::path dir = fs::path(f->get("dir", ".weir")) / "logs";
    if (!fs::is_directory(dir))
        return cli::fail(
            "no controller logs in " + dir.string() +
            " (weir logs reads the log files of `weir dev up --dir`; on a cluster use kubectl logs)");
    std::size_t tail = 0;
    if (f->has("tail")) {
        std::string t = f->get("tail");
        if (std::from_chars(t.data(), t.data() + t.size(), tail).ec != std::errc{})
            return cli::fail("--tail: want a number");
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().ends_with("-controller.log")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    filters wanted{f->get("kind"), f->get("name"), f->get("level")};
    log_reader reader(files);
    auto out = reader.read_new(wanted);
    std::size_t skip = tail && out.size() > tail ? out.size() - tail : 0;
    for (std::size_t i = skip; i < out.size(); ++i)
        std::cout << out[i] << "\n";
    std::cout << std::flush;
    if (!f->boolean("follow")) return 0;
    for (;;) { // until interrupted, as tail -f
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        for (const auto& line : reader.read_new(wanted))
            std::cout << line << "\n";
        std::cout << std::flush;
    }
}

weir::cli::command_registration reg{{
    .name = "logs",
    .summary =
        "show the controllers' logs (the files of weir dev up; --kind, --name, --level, --tail, --follow)",
    .run = logs,
}};

} // namespace
