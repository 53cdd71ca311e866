// Every document of the shared kustomize corpus reads to the data Python's yaml.safe_load reads,
// and our own output of it reads back the same.
#include "support/paths.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

using namespace weir;
namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Runs Python's yaml.safe_load_all over every expected.yaml and returns, per case, a JSON array.
std::map<std::string, std::string> python_reference(const fs::path& corpus)
{
    std::string script = "import sys, json, yaml, pathlib\n"
                         // safe_load, except that a plain '=' (YAML 1.1's value tag, which PyYAML
                         // cannot construct) reads as the string it is.
                         "class L(yaml.SafeLoader): pass\n"
                         "L.add_constructor('tag:yaml.org,2002:value', lambda l, n: l.construct_scalar(n))\n"
                         "root = pathlib.Path(sys.argv[1])\n"
                         "for f in sorted(root.glob('*/expected.yaml')):\n"
                         "    docs = [d for d in yaml.load_all(f.read_text(), Loader=L) if d is not None]\n"
                         "    print(f.parent.name + '\\t' + json.dumps(docs, default=str))\n";
    fs::path script_path = fs::temp_directory_path() / "weir_yaml_reference.py";
    std::ofstream(script_path) << script;
    std::string cmd = "python3 " + script_path.string() + " " + corpus.string();
    std::map<std::string, std::string> out;
    FILE* pipe = popen(cmd.c_str(), "r");
    REQUIRE(pipe);
    std::string line;
    char buf[65536];
    while (fgets(buf, sizeof buf, pipe)) {
        line += buf;
        if (line.empty() || line.back() != '\n') continue;
        line.pop_back();
        auto tab = line.find('\t');
        out[line.substr(0, tab)] = line.substr(tab + 1);
        line.clear();
    }
    REQUIRE(pclose(pipe) == 0);
    return out;
}

} // namespace

TEST_CASE("yaml reads every corpus document as python's safe_load does, and round-trips it", "[core][yaml][corpus]")
{
    fs::path corpus = test::shared_dir() / "corpus" / "kustomize";
    if (!fs::exists(corpus)) {
        WARN("shared kustomize corpus not present; skipped");
        return;
    }
    auto reference = python_reference(corpus);
    REQUIRE(reference.size() > 50);
    std::size_t documents = 0;
    for (const auto& [name, json] : reference) {
        INFO("case " << name);
        auto ours = parse_yaml_stream(read_file(corpus / name / "expected.yaml"),
                                      {.schema = yaml_schema::kubernetes_1_1});
        REQUIRE(ours);
        auto theirs = parse_json(json);
        REQUIRE(theirs);
        CHECK(value(weir::array(ours->begin(), ours->end())) == *theirs);
        auto again = parse_yaml_stream(to_yaml_stream(*ours), {.schema = yaml_schema::kubernetes_1_1});
        REQUIRE(again);
        CHECK(*again == *ours);
        documents += ours->size();
    }
    CHECK(documents > 500);
}
