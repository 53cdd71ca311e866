// Rendering real charts and Helm's template functions, and the errors bad charts must give.
#include "paths.hpp"

#include <weir/core/yaml.hpp>
#include <weir/helm/render.hpp>
#include <weir/helm/values.hpp>

#include <catch2/catch.hpp>

namespace {

weir::helm::chart make_chart(std::vector<weir::helm::chart_file> templates, std::string values = "")
{
    templates.push_back({"Chart.yaml", "apiVersion: v2\nname: t\nversion: 0.1.0\n"});
    if (!values.empty()) templates.push_back({"values.yaml", values});
    auto c = weir::helm::load_chart_files(std::move(templates), "t");
    REQUIRE(c);
    return *c;
}

weir::helm::render_options opts()
{
    weir::helm::render_options o;
    o.release.name = "rel";
    o.release.namespace_ = "ns";
    return o;
}

} // namespace

TEST_CASE("podinfo renders its Service and Deployment in install order and its test pods as hooks", "[helm][render]")
{
    auto c = weir::helm::load_chart(weir::test::source_dir() / "tests/unit/helm/testdata/podinfo/podinfo");
    REQUIRE(c);
    weir::value user = *weir::parse_yaml("replicaCount: 3\n");
    auto out = weir::helm::render_chart(*c, user, opts());
    REQUIRE(out);
    REQUIRE(out->manifests.size() == 2);
    CHECK(out->manifests[0].kind == "Service");
    CHECK(out->manifests[1].kind == "Deployment");
    CHECK(out->manifests[1].name == "rel-podinfo"); // fullname: release-chart
    auto dep = weir::parse_yaml(out->manifests[1].content);
    REQUIRE(dep);
    CHECK(dep->find_path({"spec", "replicas"})->as_int() == 3);
    const auto& ctr = dep->find_path({"spec", "template", "spec", "containers"})->as_array()[0];
    CHECK(ctr.get_string("image") == "ghcr.io/stefanprodan/podinfo:" + c->metadata.app_version);
    CHECK(out->manifests[1].path == "podinfo/templates/deployment.yaml");
    REQUIRE(out->hooks.size() == 3);
    for (const auto& h : out->hooks) CHECK(h.events == std::vector<std::string>{"test"});
    CHECK(out->notes.find("rel") != std::string::npos);
}

TEST_CASE("Helm's functions: include, tpl, toYaml, fromYaml, toJson, .Files, .Capabilities, .Template", "[helm][render]")
{
    auto c = make_chart(
        {{"templates/_h.tpl", "{{- define \"t.name\" -}}{{ .Chart.Name }}-{{ .Release.Name }}{{- end -}}"},
         {"templates/cm.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"t.name\" . }}\ndata:\n"
          "  tpl: {{ tpl .Values.greeting . | quote }}\n"
          "  yaml: {{ toYaml .Values.obj | quote }}\n"
          "  back: {{ (fromYaml \"a: 1\").a | quote }}\n"
          "  json: {{ toJson .Values.obj | quote }}\n"
          "  file: {{ .Files.Get \"files/a.txt\" | trim | quote }}\n"
          "  lines: {{ len (.Files.Lines \"files/a.txt\") | quote }}\n"
          "  glob: {{ len (.Files.Glob \"files/*.txt\") | quote }}\n"
          "  config: {{ (.Files.Glob \"files/*\").AsConfig | quote }}\n"
          "  apps: {{ .Capabilities.APIVersions.Has \"apps/v1\" | quote }}\n"
          "  kube: {{ .Capabilities.KubeVersion.Minor | quote }}\n"
          "  name: {{ .Template.Name | quote }}\n"
          "  base: {{ .Template.BasePath | quote }}\n"
          "  ns: {{ .Release.Namespace | quote }}\n"
          "  install: {{ .Release.IsInstall | quote }}\n"},
         {"files/a.txt", "one\ntwo\n"}},
        "greeting: 'hello {{ .Release.Name }}'\nobj: {b: 2, a: [1, x]}\n");
    auto out = weir::helm::render_chart(c, weir::value(), opts());
    REQUIRE(out);
    REQUIRE(out->manifests.size() == 1);
    auto cm = weir::parse_yaml(out->manifests[0].content);
    REQUIRE(cm);
    const weir::value& d = *cm->find("data");
    CHECK(cm->find_path({"metadata", "name"})->as_string() == "t-rel");
    CHECK(d.get_string("tpl") == "hello rel");
    CHECK(d.get_string("yaml") == "a:\n- 1\n- x\nb: 2");
    CHECK(d.get_string("back") == "1");
    CHECK(d.get_string("json") == "{\"a\":[1,\"x\"],\"b\":2}");
    CHECK(d.get_string("file") == "one\ntwo");
    CHECK(d.get_string("lines") == "2");
    CHECK(d.get_string("glob") == "1");
    CHECK(d.get_string("config") == "a.txt: |\n  one\n  two");
    CHECK(d.get_string("apps") == "true");
    CHECK(d.get_string("kube") == "32");
    CHECK(d.get_string("name") == "t/templates/cm.yaml");
    CHECK(d.get_string("base") == "t/templates");
    CHECK(d.get_string("ns") == "ns");
    CHECK(d.get_string("install") == "true");
}

TEST_CASE("hooks are set apart with events, weight and delete policies", "[helm][render]")
{
    auto c = make_chart({{"templates/job.yaml",
                          "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate\n  annotations:\n"
                          "    helm.sh/hook: pre-install, pre-upgrade\n    helm.sh/hook-weight: \"-5\"\n"
                          "    helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded\n"},
                         {"templates/NOTES.txt", "notes for {{ .Release.Name }}"}});
    auto out = weir::helm::render_chart(c, weir::value(), opts());
    REQUIRE(out);
    CHECK(out->manifests.empty());
    REQUIRE(out->hooks.size() == 1);
    CHECK(out->hooks[0].events == std::vector<std::string>{"pre-install", "pre-upgrade"});
    CHECK(out->hooks[0].weight == -5);
    CHECK(out->hooks[0].delete_policies == std::vector<std::string>{"before-hook-creation", "hook-succeeded"});
    CHECK(out->notes == "notes for rel");
}

TEST_CASE("bad charts fail with Helm's messages naming the template file and position", "[helm][render]")
{
    auto fails_with = [](weir::helm::chart c, const std::string& needle, std::string values = "") {
        auto user = values.empty() ? weir::value() : *weir::parse_yaml(values);
        auto out = weir::helm::render_chart(c, user, opts());
        REQUIRE_FALSE(out);
        INFO(out.err().message);
        CHECK(out.err().message.find(needle) != std::string::npos);
        CHECK(out.err().terminal());
    };
    fails_with(make_chart({{"templates/a.yaml", "a: 1\nx: {{ if }}"}}), "parse error at (t/templates/a.yaml:2): missing value for if");
    fails_with(make_chart({{"templates/a.yaml", "x: {{ required \"image.tag is required\" .Values.image.tag }}"}},
                          "image: {}\n"),
               "execution error at (t/templates/a.yaml:1:6): image.tag is required");
    fails_with(make_chart({{"templates/a.yaml", "line1\n{{ fail \"unsupported mode\" }}"}}),
               "execution error at (t/templates/a.yaml:2:3): unsupported mode");
    fails_with(make_chart({{"templates/_l.tpl", "{{ define \"loop\" }}{{ include \"loop\" . }}{{ end }}"},
                           {"templates/a.yaml", "{{ include \"loop\" . }}"}}),
               "exceeded maximum template depth");
    auto huge = make_chart({{"templates/a.yaml", "{{ range until 100000000 }}x{{ end }}"}});
    auto out = weir::helm::render_chart(huge, weir::value(), opts());
    REQUIRE_FALSE(out);
    CHECK(out.err().message.find("limit") != std::string::npos);
    auto big_out = make_chart({{"templates/a.yaml", "{{ range until 1000000 }}{{ repeat 100 \"x\" }}{{ end }}"}});
    auto o2 = weir::helm::render_chart(big_out, weir::value(), [] {
        auto o = opts();
        o.max_output = 1 << 20;
        return o;
    }());
    REQUIRE_FALSE(o2);
    CHECK(o2.err().message.find("output exceeds the limit") != std::string::npos);
    auto schema = make_chart({{"templates/a.yaml", "x: 1"}, {"values.schema.json", R"({"required":["name"]})"}});
    fails_with(schema, "- at '': missing property 'name'");
}

TEST_CASE("numbers from values files are float64 as in Helm (1000000 prints 1e+06), --set integers are int64",
          "[helm][render]")
{
    auto c = make_chart({{"templates/n.txt", "{{ .Values.big }} {{ typeOf .Values.small }} {{ .Values.small }} "
                                             "{{ toJson .Values.big }} {{ .Values.fromset }} {{ typeOf .Values.fromset }}"}},
                        "big: 1000000\nsmall: 3\n");
    weir::value user = weir::object{};
    REQUIRE(weir::helm::parse_set("fromset=1000000", user));
    auto out = weir::helm::render_chart(c, user, opts());
    REQUIRE(out);
    CHECK(out->templates["t/templates/n.txt"] == "1e+06 float64 3 1000000 1000000 int64");
}

TEST_CASE("toYaml quotes as go-yaml v2: single quotes for syntax, double for other types, literal blocks",
          "[helm][render]")
{
    auto c = make_chart({{"templates/y.txt", "{{ toYaml .Values }}"}},
                        "s: '{{ x }}'\nt: 'true'\ne: ''\nm: \"a\\nb\\n\"\nnum: 1.5\nk: 'yes'\nd: '2024-01-01'\n"
                        "c: 'a: b'\nl: [x, {w: 1, z: [2]}]\nq: \"it's\"\n");
    auto out = weir::helm::render_chart(c, weir::value(), opts());
    REQUIRE(out);
    CHECK(out->templates["t/templates/y.txt"] ==
          "c: 'a: b'\nd: \"2024-01-01\"\ne: \"\"\nk: \"yes\"\nl:\n- x\n- w: 1\n  z:\n  - 2\nm: |\n  a\n  b\nnum: 1.5\n"
          "q: it's\ns: '{{ x }}'\nt: \"true\"");
}

TEST_CASE("objects with a String method print through it: .Capabilities.KubeVersion, semver", "[helm][render]")
{
    auto c = make_chart({{"templates/k.txt", "{{ .Capabilities.KubeVersion }} {{ .Capabilities.KubeVersion.Minor }} "
                                             "{{ semver \"1.2.3-rc.1+b5\" }} {{ (semver \"v2.0\").Major }} "
                                             "{{ printf \"%s\" .Capabilities.KubeVersion }}"}});
    auto o = opts();
    o.release.caps.kube_version = "v1.29.4";
    auto out = weir::helm::render_chart(c, weir::value(), o);
    REQUIRE(out);
    CHECK(out->templates["t/templates/k.txt"] == "v1.29.4 29 1.2.3-rc.1+b5 2 v1.29.4");
}
