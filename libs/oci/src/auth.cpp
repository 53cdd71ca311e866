#include <weir/oci/auth.hpp>

#include <weir/core/encoding.hpp>
#include <weir/core/json.hpp>

#include <cctype>

namespace weir::oci {

namespace {

// "https://index.docker.io/v1/" -> "index.docker.io"; "ghcr.io" -> "ghcr.io".
std::string host_of(std::string_view key)
{
    if (auto s = key.find("://"); s != std::string_view::npos) key.remove_prefix(s + 3);
    if (auto slash = key.find('/'); slash != std::string_view::npos) key = key.substr(0, slash);
    return std::string(key);
}

bool same_registry(std::string_view key_host, std::string_view registry)
{
    auto hub = [](std::string_view h) {
        return h == "docker.io" || h == "index.docker.io" || h == "registry-1.docker.io";
    };
    return key_host == registry || (hub(key_host) && hub(registry));
}

result<basic_credentials> entry_credentials(const value& entry, std::string_view key)
{
    basic_credentials c;
    if (!entry.is_object()) return terminal_error("docker config entry '" + std::string(key) + "' is not an object", "InvalidSecret");
    if (auto auth = entry.get_string("auth"); !auth.empty()) {
        WEIR_TRY_ASSIGN(auto decoded, base64_decode(auth));
        auto colon = decoded.find(':');
        if (colon == std::string::npos)
            return terminal_error("docker config entry '" + std::string(key) + "': auth must be base64 of user:password",
                                  "InvalidSecret");
        c.username = decoded.substr(0, colon);
        c.password = decoded.substr(colon + 1);
        return c;
    }
    c.username = std::string(entry.get_string("username"));
    c.password = std::string(entry.get_string("password"));
    return c;
}

void skip_spaces(std::string_view& s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == ',')) s.remove_prefix(1);
}

// token or quoted-string.
std::string read_param_value(std::string_view& s)
{
    std::string out;
    if (!s.empty() && s.front() == '"') {
        s.remove_prefix(1);
        while (!s.empty() && s.front() != '"') {
            if (s.front() == '\\' && s.size() > 1) s.remove_prefix(1);
            out += s.front();
            s.remove_prefix(1);
        }
        if (!s.empty()) s.remove_prefix(1);
        return out;
    }
    while (!s.empty() && s.front() != ',' && s.front() != ' ') {
        out += s.front();
        s.remove_prefix(1);
    }
    return out;
}

} // namespace

result<std::optional<basic_credentials>> credentials_from_docker_config(std::string_view json, std::string_view registry)
{
    auto doc = parse_json(json);
    if (!doc) return terminal_error("docker config is not valid JSON: " + doc.err().message, "InvalidSecret");
    const value* auths = doc->find("auths");
    if (!auths) auths = &*doc; // legacy .dockercfg: the entries at top level
    if (!auths->is_object()) return terminal_error("docker config 'auths' must be an object", "InvalidSecret");
    for (const auto& [key, entry] : auths->as_object()) {
        if (!same_registry(host_of(key), registry)) continue;
        WEIR_TRY_ASSIGN(auto c, entry_credentials(entry, key));
        return std::optional<basic_credentials>(std::move(c));
    }
    return std::optional<basic_credentials>{};
}

std::optional<challenge> parse_www_authenticate(std::string_view header)
{
    skip_spaces(header);
    auto sp = header.find(' ');
    challenge c;
    c.scheme = std::string(header.substr(0, sp));
    if (c.scheme.empty()) return std::nullopt;
    if (sp == std::string_view::npos) return c;
    header.remove_prefix(sp + 1);
    while (true) {
        skip_spaces(header);
        auto eq = header.find('=');
        if (header.empty() || eq == std::string_view::npos) break;
        std::string name(header.substr(0, eq));
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        header.remove_prefix(eq + 1);
        c.params[name] = read_param_value(header);
    }
    return c;
}

std::optional<std::string> parse_link_next(std::string_view header)
{
    // Link: <url>; rel="next", <url2>; rel="prev"
    while (!header.empty()) {
        auto open = header.find('<');
        auto close = header.find('>', open);
        if (open == std::string_view::npos || close == std::string_view::npos) return std::nullopt;
        std::string target(header.substr(open + 1, close - open - 1));
        header.remove_prefix(close + 1);
        auto next_link = header.find('<');
        std::string_view params = header.substr(0, next_link);
        if (params.find("rel=\"next\"") != std::string_view::npos || params.find("rel=next") != std::string_view::npos)
            return target;
        if (next_link == std::string_view::npos) break;
        header.remove_prefix(next_link);
    }
    return std::nullopt;
}

} // namespace weir::oci
