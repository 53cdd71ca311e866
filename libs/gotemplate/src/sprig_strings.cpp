// Sprig 3.2.3's string functions (strings.go, and the string helpers of functions.go).
#include "funcs.hpp"
#include "gofmt.hpp"
#include "strconv.hpp"

#include <algorithm>

namespace weir::gotemplate::detail {
namespace {

using args = std::span<const go_value>;
using S = param;

go_value str(std::string s)
{
    return go_value::of_string(std::move(s));
}

bool is_unicode_space(char32_t r)
{
    return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
           (r >= 0x2000 && r <= 0x200a) || r == 0x2028 || r == 0x2029 || r == 0x202f || r == 0x205f ||
           r == 0x3000;
}

std::string trim_space(std::string_view s)
{
    std::size_t b = 0, e = s.size();
    while (b < e && is_unicode_space(decode_rune(s, b)))
        b += rune_length(s, b);
    while (e > b) {
        std::size_t p = e - 1;
        while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80)
            --p;
        if (!is_unicode_space(decode_rune(s, p))) break;
        e = p;
    }
    return std::string(s.substr(b, e - b));
}

std::string replace_all(std::string_view s, std::string_view from, std::string_view to)
{
    std::string out;
    if (from.empty()) {
        // Go inserts `to` before every rune and at the end
        for (std::size_t i = 0; i < s.size();) {
            out += to;
            std::size_t n = rune_length(s, i);
            out.append(s.substr(i, n));
            i += n;
        }
        out += to;
        return out;
    }
    std::size_t i = 0;
    for (;;) {
        auto p = s.find(from, i);
        if (p == std::string_view::npos) break;
        out.append(s.substr(i, p - i));
        out += to;
        i = p + from.size();
    }
    out.append(s.substr(i));
    return out;
}

std::string map_runes(const std::string& s, char32_t (*f)(char32_t))
{
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        append_rune(out, f(decode_rune(s, i)));
        i += rune_length(s, i);
    }
    return out;
}

// strings.Title: upper-cases letters that follow a separator (ASCII non-alphanumerics other
// than '_', and Unicode spaces).
std::string title(const std::string& s)
{
    std::string out;
    bool prev_sep = true;
    for (std::size_t i = 0; i < s.size();) {
        char32_t r = decode_rune(s, i);
        out.append(s, i, 0);
        append_rune(out, prev_sep ? to_upper(r) : r);
        bool sep = r < 0x80 ? !(std::isalnum(static_cast<int>(r)) || r == '_') : is_space(r);
        prev_sep = sep;
        i += rune_length(s, i);
    }
    return out;
}

// strings.Trim/TrimLeft/TrimRight: the cutset is a set of runes.
std::string trim_cutset(std::string_view s, std::string_view cut, bool left, bool right)
{
    std::vector<char32_t> set;
    for (std::size_t i = 0; i < cut.size(); i += rune_length(cut, i))
        set.push_back(decode_rune(cut, i));
    auto in = [&](char32_t r) { return std::find(set.begin(), set.end(), r) != set.end(); };
    std::size_t b = 0, e = s.size();
    if (left)
        while (b < e && in(decode_rune(s, b)))
            b += rune_length(s, b);
    if (right)
        while (e > b) {
            std::size_t p = e - 1;
            while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80)
                --p;
            if (!in(decode_rune(s, p)) || p + rune_length(s, p) != e) break;
            e = p;
        }
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> split(std::string_view s, std::string_view sep, int n = -1)
{
    std::vector<std::string> out;
    if (n == 0) return out;
    if (sep.empty()) {
        for (std::size_t i = 0; i < s.size();) {
            std::size_t k = rune_length(s, i);
            if (n > 0 && static_cast<int>(out.size()) == n - 1) {
                out.emplace_back(s.substr(i));
                return out;
            }
            out.emplace_back(s.substr(i, k));
            i += k;
        }
        return out;
    }
    std::size_t i = 0;
    while (n < 0 || static_cast<int>(out.size()) < n - 1) {
        auto p = s.find(sep, i);
        if (p == std::string_view::npos) break;
        out.emplace_back(s.substr(i, p - i));
        i = p + sep.size();
    }
    out.emplace_back(s.substr(i));
    return out;
}

go_value string_list(const std::vector<std::string>& v)
{
    go_list l;
    for (auto& s : v)
        l.push_back(str(s));
    return go_value::of_list(std::move(l), go_type::list_string);
}

go_value split_map(const std::vector<std::string>& parts)
{
    go_map m;
    for (std::size_t i = 0; i < parts.size(); ++i)
        m.emplace("_" + std::to_string(i), str(parts[i]));
    return go_value::of_map(std::move(m), go_type::map_string);
}

} // namespace

std::string strval(const go_value& v)
{
    if (v.is_string()) return v.as_string();
    return to_display(v);
}

std::vector<std::string> strslice(const go_value& v)
{
    if (v.is_missing() || v.is_nil()) return {};
    if (v.is_list()) {
        std::vector<std::string> out;
        for (auto& e : v.as_list()) {
            if (v.type() == go_type::list_any && (e.is_nil() || e.is_missing())) continue;
            out.push_back(strval(e));
        }
        return out;
    }
    return {strval(v)};
}

void add_sprig_strings(function_table& t)
{
    auto s1 = [&](const char* name, std::string (*f)(std::string)) {
        t.add(name, fn({S::string_}, false,
                       [f](call_context&, args a) -> result<go_value> { return str(f(a[0].as_string())); }));
    };
    s1("trim", [](std::string s) { return trim_space(s); });
    s1("upper", [](std::string s) { return map_runes(s, to_upper); });
    s1("lower", [](std::string s) { return map_runes(s, to_lower); });
    s1("title", [](std::string s) { return title(s); });
    // goutils.Uncapitalize: lower-case the first rune of each space-separated word.
    s1("untitle", [](std::string s) {
        std::string out;
        bool next = true;
        for (std::size_t i = 0; i < s.size(); i += rune_length(s, i)) {
            char32_t r = decode_rune(s, i);
            if (is_space(r))
                next = true;
            else if (next)
                r = to_lower(r), next = false;
            append_rune(out, r);
        }
        return out;
    });
    // goutils.DeleteWhiteSpace works byte by byte, turning each byte into a rune.
    s1("nospace", [](std::string s) {
        std::string out;
        bool removed = false;
        for (char c : s) {
            auto r = static_cast<char32_t>(static_cast<unsigned char>(c));
            if (is_space(r))
                removed = true;
            else
                append_rune(out, r);
        }
        return removed ? out : s;
    });
    s1("swapcase", [](std::string s) {
        // goutils.SwapCase: title case and upper case are the same rune for the scripts weir maps
        return map_runes(s, [](char32_t r) {
            return is_upper(r) ? to_lower(r) : is_lower(r) ? to_upper(r) : r;
        });
    });
    s1("base", [](std::string s) {
        if (s.empty()) return std::string(".");
        while (s.size() > 1 && s.back() == '/')
            s.pop_back();
        auto p = s.rfind('/');
        if (p != std::string::npos && s.size() > 1) s = s.substr(p + 1);
        return s.empty() ? std::string("/") : s;
    });
    s1("ext", [](std::string s) {
        for (std::size_t i = s.size(); i-- > 0 && s[i] != '/';)
            if (s[i] == '.') return s.substr(i);
        return std::string();
    });

    auto s2 = [&](const char* name, std::string (*f)(const std::string&, const std::string&)) {
        t.add(name, fn({S::string_, S::string_}, false, [f](call_context&, args a) -> result<go_value> {
                  return str(f(a[0].as_string(), a[1].as_string()));
              }));
    };
    s2("trimAll",
       [](const std::string& cut, const std::string& s) { return trim_cutset(s, cut, true, true); });
    s2("trimall",
       [](const std::string& cut, const std::string& s) { return trim_cutset(s, cut, true, true); });
    s2("trimSuffix", [](const std::string& suf, const std::string& s) {
        return s.ends_with(suf) ? s.substr(0, s.size() - suf.size()) : s;
    });
    s2("trimPrefix", [](const std::string& pre, const std::string& s) {
        return s.starts_with(pre) ? s.substr(pre.size()) : s;
    });
    auto b2 = [&](const char* name, bool (*f)(const std::string&, const std::string&)) {
        t.add(name, fn({S::string_, S::string_}, false, [f](call_context&, args a) -> result<go_value> {
                  return go_value::of_bool(f(a[0].as_string(), a[1].as_string()));
              }));
    };
    b2("contains",
       [](const std::string& sub, const std::string& s) { return s.find(sub) != std::string::npos; });
    b2("hasPrefix", [](const std::string& p, const std::string& s) { return s.starts_with(p); });
    b2("hasSuffix", [](const std::string& p, const std::string& s) { return s.ends_with(p); });

    t.add("replace",
          fn({S::string_, S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return str(replace_all(a[2].as_string(), a[0].as_string(), a[1].as_string()));
          }));
    t.add("repeat", fn({S::int_, S::string_}, false, [](call_context& ctx, args a) -> result<go_value> {
              if (a[0].as_int() < 0) return fail("strings: negative Repeat count");
              auto bytes = static_cast<double>(a[0].as_int()) * static_cast<double>(a[1].as_string().size());
              WEIR_TRY(check_size(ctx, bytes > 1e18 ? SIZE_MAX : static_cast<std::size_t>(bytes), "repeat"));
              std::string out;
              for (std::int64_t i = 0; i < a[0].as_int(); ++i)
                  out += a[1].as_string();
              return str(std::move(out));
          }));
    t.add("indent", fn({S::int_, S::string_}, false, [](call_context& ctx, args a) -> result<go_value> {
              if (a[0].as_int() < 0) return fail("strings: negative Repeat count");
              WEIR_TRY(check_size(ctx, static_cast<std::size_t>(a[0].as_int()), "indent"));
              std::string pad(static_cast<std::size_t>(std::max<std::int64_t>(a[0].as_int(), 0)), ' ');
              return str(pad + replace_all(a[1].as_string(), "\n", "\n" + pad));
          }));
    t.add("nindent", fn({S::int_, S::string_}, false, [](call_context& ctx, args a) -> result<go_value> {
              if (a[0].as_int() < 0) return fail("strings: negative Repeat count");
              WEIR_TRY(check_size(ctx, static_cast<std::size_t>(a[0].as_int()), "nindent"));
              std::string pad(static_cast<std::size_t>(std::max<std::int64_t>(a[0].as_int(), 0)), ' ');
              return str("\n" + pad + replace_all(a[1].as_string(), "\n", "\n" + pad));
          }));
    t.add("trunc", fn({S::int_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              std::int64_t c = a[0].as_int();
              const std::string& s = a[1].as_string();
              auto n = static_cast<std::int64_t>(s.size());
              if (c < 0 && n + c > 0) return str(s.substr(static_cast<std::size_t>(n + c)));
              if (c >= 0 && n > c) return str(s.substr(0, static_cast<std::size_t>(c)));
              return str(s);
          }));
    t.add("substr", fn({S::int_, S::int_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              std::int64_t b = a[0].as_int(), e = a[1].as_int();
              const std::string& s = a[2].as_string();
              auto n = static_cast<std::int64_t>(s.size());
              if (b < 0) {
                  if (e < 0) return fail(fmt::format("runtime error: slice bounds out of range [:{}]", e));
                  if (e > n)
                      return fail(
                          fmt::format("runtime error: slice bounds out of range [:{}] with length {}", e, n));
                  return str(s.substr(0, static_cast<std::size_t>(e)));
              }
              if (e < 0 || e > n) {
                  if (b > n)
                      return fail(fmt::format("runtime error: slice bounds out of range [{}:{}]", b, n));
                  return str(s.substr(static_cast<std::size_t>(b)));
              }
              if (b > e) return fail(fmt::format("runtime error: slice bounds out of range [{}:{}]", b, e));
              return str(s.substr(static_cast<std::size_t>(b), static_cast<std::size_t>(e - b)));
          }));
    t.add("quote", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              std::string out;
              bool first = true;
              for (auto& v : a) {
                  if (v.is_nil() || v.is_missing()) continue;
                  if (!first) out += ' ';
                  first = false;
                  out += go_quote(strval(v));
              }
              return str(std::move(out));
          }));
    t.add("squote", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              std::string out;
              bool first = true;
              for (auto& v : a) {
                  if (v.is_nil() || v.is_missing()) continue;
                  if (!first) out += ' ';
                  first = false;
                  out += "'" + strval(v) + "'";
              }
              return str(std::move(out));
          }));
    t.add("cat", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              std::vector<go_value> kept;
              for (auto& v : a)
                  if (!v.is_nil() && !v.is_missing()) kept.push_back(v);
              std::string out;
              for (std::size_t i = 0; i < kept.size(); ++i) {
                  if (i) out += ' ';
                  append_value(out, kept[i]);
              }
              return str(std::move(out));
          }));
    t.add("toString",
          fn({S::any}, false, [](call_context&, args a) -> result<go_value> { return str(strval(a[0])); }));
    t.add("join", fn({S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              auto parts = strslice(a[1]);
              std::string out;
              for (std::size_t i = 0; i < parts.size(); ++i) {
                  if (i) out += a[0].as_string();
                  out += parts[i];
              }
              return str(std::move(out));
          }));
    t.add("toStrings", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return string_list(strslice(a[0]));
          }));
    t.add("splitList", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return string_list(split(a[1].as_string(), a[0].as_string()));
          }));
    t.add("split", fn({S::string_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return split_map(split(a[1].as_string(), a[0].as_string()));
          }));
    t.add("splitn",
          fn({S::string_, S::int_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return split_map(split(a[2].as_string(), a[0].as_string(), static_cast<int>(a[1].as_int())));
          }));
    t.add("plural",
          fn({S::string_, S::string_, S::int_}, false, [](call_context&, args a) -> result<go_value> {
              return str(a[2].as_int() == 1 ? a[0].as_string() : a[1].as_string());
          }));
    t.add("wrap", fn({S::int_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              // WordUtils.Wrap without long-word breaking: greedy lines of at most N.
              std::string out, line;
              auto words = split(a[1].as_string(), " ");
              for (auto& w : words) {
                  if (!line.empty() &&
                      static_cast<std::int64_t>(line.size() + 1 + w.size()) > a[0].as_int()) {
                      out += line + "\n";
                      line.clear();
                  }
                  line += (line.empty() ? "" : " ") + w;
              }
              return str(out + line);
          }));
    // goutils.Initials reads bytes as runes.
    t.add("initials", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              std::string out;
              bool gap = true;
              for (char c : a[0].as_string()) {
                  auto r = static_cast<char32_t>(static_cast<unsigned char>(c));
                  if (is_space(r))
                      gap = true;
                  else if (gap)
                      append_rune(out, r), gap = false;
              }
              return str(std::move(out));
          }));
    // xstrings.ToCamelCase: connectors (-, _, spaces) go, the rune after one is upper-cased,
    // the others lower-cased; leading connectors stay.
    t.add("camelcase", fn({S::string_}, false, [](call_context&, args a) -> result<go_value> {
              const std::string& s = a[0].as_string();
              auto connector = [](char32_t r) { return r == '-' || r == '_' || is_space(r); };
              std::vector<char32_t> rs;
              for (std::size_t i = 0; i < s.size(); i += rune_length(s, i))
                  rs.push_back(decode_rune(s, i));
              std::string out;
              std::size_t i = 0;
              char32_t r0 = 0;
              for (; i < rs.size(); ++i) {
                  r0 = rs[i];
                  if (!connector(r0)) {
                      r0 = to_upper(r0);
                      break;
                  }
                  append_rune(out, r0);
              }
              if (i >= rs.size()) {
                  if (!rs.empty()) append_rune(out, r0); // xstrings writes the last rune once more
                  return str(std::move(out));
              }
              for (++i; i < rs.size(); ++i) {
                  char32_t r1 = r0;
                  r0 = rs[i];
                  if (connector(r0) && connector(r1)) {
                      append_rune(out, r1);
                      continue;
                  }
                  if (connector(r1))
                      r0 = to_upper(r0);
                  else
                      r0 = to_lower(r0), append_rune(out, r1);
              }
              append_rune(out, r0);
              return str(std::move(out));
          }));
    t.add("abbrev", fn({S::int_, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              std::int64_t w = a[0].as_int();
              const std::string& s = a[1].as_string();
              if (w < 4 || static_cast<std::int64_t>(s.size()) <= w) return str(s);
              return str(s.substr(0, static_cast<std::size_t>(w - 3)) + "...");
          }));
}

} // namespace weir::gotemplate::detail
