#include <weir/core/yaml.hpp>
#include <weir/patch/patch.hpp>

#include <catch2/catch.hpp>

using weir::value;

namespace {
value y(const char* text) { return weir::parse_yaml(text).value(); }
} // namespace

TEST_CASE("json patch adds, replaces, removes, moves and appends with -")
{
    value doc = y("a: {b: 1}\nl: [1, 2]\n");
    auto ops = y("- {op: add, path: /a/c, value: 2}\n- {op: replace, path: /a/b, value: 3}\n"
                 "- {op: add, path: /l/-, value: 9}\n- {op: remove, path: /l/0}\n"
                 "- {op: move, from: /a/c, path: /m}\n");
    REQUIRE(weir::patch::apply_json_patch(doc, ops));
    CHECK(doc == y("a: {b: 3}\nl: [2, 9]\nm: 2\n"));
}

TEST_CASE("json patch leaves the document unchanged when an operation fails")
{
    value doc = y("a: 1\n");
    auto r = weir::patch::apply_json_patch(doc, y("- {op: add, path: /b, value: 2}\n- {op: remove, path: /zz}\n"));
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("/zz") != std::string::npos);
    CHECK(doc == y("a: 1\n"));
}

TEST_CASE("json patch pointer unescapes ~0 and ~1")
{
    auto t = weir::patch::parse_json_pointer("/a~1b/c~0d").value();
    REQUIRE(t.size() == 2);
    CHECK(t[0] == "a/b");
    CHECK(t[1] == "c~d");
}

TEST_CASE("merge patch merges objects and deletes on null")
{
    value doc = y("a: {b: 1, c: 2}\nl: [1]\n");
    weir::patch::apply_merge_patch(doc, y("a: {b: null, d: 4}\nl: [2]\n"));
    CHECK(doc == y("a: {c: 2, d: 4}\nl: [2]\n"));
}

TEST_CASE("strategic merge merges containers by name and env by name, in the API server's order")
{
    value doc = y(R"(apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: a
        image: x
        env: [{name: A, value: "1"}]
      - name: b
        image: y
)");
    value p = y(R"(spec:
  template:
    spec:
      containers:
      - name: a
        image: z
        env: [{name: B, value: "2"}]
      - name: c
        image: w
)");
    REQUIRE(weir::patch::apply_strategic_merge(doc, p));
    auto& cs = doc.find_path({"spec", "template", "spec", "containers"})->as_array();
    REQUIRE(cs.size() == 3);
    CHECK(cs[0].get_string("image") == "z");
    CHECK(cs[0].find("env")->as_array().size() == 2);
    // patch items keep their order; an original-only item follows the item it followed before
    CHECK(cs[1].get_string("name") == "c");
    CHECK(cs[2].get_string("name") == "b");
}

TEST_CASE("strategic merge directives delete, replace and retainKeys")
{
    value doc = y(R"(apiVersion: apps/v1
kind: Deployment
metadata: {finalizers: [a]}
spec:
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1}}
  template:
    spec:
      containers: [{name: a}, {name: b}]
      volumes: [{name: v, emptyDir: {}}]
)");
    value p = y(R"(metadata: {finalizers: [b]}
spec:
  strategy: {type: Recreate, $retainKeys: [type]}
  template:
    spec:
      containers: [{name: a, $patch: delete}]
      volumes: [{$patch: replace}, {name: w, emptyDir: {}}]
)");
    REQUIRE(weir::patch::apply_strategic_merge(doc, p));
    CHECK(*doc.find_path({"spec", "strategy"}) == y("type: Recreate"));
    CHECK(*doc.find_path({"spec", "template", "spec", "containers"}) == y("[{name: b}]"));
    CHECK(*doc.find_path({"spec", "template", "spec", "volumes"}) == y("[{name: w, emptyDir: {}}]"));
    CHECK(*doc.find_path({"metadata", "finalizers"}) == y("[b, a]"));
}

TEST_CASE("strategic merge replaces lists of unknown kinds unless keys are inferred")
{
    value doc = y("apiVersion: x/v1\nkind: Foo\nspec: {items: [{name: a, v: 1}]}\n");
    value p = y("spec: {items: [{name: b}]}\n");
    value a = doc;
    REQUIRE(weir::patch::apply_strategic_merge(a, p));
    CHECK(*a.find_path({"spec", "items"}) == y("[{name: b}]"));
    REQUIRE(weir::patch::apply_strategic_merge(doc, p, {.infer_merge_keys = true, .patch_order_first = true}));
    CHECK(*doc.find_path({"spec", "items"}) == y("[{name: b}, {name: a, v: 1}]"));
}

TEST_CASE("json patch replace of an absent key fails unless replace_adds_missing_key")
{
    value doc = y("a: 1\n");
    value ops = y("- {op: replace, path: /b, value: 2}\n");
    CHECK_FALSE(weir::patch::apply_json_patch(doc, ops));
    REQUIRE(weir::patch::apply_json_patch(doc, ops, {.replace_adds_missing_key = true}));
    CHECK(doc == y("a: 1\nb: 2\n"));
}

TEST_CASE("strategic merge deletes from primitive lists and orders by $setElementOrder")
{
    value doc = y("apiVersion: v1\nkind: Pod\nmetadata: {finalizers: [a, b, c]}\n"
                  "spec: {containers: [{name: x}, {name: y}]}\n");
    value p = y("metadata: {$deleteFromPrimitiveList/finalizers: [b]}\n"
                "spec: {$setElementOrder/containers: [{name: y}, {name: x}]}\n");
    REQUIRE(weir::patch::apply_strategic_merge(doc, p));
    CHECK(*doc.find_path({"metadata", "finalizers"}) == y("[a, c]"));
    CHECK(*doc.find_path({"spec", "containers"}) == y("[{name: y}, {name: x}]"));
}
