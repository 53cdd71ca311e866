#include <weir/git/reference.hpp>

namespace weir::git {

bool is_sha1(std::string_view s)
{
    if (s.size() != 40) return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string format_revision(std::string_view ref, std::string_view sha)
{
    std::string out;
    if (!ref.empty()) out.append(ref).append("@");
    out.append("sha1:").append(sha);
    return out;
}

result<parsed_revision> parse_revision(std::string_view rev)
{
    auto bad = [&] {
        return terminal_error("revision '" + std::string(rev) + "' is not '<ref>@sha1:<hex>', 'sha1:<hex>' or '<ref>/<hex>'",
                              "InvalidRevision");
    };
    auto at = rev.rfind("@sha1:");
    if (at != std::string_view::npos) {
        auto sha = rev.substr(at + 6);
        if (!is_sha1(sha) || at == 0) return bad();
        return parsed_revision{std::string(rev.substr(0, at)), std::string(sha)};
    }
    if (rev.starts_with("sha1:")) {
        if (!is_sha1(rev.substr(5))) return bad();
        return parsed_revision{"", std::string(rev.substr(5))};
    }
    auto slash = rev.rfind('/');
    if (slash != std::string_view::npos && slash > 0 && is_sha1(rev.substr(slash + 1)))
        return parsed_revision{std::string(rev.substr(0, slash)), std::string(rev.substr(slash + 1))};
    return bad();
}

} // namespace weir::git
