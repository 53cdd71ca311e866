#include <catch2/catch.hpp>

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>
#include <weir/runtime/conditions.hpp>
#include <weir/runtime/patch.hpp>
#include <weir/runtime/predicates.hpp>

using namespace weir;
using namespace weir::runtime;
using namespace std::chrono_literals;

namespace {
value parse(const char* text) { return *parse_json(text); }
const kube::sys_time t0 = *kube::parse_time("2026-11-22T10:00:00Z");
const kube::sys_time t1 = *kube::parse_time("2026-11-22T11:00:00Z");
} // namespace

TEST_CASE("lastTransitionTime changes only when a condition's status changes", "[runtime][conditions]")
{
    value obj = parse(R"({"metadata":{"name":"a","generation":3}})");
    CHECK(conditions::set(obj, "Ready", "False", "Failed", "boom", t0));
    CHECK(conditions::get(obj, "Ready")->last_transition_time == "2026-11-22T10:00:00Z");
    CHECK(conditions::set(obj, "Ready", "False", "StillFailing", "boom again", t1));
    auto c = conditions::get(obj, "Ready");
    CHECK(c->last_transition_time == "2026-11-22T10:00:00Z");
    CHECK(c->reason == "StillFailing");
    CHECK(c->observed_generation == 3);
    CHECK_FALSE(conditions::set(obj, "Ready", "False", "StillFailing", "boom again", t1)); // no change at all
    CHECK(conditions::set(obj, "Ready", "True", "Succeeded", "ok", t1));
    CHECK(conditions::get(obj, "Ready")->last_transition_time == "2026-11-22T11:00:00Z");
}

TEST_CASE("Ready, Reconciling and Stalled follow the kstatus rules", "[runtime][conditions]")
{
    value obj = parse(R"({"metadata":{"name":"a","generation":1}})");
    conditions::mark_reconciling(obj, "Progressing", "working", t0);
    CHECK(conditions::is_true(obj, "Reconciling"));
    CHECK(conditions::get(obj, "Ready")->status == "Unknown");
    conditions::mark_stalled(obj, "InvalidURL", "bad url", t0);
    CHECK(conditions::is_true(obj, "Stalled"));
    CHECK(conditions::is_false(obj, "Ready"));
    CHECK_FALSE(conditions::get(obj, "Reconciling"));
    conditions::mark_ready(obj, "Succeeded", "done", t1);
    CHECK(conditions::is_true(obj, "Ready"));
    CHECK_FALSE(conditions::get(obj, "Stalled"));
    conditions::set_observed_generation(obj);
    CHECK(conditions::observed_generation(obj) == 1);
}

TEST_CASE("status-only updates are filtered, spec, label, annotation and finalizer changes pass", "[runtime][predicates]")
{
    value base = parse(R"({"apiVersion":"v1","kind":"X","metadata":{"name":"a","generation":1,"resourceVersion":"1",
        "labels":{"a":"1"},"annotations":{}},"spec":{"url":"x"},"status":{"observedGeneration":1}})");
    value status_only = base;
    status_only["status"]["observedGeneration"] = 2;
    status_only["metadata"]["resourceVersion"] = "2";
    status_only["metadata"]["managedFields"] = weir::array{weir::object{{"manager", "x"}}};
    CHECK(status_only_change(base, status_only));
    CHECK_FALSE(spec_or_metadata_changed(base, status_only));

    value spec = base;
    spec["spec"]["url"] = "y";
    spec["metadata"]["generation"] = 2;
    CHECK(spec_or_metadata_changed(base, spec));

    value label = base;
    label["metadata"]["labels"]["a"] = "2";
    CHECK(spec_or_metadata_changed(base, label));

    value requested = base;
    requested["metadata"]["annotations"][requested_at_annotation] = "2026-11-22T10:00:00Z";
    CHECK(spec_or_metadata_changed(base, requested));
    CHECK(reconcile_requested(requested));
    requested["status"]["lastHandledReconcileAt"] = "2026-11-22T10:00:00Z";
    CHECK_FALSE(reconcile_requested(requested));

    value finalizer = base;
    finalizer["metadata"]["finalizers"] = weir::array{"finalizers.fluxcd.io"};
    CHECK(spec_or_metadata_changed(base, finalizer));
}

TEST_CASE("suspend and deletion are read from spec and metadata", "[runtime][predicates]")
{
    CHECK(is_suspended(parse(R"({"spec":{"suspend":true}})")));
    CHECK_FALSE(is_suspended(parse(R"({"spec":{"suspend":false}})")));
    CHECK_FALSE(is_suspended(parse(R"({"metadata":{}})")));
    CHECK(is_being_deleted(parse(R"({"metadata":{"deletionTimestamp":"2026-11-22T10:00:00Z"}})")));
}

TEST_CASE("merge_patch nulls removed keys, recurses into objects and replaces arrays", "[runtime][patch]")
{
    value from = parse(R"({"a":1,"b":{"c":1,"d":2},"e":[1,2],"gone":true})");
    value to = parse(R"({"a":1,"b":{"c":1,"d":3},"e":[1],"new":"x"})");
    CHECK(merge_patch(from, to) == parse(R"({"gone":null,"b":{"d":3},"e":[1],"new":"x"})"));
    CHECK(merge_patch(from, from) == parse("{}"));
}

TEST_CASE("finalizer patches start with a test op guarding against concurrent edits", "[runtime][finalizers]")
{
    value none = parse(R"({"metadata":{"name":"a","resourceVersion":"5"}})");
    CHECK(add_finalizer_patch(none, "f") ==
          parse(R"([{"op":"test","path":"/metadata/resourceVersion","value":"5"},{"op":"add","path":"/metadata/finalizers","value":["f"]}])"));
    value some = parse(R"({"metadata":{"name":"a","resourceVersion":"6","finalizers":["x","f"]}})");
    CHECK(has_finalizer(some, "f"));
    CHECK(add_finalizer_patch(some, "g").as_array()[1] == parse(R"({"op":"add","path":"/metadata/finalizers/-","value":"g"})"));
    CHECK(remove_finalizer_patch(some, "f") ==
          parse(R"([{"op":"test","path":"/metadata/finalizers/1","value":"f"},{"op":"remove","path":"/metadata/finalizers/1"}])"));
    CHECK(remove_finalizer_patch(none, "f").as_array().empty());
}

TEST_CASE("acknowledging a reconcile request copies requestedAt into lastHandledReconcileAt", "[runtime][patch]")
{
    weir::value obj = weir::object{{"metadata", weir::object{{"annotations", weir::object{{std::string(requested_at_annotation), "t1"}}}}}};
    acknowledge_reconcile_request(obj);
    REQUIRE(obj.find_path({"status", "lastHandledReconcileAt"}));
    CHECK(obj.find_path({"status", "lastHandledReconcileAt"})->as_string() == "t1");
    weir::value plain = weir::object{{"metadata", weir::object{}}};
    acknowledge_reconcile_request(plain);
    CHECK_FALSE(plain.find("status"));
    CHECK_FALSE(being_deleted(plain));
}

TEST_CASE("generation_or_request_changed: spec, reconcile requests and deletion pass; finalizers and labels do not",
          "[runtime][predicates]")
{
    auto obj = [](const char* yaml) { return *weir::parse_yaml(yaml); };
    weir::value base = obj("metadata: {name: a, generation: 1}\nspec: {x: 1}\n");
    CHECK(runtime::generation_or_request_changed(base, obj("metadata: {name: a, generation: 2}\nspec: {x: 2}\n")));
    CHECK_FALSE(runtime::generation_or_request_changed(
        base, obj("metadata: {name: a, generation: 1, finalizers: [finalizers.fluxcd.io]}\nspec: {x: 1}\n")));
    CHECK_FALSE(runtime::generation_or_request_changed(
        base, obj("metadata: {name: a, generation: 1, labels: {team: x}}\nspec: {x: 1}\n")));
    CHECK(runtime::generation_or_request_changed(
        base, obj("metadata: {name: a, generation: 1, annotations: {reconcile.fluxcd.io/requestedAt: now}}\n")));
    CHECK(runtime::generation_or_request_changed(
        base, obj("metadata: {name: a, generation: 1, annotations: {reconcile.fluxcd.io/forceAt: now}}\n")));
    CHECK(runtime::generation_or_request_changed(
        base, obj("metadata: {name: a, generation: 1, deletionTimestamp: '2026-11-22T00:00:00Z'}\n")));
}
