#include <weir/envsubst/envsubst.hpp>

#include <weir/core/yaml.hpp>

#include <catch2/catch.hpp>

using namespace weir;

namespace {

value doc(std::string_view yaml)
{
    auto v = parse_yaml(yaml);
    REQUIRE(v);
    return *v;
}

const char* configmap = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: app-${cluster}
  namespace: ${ns:=default}
data:
  replicas: "${replicas}"
  region: ${region}
  note: $keep $${literal}
)";

} // namespace

TEST_CASE("substitute_object substitutes keys and string values of the object", "[envsubst][object]")
{
    value obj = doc(configmap);
    auto changed = envsubst::substitute_object(obj, {{"cluster", "prod"}, {"replicas", "3"}, {"region", "eu-1"}});
    REQUIRE(changed);
    CHECK(*changed);
    CHECK(obj.find_path({"metadata", "name"})->as_string() == "app-prod");
    CHECK(obj.find_path({"metadata", "namespace"})->as_string() == "default");
    CHECK(obj.find_path({"data", "replicas"})->as_string() == "3");
    CHECK(obj.find_path({"data", "region"})->as_string() == "eu-1");
    CHECK(obj.find_path({"data", "note"})->as_string() == "$keep ${literal}");
}

TEST_CASE("substitute_object types unquoted values by Kubernetes YAML rules", "[envsubst][object]")
{
    value obj = doc("kind: X\nmetadata:\n  name: x\nspec:\n  n: ${n}\n  b: ${b}\n  q: \"${n}\"\n  y: ${y}\n");
    REQUIRE(envsubst::substitute_object(obj, {{"n", "42"}, {"b", "true"}, {"y", "yes"}}));
    CHECK(obj.find_path({"spec", "n"})->is_int());
    CHECK(obj.find_path({"spec", "b"})->is_bool());
    // Without quoting information, "${n}" types by its text outside string-only fields.
    CHECK(obj.find_path({"spec", "q"})->is_int());
    // sigs.k8s.io/yaml (YAML 1.1) reads an unquoted yes as a boolean.
    CHECK(obj.find_path({"spec", "y"})->is_bool());
}

TEST_CASE("substitute_object keeps strings where the Kubernetes API only takes strings", "[envsubst][object]")
{
    value obj = doc(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: x
  labels: {tier: "${n}"}
  annotations: {flag: "${b}"}
spec:
  replicas: ${n}
  template:
    spec:
      containers:
        - name: c
          args: ["${n}", --flag]
          env:
            - name: PORT
              value: "${n}"
)");
    REQUIRE(envsubst::substitute_object(obj, {{"n", "8080"}, {"b", "true"}}));
    CHECK(obj.find_path({"metadata", "labels", "tier"})->as_string() == "8080");
    CHECK(obj.find_path({"metadata", "annotations", "flag"})->as_string() == "true");
    CHECK(obj.find_path({"spec", "replicas"})->as_int() == 8080);
    const value& c = obj.find_path({"spec", "template", "spec", "containers"})->as_array()[0];
    CHECK(c.find("args")->as_array()[0].as_string() == "8080");
    CHECK(c.find("env")->as_array()[0].find("value")->as_string() == "8080");

    value cm = doc("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  port: \"${n}\"\n");
    REQUIRE(envsubst::substitute_object(cm, {{"n", "0755"}}));
    CHECK(cm.find_path({"data", "port"})->as_string() == "0755");
}

TEST_CASE("substitute_object keeps YAML-special values as strings and types flow collections and scalars", "[envsubst][object]")
{
    SECTION("a quoted field keeps colons and hashes")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  v: \"${v}\"\n");
        REQUIRE(envsubst::substitute_object(obj, {{"v", "a: b #c"}}));
        CHECK(obj.find_path({"data", "v"})->as_string() == "a: b #c");
    }
    SECTION("values that would break YAML text stay strings instead of failing the build")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\nspec:\n  a: ${a}\n  h: ${h}\n  l: ${l}\n  s: ${s}\n");
        REQUIRE(envsubst::substitute_object(obj, {{"a", "a: b"}, {"h", "#c"}, {"l", "- x"}, {"s", "*ref"}}));
        CHECK(obj.find_path({"spec", "a"})->as_string() == "a: b");
        CHECK(obj.find_path({"spec", "h"})->as_string() == "#c");
        CHECK(obj.find_path({"spec", "l"})->as_string() == "- x");
        CHECK(obj.find_path({"spec", "s"})->as_string() == "*ref");
    }
    SECTION("flow collections, null literals and floats take their YAML type as unquoted Flux scalars")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\nspec:\n  r: ${r}\n  n: ${n}\n  f: ${f}\n  e: ${e}\n");
        REQUIRE(envsubst::substitute_object(obj, {{"r", "{cpu: 1, mem: [a, b]}"}, {"n", "~"}, {"f", "1.5"}, {"e", ""}}));
        CHECK(obj.find_path({"spec", "r", "cpu"})->as_int() == 1);
        CHECK(obj.find_path({"spec", "r", "mem"})->as_array().size() == 2);
        CHECK(obj.find_path({"spec", "n"})->is_null());
        CHECK(obj.find_path({"spec", "f"})->as_double() == 1.5);
        CHECK(obj.find_path({"spec", "e"})->as_string().empty());
    }
    SECTION("keys are substituted too, and a duplicate key is an error naming the field")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  ${k}: v\n  other: w\n");
        REQUIRE(envsubst::substitute_object(obj, {{"k", "key"}}));
        CHECK(obj.find_path({"data", "key"})->as_string() == "v");
        auto dup = envsubst::substitute_object(obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  ${k}: v\n  other: w\n"),
                                              {{"k", "other"}});
        REQUIRE_FALSE(dup);
        CHECK(dup.err().message.find("duplicate key \"other\"") != std::string::npos);
    }
    SECTION("a multi-line value normalized like Flux's loader joins its lines")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  v: ${v}\n");
        REQUIRE(envsubst::substitute_object(obj, {{"v", envsubst::normalize_value("line1\nline2\n")}}));
        CHECK(obj.find_path({"data", "v"})->as_string() == "line1line2");
    }
    SECTION("a variable inside a multi-line string is substituted in place")
    {
        value obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  script: |\n    echo ${v}\n    exit 0\n");
        REQUIRE(envsubst::substitute_object(obj, {{"v", "it's \"ok\": yes"}}));
        CHECK(obj.find_path({"data", "script"})->as_string() == "echo it's \"ok\": yes\nexit 0\n");
    }
}

TEST_CASE("substitute_object honours the substitute: disabled label and annotation", "[envsubst][object]")
{
    for (const char* field : {"labels", "annotations"}) {
        value obj = doc(configmap);
        obj["metadata"][field] = object{{"kustomize.toolkit.fluxcd.io/substitute", "disabled"}};
        CHECK(envsubst::substitution_disabled(obj));
        auto r = envsubst::substitute_object(obj, {{"cluster", "prod"}}, {.strict = true});
        REQUIRE(r);
        CHECK_FALSE(*r);
        CHECK(obj.find_path({"metadata", "name"})->as_string() == "app-${cluster}");
    }
    value other = doc(configmap);
    other["metadata"]["labels"] = object{{"kustomize.toolkit.fluxcd.io/substitute", "enabled"}};
    CHECK_FALSE(envsubst::substitution_disabled(other));
}

TEST_CASE("substitute_object skips objects when there are no variables unless always", "[envsubst][object]")
{
    value obj = doc(configmap);
    auto r = envsubst::substitute_object(obj, {}, {.strict = true});
    REQUIRE(r);
    CHECK_FALSE(*r);
    CHECK(obj.find_path({"metadata", "name"})->as_string() == "app-${cluster}");

    auto strict = envsubst::substitute_object(obj, {}, {.strict = true, .always = true});
    REQUIRE_FALSE(strict);
    CHECK(strict.err().message.find("\"cluster\"") != std::string::npos);
    CHECK(strict.err().message.find("field metadata.name") != std::string::npos);

    auto lax = envsubst::substitute_object(obj, {}, {.strict = false, .always = true});
    REQUIRE(lax);
    CHECK(obj.find_path({"metadata", "name"})->as_string() == "app-");
}

TEST_CASE("substitute_object reports strict failures and bad names with the object", "[envsubst][object]")
{
    value obj = doc(configmap);
    auto r = envsubst::substitute_object(obj, {{"cluster", "prod"}});
    REQUIRE_FALSE(r);
    CHECK(r.err().message.find("ConfigMap") != std::string::npos);
    CHECK(r.err().message.find("\"replicas\"") != std::string::npos);
    auto bad = envsubst::substitute_object(obj, {{"bad-name", "x"}});
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("bad-name") != std::string::npos);
}

TEST_CASE("substitute_object leaves objects without a dollar sign untouched", "[envsubst][object]")
{
    value obj = doc("kind: X\nmetadata:\n  name: x\ndata:\n  a: \"1\"\n");
    value before = obj;
    auto r = envsubst::substitute_object(obj, {{"a", "b"}});
    REQUIRE(r);
    CHECK_FALSE(*r);
    CHECK(obj == before);
}

TEST_CASE("variables load from ConfigMaps, Secrets and inline values in Flux's precedence", "[envsubst][vars]")
{
    envsubst::variables vars;
    value cm = doc("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: from-cm\n  b: \"x\\ny\"\n");
    value secret = doc("kind: Secret\nmetadata:\n  name: s\ndata:\n  a: ZnJvbS1zZWNyZXQ=\n  p: cDRzcwo=\n");
    REQUIRE(envsubst::add_variables(vars, cm));
    REQUIRE(envsubst::add_variables(vars, secret));
    CHECK(vars["a"] == "from-secret"); // the later source wins
    CHECK(vars["b"] == "xy");          // newlines removed
    CHECK(vars["p"] == "p4ss");
    REQUIRE(envsubst::add_inline_variables(vars, doc("a: inline\n")));
    CHECK(vars["a"] == "inline");
    auto bad = envsubst::add_inline_variables(vars, doc("n: 3\n"));
    REQUIRE_FALSE(bad);
    CHECK(bad.err().message.find("quote") != std::string::npos);
    auto not_b64 = envsubst::add_variables(vars, doc("kind: Secret\nmetadata:\n  name: s\ndata:\n  a: \"%%\"\n"));
    REQUIRE_FALSE(not_b64);
    CHECK(not_b64.err().message.find("Secret s") != std::string::npos);
    CHECK_FALSE(envsubst::add_variables(vars, doc("kind: Pod\nmetadata:\n  name: p\n")));
}
