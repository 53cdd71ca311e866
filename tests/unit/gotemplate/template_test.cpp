// The engine's own contract: limits, user functions, missing-key modes, data conversion.
// Behaviour shared with Go is pinned by differential_test.cpp against Go itself.
#include <weir/core/json.hpp>
#include <weir/gotemplate/template.hpp>

#include <catch2/catch.hpp>

using namespace weir::gotemplate;

namespace {
weir::value json(std::string_view text)
{
    return *weir::parse_json(text);
}

std::string render_ok(std::string_view text, std::string_view data = "{}", options opts = {})
{
    auto r = render(text, json(data), opts);
    INFO(text);
    REQUIRE(r);
    return *r;
}

std::string render_err(std::string_view text, std::string_view data = "{}", options opts = {})
{
    auto r = render(text, json(data), opts);
    INFO(text);
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    return r.err().message;
}
} // namespace

TEST_CASE("values render with Go formatting for ints floats lists maps and missing keys", "[gotemplate]")
{
    CHECK(render_ok("{{ .a }} {{ .b }} {{ .c }} {{ .l }} {{ .m }} {{ .x }}",
                    R"({"a": 3, "b": 1.5, "c": 1e6, "l": [1, "x", null], "m": {"z": 1, "a": 2}})") ==
          "3 1.5 1e+06 [1 x <nil>] map[a:2 z:1] <no value>");
}

TEST_CASE("missingkey=zero makes a missing parent a nil-pointer error as Helm users see it", "[gotemplate]")
{
    options zero{.missing = missing_key::zero};
    CHECK(render_ok("{{ .x.y }}", "{}") == "<no value>");
    CHECK_THAT(render_err("{{ .x.y }}", "{}", zero),
               Catch::Contains("nil pointer evaluating interface {}.y"));
    options strict{.missing = missing_key::error};
    CHECK_THAT(render_err("{{ .x }}", "{}", strict), Catch::Contains("map has no entry for key \"x\""));
}

TEST_CASE("errors name the template and the line and column of the failing node", "[gotemplate]")
{
    CHECK(render_err("a\n  {{ fail \"boom\" }}") ==
          "template: render-template:2:5: executing \"render-template\" at <fail \"boom\">: error calling "
          "fail: boom");
    CHECK(render_err("{{ if }}") == "template: render-template:1: missing value for if");
}

TEST_CASE("recursive templates stop at max_depth with a clear error", "[gotemplate]")
{
    options opts{.max_depth = 50};
    auto msg = render_err(R"({{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }})", "{}", opts);
    CHECK_THAT(msg, Catch::Contains("exceeded maximum template depth (50)"));
}

TEST_CASE("rendering stops at max_output bytes instead of growing without bound", "[gotemplate]")
{
    options opts{.max_output = 1000};
    auto msg = render_err("{{ range until 100000 }}0123456789{{ end }}", "{}", opts);
    CHECK_THAT(msg, Catch::Contains("output exceeds the limit of 1000 bytes"));
}

TEST_CASE("a range over a large list renders in one pass", "[gotemplate]")
{
    auto out = render_ok("{{ range until 200000 }}.{{ end }}");
    CHECK(out.size() == 200000);
}

TEST_CASE("user functions join the table and see converted arguments", "[gotemplate]")
{
    auto table = function_table::with_sprig();
    table.add("double", function{{param::int_},
                                 false,
                                 [](call_context&, std::span<const go_value> a) -> weir::result<go_value> {
                                     return go_value::of_int(a[0].as_int() * 2);
                                 }});
    template_set set(table);
    REQUIRE(set.parse("t", "{{ double 21 }}"));
    CHECK(*set.execute("t", go_value::from(json("{}"))) == "42");
    REQUIRE(set.parse("u", "{{ double \"x\" }}"));
    auto r = set.execute("u", go_value{});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("expected integer; found \"x\""));
}

TEST_CASE("an include-like function executes named templates through the call context", "[gotemplate]")
{
    auto table = function_table::with_sprig();
    table.add("include",
              function{{param::string_, param::any},
                       false,
                       [](call_context& ctx, std::span<const go_value> a) -> weir::result<go_value> {
                           WEIR_TRY_ASSIGN(auto s, ctx.execute_template(a[0].as_string(), a[1]));
                           return go_value::of_string(std::move(s));
                       }});
    template_set set(table);
    REQUIRE(set.parse("helpers", R"({{ define "name" }}{{ .n | upper }}{{ end }})"));
    REQUIRE(set.parse("main", R"(name: {{ include "name" . | quote }})"));
    CHECK(*set.execute("main", go_value::from(json(R"({"n": "web"})"))) == "name: \"WEB\"");
}

TEST_CASE("include recursion is bounded by the same depth limit", "[gotemplate]")
{
    auto table = function_table::with_sprig();
    table.add("include",
              function{{param::string_, param::any},
                       false,
                       [](call_context& ctx, std::span<const go_value> a) -> weir::result<go_value> {
                           WEIR_TRY_ASSIGN(auto s, ctx.execute_template(a[0].as_string(), a[1]));
                           return go_value::of_string(std::move(s));
                       }});
    template_set set(table, {.max_depth = 100});
    REQUIRE(set.parse("main", R"({{ define "loop" }}{{ include "loop" . }}{{ end }}{{ include "loop" . }})"));
    auto r = set.execute("main", go_value{});
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("exceeded maximum template depth (100)"));
}

TEST_CASE("a later parse replaces a named template but an empty one does not", "[gotemplate]")
{
    template_set set;
    REQUIRE(set.parse("a", R"({{ define "x" }}one{{ end }})"));
    REQUIRE(set.parse("b", R"({{ define "x" }}{{ end }}{{ template "x" }})"));
    CHECK(*set.execute("b", go_value{}) == "one");
    REQUIRE(set.parse("c", R"({{ define "x" }}two{{ end }})"));
    CHECK(*set.execute("b", go_value{}) == "two");
    CHECK_FALSE(set.execute("nope", go_value{}));
}

TEST_CASE("go_value keeps the Go types of data and converts back to weir::value", "[gotemplate]")
{
    auto v = go_value::from(json(R"({"i": 3, "f": 2.5, "s": "x", "l": [true, null], "m": {}})"));
    CHECK(v.type_name() == "map[string]interface {}");
    CHECK(v.map_find("i")->type_name() == "int64");
    CHECK(v.map_find("f")->type_name() == "float64");
    CHECK(v.map_find("l")->type_name() == "[]interface {}");
    CHECK(v.to_value() == json(R"({"i": 3, "f": 2.5, "s": "x", "l": [true, null], "m": {}})"));
}

TEST_CASE("a tpl-like function renders text with the named templates of the set", "[gotemplate]")
{
    auto table = function_table::with_sprig();
    table.add("tpl", function{{param::string_, param::any},
                              false,
                              [](call_context& ctx, std::span<const go_value> a) -> weir::result<go_value> {
                                  WEIR_TRY_ASSIGN(auto s, ctx.render_text("tpl", a[0].as_string(), a[1]));
                                  return go_value::of_string(std::move(s));
                              }});
    template_set set(table);
    REQUIRE(set.parse("helpers", R"({{ define "host" }}{{ .name }}.example.com{{ end }})"));
    REQUIRE(set.parse("main", R"({{ tpl .text . }})"));
    auto data = go_value::from(json(R"({"name": "web", "text": "url: https://{{ template \"host\" . }}/"})"));
    CHECK(*set.execute("main", data) == "url: https://web.example.com/");
    auto bad = go_value::from(json(R"({"text": "{{ .x | nosuch }}"})"));
    auto r = set.execute("main", bad);
    REQUIRE_FALSE(r);
    CHECK_THAT(r.err().message, Catch::Contains("template: tpl:1: function \"nosuch\" not defined"));
}
