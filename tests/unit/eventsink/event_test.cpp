// Flux's event JSON in and out, and the --events-addr forms the forwarder accepts.
#include <weir/eventsink/event.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/events.hpp>

#include <catch2/catch.hpp>

using namespace weir;
using namespace weir::eventsink;

TEST_CASE("a Flux event JSON parses and writes back with the same fields", "[eventsink]")
{
    std::string text =
        R"({"involvedObject":{"kind":"Kustomization","namespace":"apps","name":"webapp","uid":"u1","apiVersion":"kustomize.toolkit.fluxcd.io/v1","resourceVersion":"7"},"severity":"error","timestamp":"2026-01-01T00:00:00Z","message":"apply failed","reason":"ReconciliationFailed","metadata":{"kustomize.toolkit.fluxcd.io/revision":"main@sha1:abc"},"reportingController":"kustomize-controller","reportingInstance":"pod-1"})";
    auto ev = flux_event::from_json(text);
    REQUIRE(ev);
    CHECK(ev->involved_object.kind == "Kustomization");
    CHECK(ev->involved_object.resource_version == "7");
    CHECK(ev->severity == "error");
    CHECK(ev->group() == "kustomize.toolkit.fluxcd.io");
    CHECK(ev->meta("revision") == "main@sha1:abc");
    auto again = flux_event::from_json(ev->to_json());
    REQUIRE(again);
    CHECK(again->to_json() == ev->to_json());
    CHECK(again->reporting_instance == "pod-1");
}

TEST_CASE("an event without involvedObject, name or message is rejected", "[eventsink]")
{
    CHECK_FALSE(flux_event::from_json("not json"));
    CHECK_FALSE(flux_event::from_json(R"({"message":"x"})"));
    CHECK_FALSE(flux_event::from_json(R"({"involvedObject":{"kind":"A"},"message":"x"})"));
    auto e = flux_event::from_json(R"({"involvedObject":{"kind":"A","name":"b"}})");
    REQUIRE_FALSE(e);
    CHECK(e.err().terminal());
}

TEST_CASE("a runtime event maps Warning to error and keeps its metadata", "[eventsink]")
{
    runtime::event re;
    re.involved_object = weir::object{{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                                      {"kind", "GitRepository"},
                                      {"namespace", "default"},
                                      {"name", "fleet"}};
    re.type = runtime::event_type::warning;
    re.reason = "GitOperationFailed";
    re.message = "fetch failed";
    re.metadata = {{"source.toolkit.fluxcd.io/revision", "main@sha1:1"}};
    re.reporting_controller = "source-controller";
    auto fe = flux_event::from(re, "host-1");
    CHECK(fe.severity == "error");
    CHECK(fe.reporting_instance == "host-1");
    CHECK(fe.meta("revision") == "main@sha1:1");
    CHECK(fe.timestamp.ends_with("Z"));
}

TEST_CASE("the events address accepts Flux's URL form and host:port", "[eventsink]")
{
    CHECK(*grpc_target("http://notification-controller.flux-system.svc.cluster.local./") ==
          "notification-controller.flux-system.svc.cluster.local:80");
    CHECK(*grpc_target("http://127.0.0.1:9090/") == "127.0.0.1:9090");
    CHECK(*grpc_target("127.0.0.1:9090") == "127.0.0.1:9090");
    CHECK(*grpc_target("https://events.example") == "events.example:443");
    CHECK_FALSE(grpc_target("http://:9090/"));
}
