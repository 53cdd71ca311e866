// Helpers for the artifact tests: scratch directories, files, hand-made (hostile) tarballs, and a
// tiny blocking HTTP client.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <filesystem>
#include <map>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace weir::test {

namespace fs = std::filesystem;

struct scratch_dir {
    fs::path path;
    scratch_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("weir-artifact-test-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~scratch_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path operator/(const std::string& s) const { return path / s; }
};

inline void write_text(const fs::path& p, const std::string& text)
{
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

inline std::string read_text(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct tar_entry {
    std::string name;
    mode_t type = AE_IFREG;
    std::string data;     // file content
    std::string link;     // symlink target
    std::string hardlink; // hardlink target
    la_int64_t declared_size = -1;
};

// Writes entries verbatim (no checks), gzip-compressed unless plain.
inline void write_tar(const fs::path& out, const std::vector<tar_entry>& entries, bool gzip = true)
{
    archive* a = archive_write_new();
    if (gzip) archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, out.c_str());
    for (const auto& e : entries) {
        archive_entry* en = archive_entry_new();
        archive_entry_set_pathname(en, e.name.c_str());
        archive_entry_set_filetype(en, e.type);
        archive_entry_set_perm(en, 0644);
        if (!e.hardlink.empty()) archive_entry_set_hardlink(en, e.hardlink.c_str());
        if (!e.link.empty()) archive_entry_set_symlink(en, e.link.c_str());
        archive_entry_set_size(en, e.declared_size >= 0 ? e.declared_size : static_cast<la_int64_t>(e.data.size()));
        archive_write_header(a, en);
        if (!e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
        archive_entry_free(en);
    }
    archive_write_close(a);
    archive_write_free(a);
}

struct listed_entry {
    std::string name;
    mode_t type;
    mode_t perm;
    long long mtime;
    long long uid, gid;
    std::string uname, gname;
};

inline std::vector<listed_entry> list_tar(const fs::path& file)
{
    std::vector<listed_entry> out;
    archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    if (archive_read_open_filename(a, file.c_str(), 10240) == ARCHIVE_OK) {
        archive_entry* e;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            out.push_back({archive_entry_pathname(e), archive_entry_filetype(e), archive_entry_perm(e),
                           static_cast<long long>(archive_entry_mtime(e)), archive_entry_uid(e), archive_entry_gid(e),
                           archive_entry_uname(e) ? archive_entry_uname(e) : "",
                           archive_entry_gname(e) ? archive_entry_gname(e) : ""});
            archive_read_data_skip(a);
        }
    }
    archive_read_free(a);
    return out;
}

struct http_reply {
    unsigned status = 0;
    std::string body;
    std::map<std::string, std::string> headers;
};

inline http_reply http_request(unsigned short port, const std::string& method, const std::string& target,
                               std::vector<std::pair<std::string, std::string>> headers = {})
{
    namespace net = boost::asio;
    namespace http = boost::beast::http;
    net::io_context ioc;
    net::ip::tcp::socket s(ioc);
    s.connect({net::ip::make_address("127.0.0.1"), port});
    http::request<http::empty_body> req{method == "HEAD" ? http::verb::head : http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (auto& [k, v] : headers) req.set(k, v);
    http::write(s, req);
    boost::beast::flat_buffer buf;
    http::response_parser<http::string_body> p;
    if (method == "HEAD") p.skip(true);
    http::read(s, buf, p);
    http_reply r;
    r.status = p.get().result_int();
    r.body = p.get().body();
    for (auto& f : p.get()) r.headers[std::string(f.name_string())] = std::string(f.value());
    return r;
}

} // namespace weir::test
