#include "chart_repo.hpp"

#include "support/paths.hpp"

#include <weir/artifact/digest.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <thread>

namespace weir::test {
namespace fs = std::filesystem;

void write_chart_dir(const fs::path& dir, const chart_version& chart)
{
    fs::create_directories(dir);
    std::ofstream(dir / "Chart.yaml") << fmt::format(
        "apiVersion: v2\nname: {}\nversion: {}\nappVersion: \"1.0\"\n", chart.name, chart.version);
    for (const auto& [path, text] : chart.files) {
        fs::create_directories((dir / path).parent_path());
        std::ofstream(dir / path) << text;
    }
}

std::string read_from_tgz(const fs::path& tgz, const fs::path& into, const std::string& path)
{
    fs::create_directories(into);
    std::string out;
    int rc = run_command(fmt::format("tar -xzf {} -C {}", tgz.string(), into.string()), &out);
    INFO(out);
    REQUIRE(rc == 0);
    std::ifstream in(into / path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

chart_repo::chart_repo(fs::path dir, std::string credentials, bool tls) : dir_(std::move(dir)), tls_(tls)
{
    fs::create_directories(dir_);
    write_index();
    port_ = free_port();
    std::vector<std::string> args{(source_dir() / "tests/integration/helm/chart_repo_server.py").string(),
                                  dir_.string(), std::to_string(port_),
                                  credentials.empty() ? "-" : credentials};
    if (tls) {
        fs::path keys = dir_.parent_path() / (dir_.filename().string() + "-tls");
        fs::create_directories(keys);
        std::string out;
        int rc = run_command(
            fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                        "-addext subjectAltName=IP:127.0.0.1 -keyout {0}/key.pem -out {0}/cert.pem 2>&1",
                        keys.string()),
            &out);
        INFO(out);
        REQUIRE(rc == 0);
        std::ifstream in(keys / "cert.pem");
        std::stringstream ss;
        ss << in.rdbuf();
        ca_pem_ = ss.str();
        args.push_back((keys / "cert.pem").string());
        args.push_back((keys / "key.pem").string());
    }
    server_ = std::make_unique<child_process>("/usr/bin/python3", args);
    REQUIRE(server_->start());
    // Ready once the index answers (with or without auth).
    for (int i = 0; i < 100; ++i) {
        if (run_command(fmt::format("curl -sk -o /dev/null {}", url())) == 0) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("chart repository server did not start: " << server_->log());
}

void chart_repo::add(const chart_version& chart, const std::string& digest_override,
                     const std::string& url_prefix)
{
    fs::path src = dir_ / ".src" / chart.version / chart.name;
    write_chart_dir(src, chart);
    std::string file = fmt::format("{}-{}.tgz", chart.name, chart.version);
    std::string out;
    int rc = run_command(
        fmt::format("tar -czf {} -C {} {}", (dir_ / file).string(), src.parent_path().string(), chart.name),
        &out);
    INFO(out);
    REQUIRE(rc == 0);
    auto digest = artifact::file_digest(dir_ / file);
    REQUIRE(digest);
    entries_.push_back({chart.name, chart.version,
                        digest_override.empty() ? digest->substr(7) : digest_override, url_prefix});
    write_index();
}

void chart_repo::write_index()
{
    std::map<std::string, std::string> by_chart;
    for (const auto& e : entries_)
        by_chart[e.name] +=
            fmt::format("  - name: {}\n    version: {}\n    digest: {}\n    urls:\n    - {}{}-{}.tgz\n",
                        e.name, e.version, e.digest, e.prefix, e.name, e.version);
    std::string text = "apiVersion: v1\nentries:\n";
    if (entries_.empty()) text = "apiVersion: v1\nentries: {}\n";
    for (const auto& [name, list] : by_chart)
        text += "  " + name + ":\n" + list;
    std::ofstream(dir_ / "index.yaml") << text;
}

std::string chart_repo::url() const
{
    return fmt::format("{}://127.0.0.1:{}/", tls_ ? "https" : "http", port_);
}

} // namespace weir::test
