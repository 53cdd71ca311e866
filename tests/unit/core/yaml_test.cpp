#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;

namespace {
value yaml1(std::string_view text, yaml_schema schema = yaml_schema::core_1_2)
{
    auto r = parse_yaml(text, {.schema = schema});
    if (!r) FAIL(r.err().message);
    return *r;
}
} // namespace

TEST_CASE("yaml streams split on --- and drop empty documents", "[core][yaml]")
{
    auto docs = parse_yaml_stream("a: 1\n---\n---\nb: 2\n...\n---\n# only a comment\n");
    REQUIRE(docs);
    REQUIRE(docs->size() == 2);
    CHECK((*docs)[0].find("a")->as_int() == 1);
    CHECK((*docs)[1].find("b")->as_int() == 2);
}

TEST_CASE("yaml core schema keeps yes/on as strings, kubernetes schema reads booleans", "[core][yaml]")
{
    auto core = yaml1("a: yes\nb: on\nc: true\nd: 0755\ne: 0x1F\nf: 1.0\ng: \"1\"\nh: ~\ni: 1e3\n");
    CHECK(core.find("a")->as_string() == "yes");
    CHECK(core.find("b")->as_string() == "on");
    CHECK(core.find("c")->as_bool());
    CHECK(core.find("d")->as_int() == 755);
    CHECK(core.find("e")->as_int() == 31);
    CHECK(core.find("f")->is_double());
    CHECK(core.find("g")->as_string() == "1");
    CHECK(core.find("h")->is_null());
    CHECK(core.find("i")->as_double() == 1000.0);

    auto k8s = yaml1("a: yes\nb: off\nc: Y\nd: 0755\ne: 1_000\n", yaml_schema::kubernetes_1_1);
    CHECK(k8s.find("a")->as_bool());
    CHECK_FALSE(k8s.find("b")->as_bool());
    CHECK(k8s.find("c")->as_bool());
    CHECK(k8s.find("d")->as_int() == 493);
    CHECK(k8s.find("e")->as_int() == 1000);
}

TEST_CASE("yaml explicit tags decide the type", "[core][yaml]")
{
    auto v = yaml1("a: !!str 123\nb: !!int \"42\"\nc: !!float 1\nd: !Custom text\n");
    CHECK(v.find("a")->as_string() == "123");
    CHECK(v.find("b")->as_int() == 42);
    CHECK(v.find("c")->as_double() == 1.0);
    CHECK(v.find("d")->as_string() == "text");
    auto bad = parse_yaml("a: !!int abc\n");
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("line 1") != std::string::npos);
}

TEST_CASE("yaml block scalars keep their text", "[core][yaml]")
{
    auto v = yaml1("lit: |\n  line1\n  line2\nstrip: |-\n  x\nfold: >\n  a\n  b\n");
    CHECK(v.find("lit")->as_string() == "line1\nline2\n");
    CHECK(v.find("strip")->as_string() == "x");
    CHECK(v.find("fold")->as_string() == "a b\n");
}

TEST_CASE("yaml anchors, aliases and merge keys", "[core][yaml]")
{
    auto v = yaml1("base: &b {x: 1, y: 2}\nref: *b\nmerged:\n  <<: *b\n  y: 3\n");
    CHECK(v.find("ref")->find("x")->as_int() == 1);
    CHECK(v.find("merged")->find("x")->as_int() == 1);
    CHECK(v.find("merged")->find("y")->as_int() == 3);
}

TEST_CASE("yaml parse errors carry line and column", "[core][yaml]")
{
    auto r = parse_yaml("a: 1\nb: [1, 2\nc: 3\n");
    REQUIRE_FALSE(r);
    CHECK(r.err().terminal());
    CHECK(r.err().message.rfind("yaml: line ", 0) == 0);
    CHECK(r.err().message.find("column") != std::string::npos);
}

TEST_CASE("yaml parse_yaml refuses several documents", "[core][yaml]")
{
    auto r = parse_yaml("a: 1\n---\nb: 2\n");
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("expected one document") != std::string::npos);
}

TEST_CASE("yaml emitter writes kubectl's layout", "[core][yaml]")
{
    value v = object{{"apiVersion", "v1"},
                     {"kind", "ConfigMap"},
                     {"metadata", object{{"name", "cm"}, {"labels", object{}}}},
                     {"data", object{{"script", "echo hi\necho bye\n"}, {"flag", "true"}, {"n", "0755"}, {"e", ""}}},
                     {"list", array{object{{"name", "a"}, {"ports", array{80, 443}}}, array{1, 2}, value{}}}};
    std::string expected = "apiVersion: v1\n"
                           "kind: ConfigMap\n"
                           "metadata:\n"
                           "  name: cm\n"
                           "  labels: {}\n"
                           "data:\n"
                           "  script: |\n"
                           "    echo hi\n"
                           "    echo bye\n"
                           "  flag: \"true\"\n"
                           "  \"n\": \"0755\"\n"
                           "  e: \"\"\n"
                           "list:\n"
                           "- name: a\n"
                           "  ports:\n"
                           "  - 80\n"
                           "  - 443\n"
                           "- - 1\n"
                           "  - 2\n"
                           "- null\n";
    CHECK(to_yaml(v) == expected);
}

TEST_CASE("yaml emitter output reads back to the same data", "[core][yaml]")
{
    value v = object{{"s1", "yes"}, {"s2", "on"},  {"s3", "1:20"},   {"s4", "2024-01-01"}, {"s5", "a: b"},
                     {"s6", "- x"}, {"s7", "#c"},  {"s8", " pad "},  {"s9", "tab\there"},  {"s10", "x\n\n"},
                     {"s11", "\n"}, {"s12", "é"},  {"s13", "null"}, {"s14", "~"},          {"f", 1.0},
                     {"g", 1e21},   {"h", -0.5},   {"i", -3},        {"b", false},         {"key with: colon", 1},
                     {"trail", "a \nb"}, {"ctl", std::string("a\x01z")}};
    for (auto schema : {yaml_schema::core_1_2, yaml_schema::kubernetes_1_1}) {
        auto back = parse_yaml(to_yaml(v), {.schema = schema});
        REQUIRE(back);
        CHECK(*back == v);
    }
}

TEST_CASE("yaml to_yaml_stream separates documents", "[core][yaml]")
{
    CHECK(to_yaml_stream({value{object{{"a", 1}}}, value{object{{"b", 2}}}}) == "a: 1\n---\nb: 2\n");
}

TEST_CASE("yaml a multi-line string as the whole document reads back", "[core][yaml]")
{
    value v = std::string("Ahx b-.INF(1}lit:)|\nx");
    auto back = parse_yaml(to_yaml(v));
    REQUIRE(back);
    CHECK(*back == v);
}
