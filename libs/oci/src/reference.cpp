#include <weir/oci/reference.hpp>

#include <algorithm>
#include <cctype>

namespace weir::oci {

namespace {

// Docker's rule: the first path component is a registry when it has a '.' or ':' or is
// "localhost"; otherwise the name lives on Docker Hub.
bool looks_like_registry(std::string_view first)
{
    return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
           first == "localhost";
}

bool valid_path_char(char c)
{
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '-' || c == '/';
}

} // namespace

std::string image_name::api_host() const
{
    return registry == docker_hub ? "registry-1.docker.io" : registry;
}

result<image_name> parse_image_name(std::string_view text)
{
    auto bad = [&](std::string_view why) {
        return terminal_error("image '" + std::string(text) + "' " + std::string(why), "InvalidImage");
    };
    if (text.empty()) return bad("is empty: give a repository such as ghcr.io/org/app");
    if (text.find("://") != std::string_view::npos) return bad("must not have a scheme (write ghcr.io/org/app)");
    if (text.find('@') != std::string_view::npos) return bad("must not have a digest");
    image_name out;
    std::string_view rest = text;
    if (auto slash = rest.find('/'); slash != std::string_view::npos && looks_like_registry(rest.substr(0, slash))) {
        out.registry = std::string(rest.substr(0, slash));
        rest.remove_prefix(slash + 1);
    } else {
        out.registry = std::string(docker_hub);
    }
    if (out.registry == "index.docker.io") out.registry = std::string(docker_hub);
    if (rest.find(':') != std::string_view::npos) return bad("must not have a tag (the policy picks the tag)");
    if (rest.empty() || rest.front() == '/' || rest.back() == '/') return bad("has an empty repository path");
    if (!std::all_of(rest.begin(), rest.end(), valid_path_char))
        return bad("has characters a repository path cannot have (lower-case letters, digits, '._-/')");
    out.repository = std::string(rest);
    if (out.registry == docker_hub && out.repository.find('/') == std::string::npos)
        out.repository = "library/" + out.repository;
    return out;
}

image_ref_parts split_image_ref(std::string_view ref)
{
    image_ref_parts p;
    if (auto at = ref.find('@'); at != std::string_view::npos) {
        p.digest = std::string(ref.substr(at + 1));
        ref = ref.substr(0, at);
    }
    auto slash = ref.rfind('/');
    auto colon = ref.rfind(':');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
        p.tag = std::string(ref.substr(colon + 1));
        ref = ref.substr(0, colon);
    }
    p.name = std::string(ref);
    return p;
}

} // namespace weir::oci
