#include <weir/objectstore/s3.hpp>
#include <weir/oci/http.hpp>

#include <fmt/format.h>

#include <algorithm>

namespace weir::objectstore {

namespace {

namespace http = oci::detail;

// The text of the first <tag>...</tag> in `xml` (S3 answers carry no attributes on these).
std::string_view element(std::string_view xml, std::string_view tag, std::size_t* end = nullptr)
{
    std::string open = "<" + std::string(tag) + ">";
    std::string close = "</" + std::string(tag) + ">";
    auto b = xml.find(open);
    if (b == std::string_view::npos) return {};
    b += open.size();
    auto e = xml.find(close, b);
    if (e == std::string_view::npos) return {};
    if (end) *end = e + close.size();
    return xml.substr(b, e - b);
}

// XML character data: the five named entities and numeric references.
std::string unescape(std::string_view s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            out += s[i];
            continue;
        }
        auto semi = s.find(';', i);
        if (semi == std::string_view::npos) {
            out += s.substr(i);
            break;
        }
        std::string_view ent = s.substr(i + 1, semi - i - 1);
        if (ent == "amp")
            out += '&';
        else if (ent == "lt")
            out += '<';
        else if (ent == "gt")
            out += '>';
        else if (ent == "quot")
            out += '"';
        else if (ent == "apos")
            out += '\'';
        else if (ent.starts_with("#")) {
            unsigned long cp = ent.starts_with("#x") ? std::stoul(std::string(ent.substr(2)), nullptr, 16)
                                                     : std::stoul(std::string(ent.substr(1)));
            if (cp < 0x80)
                out += static_cast<char>(cp);
            else if (cp < 0x800) {
                out += static_cast<char>(0xC0 | (cp >> 6));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
                out += static_cast<char>(0xE0 | (cp >> 12));
                out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                out += static_cast<char>(0x80 | (cp & 0x3F));
            }
        } else
            out += s.substr(i, semi - i + 1);
        i = semi;
    }
    return out;
}

std::string strip_quotes(std::string etag)
{
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') return etag.substr(1, etag.size() - 2);
    return etag;
}

} // namespace

result<list_page> parse_list_objects_v2(std::string_view xml)
{
    if (xml.find("<ListBucketResult") == std::string_view::npos)
        return transient_error("the answer to ListObjectsV2 is not a ListBucketResult: " +
                                   std::string(xml.substr(0, 200)),
                               "BucketOperationFailed");
    list_page page;
    page.truncated = element(xml, "IsTruncated") == "true";
    page.next_token = unescape(element(xml, "NextContinuationToken"));
    std::string_view rest = xml;
    std::size_t end = 0;
    for (std::string_view c = element(rest, "Contents", &end); end != 0;
         c = element(rest, "Contents", &end)) {
        object_info o;
        o.key = unescape(element(c, "Key"));
        o.etag = strip_quotes(unescape(element(c, "ETag")));
        std::string size(element(c, "Size"));
        o.size = size.empty() ? 0 : std::stoull(size);
        page.objects.push_back(std::move(o));
        rest = rest.substr(end);
        end = 0;
    }
    if (page.truncated && page.next_token.empty())
        return transient_error(
            "ListObjectsV2 says the listing is truncated but gives no NextContinuationToken",
            "BucketOperationFailed");
    return page;
}

std::string parse_error_body(std::string_view xml)
{
    std::string code = unescape(element(xml, "Code"));
    if (code.empty()) return {};
    std::string message = unescape(element(xml, "Message"));
    return message.empty() ? code : code + ": " + message;
}

struct s3_client::response {
    std::string body;
};

s3_client::s3_client(s3_options options) : options_(std::move(options)) {}

std::string s3_client::object_url(std::string_view bucket, std::string_view key) const
{
    std::string scheme = options_.insecure ? "http://" : "https://";
    if (options_.virtual_host)
        return scheme + std::string(bucket) + "." + options_.endpoint + "/" + uri_encode(key, false);
    return scheme + options_.endpoint + "/" + std::string(bucket) + "/" + uri_encode(key, false);
}

result<s3_client::response> s3_client::send(std::string_view bucket, std::string path,
                                            header_list query) const
{
    std::string host =
        options_.virtual_host ? std::string(bucket) + "." + options_.endpoint : options_.endpoint;
    std::string target = options_.virtual_host ? path : "/" + std::string(bucket) + path;
    std::string qs;
    for (const auto& [k, v] : query)
        qs += (qs.empty() ? "?" : "&") + uri_encode(k, true) + "=" + uri_encode(v, true);

    http::http_request req;
    req.url = (options_.insecure ? "http://" : "https://") + host + target + qs;
    if (!options_.credentials.access_key.empty()) {
        signing_request sr{.method = "GET",
                           .host = host,
                           .path = target,
                           .query = std::move(query),
                           .headers = {},
                           .payload_sha256 = std::string(empty_payload_sha256)};
        req.headers =
            sign_v4(sr, options_.credentials, options_.region, "s3", std::chrono::system_clock::now());
    }
    http::transport_options t{.ca_pem = options_.ca_pem,
                              .cert_pem = options_.cert_pem,
                              .key_pem = options_.key_pem,
                              .insecure_skip_verify = false,
                              .proxy_url = options_.proxy_url,
                              .proxy_username = options_.proxy_username,
                              .proxy_password = options_.proxy_password,
                              .timeout = options_.timeout,
                              .max_body = options_.max_object_bytes};
    ++requests_;
    auto res = http::send(req, t);
    if (!res) return res.err().wrap(fmt::format("bucket '{}' at {}", bucket, options_.endpoint));
    if (res->status == 200) return response{std::move(res->body)};

    std::string detail = parse_error_body(res->body);
    if (detail.empty()) detail = fmt::format("HTTP {}", res->status);
    std::string what = fmt::format("GET {}: {}", req.url.substr(0, req.url.find('?')), detail);
    if (res->status == 403 || res->status == 401)
        return transient_error(what +
                                   " (check the accesskey and secretkey of spec.secretRef, and the region)",
                               "AuthenticationFailed");
    if (res->status == 404 && detail.starts_with("NoSuchBucket"))
        return transient_error(
            fmt::format("{} (no bucket '{}' at {}: check spec.bucketName and spec.endpoint)", what, bucket,
                        options_.endpoint),
            "BucketNotFound");
    if (res->status == 404 && detail.starts_with("NoSuchKey")) return terminal_error(what, "ObjectNotFound");
    if (res->status == 301 || res->status == 307 || detail.starts_with("PermanentRedirect"))
        return transient_error(what + " (the bucket lives in another region or endpoint: set spec.region)",
                               "BucketOperationFailed");
    error e = res->status >= 500 ? transient_error(what, "BucketOperationFailed")
                                 : terminal_error(what, "BucketOperationFailed");
    return e;
}

result<std::vector<object_info>> s3_client::list_objects(std::string_view bucket,
                                                         std::string_view prefix) const
{
    std::vector<object_info> all;
    std::string token;
    do {
        header_list query{{"list-type", "2"}};
        if (!prefix.empty()) query.emplace_back("prefix", std::string(prefix));
        if (!token.empty()) query.emplace_back("continuation-token", token);
        if (options_.max_keys > 0) query.emplace_back("max-keys", std::to_string(options_.max_keys));
        WEIR_TRY_ASSIGN(auto res, send(bucket, "/", std::move(query)));
        auto page = parse_list_objects_v2(res.body);
        if (!page) return page.err().wrap(fmt::format("bucket '{}' at {}", bucket, options_.endpoint));
        for (auto& o : page->objects)
            all.push_back(std::move(o));
        token = page->truncated ? page->next_token : std::string();
    } while (!token.empty());
    std::sort(all.begin(), all.end(),
              [](const object_info& a, const object_info& b) { return a.key < b.key; });
    return all;
}

result<std::string> s3_client::get_object(std::string_view bucket, std::string_view key) const
{
    WEIR_TRY_ASSIGN(auto res, send(bucket, "/" + uri_encode(key, false), {}));
    return std::move(res.body);
}

} // namespace weir::objectstore
