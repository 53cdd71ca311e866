// Sprig 3.2.3's encodings, hashes, regular expressions, semver, reflection, paths and `fail`.
#include "funcs.hpp"
#include "go_regexp.hpp"
#include "gofmt.hpp"
#include "strconv.hpp"

#include <weir/core/json.hpp>
#include <weir/core/semver.hpp>

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>

namespace weir::gotemplate::detail {
namespace {

using args = std::span<const go_value>;
using S = param;

go_value str(std::string s)
{
    return go_value::of_string(std::move(s));
}

void json_string(std::string& out, std::string_view s, bool html)
{
    out += '"';
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = rune_length(s, i);
        char32_t r = decode_rune(s, i);
        if (r == 0xFFFD && n == 1 && static_cast<unsigned char>(s[i]) >= 0x80) {
            out += "\\ufffd";
        } else if (r == '"' || r == '\\') {
            out += '\\';
            out += static_cast<char>(r);
        } else if (r == '\n') {
            out += "\\n";
        } else if (r == '\r') {
            out += "\\r";
        } else if (r == '\t') {
            out += "\\t";
        } else if (r < 0x20 || (html && (r == '<' || r == '>' || r == '&'))) {
            out += fmt::format("\\u00{:02x}", static_cast<unsigned>(r));
        } else if (r == 0x2028 || r == 0x2029) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(r));
        } else {
            out.append(s.substr(i, n));
        }
        i += n;
    }
    out += '"';
}

bool json_float(std::string& out, double f)
{
    if (!std::isfinite(f)) return false;
    double a = std::fabs(f);
    if (a != 0 && (a < 1e-6 || a >= 1e21)) {
        std::string s = format_float(f, 'e', -1);
        // Go's encoder writes e-7, not e-07
        auto e = s.find("e-0");
        if (e != std::string::npos) s.erase(e + 2, 1);
        auto p = s.find("e+0");
        if (p != std::string::npos) s.erase(p + 2, 1);
        out += s;
    } else {
        out += format_float(f, 'f', -1);
    }
    return true;
}

bool to_json(std::string& out, const go_value& v, bool html, int indent, int depth)
{
    if (depth > 1500) return false; // a map that holds itself: encoding/json fails too
    auto newline = [&](int d) {
        if (indent == 0) return;
        out += '\n';
        out.append(static_cast<std::size_t>(indent * d), ' ');
    };
    switch (v.type()) {
    case go_type::invalid:
    case go_type::nil:
        out += "null";
        return true;
    case go_type::bool_:
        out += v.as_bool() ? "true" : "false";
        return true;
    case go_type::float64_:
        return json_float(out, v.as_float());
    case go_type::string_:
        json_string(out, v.as_string(), html);
        return true;
    default:
        break;
    }
    if (v.is_int()) {
        out += std::to_string(v.as_int());
        return true;
    }
    if (v.is_time()) {
        json_string(out, go_time_format(v.as_time(), "2006-01-02T15:04:05.999999999Z07:00", false), html);
        return true;
    }
    if (v.is_list()) {
        if (v.is_nil_slice()) {
            out += "null";
            return true;
        }
        if (v.as_list().empty()) {
            out += "[]";
            return true;
        }
        out += '[';
        bool first = true;
        for (auto& e : v.as_list()) {
            if (!first) out += ',';
            first = false;
            newline(depth + 1);
            if (!to_json(out, e, html, indent, depth + 1)) return false;
        }
        newline(depth);
        out += ']';
        return true;
    }
    if (v.as_map().empty()) {
        out += "{}";
        return true;
    }
    out += '{';
    bool first = true;
    for (auto& [k, e] : v.as_map()) {
        if (!first) out += ',';
        first = false;
        newline(depth + 1);
        json_string(out, k, html);
        out += indent ? ": " : ":";
        if (!to_json(out, e, html, indent, depth + 1)) return false;
    }
    newline(depth);
    out += '}';
    return true;
}

go_value from_json_value(const weir::value& v)
{
    // encoding/json into interface{} makes every number a float64
    if (v.is_int()) return go_value::of_float(static_cast<double>(v.as_int()));
    if (v.is_array()) {
        go_list l;
        for (auto& e : v.as_array())
            l.push_back(from_json_value(e));
        return go_value::of_list(std::move(l));
    }
    if (v.is_object()) {
        go_map m;
        for (auto& [k, e] : v.as_object())
            m.insert_or_assign(k, from_json_value(e));
        return go_value::of_map(std::move(m));
    }
    return go_value::from(v);
}

std::string digest(const EVP_MD* md, std::string_view s)
{
    unsigned char buf[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_Digest(s.data(), s.size(), buf, &n, md, nullptr);
    std::string hex;
    for (unsigned i = 0; i < n; ++i)
        hex += fmt::format("{:02x}", buf[i]);
    return hex;
}

const char* b64chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64enc(std::string_view s)
{
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < s.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(s[i]) << 16) | (static_cast<unsigned char>(s[i + 1]) << 8) |
                     static_cast<unsigned char>(s[i + 2]);
        for (int k = 3; k >= 0; --k)
            out += b64chars[(v >> (6 * k)) & 63];
    }
    if (i < s.size()) {
        unsigned v = static_cast<unsigned char>(s[i]) << 16;
        if (i + 1 < s.size()) v |= static_cast<unsigned char>(s[i + 1]) << 8;
        out += b64chars[(v >> 18) & 63];
        out += b64chars[(v >> 12) & 63];
        out += i + 1 < s.size() ? b64chars[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

// encoding/base64's StdEncoding.DecodeString, with its error offsets; Sprig returns the error
// text as the result.
std::string b64dec(std::string_view s)
{
    auto bad = [](std::size_t at) { return fmt::format("illegal base64 data at input byte {}", at); };
    auto value = [](char c) -> int {
        const char* p = c ? std::strchr(b64chars, c) : nullptr;
        return p ? static_cast<int>(p - b64chars) : -1;
    };
    std::string out;
    std::size_t si = 0;
    auto skip_newlines = [&] {
        while (si < s.size() && (s[si] == '\n' || s[si] == '\r'))
            ++si;
    };
    while (si < s.size()) {
        unsigned v = 0;
        int j = 0;
        bool end = false;
        for (; j < 4; ++j) {
            skip_newlines();
            if (si == s.size()) {
                if (j == 0) return out;
                return bad(si - static_cast<std::size_t>(j));
            }
            char c = s[si++];
            if (c == '=') {
                if (j < 2) return bad(si - 1);
                if (j == 2) {
                    skip_newlines();
                    if (si == s.size()) return bad(s.size());
                    if (s[si] != '=') return bad(si - 1);
                    ++si;
                }
                skip_newlines();
                if (si < s.size()) return bad(si);
                end = true;
                break;
            }
            int d = value(c);
            if (d < 0) return bad(si - 1);
            v = (v << 6) | static_cast<unsigned>(d);
        }
        int got = j;
        for (int k = j; k < 4; ++k)
            v <<= 6;
        if (got >= 2) out += static_cast<char>((v >> 16) & 0xFF);
        if (got >= 3) out += static_cast<char>((v >> 8) & 0xFF);
        if (got == 4) out += static_cast<char>(v & 0xFF);
        if (end) break;
    }
    return out;
}

std::string b32enc(std::string_view s)
{
    const char* a = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 5) {
        std::uint64_t v = 0;
        std::size_t n = std::min<std::size_t>(5, s.size() - i);
        for (std::size_t k = 0; k < 5; ++k)
            v = (v << 8) | (k < n ? static_cast<unsigned char>(s[i + k]) : 0);
        static constexpr int chars_for[] = {0, 2, 4, 5, 7, 8};
        for (int k = 0; k < 8; ++k)
            out += k < chars_for[n] ? a[(v >> (35 - 5 * k)) & 31] : '=';
    }
    return out;
}

// Sprig's regex functions use regexp.MustCompile, whose failure is a panic with this text.
result<go_regexp> compile(const std::string& re)
{
    auto r = go_regexp::compile(re);
    if (!r) return fail(must_compile_message(re, r.err().message));
    return r;
}

go_value string_list(std::vector<std::string> v)
{
    go_list l;
    for (auto& s : v)
        l.push_back(go_value::of_string(std::move(s)));
    return go_value::of_list(std::move(l), go_type::list_string);
}

std::string random_string(std::string_view alphabet, std::int64_t n)
{
    std::string out;
    for (std::int64_t i = 0; i < n; ++i) {
        unsigned char b;
        RAND_bytes(&b, 1);
        out += alphabet[b % alphabet.size()];
    }
    return out;
}

std::string path_clean(std::string_view p)
{
    if (p.empty()) return ".";
    bool rooted = p[0] == '/';
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= p.size()) {
        auto e = p.find('/', i);
        if (e == std::string_view::npos) e = p.size();
        std::string seg(p.substr(i, e - i));
        if (seg == "..") {
            if (!parts.empty() && parts.back() != "..")
                parts.pop_back();
            else if (!rooted)
                parts.push_back(seg);
        } else if (!seg.empty() && seg != ".") {
            parts.push_back(seg);
        }
        i = e + 1;
    }
    std::string out = rooted ? "/" : "";
    for (std::size_t k = 0; k < parts.size(); ++k)
        out += (k ? "/" : "") + parts[k];
    return out.empty() ? "." : out;
}

} // namespace

std::string b64_encode_bytes(std::string_view s)
{
    return b64enc(s);
}
std::string b64_decode_bytes(std::string_view s, bool& ok)
{
    std::string r = b64dec(s);
    ok = !r.starts_with("illegal base64 data at input byte ");
    return r;
}

void add_sprig_misc(function_table& t)
{
    auto json = [](bool html, int indent) {
        return fn({S::any}, false, [html, indent](call_context&, args a) -> result<go_value> {
            std::string out;
            if (!to_json(out, a[0], html, indent, 0)) out.clear();
            return str(std::move(out));
        });
    };
    t.add("toJson", json(true, 0));
    t.add("toPrettyJson", json(true, 2));
    t.add("toRawJson", json(false, 0));
    auto must_json = [](bool html, int indent) {
        return fn({S::any}, false, [html, indent](call_context&, args a) -> result<go_value> {
            std::string out;
            if (!to_json(out, a[0], html, indent, 0)) return fail("json: unsupported value");
            return str(std::move(out));
        });
    };
    t.add("mustToJson", must_json(true, 0));
    t.add("mustToPrettyJson", must_json(true, 2));
    t.add("mustToRawJson", must_json(false, 0));
    t.add("mustFromJson", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              auto v = parse_json(a[0].as_string());
              if (!v) {
                  // encoding/json's texts for the common cases: nothing, or a bad first character
                  const std::string& text = a[0].as_string();
                  auto first = text.find_first_not_of(" \t\r\n");
                  if (first == std::string::npos) return fail("unexpected end of JSON input");
                  if (std::string_view("{[\"-0123456789tfn").find(text[first]) == std::string_view::npos)
                      return fail(
                          fmt::format("invalid character '{}' looking for beginning of value", text[first]));
                  return fail("invalid JSON: " + v.err().message);
              }
              return from_json_value(*v);
          }));
    t.add("b32dec", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const std::string& s = a[0].as_string();
              const char* alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
              std::string out;
              std::uint64_t acc = 0;
              int bits = 0;
              for (std::size_t i = 0; i < s.size(); ++i) {
                  if (s[i] == '=') break;
                  const char* p = s[i] ? std::strchr(alpha, s[i]) : nullptr;
                  if (!p) return str(fmt::format("illegal base32 data at input byte {}", i));
                  acc = (acc << 5) | static_cast<std::uint64_t>(p - alpha);
                  bits += 5;
                  if (bits >= 8) {
                      bits -= 8;
                      out += static_cast<char>((acc >> bits) & 0xFF);
                  }
              }
              return str(std::move(out));
          }));
    t.add("fromJson", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              auto v = parse_json(a[0].as_string());
              if (!v) return go_value::nil();
              return from_json_value(*v);
          }));
    auto s1 = [&](const char* name, std::string (*f)(std::string_view)) {
        t.add(name, fn({S::string_}, false,
                       [f](call_context&, args a) -> result<go_value> { return str(f(a[0].as_string())); }));
    };
    s1("b64enc", b64enc);
    s1("b64dec", b64dec);
    s1("b32enc", b32enc);
    s1("sha256sum", [](std::string_view s) { return digest(EVP_sha256(), s); });
    s1("sha1sum", [](std::string_view s) { return digest(EVP_sha1(), s); });
    s1("adler32sum", [](std::string_view s) {
        std::uint32_t a = 1, b = 0;
        for (char c : s) {
            a = (a + static_cast<unsigned char>(c)) % 65521;
            b = (b + a) % 65521;
        }
        return std::to_string((b << 16) | a);
    });
    s1("regexQuoteMeta", [](std::string_view s) {
        std::string out;
        for (char c : s) {
            if (std::string_view(R"(\.+*?()|[]{}^$)").find(c) != std::string_view::npos) out += '\\';
            out += c;
        }
        return out;
    });
    s1("dir", [](std::string_view s) {
        auto p = s.rfind('/');
        return path_clean(p == std::string_view::npos ? "" : s.substr(0, p + 1));
    });
    s1("clean", [](std::string_view s) { return path_clean(s); });
    t.add("isAbs", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(a[0].as_string().starts_with("/"));
          }));

    t.add("regexMatch", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              auto re = go_regexp::compile(a[0].as_string()); // regexp.MatchString: an error is false
              return go_value::of_bool(re && re->match(a[1].as_string()));
          }));
    t.add("mustRegexMatch",
          fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              auto re = go_regexp::compile(a[0].as_string());
              if (!re) return re.err();
              return go_value::of_bool(re->match(a[1].as_string()));
          }));
    auto replace = [](bool literal) {
        return fn({S::string_, S::string_, S::string_}, false,
                  [literal](call_context&, args a) -> result<go_value> {
                      WEIR_TRY_ASSIGN(auto re, compile(a[0].as_string()));
                      return str(re.replace_all(a[1].as_string(), a[2].as_string(), literal));
                  });
    };
    t.add("regexReplaceAll", replace(false));
    t.add("mustRegexReplaceAll", replace(false));
    t.add("regexReplaceAllLiteral", replace(true));
    t.add("mustRegexReplaceAllLiteral", replace(true));
    t.add("regexFind", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              WEIR_TRY_ASSIGN(auto re, compile(a[0].as_string()));
              auto m = re.find_all(a[1].as_string(), 1);
              return str(m.empty() ? "" : a[1].as_string().substr(m[0].first, m[0].second - m[0].first));
          }));
    t.add("regexFindAll",
          fn({S::string_, S::string_, S::int_}, false, [](call_context&, args a) -> result<go_value> {
              WEIR_TRY_ASSIGN(auto re, compile(a[0].as_string()));
              std::vector<std::string> out;
              for (auto [b, e] : re.find_all(a[1].as_string(), a[2].as_int()))
                  out.push_back(a[1].as_string().substr(b, e - b));
              return string_list(std::move(out));
          }));
    t.add("regexSplit",
          fn({S::string_, S::string_, S::int_}, false, [](call_context&, args a) -> result<go_value> {
              WEIR_TRY_ASSIGN(auto re, compile(a[0].as_string()));
              return string_list(re.split(a[1].as_string(), a[2].as_int()));
          }));

    t.add("semverCompare", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              // Masterminds/semver's messages, which charts' error checks may match
              // Masterminds' constraint grammar allows surrounding whitespace
              std::string_view c = a[0].as_string();
              while (!c.empty() && std::isspace(static_cast<unsigned char>(c.front())))
                  c.remove_prefix(1);
              while (!c.empty() && std::isspace(static_cast<unsigned char>(c.back())))
                  c.remove_suffix(1);
              auto range = semver_range::parse(c);
              if (!range) return fail("improper constraint: " + a[0].as_string());
              auto v = semver::parse(a[1].as_string());
              if (!v) return fail("Invalid Semantic Version");
              return go_value::of_bool(range->matches(*v));
          }));

    t.add("typeOf", fn({S::any}, false,
                       [](call_context&, args a) -> result<go_value> { return str(a[0].type_name()); }));
    t.add("kindOf", fn({S::any}, false,
                       [](call_context&, args a) -> result<go_value> { return str(a[0].kind_name()); }));
    t.add("typeIs", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(a[0].as_string() == a[1].type_name());
          }));
    t.add("typeIsLike", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              auto n = a[1].type_name();
              return go_value::of_bool(a[0].as_string() == n || a[0].as_string() == "*" + n);
          }));
    t.add("kindIs", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(a[0].as_string() == a[1].kind_name());
          }));
    t.add("deepEqual", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(go_deep_equal(a[0], a[1]));
          }));
    t.add("fail", fn({S::string_}, false,
                     [](call_context&, args a) -> result<go_value> { return fail(a[0].as_string()); }));
    t.add("uuidv4", fn({}, false, [](call_context&, args) -> result<go_value> {
              unsigned char b[16];
              RAND_bytes(b, sizeof b);
              b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
              b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
              std::string s;
              for (int i = 0; i < 16; ++i) {
                  if (i == 4 || i == 6 || i == 8 || i == 10) s += '-';
                  s += fmt::format("{:02x}", b[i]);
              }
              return str(std::move(s));
          }));
    auto rnd = [&](const char* name, std::string_view alphabet) {
        t.add(name, fn({S::int_}, false, [alphabet](call_context&, args a) -> result<go_value> {
                  return str(random_string(alphabet, a[0].as_int()));
              }));
    };
    rnd("randAlphaNum", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
    rnd("randAlpha", "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    rnd("randNumeric", "0123456789");
    rnd("randAscii",
        "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~");
    t.add("env", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const char* v = std::getenv(a[0].as_string().c_str());
              return str(v ? v : "");
          }));
}

} // namespace weir::gotemplate::detail
