// weir-apiserver throughput and memory, over HTTPS like any client: creates/s, server-side
// applies/s of a 40-line Deployment, a list of 10,000 objects, watch fan-out of 1,000 events to
// 10 watchers, and RSS idle and with 10,000 objects. Not a test: it prints figures.
//
//   apiserver_bench [path/to/weir-apiserver] [objects]
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fmt/format.h>
#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

namespace net = boost::asio;
namespace ssl = net::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

std::string slurp(const std::filesystem::path& p)
{
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct client {
    net::io_context io;
    ssl::context ctx{ssl::context::tls_client};
    beast::ssl_stream<beast::tcp_stream> stream{io, ctx};
    beast::flat_buffer buf;
    std::string token;

    client(unsigned short port, std::string tok) : token(std::move(tok))
    {
        ctx.set_verify_mode(ssl::verify_none); // the bench measures the server, not the CA check
        tcp::resolver r(io);
        beast::get_lowest_layer(stream).connect(r.resolve("127.0.0.1", std::to_string(port)));
        stream.handshake(ssl::stream_base::client);
    }
    http::response<http::string_body> call(http::verb verb, std::string target, std::string body = {},
                                           std::string ct = "application/json")
    {
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, "127.0.0.1");
        req.set(http::field::authorization, "Bearer " + token);
        req.set(http::field::content_type, ct);
        req.body() = std::move(body);
        req.prepare_payload();
        http::write(stream, req);
        http::response<http::string_body> res;
        http::response_parser<http::string_body> p;
        p.body_limit(1u << 30);
        http::read(stream, buf, p);
        return p.release();
    }
};

long rss_kib(pid_t pid)
{
    std::istringstream in(slurp("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmRSS:")) return std::stol(line.substr(6));
    return -1;
}

std::string deployment(int i, const std::string& image)
{
    return fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{0}
  namespace: default
  labels:
    app: app-{0}
    team: bench
spec:
  replicas: 2
  selector:
    matchLabels:
      app: app-{0}
  template:
    metadata:
      labels:
        app: app-{0}
    spec:
      containers:
      - name: web
        image: {1}
        ports:
        - containerPort: 8080
          name: http
        env:
        - name: MODE
          value: production
        - name: LEVEL
          value: info
        resources:
          limits:
            cpu: 500m
            memory: 128Mi
        readinessProbe:
          httpGet:
            path: /ready
            port: http
      - name: sidecar
        image: busybox:1.36
        args: [sleep, infinity]
)",
                       i, image);
}

double per_sec(int n, clock_type::duration d) { return n / std::chrono::duration<double>(d).count(); }

} // namespace

int main(int argc, char** argv)
{
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    std::filesystem::path bin = argc > 1 ? std::filesystem::path(argv[1])
                                         : std::filesystem::absolute(argv[0]).parent_path().parent_path() / "bin" / "weir-apiserver";
    int objects = argc > 2 ? std::atoi(argv[2]) : 10000;
    char tmpl[] = "/tmp/weir-apiserver-bench-XXXXXX";
    std::filesystem::path dir = mkdtemp(tmpl);
    auto log = dir / "server.log";
    pid_t pid = fork();
    if (pid == 0) {
        FILE* f = std::fopen(log.c_str(), "w");
        dup2(fileno(f), 1);
        dup2(fileno(f), 2);
        execl(bin.c_str(), bin.c_str(), "--data-dir", (dir / "data").c_str(), "--listen", "127.0.0.1:0", nullptr);
        _exit(127);
    }
    unsigned short port = 0;
    for (int i = 0; i < 500 && !port; ++i) {
        auto text = slurp(log);
        if (auto at = text.find("127.0.0.1:"); at != std::string::npos && text.find('\n', at) != std::string::npos)
            port = static_cast<unsigned short>(std::stoi(text.substr(at + 10)));
        else std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!port) {
        fmt::print(stderr, "server did not start: {}\n", slurp(log));
        return 1;
    }
    std::string token = slurp(dir / "data" / "token");
    token.erase(token.find_last_not_of("\n") + 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    fmt::print("idle RSS: {:.1f} MiB\n", rss_kib(pid) / 1024.0);

    client c(port, token);
    // Watch fan-out: 10 watchers, 1,000 events.
    {
        constexpr int watchers = 10, events = 1000;
        std::atomic<int> done{0};
        std::vector<std::thread> threads;
        std::atomic<int> ready{0};
        for (int w = 0; w < watchers; ++w)
            threads.emplace_back([&] {
                client wc(port, token);
                http::request<http::empty_body> req{http::verb::get,
                                                    "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=" +
                                                        std::to_string(1),
                                                    11};
                req.set(http::field::authorization, "Bearer " + token);
                req.set(http::field::host, "127.0.0.1");
                http::write(wc.stream, req);
                http::response_parser<http::buffer_body> p;
                http::read_header(wc.stream, wc.buf, p);
                ready++;
                int seen = 0;
                char data[65536];
                while (seen < events) {
                    p.get().body().data = data;
                    p.get().body().size = sizeof data;
                    boost::system::error_code ec;
                    http::read_some(wc.stream, wc.buf, p, ec);
                    if (ec && ec != http::error::need_buffer) break;
                    std::string_view got(data, sizeof data - p.get().body().size);
                    for (char ch : got) seen += ch == '\n';
                }
                done++;
            });
        while (ready < watchers) std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto t0 = clock_type::now();
        for (int i = 0; i < events; ++i)
            c.call(http::verb::post, "/api/v1/namespaces/default/configmaps",
                   fmt::format(R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"w-{}"}},"data":{{"k":"v"}}}})", i));
        for (auto& t : threads) t.join();
        auto d = clock_type::now() - t0;
        fmt::print("watch fan-out: {} events to {} watchers in {:.0f} ms ({:.0f} deliveries/s)\n", events, watchers,
                   std::chrono::duration<double, std::milli>(d).count(), per_sec(events * watchers, d));
        for (int i = 0; i < events; ++i) c.call(http::verb::delete_, fmt::format("/api/v1/namespaces/default/configmaps/w-{}", i));
    }
    // Creates.
    auto t0 = clock_type::now();
    for (int i = 0; i < objects; ++i) {
        auto res = c.call(http::verb::post, "/api/v1/namespaces/default/configmaps",
                          fmt::format(R"({{"apiVersion":"v1","kind":"ConfigMap","metadata":{{"name":"cm-{}","labels":{{"app":"bench"}}}},"data":{{"key":"value-{}","other":"some longer text to make the object realistic"}}}})",
                                      i, i));
        if (res.result_int() != 201) {
            fmt::print(stderr, "create failed: {}\n", res.body());
            return 1;
        }
    }
    fmt::print("creates: {} ConfigMaps at {:.0f}/s\n", objects, per_sec(objects, clock_type::now() - t0));
    t0 = clock_type::now();
    auto list = c.call(http::verb::get, "/api/v1/namespaces/default/configmaps");
    auto d = clock_type::now() - t0;
    fmt::print("list: {} objects ({:.1f} MiB) in {:.1f} ms\n", objects, list.body().size() / 1048576.0,
               std::chrono::duration<double, std::milli>(d).count());
    fmt::print("RSS with {} objects: {:.1f} MiB\n", objects, rss_kib(pid) / 1024.0);

    // Server-side apply of a 40-line Deployment: first applies create, second ones change the image.
    int applies = std::min(objects, 2000);
    for (int pass = 0; pass < 4; ++pass) {
        // The last pass sends JSON, as kubectl and client libraries do for apply patches.
        std::vector<std::string> bodies;
        for (int i = 0; i < applies; ++i) {
            std::string y = deployment(i, pass == 0 ? "nginx:1.25" : pass == 1 ? "nginx:1.26" : pass == 2 ? "nginx:1.26" : "nginx:1.27");
            bodies.push_back(pass == 3 ? weir::to_json(*weir::parse_yaml(y)) : y);
        }
        t0 = clock_type::now();
        for (int i = 0; i < applies; ++i) {
            auto res = c.call(http::verb::patch,
                              fmt::format("/apis/apps/v1/namespaces/default/deployments/app-{}?fieldManager=bench", i),
                              bodies[static_cast<std::size_t>(i)], "application/apply-patch+yaml");
            if (res.result_int() >= 300) {
                fmt::print(stderr, "apply failed: {}\n", res.body());
                return 1;
            }
        }
        const char* what = pass == 0 ? "YAML, creating" : pass == 1 ? "YAML, changing the image" : pass == 2 ? "YAML, unchanged" : "JSON, changing the image";
        fmt::print("server-side apply ({}): {} at {:.0f}/s\n", what, applies, per_sec(applies, clock_type::now() - t0));
    }
    kill(pid, SIGTERM);
    waitpid(pid, nullptr, 0);
    std::filesystem::remove_all(dir);
    return 0;
}
