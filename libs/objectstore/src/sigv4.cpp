#include <weir/core/encoding.hpp>
#include <weir/objectstore/sigv4.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace weir::objectstore {

namespace {

std::string hmac_sha256(std::string_view key, std::string_view data)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
    return std::string(reinterpret_cast<const char*>(out), len);
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Leading and trailing whitespace removed and inner runs of spaces folded to one, as SigV4 asks
// (and as AWS's SDKs do it: tabs inside a value are kept).
std::string trim_value(std::string_view v)
{
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
        v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
        v.remove_suffix(1);
    std::string out;
    for (char c : v)
        if (c != ' ' || out.empty() || out.back() != ' ') out += c;
    return out;
}

std::string format_time(std::chrono::system_clock::time_point t, const char* fmt)
{
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[32];
    std::size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
    return std::string(buf, n);
}

std::string canonical_query(const header_list& query)
{
    std::vector<std::pair<std::string, std::string>> enc;
    enc.reserve(query.size());
    for (const auto& [k, v] : query)
        enc.emplace_back(uri_encode(k, true), uri_encode(v, true));
    std::sort(enc.begin(), enc.end());
    std::string out;
    for (const auto& [k, v] : enc) {
        if (!out.empty()) out += '&';
        out += k + '=' + v;
    }
    return out;
}

} // namespace

std::string uri_encode(std::string_view text, bool encode_slash)
{
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !encode_slash)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string sha256_hex(std::string_view bytes)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), out, &len, EVP_sha256(), nullptr);
    return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

signature_parts compute_signature(const signing_request& req, const aws_credentials& creds,
                                  std::string_view region, std::string_view service,
                                  std::chrono::system_clock::time_point now)
{
    signature_parts p;
    p.amz_date = format_time(now, "%Y%m%dT%H%M%SZ");
    std::string date = p.amz_date.substr(0, 8);

    std::map<std::string, std::string> headers; // sorted by lower-case name
    for (const auto& [k, v] : req.headers) {
        auto& slot = headers[lower(k)];
        slot = slot.empty() ? trim_value(v) : slot + "," + trim_value(v);
    }
    headers["host"] = req.host;
    headers["x-amz-date"] = p.amz_date;
    headers["x-amz-content-sha256"] = req.payload_sha256;
    if (!creds.session_token.empty()) headers["x-amz-security-token"] = creds.session_token;

    std::string canonical_headers;
    for (const auto& [k, v] : headers) {
        canonical_headers += k + ':' + v + '\n';
        if (!p.signed_headers.empty()) p.signed_headers += ';';
        p.signed_headers += k;
    }
    p.canonical_request = req.method + '\n' + (req.path.empty() ? "/" : req.path) + '\n' +
                          canonical_query(req.query) + '\n' + canonical_headers + '\n' + p.signed_headers +
                          '\n' + req.payload_sha256;
    std::string scope = date + '/' + std::string(region) + '/' + std::string(service) + "/aws4_request";
    p.string_to_sign =
        "AWS4-HMAC-SHA256\n" + p.amz_date + '\n' + scope + '\n' + sha256_hex(p.canonical_request);

    std::string key = hmac_sha256("AWS4" + creds.secret_key, date);
    key = hmac_sha256(key, region);
    key = hmac_sha256(key, service);
    key = hmac_sha256(key, "aws4_request");
    p.signature = hex_encode(hmac_sha256(key, p.string_to_sign));
    return p;
}

header_list sign_v4(const signing_request& req, const aws_credentials& creds, std::string_view region,
                    std::string_view service, std::chrono::system_clock::time_point now)
{
    signature_parts p = compute_signature(req, creds, region, service, now);
    std::string scope =
        p.amz_date.substr(0, 8) + '/' + std::string(region) + '/' + std::string(service) + "/aws4_request";
    header_list out{{"X-Amz-Date", p.amz_date}, {"X-Amz-Content-Sha256", req.payload_sha256}};
    if (!creds.session_token.empty()) out.emplace_back("X-Amz-Security-Token", creds.session_token);
    out.emplace_back("Authorization", "AWS4-HMAC-SHA256 Credential=" + creds.access_key + '/' + scope +
                                          ", SignedHeaders=" + p.signed_headers +
                                          ", Signature=" + p.signature);
    return out;
}

} // namespace weir::objectstore
