// Cases from Helm's own engine tests (helm/helm pkg/engine/engine_test.go), with the outputs
// and error texts those tests require. Template paths carry the chart name, as in Helm.
#include <weir/core/yaml.hpp>
#include <weir/helm/render.hpp>

#include <catch2/catch.hpp>

using weir::helm::chart;

namespace {

chart make(std::string name, std::vector<weir::helm::chart_file> templates, std::string values = "",
           std::vector<weir::helm::chart_file> files = {})
{
    chart c;
    c.metadata.name = std::move(name);
    c.metadata.version = "1.2.3";
    c.metadata.api_version = "v2";
    c.templates = std::move(templates);
    c.files = std::move(files);
    if (!values.empty()) c.values = *weir::parse_yaml(values);
    return c;
}

std::map<std::string, std::string> render(const chart& c, std::string user = "", std::string release = "rel")
{
    weir::helm::render_options o;
    o.release.name = std::move(release);
    auto out = weir::helm::render_chart(c, user.empty() ? weir::value() : *weir::parse_yaml(user), o);
    INFO((out ? std::string() : out.err().message));
    REQUIRE(out);
    return out->templates;
}

std::string error_of(const chart& c)
{
    auto out = weir::helm::render_chart(c, weir::value(), {});
    REQUIRE_FALSE(out);
    return out.err().message;
}

} // namespace

TEST_CASE("engine: values, globals, missing keys and toJson render as in Helm's TestRender", "[helm][engine]")
{
    auto c = make("moby",
                  {{"templates/test1", "{{.Values.outer | title }} {{.Values.inner | title}}"},
                   {"templates/test2", "{{.Values.global.callme | lower }}"},
                   {"templates/test3", "{{.noValue}}"},
                   {"templates/test4", "{{toJson .Values}}"},
                   {"templates/test5", "{{getHostByName \"helm.sh\"}}"}},
                  "outer: DEFAULT\ninner: DEFAULT\n");
    auto out = render(c, "outer: spouter\ninner: inn\nglobal: {callme: Ishmael}\n");
    CHECK(out["moby/templates/test1"] == "Spouter Inn");
    CHECK(out["moby/templates/test2"] == "ishmael");
    CHECK(out["moby/templates/test3"] == "");
    CHECK(out["moby/templates/test4"] == R"({"global":{"callme":"Ishmael"},"inner":"inn","outer":"spouter"})");
    CHECK(out["moby/templates/test5"] == "");
}

TEST_CASE("engine: the parent's define wins over a subchart's of the same name (TestRenderRefsOrdering)",
          "[helm][engine]")
{
    auto parent = make("parent", {{"templates/_helpers.tpl", R"({{- define "test" -}}parent value{{- end -}})"},
                                  {"templates/test.yaml", R"({{ tpl "{{ include \"test\" . }}" . }})"}});
    parent.dependencies.push_back(make("child", {{"templates/_helpers.tpl", R"({{- define "test" -}}child value{{- end -}})"}}));
    for (int i = 0; i < 5; ++i) CHECK(render(parent)["parent/templates/test.yaml"] == "parent value");
}

TEST_CASE("engine: parse and execution errors read as Helm's (TestParseErrors, TestExecErrors, TestFailErrors)",
          "[helm][engine]")
{
    CHECK(error_of(make("t", {{"templates/undefined_function", "{{foo}}"}})) ==
          R"(parse error at (t/templates/undefined_function:1): function "foo" not defined)");
    CHECK(error_of(make("t", {{"templates/missing_required", R"({{required "foo is required" .Values.foo}})"}})) ==
          "execution error at (t/templates/missing_required:1:2): foo is required");
    CHECK(error_of(make("t", {{"templates/colons", R"({{required ":this: message: has many: colons:" .Values.foo}})"}})) ==
          "execution error at (t/templates/colons:1:2): :this: message: has many: colons:");
    CHECK(error_of(make("t", {{"templates/issue6044", "{{ $someEmptyValue := \"\" }}\n{{ $myvar := \"abc\" }}\n"
                                                      "{{- required (printf \"%s: something is missing\" $myvar) "
                                                      "$someEmptyValue | repeat 0 }}"}})) ==
          "execution error at (t/templates/issue6044:3:4): abc: something is missing");
    CHECK(error_of(make("t", {{"templates/issue9981", "{{required \"foo is required\\nmore info after the break\" .Values.foo}}"}})) ==
          "execution error at (t/templates/issue9981:1:2): foo is required\nmore info after the break");
    CHECK(error_of(make("t", {{"templates/failtpl", R"(All your base are belong to us{{ fail "This is an error" }})"}})) ==
          "execution error at (t/templates/failtpl:1:33): This is an error");
}

TEST_CASE("engine: subchart scopes, .Subcharts, .Release and .Template (TestRenderNestedValues, "
          "TestRenderBuiltinValues)",
          "[helm][engine]")
{
    auto deepest = make("deepest",
                        {{"templates/inner.tpl", "And this same {{.Values.what}} that smiles {{.Values.global.when}}"},
                         {"templates/release.tpl", R"(Tomorrow will be {{default "happy" .Release.Name }})"}},
                        "what: milkshake\nwhere: here\n");
    auto inner = make("herrick", {{"templates/inner.tpl", "Old {{.Values.who}} is still a-flyin'"}},
                      "who: Robert\nwhat: glasses\n");
    inner.dependencies.push_back(deepest);
    auto outer = make("top",
                      {{"templates/outer.tpl", "Gather ye {{.Values.what}} while ye may"},
                       {"templates/subcharts.tpl", "The glorious Lamp of {{.Subcharts.herrick.Subcharts.deepest.Values.where}}, "
                                                   "the {{.Subcharts.herrick.Values.what}}"}},
                      "what: stinkweed\nwho: me\nherrick: {who: time, what: Sun}\n");
    outer.dependencies.push_back(inner);
    auto out = render(outer, "what: rosebuds\nherrick: {deepest: {what: flower, where: Heaven}}\nglobal: {when: to-day}\n",
                      "dyin");
    CHECK(out["top/templates/outer.tpl"] == "Gather ye rosebuds while ye may");
    CHECK(out["top/charts/herrick/templates/inner.tpl"] == "Old time is still a-flyin'");
    CHECK(out["top/charts/herrick/charts/deepest/templates/inner.tpl"] == "And this same flower that smiles to-day");
    CHECK(out["top/charts/herrick/charts/deepest/templates/release.tpl"] == "Tomorrow will be dyin");
    CHECK(out["top/templates/subcharts.tpl"] == "The glorious Lamp of Heaven, the Sun");

    auto latium = make("Latium",
                       {{"templates/Lavinia", "{{.Template.Name}}{{.Chart.Name}}{{.Release.Name}}"},
                        {"templates/From", R"({{.Files.author | printf "%s"}} {{.Files.Get "book/title.txt"}})"}},
                       "", {{"author", "Virgil"}, {"book/title.txt", "Aeneid"}});
    auto troy = make("Troy", {{"templates/Aeneas", "{{.Template.Name}}{{.Chart.Name}}{{.Release.Name}}"},
                              {"templates/Amata", R"({{.Subcharts.Latium.Chart.Name}} {{.Subcharts.Latium.Files.author | printf "%s"}})"}});
    troy.dependencies.push_back(latium);
    auto o2 = render(troy, "", "Aeneid");
    CHECK(o2["Troy/charts/Latium/templates/Lavinia"] == "Troy/charts/Latium/templates/LaviniaLatiumAeneid");
    CHECK(o2["Troy/templates/Aeneas"] == "Troy/templates/AeneasTroyAeneid");
    CHECK(o2["Troy/templates/Amata"] == "Latium Virgil");
    CHECK(o2["Troy/charts/Latium/templates/From"] == "Virgil Aeneid");
}

TEST_CASE("engine: include, required, tpl and their combinations (TestAlterFuncMap_*)", "[helm][engine]")
{
    auto conrad = make("conrad", {{"templates/quote", R"({{include "conrad/templates/_partial" . | indent 2}} dead.)"},
                                  {"templates/_partial", "{{.Release.Name}} - he"}});
    CHECK(render(conrad, "", "Mistah Kurtz")["conrad/templates/quote"] == "  Mistah Kurtz - he dead.");
    auto nested = make("nested", {{"templates/quote", R"({{include "nested/templates/quote" . | indent 2}} dead.)"}});
    CHECK_FALSE(error_of(nested).empty());

    auto conan = make("conan", {{"templates/quote", R"(All your base are belong to {{ required "A valid 'who' is required" .Values.who }})"},
                                {"templates/bases", R"(All {{ required "A valid 'bases' is required" .Values.bases }} of them!)"}});
    auto o = render(conan, "who: us\nbases: 2\n");
    CHECK(o["conan/templates/quote"] == "All your base are belong to us");
    CHECK(o["conan/templates/bases"] == "All 2 of them!");

    auto tpl = make("TplFunction", {{"templates/base", R"(Evaluate tpl {{tpl "Value: {{ .Values.value}}" .}})"},
                                    {"templates/quoted", R"(Evaluate tpl {{tpl "Value: {{ .Values.value | quote}}" .}})"},
                                    {"templates/inc", "{{ tpl \"{{include `TplFunction/templates/_partial` .  | quote }}\" .}}"},
                                    {"templates/_partial", "{{.Template.Name}}"}});
    auto t = render(tpl, "value: myvalue\n");
    CHECK(t["TplFunction/templates/base"] == "Evaluate tpl Value: myvalue");
    CHECK(t["TplFunction/templates/quoted"] == "Evaluate tpl Value: \"myvalue\"");
    CHECK(t["TplFunction/templates/inc"] == "\"TplFunction/templates/inc\"");
}

TEST_CASE("engine: endless include recursion fails, 4000 sequential includes succeed (TestRenderRecursionLimit)",
          "[helm][engine]")
{
    auto bad = make("bad", {{"templates/base", R"({{include "recursion" . }})"},
                            {"templates/recursion", R"({{define "recursion"}}{{include "recursion" . }}{{end}})"}});
    CHECK(error_of(bad).find("recursion") != std::string::npos);
    std::string phrase = "All work and no play makes Jack a dull boy";
    std::string calls, expect;
    for (int i = 0; i < 4000; ++i) {
        calls += R"({{include "overlook" . }})";
        expect += phrase + "\n";
    }
    auto d = make("overlook", {{"templates/quote", calls},
                               {"templates/_function", R"({{define "overlook"}}{{printf ")" + phrase + R"(\n"}}{{end}})"}});
    CHECK(render(d)["overlook/templates/quote"] == expect);
}

TEST_CASE("engine: tpl loads templates from files, defines inside tpl, empty tpl (TestRenderLoadTemplateForTplFromFile, "
          "TestRenderTplEmpty)",
          "[helm][engine]")
{
    auto c = make("TplLoadFromFile",
                  {{"templates/base", "{{ tpl (.Files.Get .Values.filename) . }}"},
                   {"templates/_function", R"({{define "test-function"}}test-function{{end}})"}},
                  "filename: test\nfilename2: test2\n",
                  {{"test", "{{ tpl (.Files.Get .Values.filename2) .}}"},
                   {"test2", R"({{include "test-function" .}}{{define "nested-define"}}nested-define-content{{end}} {{include "nested-define" .}})"}});
    CHECK(render(c)["TplLoadFromFile/templates/base"] == "test-function nested-define-content");
    auto e = make("TplEmpty", {{"templates/empty-string", R"({{tpl "" .}})"},
                               {"templates/empty-action", R"({{tpl "{{ \"\"}}" .}})"},
                               {"templates/only-defines", R"({{tpl "{{define \"not-invoked\"}}not-rendered{{end}}" .}})"}});
    auto o = render(e);
    CHECK(o["TplEmpty/templates/empty-string"] == "");
    CHECK(o["TplEmpty/templates/empty-action"] == "");
    CHECK(o["TplEmpty/templates/only-defines"] == "");
}
