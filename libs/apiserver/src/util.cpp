// Small helpers of the api: Status errors, names, encodings, timestamps.
#include "api_impl.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <ctime>

namespace weir::apiserver {

error api_error(int code, std::string reason, std::string message)
{
    error e = (code >= 500 || code == 409 || code == 429) ? transient_error(std::move(message), std::move(reason))
                                                          : terminal_error(std::move(message), std::move(reason));
    e.code = code;
    return e;
}

error not_found(const target& t)
{
    std::string what = t.res->group.empty() ? t.res->resource : t.res->resource + "." + t.res->group;
    return api_error(404, "NotFound", fmt::format("{} \"{}\" not found", what, t.name));
}

error invalid(call& c, std::string_view kind, std::string_view name, std::string field, std::string detail,
              std::string cause_reason)
{
    value cause = object{};
    cause["reason"] = cause_reason;
    cause["message"] = detail;
    cause["field"] = field;
    c.causes.push_back(std::move(cause));
    std::string qualified(kind);
    if (c.t.res && !c.t.res->group.empty()) qualified += "." + c.t.res->group;
    return api_error(422, "Invalid", fmt::format("{} \"{}\" is invalid: {}: {}", qualified, name, field, detail));
}

response json_response(unsigned code, std::string body) { return response{code, "application/json", std::move(body)}; }

response status_response(const call* c, const error& e)
{
    value st = object{};
    st["kind"] = "Status";
    st["apiVersion"] = "v1";
    st["metadata"] = object{};
    st["status"] = "Failure";
    st["message"] = e.message;
    st["reason"] = e.reason.empty() ? "InternalError" : e.reason;
    int code = e.code ? e.code : (e.terminal() ? 400 : 500);
    if (c && c->t.res && code != 401) {
        value d = object{};
        if (!c->t.name.empty()) d["name"] = c->t.name;
        if (!c->t.res->group.empty()) d["group"] = c->t.res->group;
        // NewInvalid names the kind ("The ConfigMap \"x\" is invalid"), other errors the resource.
        d["kind"] = code == 422 ? c->t.res->kind : c->t.res->resource;
        if (!c->causes.empty()) d["causes"] = array(c->causes.begin(), c->causes.end());
        st["details"] = std::move(d);
    }
    st["code"] = code;
    return json_response(static_cast<unsigned>(code), to_json(st));
}

std::string now_rfc3339()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::string new_uid()
{
    unsigned char b[16];
    RAND_bytes(b, sizeof b);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    return fmt::format("{:02x}{:02x}{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}-{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}",
                       b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
                       b[14], b[15]);
}

namespace {
int hex_digit(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
} // namespace

std::string url_decode(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            // Two hex digits or the '%' stays literal: std::stoi threw on "%zz" and the uncaught
            // exception ended the server (found by apiserver_request_fuzz).
            out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::string base64_encode(std::string_view in)
{
    std::string out(4 * ((in.size() + 2) / 3), '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64_decode(std::string_view in)
{
    if (in.empty() || in.size() % 4) return {};
    std::string out(3 * in.size() / 4, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
    if (n < 0) return {};
    std::size_t len = static_cast<std::size_t>(n);
    if (in.ends_with("==")) len -= 2;
    else if (in.ends_with("=")) len -= 1;
    out.resize(len);
    return out;
}

bool is_dns1123_label(std::string_view s)
{
    if (s.empty() || s.size() > 63) return false;
    auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
    if (!alnum(s.front()) || !alnum(s.back())) return false;
    for (char c : s)
        if (!alnum(c) && c != '-') return false;
    return true;
}

bool is_dns1123_subdomain(std::string_view s)
{
    if (s.empty() || s.size() > 253) return false;
    std::size_t start = 0;
    while (true) {
        auto dot = s.find('.', start);
        auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
        if (part.empty()) return false;
        for (char c : part)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
        if (part.front() == '-' || part.back() == '-') return false;
        if (dot == std::string_view::npos) return true;
        start = dot + 1;
    }
}

result<value> parse_body(const call& c)
{
    const std::string& ct = c.req.content_type;
    auto fail = [](const error& e) {
        return api_error(400, "BadRequest", "the request body is not valid: " + e.message);
    };
    if (ct.find("protobuf") != std::string::npos) return decode_protobuf(c.req.body);
    if (ct.find("cbor") != std::string::npos)
        return api_error(415, "UnsupportedMediaType",
                         "the body of the request was in an unknown format - accepted media types include: "
                         "application/json, application/yaml");
    std::string_view body = c.req.body;
    std::size_t i = body.find_first_not_of(" \t\r\n");
    if (i != std::string_view::npos && body[i] == '{') {
        auto v = parse_json(body);
        if (!v) return fail(v.err());
        return std::move(v).value();
    }
    if (ct.find("yaml") != std::string::npos) {
        auto v = parse_yaml(body, {.schema = yaml_schema::kubernetes_1_1});
        if (!v) return fail(v.err());
        return std::move(v).value();
    }
    auto v = parse_json(body);
    if (!v) return fail(v.err());
    return std::move(v).value();
}

std::vector<std::string> split_path(std::string_view path)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        auto part = path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (!part.empty()) out.push_back(url_decode(part));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return out;
}

std::pair<std::string_view, std::string_view> key_ns_name(std::string_view key)
{
    auto last = key.rfind('/');
    auto prev = key.rfind('/', last - 1);
    return {key.substr(prev + 1, last - prev - 1), key.substr(last + 1)};
}

} // namespace weir::apiserver
