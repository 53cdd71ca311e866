// Delivery over real sockets: provider requests reach a local service intact, the dispatcher
// retries, reports and groups, and events arrive over gRPC and JSON through one port.
#include "dispatcher.hpp"
#include "event_server.hpp"
#include "intake.hpp"
#include "nats_server.hpp"
#include "recorder.hpp"

#include <weir/core/json.hpp>
#include <weir/core/log.hpp>
#include <weir/core/yaml.hpp>
#include <weir/eventsink/forwarder.hpp>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

using namespace weir;
using namespace weir::notification;
using namespace std::chrono_literals;

namespace {

eventsink::flux_event sample(std::string name = "webapp", std::string severity = "error",
                             std::string message = "apply failed")
{
    eventsink::flux_event ev;
    ev.involved_object = {
        "Kustomization", "apps", std::move(name), "uid-1", "kustomize.toolkit.fluxcd.io/v1", "1"};
    ev.severity = std::move(severity);
    ev.timestamp = "2026-11-22T10:00:00Z";
    ev.message = std::move(message);
    ev.reason = "ReconciliationFailed";
    ev.metadata = {
        {"kustomize.toolkit.fluxcd.io/revision", "main@sha1:0123456789abcdef0123456789abcdef01234567"}};
    ev.reporting_controller = "kustomize-controller";
    return ev;
}

// Points a request built for the real service at the local recorder, keeping path and query.
http_request redirect(http_request r, const std::string& origin)
{
    auto u = parse_url(r.url);
    REQUIRE(u);
    r.url = origin + u->target;
    return r;
}

kube::object_ptr object_of(const std::string& yaml)
{
    auto v = parse_yaml(yaml);
    REQUIRE(v);
    return std::make_shared<const value>(*v);
}

struct fake_world {
    std::vector<kube::object_ptr> alerts;
    std::map<std::string, kube::object_ptr> providers;
    std::mutex mutex;
    std::vector<std::pair<std::string, std::string>> failures; // alert name, message

    dispatch_world get()
    {
        return {.alerts = [this] { return alerts; },
                .provider =
                    [this](const std::string& ns, const std::string& n) {
                        auto it = providers.find(ns + "/" + n);
                        return it == providers.end() ? nullptr : it->second;
                    },
                .secret = [](const std::string&,
                             const std::string&) -> result<std::map<std::string, std::string>> {
                    return std::map<std::string, std::string>{{"token", "s3cret"}};
                },
                .labels = {},
                .report_failure =
                    [this](const value& alert, const std::string&, const std::string& msg) {
                        std::lock_guard lock(mutex);
                        failures.emplace_back(std::string(alert.find_path({"metadata", "name"})->as_string()),
                                              msg);
                    }};
    }
};

std::string provider_yaml(const std::string& name, const std::string& type, const std::string& address)
{
    return "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata: {name: " + name +
           ", namespace: apps, uid: 0a1b2c3d-0000}\nspec: {type: " + type + ", address: '" + address +
           "', timeout: 2s, secretRef: {name: s}}\n";
}

std::string alert_yaml(const std::string& name, const std::string& provider)
{
    return "apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Alert\nmetadata: {name: " + name +
           ", namespace: apps}\nspec: {providerRef: {name: " + provider +
           "}, eventSources: [{kind: Kustomization, name: '*'}]}\n";
}

} // namespace

TEST_CASE("every provider's requests reach the service with method, path, headers and body intact",
          "[notification][delivery]")
{
    test::recorder svc;
    std::vector<provider_config> configs = {
        {.type = "generic", .address = "https://hooks.example/flux"},
        {.type = "generic-hmac", .address = "https://hooks.example/flux", .token = "k"},
        {.type = "slack", .address = "https://hooks.slack.com/services/T/B/X", .channel = "ops"},
        {.type = "discord", .address = "https://discord.com/api/webhooks/1/x"},
        {.type = "rocket", .address = "https://rocket.example/hooks/x"},
        {.type = "msteams", .address = "https://org.webhook.office.com/webhookb2/x"},
        {.type = "googlechat", .address = "https://chat.googleapis.com/v1/spaces/x/messages?key=k"},
        {.type = "webex", .channel = "room", .token = "t"},
        {.type = "telegram", .channel = "-100", .token = "1:a"},
        {.type = "matrix", .address = "https://matrix.example", .channel = "!r:example", .token = "t"},
        {.type = "lark", .address = "https://open.larksuite.com/open-apis/bot/v2/hook/x"},
        {.type = "opsgenie", .token = "t"},
        {.type = "pagerduty", .channel = "rk"},
        {.type = "alertmanager", .address = "https://am.example/api/v2/alerts"},
        {.type = "grafana", .address = "https://grafana.example/api/annotations", .token = "t"},
        {.type = "sentry", .address = "https://key@sentry.example/7"},
        {.type = "datadog", .token = "t"},
        {.type = "github", .address = "https://github.com/org/repo", .token = "t", .provider_uid = "ab-cd"},
        {.type = "gitlab", .address = "https://gitlab.com/g/p", .token = "t", .provider_uid = "ab-cd"},
        {.type = "gitea", .address = "https://gitea.example/o/r", .token = "t", .provider_uid = "ab-cd"},
        {.type = "bitbucket",
         .address = "https://bitbucket.org/o/r",
         .token = "u:p",
         .provider_uid = "ab-cd"},
        {.type = "bitbucketserver",
         .address = "https://bbs.example/scm/p/r.git",
         .token = "t",
         .provider_uid = "ab-cd"},
        {.type = "azuredevops",
         .address = "https://dev.azure.com/o/p/_git/r",
         .token = "t",
         .provider_uid = "ab-cd"},
    };
    std::size_t expected = 0;
    std::vector<http_request> sent;
    for (const auto& cfg : configs) {
        INFO(cfg.type);
        auto reqs = build_requests(cfg, sample());
        REQUIRE(reqs);
        REQUIRE_FALSE(reqs->empty());
        for (auto& r : *reqs) {
            auto local = redirect(r, svc.origin());
            auto resp = send_request(local, {.timeout = 5s});
            REQUIRE(resp);
            CHECK(resp->status == 200);
            sent.push_back(local);
            ++expected;
        }
    }
    auto got = svc.wait_for(expected);
    REQUIRE(got.size() == expected);
    for (std::size_t i = 0; i < expected; ++i) {
        INFO(sent[i].url);
        CHECK(got[i].method == sent[i].method);
        CHECK(svc.origin() + got[i].target == sent[i].url);
        CHECK(got[i].body == sent[i].body);
        CHECK(parse_json(got[i].body)); // every provider speaks JSON
        CHECK(got[i].header("content-type") == "application/json");
        for (const auto& [k, v] : sent[i].headers) {
            std::string lower = k;
            for (auto& c : lower)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            CHECK(got[i].header(lower) == v);
        }
    }
}

TEST_CASE("dispatcher retries transient failures with backoff and delivers once", "[notification][delivery]")
{
    test::recorder svc({503, 500});
    fake_world w;
    w.providers["apps/hook"] = object_of(provider_yaml("hook", "generic-hmac", svc.origin() + "/in"));
    w.alerts = {object_of(alert_yaml("a", "hook"))};
    dispatcher d({.workers = 2, .max_attempts = 4, .retry_base = 20ms, .group_window = 0ms}, w.get());
    d.submit(sample());
    auto got = svc.wait_for(3);
    REQUIRE(got.size() == 3);
    REQUIRE(d.wait_idle(5s));
    CHECK(d.stats().retried == 2);
    CHECK(d.stats().delivered == 1);
    CHECK(got[2].header("x-signature") == "sha256=" + providers::hex_hmac_sha256("s3cret", got[2].body));
    CHECK(w.failures.empty());
}

TEST_CASE("a failing provider is reported on its Alert and does not block another alert",
          "[notification][delivery]")
{
    test::recorder bad({401, 401, 401, 401});
    test::recorder good;
    fake_world w;
    w.providers["apps/bad"] = object_of(provider_yaml("bad", "generic", bad.origin() + "/x"));
    w.providers["apps/good"] = object_of(provider_yaml("good", "generic", good.origin() + "/y"));
    w.alerts = {object_of(alert_yaml("to-bad", "bad")), object_of(alert_yaml("to-good", "good")),
                object_of(alert_yaml("to-missing", "missing"))};
    dispatcher d({.workers = 2, .max_attempts = 3, .retry_base = 10ms, .group_window = 0ms}, w.get());
    d.submit(sample());
    REQUIRE(good.wait_for(1).size() == 1);
    REQUIRE(d.wait_idle(5s));
    CHECK(bad.count() == 1); // 401 is terminal: no retry
    std::lock_guard lock(w.mutex);
    REQUIRE(w.failures.size() == 2);
    std::set<std::string> names{w.failures[0].first, w.failures[1].first};
    CHECK(names == std::set<std::string>{"to-bad", "to-missing"});
    for (const auto& f : w.failures)
        if (f.first == "to-bad") CHECK(f.second.find("401") != std::string::npos);
}

TEST_CASE("repeated failures of one object within the window become one notification with a count",
          "[notification][delivery]")
{
    test::recorder svc;
    fake_world w;
    w.providers["apps/hook"] = object_of(provider_yaml("hook", "generic", svc.origin() + "/g"));
    w.alerts = {object_of(alert_yaml("a", "hook"))};
    dispatcher d({.workers = 2, .max_attempts = 1, .retry_base = 10ms, .group_window = 2000ms}, w.get());
    d.submit(sample("webapp", "error", "failure 0"));
    REQUIRE(svc.wait_for(1).size() == 1);
    for (int i = 1; i <= 4; ++i)
        d.submit(sample("webapp", "error", "failure " + std::to_string(i)));
    d.submit(sample("other", "error", "unrelated")); // another object is not held back
    auto got = svc.wait_for(3, 10s);
    REQUIRE(got.size() == 3);
    REQUIRE(d.wait_idle(5s));
    CHECK(svc.count() == 3);
    auto grouped = parse_json(got[2].body);
    REQUIRE(grouped);
    CHECK(grouped->get_string("message") == "failure 4 (failed 4 more times in the last 2s)");
    CHECK(grouped->find_path({"metadata", "count"})->as_string() == "4");
    CHECK(d.stats().grouped == 4);
}

TEST_CASE("events arrive over the gRPC stream and as Flux JSON on the same port", "[notification][delivery]")
{
    std::mutex m;
    std::vector<eventsink::flux_event> got;
    std::condition_variable cv;
    intake in({.dedup_window = 5min}, [&](eventsink::flux_event e) {
        std::lock_guard lock(m);
        got.push_back(std::move(e));
        cv.notify_all();
    });
    event_server server({.listen = "127.0.0.1:0"}, in);
    REQUIRE(server.start());
    std::string addr = "http://127.0.0.1:" + std::to_string(server.port()) + "/";

    eventsink::grpc_forwarder fwd({.address = addr, .instance = "test-pod"});
    runtime::event re;
    re.involved_object = weir::object{{"apiVersion", "source.toolkit.fluxcd.io/v1"},
                                      {"kind", "GitRepository"},
                                      {"namespace", "default"},
                                      {"name", "fleet"}};
    re.type = runtime::event_type::warning;
    re.reason = "GitOperationFailed";
    re.message = "authentication required";
    re.metadata = {{"source.toolkit.fluxcd.io/revision", "main@sha1:1"},
                   {"source.toolkit.fluxcd.io/digest", "sha256:x"}};
    re.reporting_controller = "source-controller";
    re.timestamp = std::chrono::system_clock::now();
    fwd.forward(re);
    REQUIRE(fwd.flush(10s));
    {
        std::unique_lock lock(m);
        REQUIRE(cv.wait_for(lock, 10s, [&] { return got.size() == 1; }));
        CHECK(got[0].involved_object.name == "fleet");
        CHECK(got[0].severity == "error");
        CHECK(got[0].reporting_instance == "test-pod");
        CHECK(got[0].metadata.size() == 1); // digest dropped by the intake
    }

    auto post = [&](const std::string& body) {
        auto r = send_request(
            {.method = "POST", .url = addr, .headers = {{"Content-Type", "application/json"}}, .body = body},
            {});
        return r ? r->status : r.err().code;
    };
    std::string flux_json = sample("from-flux", "info", "applied").to_json();
    CHECK(post(flux_json) == 202);
    CHECK(post(flux_json) == 429); // duplicate within the window
    CHECK(post("{\"message\":\"no object\"}") == 400);
    std::unique_lock lock(m);
    REQUIRE(cv.wait_for(lock, 10s, [&] { return got.size() == 2; }));
    CHECK(got[1].involved_object.name == "from-flux");
}

TEST_CASE("the forwarder keeps events while the receiver is down and sends them when it comes up",
          "[notification][delivery]")
{
    unsigned short port = 0;
    {
        // Find a free port, then release it for the server started later.
        http_server probe({.listen = "127.0.0.1:0"}, [](const server_request&) { return server_response{}; });
        REQUIRE(probe.start());
        port = probe.port();
    }
    eventsink::grpc_forwarder fwd({.address = "127.0.0.1:" + std::to_string(port),
                                   .instance = "",
                                   .buffer_size = 3,
                                   .min_backoff = 20ms,
                                   .max_backoff = 100ms});
    runtime::event re;
    re.involved_object =
        weir::object{{"apiVersion", "v1"}, {"kind", "GitRepository"}, {"namespace", "d"}, {"name", "x"}};
    re.reporting_controller = "t";
    for (int i = 0; i < 5; ++i) {
        re.message = "event " + std::to_string(i);
        fwd.forward(re); // returns at once although nothing listens
    }
    CHECK_FALSE(fwd.flush(200ms));

    std::mutex m;
    std::vector<std::string> got;
    intake in({}, [&](eventsink::flux_event e) {
        std::lock_guard lock(m);
        got.push_back(e.message);
    });
    event_server server({.listen = "127.0.0.1:" + std::to_string(port)}, in);
    REQUIRE(server.start());
    REQUIRE(fwd.flush(10s));
    auto stats = fwd.stats();
    for (int i = 0; i < 500 &&
                    [&] {
                        std::lock_guard lock(m);
                        return got.size() < stats.sent;
                    }();
         ++i)
        std::this_thread::sleep_for(20ms);
    std::lock_guard lock(m);
    // Three fit the buffer, a fourth may have been in flight when the buffer filled: the oldest
    // beyond that were dropped, every kept event arrived, in order, ending with the newest.
    CHECK(stats.dropped >= 1);
    CHECK(stats.dropped + got.size() == 5);
    CHECK(got.size() == stats.sent);
    REQUIRE_FALSE(got.empty());
    CHECK(got.back() == "event 4");
    CHECK(std::is_sorted(got.begin(), got.end()));
}

TEST_CASE("a Provider proxy receives plain-http requests in absolute form", "[notification][delivery]")
{
    test::recorder proxy;
    auto reqs =
        build_requests({.type = "generic", .address = "http://hooks.internal.example:8080/flux"}, sample());
    REQUIRE(reqs);
    auto resp = send_request(reqs->front(), {.timeout = 5s, .proxy = proxy.origin()});
    REQUIRE(resp);
    auto got = proxy.wait_for(1);
    REQUIRE(got.size() == 1);
    CHECK(got[0].target == "http://hooks.internal.example:8080/flux");
    CHECK(got[0].header("host") == "hooks.internal.example");
    CHECK(got[0].body == reqs->front().body);
    CHECK(got[0].header("proxy-authorization").empty());

    // proxySecretRef: address, username and password.
    fake_world w;
    w.providers["apps/hook"] =
        object_of("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata: {name: "
                  "hook, namespace: apps}\n"
                  "spec: {type: generic, address: 'http://hooks.internal.example/flux', proxySecretRef: "
                  "{name: proxy}}\n");
    dispatch_world world = w.get();
    world.secret = [&](const std::string&,
                       const std::string& name) -> result<std::map<std::string, std::string>> {
        if (name != "proxy") return terminal_error("unexpected secret " + name);
        return std::map<std::string, std::string>{
            {"address", proxy.origin()}, {"username", "u"}, {"password", "p"}};
    };
    auto resolved = dispatcher::resolve_provider(*w.providers["apps/hook"], world);
    REQUIRE(resolved);
    CHECK(resolved->second.proxy == proxy.origin());
    auto via = build_requests(resolved->first, sample());
    REQUIRE(via);
    REQUIRE(send_request(via->front(), resolved->second));
    got = proxy.wait_for(2);
    REQUIRE(got.size() == 2);
    CHECK(got[1].target == "http://hooks.internal.example:80/flux");
    CHECK(got[1].header("proxy-authorization") == "Basic dTpw");
}

TEST_CASE("a pooled connection the service closed is replaced, and a service gone is a transient error",
          "[notification][delivery]")
{
    std::string origin;
    std::atomic<int> served{0};
    {
        test::recorder svc;
        origin = svc.origin();
        for (int i = 0; i < 3; ++i)
            REQUIRE(send_request({.method = "POST", .url = origin + "/a", .headers = {}, .body = "{}"}, {}));
        served = static_cast<int>(svc.count());
    } // the service goes away with an idle pooled connection to it
    CHECK(served == 3);
    auto r =
        send_request({.method = "POST", .url = origin + "/a", .headers = {}, .body = "{}"}, {.timeout = 2s});
    REQUIRE_FALSE(r); // nothing listens now: a clear transient error, not a hang
    CHECK_FALSE(r.err().terminal());
}

TEST_CASE("the HTTP servers close a connection that sends nothing within the io timeout",
          "[notification][delivery]")
{
    http_server server({.listen = "127.0.0.1:0", .body_limit = 1024, .io_timeout = 200ms},
                       [](const server_request&) { return server_response{}; });
    REQUIRE(server.start());
    boost::asio::io_context io;
    boost::asio::ip::tcp::socket s(io);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), server.port()});
    boost::asio::write(
        s, boost::asio::buffer(std::string("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")));
    char buf[64];
    boost::system::error_code ec;
    std::size_t n = s.read_some(boost::asio::buffer(buf), ec); // the rest of the body never comes
    CHECK(n == 0);
    CHECK(ec == boost::asio::error::eof);
}

namespace {

// A one-request HTTPS service with a self-signed certificate (made by the openssl CLI).
struct tls_service {
    std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("weir-tls-" + std::to_string(::getpid()));
    std::string cert, key;
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor{io, {boost::asio::ip::make_address("127.0.0.1"), 0}};
    std::thread thread;
    std::string received_target;

    tls_service()
    {
        std::filesystem::create_directories(dir);
        std::string cmd = fmt::format("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                      "-nodes -days 1 -subj /CN=localhost "
                                      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout {0}/tls.key "
                                      "-out {0}/tls.crt 2>/dev/null",
                                      dir.string());
        REQUIRE(std::system(cmd.c_str()) == 0);
        cert = read(dir / "tls.crt");
        key = read(dir / "tls.key");
        thread = std::thread([this] { serve_one(); });
    }
    ~tls_service()
    {
        boost::system::error_code ec;
        ::shutdown(acceptor.native_handle(), SHUT_RDWR); // wakes a blocked accept
        acceptor.close(ec);
        if (thread.joinable()) thread.join();
        std::filesystem::remove_all(dir);
    }
    static std::string read(const std::filesystem::path& p)
    {
        std::ifstream in(p);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
    unsigned short port() const { return acceptor.local_endpoint().port(); }

    void serve_one()
    {
        namespace ssl = boost::asio::ssl;
        namespace http = boost::beast::http;
        ssl::context ctx(ssl::context::tls_server);
        ctx.use_certificate_chain(boost::asio::buffer(cert));
        ctx.use_private_key(boost::asio::buffer(key), ssl::context::pem);
        for (;;) {
            boost::asio::ip::tcp::socket sock(io);
            boost::system::error_code ec;
            acceptor.accept(sock, ec);
            if (ec) return;
            ssl::stream<boost::asio::ip::tcp::socket> s(std::move(sock), ctx);
            s.handshake(ssl::stream_base::server, ec);
            if (ec) continue; // a client that did not trust us
            boost::beast::flat_buffer buf;
            http::request<http::string_body> req;
            http::read(s, buf, req, ec);
            if (ec) continue;
            received_target = std::string(req.target());
            http::response<http::string_body> res{http::status::ok, 11};
            res.body() = "{}";
            res.keep_alive(false);
            res.prepare_payload();
            http::write(s, res, ec);
            s.shutdown(ec);
            return;
        }
    }
};

} // namespace

TEST_CASE("https providers trust the certSecretRef CA and refuse an unknown one", "[notification][delivery]")
{
    tls_service svc;
    std::string url = fmt::format("https://127.0.0.1:{}/hook", svc.port());
    http_request req{.method = "POST", .url = url, .headers = {}, .body = "{}"};
    auto untrusted = send_request(req, {.timeout = 5s});
    REQUIRE_FALSE(untrusted);
    CHECK(untrusted.err().message.find("TLS handshake") != std::string::npos);
    auto trusted = send_request(req, {.timeout = 5s, .proxy = {}, .ca_pem = svc.cert});
    REQUIRE(trusted);
    CHECK(trusted->status == 200);
    svc.thread.join(); // it serves one request, then ends
    CHECK(svc.received_target == "/hook");
}

TEST_CASE("the forwarder falls back to Flux's JSON POST when the address speaks HTTP/1.1 only",
          "[notification][delivery]")
{
    test::recorder flux; // a Flux-style receiver: JSON over HTTP/1.1, no gRPC
    auto u = parse_url(flux.origin());
    REQUIRE(u);
    eventsink::grpc_forwarder fwd({.address = "http://127.0.0.1:" + u->port + "/",
                                   .instance = "pod",
                                   .buffer_size = 16,
                                   .min_backoff = 20ms,
                                   .max_backoff = 100ms});
    runtime::event re;
    re.involved_object = weir::object{{"apiVersion", "kustomize.toolkit.fluxcd.io/v1"},
                                      {"kind", "Kustomization"},
                                      {"namespace", "apps"},
                                      {"name", "web"}};
    re.reason = "ReconciliationSucceeded";
    re.message = "applied";
    re.reporting_controller = "kustomize-controller";
    fwd.forward(re);
    REQUIRE(fwd.flush(10s));
    std::vector<server_request> got;
    for (int i = 0; i < 200; ++i) {
        got = flux.wait_for(1, std::chrono::seconds(1));
        bool json = std::any_of(got.begin(), got.end(), [](const server_request& r) {
            return r.method == "POST" && r.target == "/";
        });
        if (json) break;
    }
    auto it = std::find_if(got.begin(), got.end(),
                           [](const server_request& r) { return r.method == "POST" && r.target == "/"; });
    REQUIRE(it != got.end());
    auto ev = eventsink::flux_event::from_json(it->body);
    REQUIRE(ev);
    CHECK(ev->involved_object.name == "web");
    CHECK(ev->reporting_instance == "pod");
    CHECK(it->header("content-type") == "application/json");
}

TEST_CASE("dispatcher delivers to a nats provider over the NATS protocol, with the Secret's token",
          "[notification][delivery][nats]")
{
    test::fake_nats server(test::nats_info, "PONG");
    fake_world w;
    w.providers["apps/bus"] =
        object_of("apiVersion: notification.toolkit.fluxcd.io/v1beta3\nkind: Provider\nmetadata: {name: bus, "
                  "namespace: apps, "
                  "uid: 0a1b2c3d-0000}\nspec: {type: nats, address: '" +
                  server.url() + "', channel: flux.events, timeout: 2s, secretRef: {name: s}}\n");
    w.alerts = {object_of(alert_yaml("a", "bus"))};
    dispatcher d({.workers = 1, .max_attempts = 1, .retry_base = 10ms, .group_window = 0ms}, w.get());
    d.submit(sample());
    REQUIRE(d.wait_idle(5s));
    CHECK(d.stats().delivered == 1);
    std::string got = server.received();
    CHECK(got.find(R"("auth_token":"s3cret")") != std::string::npos);
    CHECK(got.find("\r\nPUB flux.events ") != std::string::npos);
    CHECK(got.find(R"("name":"webapp")") != std::string::npos);
    CHECK(w.failures.empty());
}
