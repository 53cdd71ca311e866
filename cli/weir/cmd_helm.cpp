// weir helm: Helm chart tools. For now `render-template`, the playground of the Go template
// engine: reads {"template": "...", "data": {...}, "missingkey": "default|zero|error"} on stdin
// and prints the rendered text, or the error on stderr with exit code 1.
#include "command.hpp"

#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <iostream>
#include <iterator>

namespace {

int render_template()
{
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    auto doc = weir::parse_json(input);
    if (!doc) return weir::cli::fail("render-template: stdin: " + doc.err().message);
    if (!doc->is_object())
        return weir::cli::fail(
            "render-template: stdin must hold one JSON object {\"template\": ..., \"data\": ...}");
    const weir::value* text = doc->find("template");
    if (!text || !text->is_string()) return weir::cli::fail("render-template: \"template\" must be a string");
    weir::gotemplate::options opts;
    std::string_view missing = doc->get_string("missingkey", "default");
    if (missing == "zero")
        opts.missing = weir::gotemplate::missing_key::zero;
    else if (missing == "error")
        opts.missing = weir::gotemplate::missing_key::error;
    else if (missing != "default" && missing != "invalid")
        return weir::cli::fail("render-template: \"missingkey\" must be default, zero or error");
    const weir::value* data = doc->find("data");
    auto out = weir::gotemplate::render(text->as_string(), data ? *data : weir::value(), opts);
    if (!out) {
        std::cerr << out.err().message << "\n";
        return 1;
    }
    std::cout << *out;
    return 0;
}

weir::cli::command_registration reg{{
    .name = "helm",
    .summary = "Helm chart tools: render-template (Go template playground)",
    .run =
        [](const weir::cli::args& a) {
            if (a.empty() || a[0] == "--help") {
                std::cout << "Usage: weir helm render-template < {\"template\": \"...\", \"data\": {...}}\n";
                return a.empty() ? 1 : 0;
            }
            if (a[0] == "render-template") return render_template();
            return weir::cli::fail("helm: unknown subcommand \"" + a[0] + "\"; try render-template");
        },
}};

} // namespace
