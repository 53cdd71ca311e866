// Helm's TestCoalesceValues (helm/helm pkg/chart/common/util/coalesce_test.go): a three-level
// chart tree, user values with every spelling of YAML null, and the expansions Helm requires.
#include <weir/core/yaml.hpp>
#include <weir/gotemplate/template.hpp>
#include <weir/helm/values.hpp>

#include <catch2/catch.hpp>

namespace {

weir::helm::chart named(std::string name, std::string values)
{
    weir::helm::chart c;
    c.metadata.name = std::move(name);
    c.values = *weir::parse_yaml(values, {.schema = weir::yaml_schema::kubernetes_1_1});
    return c;
}

const char* const user_yaml = R"(
top: yup
bottom: null
right: Null
left: NULL
front: ~
back: ""
nested:
  boat: null

global:
  name: Ishmael
  subject: Queequeg
  nested:
    boat: true

pequod:
  boat: null
  global:
    name: Stinky
    harpooner: Tashtego
    nested:
      boat: false
      sail: true
      foo2: null
  ahab:
    scope: whale
    boat: null
    nested:
      foo: true
      boat: null
    object: null
)";

} // namespace

TEST_CASE("coalescing follows Helm's TestCoalesceValues: nulls delete, globals flow down, subcharts scope",
          "[helm][values]")
{
    auto ahab = named("ahab", "global: {nested: {foo: bar, foo2: bar2}, nested2: {l2: ahab}}\nscope: ahab\nname: ahab\n"
                              "boat: true\nnested: {foo: false, boat: true}\nobject: {foo: bar}\n");
    auto pequod = named("pequod", "name: pequod\nscope: pequod\nglobal: {nested2: {l1: pequod}}\nboat: false\n"
                                  "ahab: {boat: false, nested: {boat: false}}\n");
    pequod.dependencies.push_back(ahab);
    auto spouter = named("spouter", "scope: spouter\nglobal: {nested2: {l1: spouter}}\n");
    auto moby = named("moby", "back: exists\nbottom: exists\nfront: exists\nleft: exists\nname: moby\n"
                              "nested: {boat: true}\noverride: bad\nright: exists\nscope: moby\ntop: nope\n"
                              "global: {nested2: {l0: moby}}\n"
                              "pequod: {boat: maybe, ahab: {boat: maybe, nested: {boat: maybe}}}\n");
    moby.dependencies = {pequod, spouter};
    weir::value user = *weir::parse_yaml(user_yaml, {.schema = weir::yaml_schema::kubernetes_1_1});
    const weir::value user_copy = user;
    auto v = weir::helm::coalesce_values(moby, user);
    REQUIRE(v);
    CHECK(user == user_copy); // the input is not mutated

    const std::pair<const char*, const char*> cases[] = {
        {"{{.top}}", "yup"},
        {"{{.back}}", ""},
        {"{{.name}}", "moby"},
        {"{{.global.name}}", "Ishmael"},
        {"{{.global.subject}}", "Queequeg"},
        {"{{.global.harpooner}}", "<no value>"},
        {"{{.pequod.name}}", "pequod"},
        {"{{.pequod.ahab.name}}", "ahab"},
        {"{{.pequod.ahab.scope}}", "whale"},
        {"{{.pequod.ahab.nested.foo}}", "true"},
        {"{{.pequod.ahab.global.name}}", "Ishmael"},
        {"{{.pequod.ahab.global.nested.foo}}", "bar"},
        {"{{.pequod.ahab.global.nested.foo2}}", "<no value>"},
        {"{{.pequod.ahab.global.subject}}", "Queequeg"},
        {"{{.pequod.ahab.global.harpooner}}", "Tashtego"},
        {"{{.pequod.global.name}}", "Ishmael"},
        {"{{.pequod.global.nested.foo}}", "<no value>"},
        {"{{.pequod.global.subject}}", "Queequeg"},
        {"{{.spouter.global.name}}", "Ishmael"},
        {"{{.spouter.global.harpooner}}", "<no value>"},
        {"{{.global.nested.boat}}", "true"},
        {"{{.pequod.global.nested.boat}}", "true"},
        {"{{.spouter.global.nested.boat}}", "true"},
        {"{{.pequod.global.nested.sail}}", "true"},
        {"{{.spouter.global.nested.sail}}", "<no value>"},
        {"{{.global.nested2.l0}}", "moby"},
        {"{{.global.nested2.l1}}", "<no value>"},
        {"{{.global.nested2.l2}}", "<no value>"},
        {"{{.pequod.global.nested2.l0}}", "moby"},
        {"{{.pequod.global.nested2.l1}}", "pequod"},
        {"{{.pequod.global.nested2.l2}}", "<no value>"},
        {"{{.pequod.ahab.global.nested2.l0}}", "moby"},
        {"{{.pequod.ahab.global.nested2.l1}}", "pequod"},
        {"{{.pequod.ahab.global.nested2.l2}}", "ahab"},
        {"{{.spouter.global.nested2.l0}}", "moby"},
        {"{{.spouter.global.nested2.l1}}", "spouter"},
        {"{{.spouter.global.nested2.l2}}", "<no value>"},
    };
    for (const auto& [tpl, want] : cases) {
        auto out = weir::gotemplate::render(tpl, *v);
        INFO(tpl);
        REQUIRE(out);
        CHECK(*out == want);
    }
    for (const char* k : {"bottom", "right", "left", "front"}) CHECK(v->find(k) == nullptr);
    CHECK(v->find_path({"nested", "boat"}) == nullptr);
    CHECK(v->find_path({"pequod", "boat"}) == nullptr);
    CHECK(v->find_path({"pequod", "ahab", "boat"}) == nullptr);
    CHECK(v->find_path({"pequod", "ahab", "nested", "boat"}) == nullptr);
    CHECK(v->find_path({"pequod", "ahab", "object"}) == nullptr);
}
