// weir helm: Helm chart tools.
//   template NAME CHART [-f values.yaml]... [--set a.b=c]... [--set-string/-json/-file/-literal ...] [--namespace NS]
//            [--include-crds] [--show-only PATH]... [--kube-version V] [--api-versions V]...
//            [--skip-tests] [--no-hooks] [--is-upgrade]: prints what `helm template` prints.
//   render-template: the playground of the Go template engine: reads {"template": "...",
//            "data": {...}, "missingkey": "default|zero|error"} on stdin and prints the rendered
//            text, or the error on stderr with exit code 1.
#include "command.hpp"

#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>
#include <weir/helm/chart.hpp>
#include <weir/helm/render.hpp>
#include <weir/helm/values.hpp>

#include <fnmatch.h>

#include <algorithm>
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

const char* const template_usage =
    "Usage: weir helm template NAME CHART [-f values.yaml]... [--set a.b=c]... [--set-string a=b]...\n"
    "         [--set-literal a=b]... [--set-json a={...}]... [--set-file a=path]...\n"
    "         [--namespace NS] [--include-crds] [--show-only PATH]...\n"
    "         [--kube-version V] [--api-versions V]... [--skip-tests] [--no-hooks] [--is-upgrade]\n";

struct template_flags {
    std::vector<std::string> positional;
    weir::helm::value_options values;
    weir::helm::render_options render;
    std::vector<std::string> show_only;
    bool include_crds = false, skip_tests = false, no_hooks = false;
};

// Flags take "--flag value" or "--flag=value", as cobra does.
int parse_template_flags(const weir::cli::args& a, template_flags& f)
{
    for (std::size_t i = 1; i < a.size(); ++i) {
        std::string arg = a[i], val;
        bool has_inline = false;
        if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
            val = arg.substr(arg.find('=') + 1);
            arg = arg.substr(0, arg.find('='));
            has_inline = true;
        }
        auto next = [&](std::string& out) {
            if (has_inline) {
                out = val;
                return true;
            }
            if (i + 1 >= a.size()) return false;
            out = a[++i];
            return true;
        };
        std::string v;
        if (arg == "-f" || arg == "--values") {
            if (!next(v)) return weir::cli::fail("helm template: " + arg + " needs a file");
            f.values.value_files.emplace_back(v);
        } else if (arg == "--set" || arg == "--set-string" || arg == "--set-literal" || arg == "--set-json" ||
                   arg == "--set-file") {
            if (!next(v)) return weir::cli::fail("helm template: " + arg + " needs a value");
            auto& list = arg == "--set"          ? f.values.values
                         : arg == "--set-string" ? f.values.string_values
                         : arg == "--set-json"   ? f.values.json_values
                         : arg == "--set-file"   ? f.values.file_values
                                                 : f.values.literal_values;
            list.push_back(v);
        } else if (arg == "-n" || arg == "--namespace") {
            if (!next(f.render.release.namespace_)) return weir::cli::fail("helm template: --namespace needs a value");
        } else if (arg == "-s" || arg == "--show-only") {
            if (!next(v)) return weir::cli::fail("helm template: --show-only needs a path");
            f.show_only.push_back(v);
        } else if (arg == "--kube-version") {
            if (!next(f.render.release.caps.kube_version)) return weir::cli::fail("helm template: --kube-version needs a value");
        } else if (arg == "-a" || arg == "--api-versions") {
            if (!next(v)) return weir::cli::fail("helm template: --api-versions needs a value");
            f.render.release.caps.api_versions.push_back(v);
        } else if (arg == "--include-crds") {
            f.include_crds = true;
        } else if (arg == "--skip-tests") {
            f.skip_tests = true;
        } else if (arg == "--no-hooks") {
            f.no_hooks = true;
        } else if (arg == "--is-upgrade") {
            f.render.release.is_upgrade = true;
            f.render.release.is_install = false;
        } else if (arg == "--skip-schema-validation") {
            f.render.skip_schema_validation = true;
        } else if (arg == "--strict") {
            f.render.strict = true;
        } else if (arg.size() > 1 && arg[0] == '-') {
            return weir::cli::fail("helm template: unknown flag " + arg);
        } else {
            f.positional.push_back(a[i]);
        }
    }
    return 0;
}

// The "# Source: chart/x" path without the chart's name, as helm's --show-only matches it.
std::string source_without_chart(const std::string& doc)
{
    auto p = doc.find("# Source: ");
    if (p == std::string::npos) return {};
    auto end = doc.find('\n', p);
    std::string src = doc.substr(p + 10, end == std::string::npos ? std::string::npos : end - p - 10);
    auto slash = src.find('/');
    return slash == std::string::npos ? std::string() : src.substr(slash + 1);
}

int helm_template(const weir::cli::args& a)
{
    template_flags f;
    if (int rc = parse_template_flags(a, f)) return rc;
    if (f.positional.size() == 1) f.positional.insert(f.positional.begin(), "release-name");
    if (f.positional.size() != 2) {
        std::cerr << template_usage;
        return 1;
    }
    f.render.release.name = f.positional[0];
    auto chart = weir::helm::load_chart(f.positional[1]);
    if (!chart) return weir::cli::fail("helm template: " + chart.err().message);
    auto user = weir::helm::merge_value_options(f.values);
    if (!user) return weir::cli::fail("helm template: " + user.err().message);
    auto out = weir::helm::render_chart(*chart, *user, f.render);
    if (!out) return weir::cli::fail("helm template: " + out.err().message);
    std::string manifest = weir::helm::release_manifest(*out, f.include_crds);
    // helm template: the trimmed release manifest, a newline, then the hooks.
    auto b = manifest.find_first_not_of(" \t\r\n");
    auto e = manifest.find_last_not_of(" \t\r\n");
    std::string text = b == std::string::npos ? std::string() : manifest.substr(b, e - b + 1);
    text += "\n";
    if (!f.no_hooks)
        for (const auto& h : out->hooks) {
            bool is_test = std::find(h.events.begin(), h.events.end(), "test") != h.events.end();
            if (f.skip_tests && is_test) continue;
            text += "---\n# Source: " + h.path + "\n" + h.manifest + "\n";
        }
    if (f.show_only.empty()) {
        std::cout << text;
        return 0;
    }
    // Split like releaseutil.SplitManifests and keep the documents whose source matches.
    std::vector<std::string> docs;
    std::size_t start = 0;
    std::string body = text.rfind("---\n", 0) == 0 ? text.substr(4) : text;
    for (;;) {
        auto sep = body.find("\n---\n", start);
        std::string d = body.substr(start, sep == std::string::npos ? std::string::npos : sep - start);
        auto db = d.find_first_not_of(" \t\r\n"), de = d.find_last_not_of(" \t\r\n");
        if (db != std::string::npos) docs.push_back(d.substr(db, de - db + 1));
        if (sep == std::string::npos) break;
        start = sep + 5;
    }
    std::string selected;
    for (const auto& pattern : f.show_only) {
        bool found = false;
        for (const auto& d : docs)
            if (fnmatch(pattern.c_str(), source_without_chart(d).c_str(), FNM_PATHNAME) == 0) {
                selected += "---\n" + d + "\n";
                found = true;
            }
        if (!found) return weir::cli::fail("helm template: could not find template " + pattern + " in chart");
    }
    std::cout << selected;
    return 0;
}

weir::cli::command_registration reg{{
    .name = "helm",
    .summary = "Helm chart tools: template (render a chart), render-template (Go template playground)",
    .run =
        [](const weir::cli::args& a) {
            if (a.empty() || a[0] == "--help") {
                std::cout << template_usage
                          << "       weir helm render-template < {\"template\": \"...\", \"data\": {...}}\n";
                return a.empty() ? 1 : 0;
            }
            if (a[0] == "render-template") return render_template();
            if (a[0] == "template") return helm_template(a);
            return weir::cli::fail("helm: unknown subcommand \"" + a[0] + "\"; try template or render-template");
        },
}};

} // namespace
