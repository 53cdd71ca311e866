// weir: the command-line tool. Dispatches to the commands registered in cmd_*.cpp.
#include "command.hpp"

#include <algorithm>
#include <iostream>

namespace weir::cli {
namespace {
std::vector<command>& table()
{
    static std::vector<command> t;
    return t;
}

void usage()
{
    std::cout << "weir: a GitOps toolkit for Kubernetes, compatible with Flux's APIs\n\n"
                 "Usage: weir <command> [arguments]\n\nCommands:\n";
    auto sorted = commands();
    std::sort(sorted.begin(), sorted.end(), [](const command& a, const command& b) { return a.name < b.name; });
    for (const auto& c : sorted) {
        std::string padded = c.name;
        padded.resize(std::max<std::size_t>(padded.size() + 1, 13), ' ');
        std::cout << "  " << padded << c.summary << "\n";
    }
}
} // namespace

command_registration::command_registration(command c) { table().push_back(std::move(c)); }
const std::vector<command>& commands() { return table(); }

int fail(std::string_view message)
{
    // One line, whatever the message carries (server messages may hold newlines).
    std::string line(message);
    while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
    for (std::size_t at = line.find('\n'); at != std::string::npos; at = line.find('\n', at))
        line.replace(at, 1, "; ");
    std::cerr << "weir: " << line << "\n";
    return 1;
}

} // namespace weir::cli

int main(int argc, char** argv)
{
    using namespace weir::cli;
    if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
        usage();
        return argc < 2 ? 1 : 0;
    }
    std::string_view name = argv[1];
    for (const auto& c : commands())
        if (c.name == name) return c.run(args(argv + 2, argv + argc));
    return fail("unknown command \"" + std::string(name) + "\"; run 'weir --help' for the list");
}
