// The weir CLI's command table. Each command lives in its own cmd_<name>.cpp and registers itself:
//
//   static weir::cli::command_registration reg{{
//       .name = "version", .summary = "print the version", .run = [](weir::cli::args a) { ... return 0; }}};
//
// `args` holds what follows the command name; commands with subcommands (`get sources git`) parse
// the rest themselves. A command's failure is one line on stderr and a non-zero exit code.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace weir::cli {

using args = std::vector<std::string>;

struct command {
    std::string name;
    std::string summary;
    std::function<int(const args&)> run;
};

struct command_registration {
    explicit command_registration(command c);
};

const std::vector<command>& commands();

// Prints "weir: <message>" on stderr and returns exit code 1, for `return fail(...)`.
int fail(std::string_view message);

} // namespace weir::cli
