// Signatures of commits and annotated tags in a mirror, split from the bytes they sign.
#include "raii.hpp"

#include <weir/git/mirror.hpp>

namespace weir::git {
using namespace detail;

namespace {

result<repository_ptr> open_bare(const std::filesystem::path& mirror, const std::string& url)
{
    git_repository* raw = nullptr;
    if (git_repository_open_bare(&raw, mirror.c_str()) < 0)
        return transient_error("no mirror of " + url + " yet: sync first", "GitOperationFailed");
    return repository_ptr(raw);
}

// A tag's signature is appended to its message; the signed payload is everything before it.
std::size_t signature_start(std::string_view raw)
{
    std::size_t best = std::string_view::npos;
    for (std::string_view marker : {"-----BEGIN PGP SIGNATURE-----", "-----BEGIN SSH SIGNATURE-----"}) {
        for (std::size_t at = raw.find(marker); at != std::string_view::npos; at = raw.find(marker, at + 1))
            if (at == 0 || raw[at - 1] == '\n')
                best = best == std::string_view::npos ? at : std::max(best, at);
    }
    return best;
}

std::string header_value(std::string_view raw, std::string_view key)
{
    std::string prefix = std::string(key) + " ";
    for (std::size_t pos = 0; pos < raw.size();) {
        auto nl = raw.find('\n', pos);
        std::string_view line =
            raw.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
        if (line.empty()) break; // end of headers
        if (line.starts_with(prefix)) return std::string(line.substr(prefix.size()));
        if (nl == std::string_view::npos) break;
        pos = nl + 1;
    }
    return {};
}

} // namespace

result<signed_object> mirror_cache::commit_signature(const std::string& url, const std::string& commit)
{
    auto lock = lock_for(url);
    std::lock_guard g(*lock);
    ensure_init();
    WEIR_TRY_ASSIGN(auto repo, open_bare(mirror_path(url), url));
    git_oid oid;
    if (git_oid_fromstr(&oid, commit.c_str()) < 0)
        return terminal_error("'" + commit + "' is not a commit hash", "InvalidGitObject");
    git_buf sig = GIT_BUF_INIT, data = GIT_BUF_INIT;
    int rc = git_commit_extract_signature(&sig, &data, repo.get(), &oid, nullptr);
    signed_object out;
    out.name = commit;
    if (rc == 0) {
        out.signature.assign(sig.ptr, sig.size);
        out.payload.assign(data.ptr, data.size);
    }
    git_buf_dispose(&sig);
    git_buf_dispose(&data);
    if (rc < 0 && rc != GIT_ENOTFOUND) {
        const git_error* e = git_error_last();
        return transient_error("cannot read commit " + commit + " in the mirror of " + url + ": " +
                                   (e ? e->message : "?"),
                               "GitOperationFailed");
    }
    return out;
}

result<signed_object> mirror_cache::tag_signature(const std::string& url, const std::string& tag_object)
{
    auto lock = lock_for(url);
    std::lock_guard g(*lock);
    ensure_init();
    WEIR_TRY_ASSIGN(auto repo, open_bare(mirror_path(url), url));
    git_oid oid;
    git_odb* odb = nullptr;
    git_odb_object* obj = nullptr;
    if (git_oid_fromstr(&oid, tag_object.c_str()) < 0 || git_repository_odb(&odb, repo.get()) < 0)
        return terminal_error("'" + tag_object + "' is not a tag object hash", "InvalidGitObject");
    int rc = git_odb_read(&obj, odb, &oid);
    git_odb_free(odb);
    if (rc < 0)
        return transient_error("tag object " + tag_object + " is not in the mirror of " + url,
                               "GitOperationFailed");
    bool is_tag = git_odb_object_type(obj) == GIT_OBJECT_TAG;
    std::string raw(static_cast<const char*>(git_odb_object_data(obj)), git_odb_object_size(obj));
    git_odb_object_free(obj);
    if (!is_tag)
        return terminal_error("object " + tag_object + " is not an annotated tag", "InvalidGitObject");
    signed_object out;
    out.name = header_value(raw, "tag");
    out.target = header_value(raw, "object");
    auto at = signature_start(raw);
    if (at == std::string::npos)
        out.payload = raw;
    else {
        out.payload = raw.substr(0, at);
        out.signature = raw.substr(at);
    }
    return out;
}

} // namespace weir::git
