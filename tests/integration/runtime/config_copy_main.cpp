// The example controller as a binary: all a weir controller's main() has to do.
#include "config_copy_controller.hpp"

int main(int argc, char** argv)
{
    using namespace weir;
    auto opts = runtime::parse_flags(argc, argv, {.name = "configcopy-controller"});
    if (!opts) return runtime::exit_with(opts.err());
    auto mgr = runtime::manager::create(*opts);
    if (!mgr) return runtime::exit_with(mgr.err());
    example::config_copy_controller controller(**mgr);
    auto s = (*mgr)->run();
    return s ? 0 : runtime::exit_with(s.err());
}
