// Helm's value rules: --set parsing, coalescing over defaults, null deletion, globals.
#include <weir/core/temp_dir.hpp>
#include <weir/core/yaml.hpp>
#include <weir/helm/values.hpp>

#include <catch2/catch.hpp>

#include <fstream>

using weir::helm::parse_set;

namespace {
weir::value yaml(std::string_view t) { return *weir::parse_yaml(t); }
} // namespace

TEST_CASE("set expressions parse paths, list indexes, list literals, escapes and typed scalars like strvals", "[helm][values]")
{
    weir::value v = weir::object{};
    REQUIRE(parse_set("a.b=c,n=10,t=true,z=0,lead=007,list={x,y},arr[1]=q,dot\\.key=1\\,2", v));
    CHECK(v == yaml("a: {b: c}\nn: 10\nt: true\nz: 0\nlead: '007'\nlist: [x, y]\narr: [null, q]\ndot.key: '1,2'\n"));
    weir::value s = weir::object{};
    REQUIRE(parse_set("n=10,t=true", s, weir::helm::set_mode::string));
    CHECK(s == yaml("n: '10'\nt: 'true'\n"));
    weir::value l = weir::object{};
    REQUIRE(parse_set("a=x,y={z}", l, weir::helm::set_mode::literal));
    CHECK(l == yaml("a: 'x,y={z}'\n"));
    weir::value bad = weir::object{};
    CHECK_FALSE(parse_set("a[99999999]=x", bad));
    CHECK_FALSE(parse_set("list={x,y", bad));
}

TEST_CASE("user values override chart defaults, maps merge and a user null deletes the default", "[helm][values]")
{
    weir::helm::chart c;
    c.metadata.name = "app";
    c.values = yaml("image: {repository: nginx, tag: '1.0'}\nreplicas: 1\nextra: {a: 1}\n");
    auto out = weir::helm::coalesce_values(c, yaml("image: {tag: '2.0'}\nextra: null\n"));
    REQUIRE(out);
    CHECK(*out == yaml("image: {tag: '2.0', repository: nginx}\nreplicas: 1\n"));
}

TEST_CASE("subcharts see their section over their defaults and inherit the parent's globals", "[helm][values]")
{
    weir::helm::chart sub;
    sub.metadata.name = "db";
    sub.values = yaml("port: 5432\nglobal: {region: none, own: 1}\n");
    weir::helm::chart c;
    c.metadata.name = "app";
    c.values = yaml("global: {region: eu}\ndb: {port: 6000}\n");
    c.dependencies.push_back(sub);
    auto out = weir::helm::coalesce_values(c, yaml("global: {tier: gold}\n"));
    REQUIRE(out);
    const weir::value* db = out->find("db");
    REQUIRE(db);
    CHECK(*db->find("port") == weir::value(6000));
    // The parent's globals win over the subchart's own defaults; the subchart keeps its others.
    CHECK(db->find_path({"global", "region"})->as_string() == "eu");
    CHECK(db->find_path({"global", "tier"})->as_string() == "gold");
    CHECK(db->find_path({"global", "own"})->as_int() == 1);
}

TEST_CASE("dependency conditions and tags disable subcharts; aliases rename them", "[helm][values]")
{
    weir::helm::chart sub;
    sub.metadata = {.api_version = "v2", .name = "db", .version = "1.0.0"};
    weir::helm::chart c;
    c.metadata = {.api_version = "v2", .name = "app", .version = "1.0.0"};
    c.metadata.dependencies.push_back({.name = "db", .version = "1.x", .condition = "db.enabled"});
    c.metadata.dependencies.push_back({.name = "db", .version = "1.x", .tags = {"cache"}, .alias = "cache"});
    c.dependencies.push_back(sub);
    weir::helm::chart copy = c;
    REQUIRE(weir::helm::process_dependencies(copy, yaml("db: {enabled: false}\n")));
    REQUIRE(copy.dependencies.size() == 1);
    CHECK(copy.dependencies[0].metadata.name == "cache");
    weir::helm::chart copy2 = c;
    REQUIRE(weir::helm::process_dependencies(copy2, yaml("tags: {cache: false}\n")));
    REQUIRE(copy2.dependencies.size() == 1);
    CHECK(copy2.dependencies[0].metadata.name == "db");
}

TEST_CASE("values.schema.json violations are reported per chart with the value's JSON pointer", "[helm][values]")
{
    weir::helm::chart c;
    c.metadata.name = "app";
    c.schema = R"({"type":"object","required":["image"],"properties":{"replicas":{"type":"integer","minimum":1},
                 "mode":{"enum":["a","b"]}}})";
    auto st = weir::helm::validate_values(c, yaml("replicas: many\nmode: c\n"));
    REQUIRE_FALSE(st);
    const std::string& m = st.err().message;
    CHECK(m.find("values don't meet the specifications of the schema(s) in the following chart(s):\napp:\n") == 0);
    CHECK(m.find("- at '': missing property 'image'") != std::string::npos);
    CHECK(m.find("- at '/replicas': got string, want integer") != std::string::npos);
    CHECK(m.find("- at '/mode': value must be one of 'a', 'b'") != std::string::npos);
    CHECK(weir::helm::validate_values(c, yaml("image: x\nreplicas: 2\nmode: a\n")));
}

TEST_CASE("several failures at one place group under it, and anyOf lists its branches", "[helm][values]")
{
    auto schema = yaml(R"({"properties": {"db": {"type": "object", "required": ["host"],
                          "properties": {"port": {"type": "integer", "maximum": 65535}}},
                          "size": {"anyOf": [{"type": "integer"}, {"type": "string", "pattern": "^[0-9]+Gi$"}]}}})");
    auto errs = weir::helm::validate_json_schema(schema, yaml("db: {port: 70000}\nsize: 10Mi\n"));
    REQUIRE(errs);
    REQUIRE(errs->size() == 2);
    CHECK((*errs)[0] == "- at '/db': validation failed\n  - at '/db': missing property 'host'\n"
                        "  - at '/db/port': maximum: got 70000, want 65535");
    CHECK((*errs)[1] == "- at '/size': anyOf failed\n  - at '/size': got string, want integer\n"
                        "  - at '/size': '10Mi' does not match pattern '^[0-9]+Gi$'");
}

TEST_CASE("value options apply -f files in order, then --set, --set-string, --set-json, --set-literal, --set-file",
          "[helm][values]")
{
    weir::temp_dir dir(std::filesystem::temp_directory_path(), "weir-helm-values");
    {
        std::ofstream(dir.path() / "a.yaml") << "x: 1\nm: {a: 1, b: 2}\n";
        std::ofstream(dir.path() / "b.yaml") << "m: {b: 3}\ny: two\n";
        std::ofstream(dir.path() / "cert.pem") << "-----BEGIN-----\nabc\n";
    }
    weir::helm::value_options o;
    o.value_files = {dir.path() / "a.yaml", dir.path() / "b.yaml"};
    o.values = {"x=5"};
    o.string_values = {"s=5"};
    o.json_values = {"j.k={\"list\":[1,\"a\"],\"on\":true}"};
    o.literal_values = {"lit=a,b={c}"};
    o.file_values = {"tls.cert=" + (dir.path() / "cert.pem").string()};
    auto v = weir::helm::merge_value_options(o);
    REQUIRE(v);
    CHECK(v->find("x")->as_int() == 5);
    CHECK(v->find_path({"m", "a"})->as_double() == 1);
    CHECK(v->find_path({"m", "b"})->as_double() == 3);
    CHECK(v->get_string("y") == "two");
    CHECK(v->get_string("s") == "5");
    CHECK(v->find_path({"j", "k", "on"})->as_bool());
    CHECK(v->find_path({"j", "k", "list"})->as_array().size() == 2);
    CHECK(v->get_string("lit") == "a,b={c}");
    CHECK(v->find_path({"tls", "cert"})->as_string() == "-----BEGIN-----\nabc\n");
    o.json_values = {"bad={"};
    auto bad = weir::helm::merge_value_options(o);
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("--set-json") != std::string::npos);
}
