// --set parsing after Helm's pkg/strvals: "a.b=c,d[0]=e,f={x,y}", with `\` escapes, typed values
// for --set, strings for --set-string and the raw right-hand side for --set-literal.
#include "helm_internal.hpp"
#include "render_internal.hpp"

#include <weir/core/json.hpp>

#include <weir/helm/values.hpp>

#include <charconv>

namespace weir::helm {
namespace {

constexpr std::size_t max_index = 65536; // Helm's MaxIndex

struct parser {
    std::string_view s;
    std::size_t pos = 0;
    set_mode mode;
    std::string_view whole;

    bool done() const { return pos >= s.size(); }

    error fail(std::string what) const
    {
        return terminal_error(what + " in --set \"" + std::string(whole) + "\"");
    }

    // Reads until one of `stops` (unescaped); returns the text and the stop char (0 at end).
    std::pair<std::string, char> run_until(std::string_view stops)
    {
        std::string out;
        while (!done()) {
            char c = s[pos++];
            if (c == '\\' && mode != set_mode::literal) {
                if (done()) break;
                out += s[pos++];
                continue;
            }
            if (stops.find(c) != std::string_view::npos) return {out, c};
            out += c;
        }
        return {out, 0};
    }

    weir::value typed(const std::string& v) const
    {
        if (mode != set_mode::typed) return v;
        auto eq = [&](std::string_view w) {
            if (v.size() != w.size()) return false;
            for (std::size_t i = 0; i < v.size(); ++i)
                if (std::tolower(static_cast<unsigned char>(v[i])) != w[i]) return false;
            return true;
        };
        if (eq("true")) return true;
        if (eq("false")) return false;
        if (eq("null")) return nullptr;
        if (v == "0") return std::int64_t{0};
        if (!v.empty() && v[0] != '0') {
            std::int64_t i = 0;
            const char* b = v.data();
            if (*b == '+') ++b;
            auto [p, ec] = std::from_chars(b, v.data() + v.size(), i);
            if (ec == std::errc() && p == v.data() + v.size() && b != p) return i;
        }
        return v;
    }

    // Assigns `v` at the key path that starts the input ("a.b[0]=..." up to the '=').
    status assign(weir::value& into, weir::value v)
    {
        preset_ = std::move(v);
        has_preset_ = true;
        return key(into);
    }
    weir::value preset_;
    bool has_preset_ = false;

    result<weir::value> list_value()
    {
        weir::array out;
        for (;;) {
            auto [text, stop] = run_until(",}");
            if (stop == 0) return fail("list must terminate with '}'");
            out.push_back(typed(text));
            if (stop == '}') {
                if (!done() && s[pos] == ',') ++pos;
                return weir::value(std::move(out));
            }
        }
    }

    // After the key: "=" value; the value may be a {list}.
    result<weir::value> value_after_eq()
    {
        if (has_preset_) {
            pos = s.size();
            return std::move(preset_);
        }
        if (mode == set_mode::literal) {
            std::string v(s.substr(pos));
            pos = s.size();
            return weir::value(v);
        }
        if (!done() && s[pos] == '{' && mode == set_mode::typed) {
            ++pos;
            return list_value();
        }
        auto [text, stop] = run_until(",");
        (void)stop;
        return typed(text);
    }

    status set_in(weir::value& target, weir::value v) const
    {
        target = std::move(v);
        return ok();
    }

    // key path: name(.name|[n])*
    status key(weir::value& into)
    {
        auto [name, stop] = run_until(mode == set_mode::literal ? std::string_view(".=[") : std::string_view(".=[,"));
        if (stop == ',' || stop == 0) {
            if (name.empty() && stop == ',') return ok();
            return fail("key \"" + name + "\" has no value");
        }
        if (!into.is_object()) into = weir::object{};
        weir::value& slot = into.as_object()[name];
        return continue_key(slot, stop);
    }

    status continue_key(weir::value& slot, char stop)
    {
        switch (stop) {
        case '=': {
            WEIR_TRY_ASSIGN(weir::value v, value_after_eq());
            slot = std::move(v);
            return ok();
        }
        case '.':
            if (!slot.is_object()) slot = weir::object{};
            return key(slot);
        case '[': {
            auto [idx, st] = run_until("]");
            if (st != ']') return fail("missing ']'");
            std::size_t i = 0;
            auto [p, ec] = std::from_chars(idx.data(), idx.data() + idx.size(), i);
            if (ec != std::errc() || p != idx.data() + idx.size()) return fail("invalid index \"" + idx + "\"");
            if (i > max_index) return fail("index of " + idx + " is greater than maximum supported index 65536");
            if (!slot.is_array()) slot = weir::array{};
            auto& arr = slot.as_array();
            if (arr.size() <= i) arr.resize(i + 1);
            if (done()) return fail("key has no value");
            char next = s[pos++];
            if (next != '=' && next != '.' && next != '[') return fail("unexpected character after index");
            return continue_key(arr[i], next);
        }
        default:
            return fail("unexpected data");
        }
    }
};

} // namespace

status parse_set(std::string_view expr, weir::value& into, set_mode mode)
{
    if (!into.is_object()) into = weir::object{};
    parser p{expr, 0, mode, expr};
    while (!p.done()) WEIR_TRY(p.key(into));
    return ok();
}

namespace {

status set_preset(std::string_view expr, weir::value& into, weir::value v, std::string_view flag)
{
    auto eq = expr.find('=');
    if (eq == std::string_view::npos)
        return terminal_error(std::string(flag) + " \"" + std::string(expr) + "\": key has no value");
    if (!into.is_object()) into = weir::object{};
    parser p{expr.substr(0, eq + 1), 0, set_mode::typed, expr};
    return p.assign(into, std::move(v));
}

} // namespace

result<weir::value> merge_value_options(const value_options& opts)
{
    weir::value base = weir::object{};
    for (const auto& f : opts.value_files) {
        WEIR_TRY_ASSIGN(std::string text, read_file(f));
        auto v = parse_values_yaml(text);
        if (!v) return terminal_error("failed to parse " + f.string() + ": " + v.err().message);
        base = merge_maps(std::move(base), *v);
    }
    for (const auto& s : opts.values) WEIR_TRY(parse_set(s, base, set_mode::typed));
    for (const auto& s : opts.string_values) WEIR_TRY(parse_set(s, base, set_mode::string));
    for (const auto& s : opts.json_values) {
        auto eq = s.find('=');
        auto j = parse_json(eq == std::string::npos ? std::string_view() : std::string_view(s).substr(eq + 1));
        if (!j) return terminal_error("--set-json \"" + s + "\": the value is not JSON: " + j.err().message);
        WEIR_TRY(set_preset(s, base, values_as_go_floats(std::move(*j)), "--set-json"));
    }
    for (const auto& s : opts.literal_values) WEIR_TRY(parse_set(s, base, set_mode::literal));
    for (const auto& s : opts.file_values) {
        auto eq = s.find('=');
        if (eq == std::string::npos) return terminal_error("--set-file \"" + s + "\": key has no file");
        WEIR_TRY_ASSIGN(std::string text, read_file(s.substr(eq + 1)));
        WEIR_TRY(set_preset(s, base, weir::value(std::move(text)), "--set-file"));
    }
    return base;
}

} // namespace weir::helm
