// weir logs [--dir .weir]: the controllers' logs. Under `weir dev up` the controllers are local
// processes writing JSON lines to <dir>/logs/<controller>.log; this reads and filters them.
#include "cli_common.hpp"

#include <weir/core/json.hpp>

#include <charconv>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>

namespace {

using namespace weir;
namespace fs = std::filesystem;

int logs(const cli::args& a)
{
    auto f = cli::parse(a, {{"dir", true}, {"kind", true}, {"name", true}, {"level", true}, {"tail", true},
                            });
    if (!f) return cli::fail(f.err().message);
    fs::path dir = fs::path(f->get("dir", ".weir")) / "logs";
    if (!fs::is_directory(dir))
        return cli::fail("no controller logs in " + dir.string() +
                         " (weir logs reads the log files of `weir dev up --dir`; on a cluster use kubectl logs)");
    std::size_t tail = 0;
    if (f->has("tail")) {
        std::string t = f->get("tail");
        if (std::from_chars(t.data(), t.data() + t.size(), tail).ec != std::errc{}) return cli::fail("--tail: want a number");
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename().string().ends_with("-controller.log")) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const auto& file : files) {
        std::ifstream in(file);
        std::string controller = file.stem().string();
        for (std::string line; std::getline(in, line);) {
            auto j = parse_json(line);
            if (!j || !j->is_object()) continue;
            std::string level(j->get_string("level")), msg(j->get_string("msg"));
            if (f->has("level") && level != f->get("level")) continue;
            std::string text = line;
            if (f->has("kind") && text.find(f->get("kind")) == std::string::npos) continue;
            if (f->has("name") && text.find("\"" + f->get("name") + "\"") == std::string::npos &&
                text.find("/" + f->get("name") + "\"") == std::string::npos)
                continue;
            std::string ts(j->get_string("ts"));
            if (ts.empty()) ts = std::string(j->get_string("time"));
            out.push_back(ts + " " + level + " " + controller + " " + msg);
        }
    }
    std::sort(out.begin(), out.end());
    std::size_t skip = tail && out.size() > tail ? out.size() - tail : 0;
    for (std::size_t i = skip; i < out.size(); ++i) std::cout << out[i] << "\n";
    return 0;
}

weir::cli::command_registration reg{{
    .name = "logs",
    .summary = "show the controllers' logs (the files of weir dev up; --kind, --name, --level, --tail)",
    .run = logs,
}};

} // namespace
