// Remote callbacks shared by fetch, ls-remote, clone and push (private): credentials, TLS and SSH
// host key checks, and the translation of libgit2 failures into weir errors.
#pragma once

#include "raii.hpp"

#include <weir/core/result.hpp>
#include <weir/git/auth.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace weir::git::detail {

struct url_info {
    std::string scheme; // "https", "http", "ssh", "git", "file"
    std::string user;
    std::string host;
    int port = 0;
};
url_info parse_url(const std::string& url);

// Lives for one remote operation; libgit2 callbacks write what went wrong into it.
class session {
public:
    session(std::string url, const auth_options& auth);
    ~session();
    session(const session&) = delete;
    session& operator=(const session&) = delete;

    git_remote_callbacks callbacks();
    // Custom headers (bearer token), valid while the session lives.
    git_strarray* headers();
    // The proxy of auth.proxy_url (with its credentials), or "no proxy"; valid while the session lives.
    const git_proxy_options* proxy();
    status check() const; // terminal error for options that cannot work (ssh without known_hosts)
    // Translates a libgit2 return code into a weir error for `what` ("fetch", "push"...).
    error fail(int rc, std::string_view what) const;

    // callback state (public for the C callbacks)
    std::string url_;
    url_info info_;
    const auth_options& auth_;
    int cred_calls_ = 0;
    std::string cert_error_, cert_reason_;
    bool auth_exhausted_ = false;
    std::filesystem::path key_dir_;
    void* push_payload_ = nullptr;
    bool proxy_cred_offered_ = false;

private:
    std::vector<std::string> header_storage_;
    std::vector<char*> header_ptrs_;
    git_strarray header_array_{};
    git_proxy_options proxy_opts_ = GIT_PROXY_OPTIONS_INIT;
};

} // namespace weir::git::detail
