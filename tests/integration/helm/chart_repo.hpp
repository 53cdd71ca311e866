// A Helm chart repository for tests: charts written as directories, packaged with the real `tar`,
// listed in an index.yaml with their sha256 digests, and served over HTTP on loopback by a small
// python3 server (optionally behind basic auth). Stopped by PID when the object goes away.
#pragma once

#include "support/child_process.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::test {

struct chart_version {
    std::string name, version;
    std::map<std::string, std::string> files; // relative to the chart directory; Chart.yaml added
};

class chart_repo {
public:
    // Serves `dir` (created); `credentials` "user:password" requires basic auth; `tls` serves
    // HTTPS with a certificate for 127.0.0.1 made by openssl (its CA is ca_pem()).
    chart_repo(std::filesystem::path dir, std::string credentials = {}, bool tls = false);
    // Packages the chart as <name>-<version>.tgz and rewrites index.yaml with every chart added.
    // `digest_override` replaces the digest written in the index (to test verification);
    // `url_prefix` goes in front of the file name in the index ("redirect/" answers with a 302).
    void add(const chart_version& chart, const std::string& digest_override = {},
             const std::string& url_prefix = {});
    std::string url() const; // "http://127.0.0.1:<port>/" (https with tls)
    const std::string& ca_pem() const { return ca_pem_; }
    const std::filesystem::path& dir() const { return dir_; }

private:
    void write_index();
    std::filesystem::path dir_;
    unsigned short port_ = 0;
    bool tls_ = false;
    std::string ca_pem_;
    std::unique_ptr<child_process> server_;
    struct entry {
        std::string name, version, digest, prefix;
    };
    std::vector<entry> entries_;
};

// A chart's directory with Chart.yaml (apiVersion v2) and the given files.
void write_chart_dir(const std::filesystem::path& dir, const chart_version& chart);
// Extracts a .tgz with the real `tar` into `into`; returns the file's text at `path` inside.
std::string read_from_tgz(const std::filesystem::path& tgz, const std::filesystem::path& into,
                          const std::string& path);

} // namespace weir::test
