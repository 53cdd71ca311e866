// Differential test: weir's engine against Go's own text/template + Sprig 3.2.3
// (tools/gotemplate-oracle, built here from Debian's Go packages). Each case must give the same
// output, and fail or succeed alike with the same message.
#include "../../support/paths.hpp"
#include "generator.hpp"

#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace {

namespace fs = std::filesystem;
using namespace weir::gotemplate;

struct test_case {
    std::string text;
    std::string missing; // default, zero, error
};

std::string read_file(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// Builds the oracle into the build tree; empty when Go is not installed.
std::string oracle_path()
{
    if (std::system("command -v go >/dev/null 2>&1") != 0) return {};
    fs::path out = weir::test::binary_dir() / "tools" / "gotemplate-oracle" / "gotemplate-oracle";
    std::string cmd = (weir::test::source_dir() / "tools" / "gotemplate-oracle" / "build.sh").string() + " " +
                      out.string() + " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) return {};
    return out.string();
}

std::vector<test_case> hand_written()
{
    std::string all = read_file(weir::test::source_dir() / "tests/unit/gotemplate/testdata/cases.tmpl");
    std::vector<test_case> out;
    std::size_t i = 0;
    const std::string sep = "\n-----\n";
    while (i <= all.size()) {
        auto e = all.find(sep, i);
        std::string text = all.substr(i, e == std::string::npos ? std::string::npos : e - i);
        if (text.ends_with("\n") && e == std::string::npos) text.pop_back();
        std::string missing = "default";
        // a first line "#missingkey=zero" picks the option
        if (text.starts_with("#missingkey=")) {
            auto nl = text.find('\n');
            missing = text.substr(12, nl - 12);
            text = text.substr(nl + 1);
        }
        if (!text.empty()) out.push_back({text, missing});
        if (e == std::string::npos) break;
        i = e + sep.size();
    }
    return out;
}

struct outcome {
    std::string out;
    std::string err;
    bool failed = false;
};

// `tag` keeps the files of the two test cases apart when ctest runs them in parallel.
std::vector<outcome> run_oracle(const std::string& oracle, const std::vector<test_case>& cases,
                                const std::string& data, const std::string& tag)
{
    fs::path dir = weir::test::binary_dir() / "tests" / "gotemplate-differential" / tag;
    fs::create_directories(dir);
    {
        std::ofstream req(dir / "requests.jsonl", std::ios::binary);
        for (auto& c : cases)
            req << "{\"template\":" << weir::json_quote(c.text) << ",\"data\":" << data
                << ",\"missingkey\":\"" << (c.missing == "default" ? "" : c.missing) << "\"}\n";
    }
    std::string cmd =
        oracle + " -lines < " + (dir / "requests.jsonl").string() + " > " + (dir / "answers.jsonl").string();
    REQUIRE(std::system(cmd.c_str()) == 0);
    std::ifstream in(dir / "answers.jsonl", std::ios::binary);
    std::vector<outcome> out;
    for (std::string line; std::getline(in, line);) {
        auto v = weir::parse_json(line);
        REQUIRE(v);
        outcome o;
        o.out = std::string(v->get_string("out"));
        o.err = std::string(v->get_string("err"));
        o.failed = !o.err.empty();
        out.push_back(std::move(o));
    }
    return out;
}

// The oracle answers in JSON, whose encoder turns each invalid UTF-8 byte into U+FFFD.
std::string as_json_sees_it(std::string_view s)
{
    auto parsed = weir::parse_json(weir::json_quote(s));
    if (parsed && parsed->is_string()) return parsed->as_string();
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        bool ok = n > 0 && i + n <= s.size();
        for (std::size_t k = 1; ok && k < n; ++k)
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        if (ok)
            out.append(s.substr(i, n)), i += n;
        else
            out += "\xEF\xBF\xBD", ++i;
    }
    return out;
}

outcome run_weir(const test_case& c, const weir::value& data)
{
    options opts;
    if (c.missing == "zero") opts.missing = missing_key::zero;
    if (c.missing == "error") opts.missing = missing_key::error;
    template_set set(function_table::with_sprig(), opts);
    outcome o;
    if (auto st = set.parse("render-template", c.text); !st) {
        o.failed = true;
        o.err = st.err().message;
        return o;
    }
    if (auto st = set.execute_into(o.out, "render-template", go_value::from(data)); !st) {
        o.failed = true;
        o.err = st.err().message;
    }
    o.out = as_json_sees_it(o.out);
    o.err = as_json_sees_it(o.err);
    return o;
}

void compare(const std::vector<test_case>& cases, const std::string& oracle, const std::string& tag)
{
    std::string data_text = read_file(weir::test::source_dir() / "tests/unit/gotemplate/testdata/data.json");
    auto data = weir::parse_json(data_text);
    REQUIRE(data);
    auto expected = run_oracle(oracle, cases, weir::to_json(*data), tag);
    REQUIRE(expected.size() == cases.size());
    std::size_t same = 0;
    // mismatches also go to a file, untruncated, for whoever fixes them
    std::ofstream report(weir::test::binary_dir() / "tests" / "gotemplate-differential" / tag /
                             "mismatches.txt",
                         std::ios::binary | std::ios::trunc);
    for (std::size_t i = 0; i < cases.size(); ++i) {
        outcome got = run_weir(cases[i], *data);
        const outcome& want = expected[i];
        // Go's writer keeps what was rendered before an error; so does execute_into.
        bool ok = got.failed == want.failed && got.out == want.out && got.err == want.err;
        if (ok) {
            ++same;
            continue;
        }
        report << "=== case " << i << " missingkey=" << cases[i].missing << "\n"
               << cases[i].text << "\n--- go: " << want.out << "\n--- go err: " << want.err
               << "\n--- weir: " << got.out << "\n--- weir err: " << got.err << "\n";
        INFO("case " << i << " (missingkey=" << cases[i].missing << "):\n" << cases[i].text);
        INFO("go:   out=" << weir::json_quote(want.out) << " err=" << want.err);
        INFO("weir: out=" << weir::json_quote(got.out) << " err=" << got.err);
        CHECK(ok);
    }
    WARN("differential: " << same << "/" << cases.size() << " cases identical to Go");
}

} // namespace

TEST_CASE("hand-written templates render and fail exactly as Go's text/template with Sprig",
          "[gotemplate][differential]")
{
    std::string oracle = oracle_path();
    if (oracle.empty()) {
        WARN("skipped: `go` (Debian golang-go + golang-github-masterminds-sprig-dev) is not installed; run "
             "scripts/setup");
        return;
    }
    compare(hand_written(), oracle, "hand-written");
}

TEST_CASE("generated templates render and fail exactly as Go's text/template with Sprig",
          "[gotemplate][differential]")
{
    std::string oracle = oracle_path();
    if (oracle.empty()) {
        WARN("skipped: `go` (Debian golang-go + golang-github-masterminds-sprig-dev) is not installed; run "
             "scripts/setup");
        return;
    }
    // WEIR_GOTEMPLATE_SEED / WEIR_GOTEMPLATE_CASES explore beyond the fixed default set.
    const char* seed = std::getenv("WEIR_GOTEMPLATE_SEED");
    const char* count = std::getenv("WEIR_GOTEMPLATE_CASES");
    weir::gotemplate::test::template_generator gen(seed ? static_cast<std::uint32_t>(std::atoll(seed))
                                                        : 20261122u);
    std::vector<test_case> cases;
    const char* modes[] = {"default", "zero", "error"};
    int n = count ? std::atoi(count) : 600;
    for (int i = 0; i < n; ++i)
        cases.push_back({gen.next(), modes[i % 7 == 0 ? 1 + (i / 7) % 2 : 0]});
    compare(cases, oracle, "generated");
}
