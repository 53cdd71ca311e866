// Every notification-controller Receiver type must verify or refuse any request cleanly: hostile
// headers and bodies, signed and unsigned, never crash and never verify a request whose signature
// is wrong. Flux's JSON event body (what controllers POST to the event intake) is parsed too.
//
// Input: byte 0 picks the receiver type, byte 1 how the signature header is made (valid HMAC of
// the body, fuzz-given, absent), then "<header value>\n<event name>\n<body>".
#include "receiver_verify.hpp"

#include <weir/eventsink/event.hpp>

#include <openssl/hmac.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <string>
#include <string_view>

namespace notification = weir::notification;

namespace {

constexpr std::array<std::string_view, 12> types{"generic",   "generic-hmac", "github", "gitlab",
                                                 "bitbucket", "harbor",       "nexus",  "dockerhub",
                                                 "quay",      "acr",          "gcr",    "cdevents"};
constexpr std::string_view token = "fuzz-token";

std::string hex_hmac(const EVP_MD* md, std::string_view body)
{
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(md, token.data(), static_cast<int>(token.size()),
         reinterpret_cast<const unsigned char*>(body.data()), body.size(), mac, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += digits[mac[i] >> 4];
        out += digits[mac[i] & 15];
    }
    return out;
}

std::string_view next_line(std::string_view& in)
{
    auto nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in = nl == std::string_view::npos ? std::string_view{} : in.substr(nl + 1);
    return line;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size)
{
    if (size < 2) return 0;
    std::string_view type = types[data[0] % types.size()];
    int sign_mode = data[1] % 3; // 0 valid, 1 as given, 2 absent
    std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
    std::string given(next_line(in));
    std::string event(next_line(in));
    notification::webhook_request req;
    req.body = std::string(in);

    bool valid = sign_mode == 0;
    std::string sha256 = "sha256=" + hex_hmac(EVP_sha256(), req.body);
    std::string sig = valid ? sha256 : given;
    if (sign_mode != 2) {
        for (const char* h : {"x-signature", "x-hub-signature-256", "x-hub-signature"})
            req.headers[h] = sig;
        req.headers["x-nexus-webhook-signature"] = valid ? hex_hmac(EVP_sha1(), req.body) : given;
        req.headers["x-gitlab-token"] = valid ? std::string(token) : given;
        req.headers["authorization"] = valid ? std::string(token) : given;
    }
    for (const char* h : {"x-github-event", "x-gitlab-event", "x-event-key", "ce-type"})
        req.headers[h] = event;

    weir::api::notification::receiver_spec spec;
    spec.type = std::string(type);
    if (!event.empty() && event.size() % 2) spec.events = {event};
    auto verdict = notification::verify_webhook(spec, token, req);
    if (verdict.status != 200 && verdict.status != 400 && verdict.status != 401) std::abort();
    // A signature the fuzzer made up must never pass an HMAC check: it passes only when it holds
    // the real MAC of the body.
    bool hmac_type = type == "generic-hmac" || type == "bitbucket" || type == "nexus";
    if (hmac_type && sign_mode == 1 && verdict.status == 200) {
        std::string lower = given;
        for (auto& c : lower)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        bool real = false;
        for (const EVP_MD* md : {EVP_sha1(), EVP_sha256(), EVP_sha512()})
            real = real || lower.find(hex_hmac(md, req.body)) != std::string::npos;
        if (!real) std::abort();
    }

    (void)notification::verify_hmac_header(given, token, req.body);
    (void)weir::eventsink::flux_event::from_json(req.body);
    return 0;
}
