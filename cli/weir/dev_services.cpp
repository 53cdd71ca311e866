#include "dev_services.hpp"

#include <weir/core/ops_server.hpp>
#include <weir/oci/client.hpp>

#include <fmt/format.h>

#include <atomic>
#include <fstream>
#include <mutex>
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

struct alert_sink::impl {
    fs::path file;
    ops_server server{{.listen = "127.0.0.1:0"}};
    std::mutex mutex;
    std::atomic<std::size_t> received{0};
};

alert_sink::alert_sink(fs::path file) : impl_(std::make_unique<impl>())
{
    impl_->file = std::move(file);
    impl_->server.add_handler("/", [this](std::string_view method, std::string_view body) {
        if (method != "POST") return std::pair<int, std::string>{405, "POST alerts here"};
        std::string line(body);
        std::erase(line, '\n'); // one alert per line, whatever the provider's JSON layout
        std::lock_guard lock(impl_->mutex);
        std::ofstream(impl_->file, std::ios::app) << line << "\n";
        ++impl_->received;
        return std::pair<int, std::string>{200, "ok"};
    });
}

alert_sink::~alert_sink()
{
    impl_->server.stop();
}

status alert_sink::start()
{
    return impl_->server.start();
}

unsigned short alert_sink::port() const
{
    return impl_->server.port();
}

std::size_t alert_sink::received() const
{
    return impl_->received;
}

} // namespace weir::cli
