// Sprig 3.2.3 functions that libs/gotemplate does not carry yet and real charts call (Bitnami's
// common library uses semver and shuffle). They join Helm's function table here.
#include "render_internal.hpp"

#include <weir/core/semver.hpp>

#include <algorithm>
#include <random>

namespace weir::helm {
namespace gt = weir::gotemplate;
namespace {

gt::function fn(std::vector<gt::param> params, gt::function_body body)
{
    return gt::function{std::move(params), false, std::move(body), false};
}
gt::go_value str(std::string s) { return gt::go_value::of_string(std::move(s)); }

gt::go_value semver_object(const semver& v, std::string original)
{
    auto ms = std::make_shared<gt::method_set>();
    auto num = [](std::uint64_t n) {
        return fn({}, [n](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
            return gt::go_value::of_typed_int(gt::go_type::int64_, static_cast<std::int64_t>(n));
        });
    };
    auto text = [](std::string s) {
        return fn({}, [s](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> { return str(s); });
    };
    std::string canonical = std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.patch);
    if (v.is_prerelease()) canonical += "-" + v.prerelease_str();
    if (!v.build.empty()) canonical += "+" + v.build;
    ms->methods.add("Major", num(v.major));
    ms->methods.add("Minor", num(v.minor));
    ms->methods.add("Patch", num(v.patch));
    ms->methods.add("Prerelease", text(v.prerelease_str()));
    ms->methods.add("Metadata", text(v.build));
    ms->methods.add("Original", text(std::move(original)));
    ms->methods.add("String", text(canonical));
    ms->display = canonical;
    return gt::go_value::with_methods(gt::go_value::of_map({}), std::move(ms));
}

// xstrings' case conversion: words split at case changes, digits and separators.
std::string delimited(const std::string& s, char sep)
{
    std::string out;
    auto is_upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    auto is_lower = [](char c) { return (c >= 'a' && c <= 'z'); };
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '_' || c == '-' || c == ' ' || c == '.') {
            if (!out.empty() && out.back() != sep) out += sep;
            continue;
        }
        if (is_upper(c)) {
            bool prev_lower = i > 0 && (is_lower(s[i - 1]) || (s[i - 1] >= '0' && s[i - 1] <= '9'));
            bool next_lower = i + 1 < s.size() && is_lower(s[i + 1]) && i > 0 && is_upper(s[i - 1]);
            if ((prev_lower || next_lower) && !out.empty() && out.back() != sep) out += sep;
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += c;
        }
    }
    while (!out.empty() && out.back() == sep) out.pop_back();
    return out;
}

} // namespace

void add_sprig_extra(gt::function_table& t)
{
    using gt::param;
    t.add("semver", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        auto v = semver::parse(a[0].as_string());
        if (!v) return terminal_error("Invalid Semantic Version");
        return semver_object(*v, a[0].as_string());
    }));
    t.add("shuffle", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        std::string s = a[0].as_string();
        static thread_local std::mt19937_64 rng{std::random_device{}()};
        std::shuffle(s.begin(), s.end(), rng);
        return str(std::move(s));
    }));
    t.add("kebabcase", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return str(delimited(a[0].as_string(), '-'));
    }));
    t.add("snakecase", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return str(delimited(a[0].as_string(), '_'));
    }));
    t.add("hello", fn({}, [](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
        return str("Hello!");
    }));
    // Offline rendering resolves no names (Helm also refuses DNS unless --enable-dns).
    t.add("getHostByName", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value>) -> result<gt::go_value> {
        return str("");
    }));
    t.add("osBase", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        std::string p = a[0].as_string();
        if (p.empty()) return str(".");
        while (p.size() > 1 && p.back() == '/') p.pop_back();
        auto sl = p.rfind('/');
        return str(sl == std::string::npos || p == "/" ? p : p.substr(sl + 1));
    }));
    t.add("osExt", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        const std::string& p = a[0].as_string();
        for (std::size_t i = p.size(); i-- > 0 && p[i] != '/';)
            if (p[i] == '.') return str(p.substr(i));
        return str("");
    }));
    t.add("osIsAbs", fn({param::string_}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        return gt::go_value::of_bool(!a[0].as_string().empty() && a[0].as_string()[0] == '/');
    }));
    t.add("toDecimal", fn({param::any}, [](gt::call_context&, std::span<const gt::go_value> a) -> result<gt::go_value> {
        std::string s = a[0].is_string() ? a[0].as_string() : std::string();
        if (a[0].is_int()) s = std::to_string(a[0].as_int());
        std::int64_t out = 0;
        for (char c : s) {
            if (c < '0' || c > '7') return gt::go_value::of_int64(0);
            out = out * 8 + (c - '0');
        }
        return gt::go_value::of_int64(out);
    }));
}

} // namespace weir::helm
