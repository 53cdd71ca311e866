// Any template text must parse or fail cleanly, and a parsed template must render or fail
// cleanly within the depth and output limits: no crash, no hang, no unbounded memory.
#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    using namespace weir::gotemplate;
    static const function_table functions = function_table::with_sprig();
    static const go_value values = go_value::from(*weir::parse_json(
        R"({"name": "app", "n": 3, "f": 1.5, "list": [1, "a", null, {"k": "v"}], "map": {"a": {"b": [true]}}})"));
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto missing : {missing_key::invalid, missing_key::zero}) {
        template_set set(functions, {.missing = missing, .max_depth = 64, .max_output = 1 << 20});
        if (!set.parse("fuzz", text)) return 0;
        std::string out;
        auto st = set.execute_into(out, "fuzz", values);
        if (out.size() > (1 << 20)) std::abort(); // the output limit must hold
        (void)st;
    }
    return 0;
}
