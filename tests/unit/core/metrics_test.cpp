#include <weir/core/metrics.hpp>

#include <catch2/catch.hpp>

using namespace weir;

TEST_CASE("metrics expose counters, gauges and histograms in Prometheus text", "[core][metrics]")
{
    registry r;
    r.counter("weir_things_total", "Things done", {"kind"}).with({"GitRepository"}).inc(2);
    r.gauge("weir_depth", "Queue depth").with({}).set(3);
    auto& h = r.histogram("gotk_reconcile_duration_seconds", "Reconcile time", {"kind"}, {0.1, 1});
    h.with({"Kustomization"}).observe(0.05);
    h.with({"Kustomization"}).observe(0.5);
    h.with({"Kustomization"}).observe(5);
    std::string text = r.expose();
    CHECK(text.find("# TYPE weir_things_total counter\nweir_things_total{kind=\"GitRepository\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("weir_depth 3\n") != std::string::npos);
    CHECK(text.find("gotk_reconcile_duration_seconds_bucket{kind=\"Kustomization\",le=\"0.1\"} 1\n") !=
          std::string::npos);
    CHECK(text.find("gotk_reconcile_duration_seconds_bucket{kind=\"Kustomization\",le=\"1\"} 2\n") !=
          std::string::npos);
    CHECK(text.find("gotk_reconcile_duration_seconds_bucket{kind=\"Kustomization\",le=\"+Inf\"} 3\n") !=
          std::string::npos);
    CHECK(text.find("gotk_reconcile_duration_seconds_count{kind=\"Kustomization\"} 3\n") != std::string::npos);
}

TEST_CASE("metrics escape label values", "[core][metrics]")
{
    registry r;
    r.counter("c", "h", {"l"}).with({"a\"b\\c\nd"}).inc();
    CHECK(r.expose().find("c{l=\"a\\\"b\\\\c\\nd\"} 1") != std::string::npos);
}
