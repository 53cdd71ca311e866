#include "dev_services.hpp"

#include <weir/artifact/tarball.hpp>
#include <weir/core/ops_server.hpp>
#include <weir/core/yaml.hpp>
#include <weir/oci/client.hpp>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace weir::cli {

namespace fs = std::filesystem;

status write_registry_config(const fs::path& file, const fs::path& data, unsigned short port)
{
    std::ofstream out(file);
    out << "version: 0.1\n"
        << "log: {level: error, accesslog: {disabled: true}}\n"
        << "storage: {filesystem: {rootdirectory: " << fs::absolute(data).string() << "}}\n"
        << "http: {addr: 127.0.0.1:" << port << ", secret: weir-dev}\n";
    if (!out) return terminal_error("cannot write " + file.string());
    return ok();
}

namespace {

// A one-layer image whose layer names its tag, so every tag has its own digest as real ones do.
result<std::string> push_image(oci::registry_client& reg, const std::string& repository,
                               const std::string& tag)
{
    const std::string config =
        R"({"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[]}})";
    const std::string layer = repository + ":" + tag;
    WEIR_TRY_ASSIGN(auto config_digest, reg.put_blob(repository, config));
    WEIR_TRY_ASSIGN(auto layer_digest, reg.put_blob(repository, layer));
    std::string manifest = fmt::format(
        R"({{"schemaVersion":2,"mediaType":"{}","config":{{"mediaType":"application/vnd.oci.image.config.v1+json",)"
        R"("digest":"{}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{}",)"
        R"("size":{}}}]}})",
        oci::media_oci_manifest, config_digest, config.size(), layer_digest, layer.size());
    return reg.put_manifest(repository, tag, oci::media_oci_manifest, manifest);
}

} // namespace

status seed_registry(const std::string& host, const std::string& repository,
                     const std::vector<std::string>& tags, std::chrono::milliseconds patience)
{
    oci::registry_client reg(host, {.insecure = true, .timeout = std::chrono::seconds(5)});
    auto deadline = std::chrono::steady_clock::now() + patience;
    for (const auto& tag : tags) {
        for (;;) {
            auto pushed = push_image(reg, repository, tag);
            if (pushed) break;
            // The registry takes a moment to listen after it starts.
            if (pushed.err().terminal() || std::chrono::steady_clock::now() > deadline)
                return pushed.err().wrap(
                    fmt::format("pushing {}:{} to the dev registry {}", repository, tag, host));
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }
    return ok();
}

struct dev_http_server::impl {
    fs::path alerts_file;
    ops_server server{{.listen = "127.0.0.1:0"}};
    std::mutex mutex;
    std::atomic<std::size_t> received{0};
    struct chart {
        std::string name, version, file, digest;
    };
    std::vector<chart> charts;

    std::pair<int, std::string> record_alert(std::string_view method, std::string_view body)
    {
        if (method != "POST") return {405, "POST alerts here"};
        std::string line(body);
        std::erase(line, '\n'); // one alert per line, whatever the provider's JSON layout
        std::lock_guard lock(mutex);
        std::ofstream(alerts_file, std::ios::app) << line << "\n";
        ++received;
        return {200, "ok"};
    }

    // Helm's repository index; package URLs are relative to the index, as `helm repo index` writes.
    std::string index_yaml() const
    {
        std::string out = "apiVersion: v1\nentries:\n";
        for (const auto& c : charts)
            out += fmt::format("  {}:\n  - apiVersion: v2\n    name: {}\n    version: {}\n    digest: {}\n"
                               "    created: \"2026-01-01T00:00:00Z\"\n    urls:\n    - {}\n",
                               c.name, c.name, c.version, c.digest, c.file);
        return out + "generated: \"2026-01-01T00:00:00Z\"\n";
    }
};

dev_http_server::dev_http_server(fs::path alerts_file) : impl_(std::make_unique<impl>())
{
    impl_->alerts_file = std::move(alerts_file);
    impl_->server.add_handler("/", [this](std::string_view method, std::string_view body) {
        return impl_->record_alert(method, body);
    });
}

dev_http_server::~dev_http_server()
{
    impl_->server.stop();
}

status dev_http_server::publish_charts(const fs::path& charts, const fs::path& work)
{
    if (!fs::is_directory(charts)) return ok(); // a fleet without charts
    for (const auto& entry : fs::directory_iterator(charts)) {
        if (!fs::exists(entry.path() / "Chart.yaml")) continue;
        std::ifstream in(entry.path() / "Chart.yaml");
        std::stringstream text;
        text << in.rdbuf();
        WEIR_TRY_ASSIGN(auto meta, parse_yaml(text.str()));
        impl::chart c{std::string(meta.get_string("name")), std::string(meta.get_string("version")), "", ""};
        if (c.name.empty() || c.version.empty())
            return terminal_error(fmt::format("{}: a chart needs a name and a version",
                                              (entry.path() / "Chart.yaml").string()));
        // A Helm package is a tar.gz whose entries start with the chart's name.
        fs::path staging = work / ("package-" + c.name);
        fs::remove_all(staging);
        fs::create_directories(staging);
        fs::copy(entry.path(), staging / c.name, fs::copy_options::recursive);
        c.file = fmt::format("{}-{}.tgz", c.name, c.version);
        WEIR_TRY_ASSIGN(auto built, artifact::build_tarball(staging, work / c.file));
        fs::remove_all(staging);
        c.digest = built.digest.substr(built.digest.find(':') + 1);
        std::ifstream package(work / c.file, std::ios::binary);
        std::stringstream bytes;
        bytes << package.rdbuf();
        impl_->server.add_handler("/charts/" + c.file,
                                  [body = bytes.str()](std::string_view, std::string_view) {
                                      return std::pair<int, std::string>{200, body};
                                  });
        impl_->charts.push_back(std::move(c));
    }
    impl_->server.add_handler("/charts/index.yaml",
                              [index = impl_->index_yaml()](std::string_view, std::string_view) {
                                  return std::pair<int, std::string>{200, index};
                              });
    return ok();
}

status dev_http_server::start()
{
    return impl_->server.start();
}

unsigned short dev_http_server::port() const
{
    return impl_->server.port();
}

std::string dev_http_server::charts_url() const
{
    return fmt::format("http://127.0.0.1:{}/charts", port());
}

std::size_t dev_http_server::alerts_received() const
{
    return impl_->received;
}

} // namespace weir::cli
