// The API server's request decoding: bodies (JSON, YAML, protobuf), the four patch types, query
// strings, label and field selectors, paths. Any request gets an HTTP status back, never a crash;
// a 5xx is a bug (the server blamed itself for the client's bytes).
//
// Input: byte 0 picks the method and content type, then "<path>[?query]\n<body>". One server
// (its store in a scratch directory) serves every input, starting from a namespace with a
// ConfigMap and a Secret in it.
#include "fuzz_tmpdir.hpp"

#include <weir/apiserver/api.hpp>
#include <weir/apiserver/selector.hpp>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace apiserver = weir::apiserver;

namespace {

constexpr std::array<std::string_view, 5> methods{"GET", "POST", "PUT", "PATCH", "DELETE"};
constexpr std::array<std::string_view, 8> content_types{"application/json",
                                                        "application/yaml",
                                                        "application/vnd.kubernetes.protobuf",
                                                        "application/json-patch+json",
                                                        "application/merge-patch+json",
                                                        "application/strategic-merge-patch+json",
                                                        "application/apply-patch+yaml",
                                                        "text/plain"};

apiserver::api& server()
{
    static std::unique_ptr<apiserver::api> a = [] {
        auto opened =
            apiserver::api::open({.data_dir = weir::fuzz::scratch_dir("apiserver-fuzz"), .token = "t"});
        if (!opened) std::abort();
        auto p = std::move(*opened);
        const std::pair<const char*, const char*> seeds[] = {
            {"configmaps",
             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","labels":{"app":"x"}},"data":{"k":"v"}})"},
            {"secrets",
             R"({"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"stringData":{"k":"v"}})"}};
        for (const auto& [resource, body] : seeds)
            p->handle({.method = "POST",
                       .path = std::string("/api/v1/namespaces/default/") + resource,
                       .content_type = "application/json",
                       .authorization = "Bearer t",
                       .body = body});
        return p;
    }();
    return *a;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    if (size < 1 || size > 256 * 1024) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    auto nl = in.find('\n');
    std::string_view target = in.substr(0, nl);
    apiserver::request req;
    req.method = std::string(methods[data[0] % methods.size()]);
    req.content_type = std::string(content_types[(data[0] / methods.size()) % content_types.size()]);
    req.authorization = "Bearer t";
    auto q = target.find('?');
    req.path = std::string(target.substr(0, q));
    if (q != std::string_view::npos) req.query = std::string(target.substr(q + 1));
    if (nl != std::string_view::npos) req.body = std::string(in.substr(nl + 1));

    auto out = server().serve(req); // a watch comes back as a watcher, dropped at once
    if (auto* resp = std::get_if<apiserver::response>(&out))
        // The one 500 the real kube-apiserver gives a client's bad body too: an applied field the
        // schema lacks (kubernetes/kubernetes#139253); weir-apiserver answers as it does.
        if ((resp->status < 200 || resp->status >= 500) &&
            resp->body.find("failed to create typed patch object") == std::string::npos) {
            std::fprintf(stderr, "%u %s\n", resp->status, resp->body.c_str());
            std::abort();
        }
    server().tick();

    for (auto parse : {apiserver::parse_label_selector, apiserver::parse_field_selector})
        if (auto sel = parse(target)) (void)sel->matches({{"app", "x"}, {"tier", ""}});
    return 0;
}
