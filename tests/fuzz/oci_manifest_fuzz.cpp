// OCI manifests and indexes as a hostile registry serves them, and the small header grammars of
// the distribution protocol (WWW-Authenticate, Link) and the credentials and image names that
// come with them: all must parse or fail cleanly.
//
// Input: "<header line>\n<body>"; the header line feeds the header parsers, the body is read as
// a manifest (the way registry_client::get_manifest reads one) and as a .dockerconfigjson.
#include <weir/core/json.hpp>
#include <weir/oci/auth.hpp>
#include <weir/oci/client.hpp>
#include <weir/oci/reference.hpp>

#include <cstdlib>
#include <string_view>

namespace oci = weir::oci;

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto nl = in.find('\n');
    std::string_view header = in.substr(0, nl);
    std::string_view body = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);

    if (auto ch = oci::parse_www_authenticate(header)) {
        for (const auto& [k, v] : ch->params)
            for (char c : k)
                if (c >= 'A' && c <= 'Z') std::abort(); // names are lower-cased
    }
    (void)oci::parse_link_next(header);
    if (auto img = oci::parse_image_name(header)) {
        if (img->registry.empty() || img->repository.empty()) std::abort();
        (void)img->api_host();
    }
    (void)oci::split_image_ref(header);
    (void)oci::credentials_from_docker_config(body, header);

    auto doc = weir::parse_json(body);
    if (!doc) return 0;
    oci::manifest m;
    m.body = std::string(body);
    m.digest = oci::sha256_digest(body);
    m.doc = std::move(*doc);
    m.media_type = std::string(m.doc.get_string("mediaType"));
    if (m.media_type.empty()) m.media_type = std::string(header);
    (void)m.is_index();
    (void)m.layers();
    (void)m.manifests();
    (void)m.config();
    return 0;
}
