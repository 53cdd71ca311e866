// notification-controller figures. Not a test: it prints figures.
//  1. events/s from a controller's gRPC forwarder through the event server, intake and dispatcher
//     to a generic webhook on loopback (every event delivered as an HTTP POST);
//  2. events/s of Flux JSON POSTed to the event server (keep-alive, 202 answers);
//  3. receiver requests/s for signed GitHub pushes: HMAC-SHA256 over a 7 KiB body, refused by the
//     events filter (no API write), and accepted with the requestedAt patch on a weir-apiserver.
//
//   notification_bench [events]
#include "dispatcher.hpp"
#include "event_server.hpp"
#include "http_server.hpp"
#include "intake.hpp"
#include "providers/provider.hpp"
#include "receiver_server.hpp"
#include "receiver_verify.hpp"
#include "support/apiserver_process.hpp"

#include <weir/core/encoding.hpp>
#include <weir/core/log.hpp>
#include <weir/core/yaml.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/runtime/conditions.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>

#include <atomic>
#include <thread>

using namespace weir;
using namespace weir::notification;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

kube::object_ptr object_of(const std::string& yaml)
{
    auto v = parse_yaml(yaml);
    if (!v) throw std::runtime_error(v.err().message);
    return std::make_shared<const value>(*v);
}

// Keep-alive POSTs from `threads` clients; returns requests per second.
double hammer(unsigned short port, const std::string& target,
              const std::vector<std::pair<std::string, std::string>>& headers, const std::string& body,
              int total, int threads, int expect_status)
{
    namespace beast = boost::beast;
    namespace http = beast::http;
    std::atomic<int> bad{0};
    auto start = clock_type::now();
    std::vector<std::thread> ts;
    for (int t = 0; t < threads; ++t)
        ts.emplace_back([&, t] {
            boost::asio::io_context io;
            beast::tcp_stream s(io);
            s.connect({boost::asio::ip::make_address("127.0.0.1"), port});
            beast::flat_buffer buf;
            for (int i = t; i < total; i += threads) {
                http::request<http::string_body> req{http::verb::post, target, 11};
                req.set(http::field::host, "127.0.0.1");
                req.set(http::field::content_type, "application/json");
                for (const auto& [k, v] : headers)
                    req.set(k, v);
                req.body() = body;
                req.prepare_payload();
                http::write(s, req);
                http::response<http::string_body> res;
                http::read(s, buf, res);
                if (res.result_int() != static_cast<unsigned>(expect_status)) ++bad;
            }
        });
    for (auto& t : ts)
        t.join();
    double rate = total / seconds_since(start);
    if (bad) fmt::print("  ({} unexpected answers)\n", bad.load());
    return rate;
}

eventsink::flux_event flux_event(int i)
{
    eventsink::flux_event ev;
    ev.involved_object = {
        "Kustomization", "apps", fmt::format("app-{}", i % 500), "", "kustomize.toolkit.fluxcd.io/v1", ""};
    ev.severity = "info";
    ev.timestamp = "2026-11-22T10:00:00Z";
    ev.message = fmt::format("Reconciliation finished in {}ms, next run in 10m", i);
    ev.reason = "ReconciliationSucceeded";
    ev.metadata = {
        {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:0123456789abcdef0123456789abcdef01234567"}};
    ev.reporting_controller = "kustomize-controller";
    return ev;
}

void events_to_webhook(int n)
{
    std::atomic<int> delivered{0};
    http_server sink({.listen = "127.0.0.1:0"}, [&](const server_request&) {
        ++delivered;
        return server_response{200, ""};
    });
    if (!sink.start()) return;
    std::string origin = fmt::format("http://127.0.0.1:{}", sink.port());
    std::vector<kube::object_ptr> alerts{
        object_of("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {name: all, "
                  "namespace: apps}\n"
                  "spec: {providerRef: {name: hook}, eventSources: [{kind: Kustomization, name: '*'}]}\n")};
    kube::object_ptr provider =
        object_of("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\n"
                  "metadata: {name: hook, namespace: apps}\nspec: {type: generic, address: '" +
                  origin + "/flux'}\n");
    dispatch_world world{
        .alerts = [&] { return alerts; },
        .provider = [&](const std::string&, const std::string&) { return provider; },
        .secret = [](const std::string&, const std::string&) -> result<std::map<std::string, std::string>> {
            return std::map<std::string, std::string>{};
        },
        .labels = {},
        .report_failure = [](const value&, const std::string&,
                             const std::string& m) { fmt::print("  failure: {}\n", m); }};
    dispatcher d({.workers = 4, .max_attempts = 2, .retry_base = 100ms, .group_window = 0ms}, world);
    intake in({.dedup_window = 5min, .object_rate = 1e6, .object_burst = 1e6},
              [&](eventsink::flux_event ev) { d.submit(std::move(ev)); });
    event_server server({.listen = "127.0.0.1:0"}, in);
    if (!server.start()) return;

    eventsink::grpc_forwarder fwd({.address = fmt::format("127.0.0.1:{}", server.port()),
                                   .instance = "bench",
                                   .buffer_size = static_cast<std::size_t>(n) + 1});
    runtime::event re;
    re.involved_object = weir::object{{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
                                      {"kind", "Kustomization"},
                                      {"namespace", "apps"},
                                      {"name", "app"}};
    re.reason = "ReconciliationSucceeded";
    re.reporting_controller = "kustomize-controller";
    auto start = clock_type::now();
    for (int i = 0; i < n; ++i) {
        re.involved_object["name"] = fmt::format("app-{}", i % 500);
        re.message = fmt::format("Reconciliation finished in {}ms", i);
        fwd.forward(re);
    }
    double forward_s = seconds_since(start);
    fwd.flush(60s);
    double streamed_s = seconds_since(start);
    while (delivered < n && seconds_since(start) < 120)
        std::this_thread::sleep_for(1ms);
    double total_s = seconds_since(start);
    if (delivered < n) {
        auto is = in.stats();
        auto ds = d.stats();
        fmt::print("  incomplete: intake accepted {} (duplicates {}, limited {}); dispatcher delivered {}, "
                   "failed {}, retried {}\n",
                   is.accepted, is.duplicates, is.rate_limited, ds.delivered, ds.failed, ds.retried);
    }
    fmt::print("gRPC forwarder -> intake -> alert -> generic webhook: {} events delivered in {:.2f} s = "
               "{:.0f} events/s\n",
               delivered.load(), total_s, delivered / total_s);
    fmt::print(
        "  forward() cost in the reconciler: {:.2f} us/event; stream drained in {:.2f} s ({:.0f} events/s)\n",
        forward_s * 1e6 / n, streamed_s, n / streamed_s);

    intake counting({.dedup_window = 5min, .object_rate = 1e6, .object_burst = 1e6},
                    [](eventsink::flux_event) {});
    event_server json_server({.listen = "127.0.0.1:0"}, counting);
    if (!json_server.start()) return;
    // Distinct bodies would be fairer to the dedup table, but one body measures the HTTP and JSON path;
    // first POST is accepted (202), the rest are folded duplicates (429) after parsing.
    std::string body = flux_event(1).to_json();
    double json_rate = hammer(json_server.port(), "/", {}, body, n, 2, 429);
    fmt::print("Flux JSON POST / (parse + dedup, keep-alive, 2 clients): {:.0f} requests/s\n", json_rate);
}

void receiver_rates(int n)
{
    test::apiserver_process api(WEIR_APISERVER_BIN);
    if (!api.start()) return;
    auto cfg = api.config();
    auto client = kube::client::create(*cfg, {.qps = 1e6, .burst = 1000000});
    if (!client) return;
    kube::client& c = **client;
    const std::string token = "bench-token";
    auto secret =
        parse_yaml("apiVersion: v1\nkind: Secret\nmetadata: {name: tok, namespace: default}\ndata: {token: " +
                   base64_encode(token) + "}\n");
    (void)c.create(*secret);
    runtime::object_store store;
    add_webhook_index(store);
    for (const char* name : {"filtered", "accepted"}) {
        auto v =
            parse_yaml(fmt::format("apiVersion: notification.toolkit.fluxcd.io/v1\nkind: Receiver\nmetadata: "
                                   "{{name: {}, namespace: default, generation: 1}}\n"
                                   "spec: {{type: github, events: [{}], secretRef: {{name: tok}}, resources: "
                                   "[{{kind: ConfigMap, apiVersion: v1, name: target}}]}}\n",
                                   name, std::string(name) == "filtered" ? "release" : "push"));
        (*v)["status"]["webhookPath"] = webhook_path(token, name, "default");
        runtime::conditions::mark_ready(*v, "Succeeded", "ready");
        store.upsert(std::make_shared<const value>(*v));
    }
    auto cm = parse_yaml(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: target, namespace: default}\ndata: {a: b}\n");
    (void)c.create(*cm);
    secret_cache secrets(c);
    receiver_server server({.listen = "127.0.0.1:0"}, c, store, secrets);
    if (!server.start()) return;

    std::string body =
        R"({"ref":"refs/heads/main","before":"6113728f27ae82c7b1a177c8d03f9e96e0adf246","after":"59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5","commits":[)";
    while (body.size() < 7000)
        body +=
            R"({"id":"59b20b8d5c6ff8d09518454d4dd8b7a30f095ab5","message":"update manifests for the next release","author":{"name":"dev","email":"dev@example.com"}},)";
    body.back() = ']';
    body += "}";
    std::vector<std::pair<std::string, std::string>> headers{
        {"X-GitHub-Event", "push"},
        {"X-Hub-Signature-256", "sha256=" + providers::hex_hmac_sha256(token, body)}};
    double filtered =
        hammer(server.port(), webhook_path(token, "filtered", "default"), headers, body, n, 2, 400);
    fmt::print("receiver, signed {} B GitHub push, HMAC verified then filtered out (no API write): {:.0f} "
               "requests/s\n",
               body.size(), filtered);
    int accepted_n = std::min(n, 2000);
    double accepted =
        hammer(server.port(), webhook_path(token, "accepted", "default"), headers, body, accepted_n, 2, 200);
    fmt::print("receiver, same push accepted: verify + requestedAt merge patch on weir-apiserver: {:.0f} "
               "requests/s\n",
               accepted);
}

} // namespace

int main(int argc, char** argv)
{
    configure_logging(log_level::error, log_encoding::json);
    int n = argc > 1 ? std::atoi(argv[1]) : 20000;
    events_to_webhook(n);
    receiver_rates(n);
    return 0;
}
