// YAML -> value -> JSON -> value must never crash, and a successful parse must survive the round trip.
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    std::string_view text(reinterpret_cast<const char*>(data), size);
    auto docs = weir::parse_yaml_stream(text, {.max_alias_nodes = 100000});
    if (!docs) return 0;
    for (const auto& d : *docs) {
        auto json = weir::to_json(d);
        auto back = weir::parse_json(json);
        if (!back) std::abort();
        auto yaml = weir::parse_yaml(weir::to_yaml(d));
        if (!yaml) std::abort();
    }
    return 0;
}
