#include "command.hpp"

#include <iostream>

namespace {
weir::cli::command_registration reg{{
    .name = "version",
    .summary = "print the version of the weir CLI",
    .run = [](const weir::cli::args&) {
        std::cout << "weir " << WEIR_VERSION << "\n";
        return 0;
    },
}};
} // namespace
