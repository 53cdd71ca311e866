// Go's builtin template functions (text/template/funcs.go), with their error texts.
#include "funcs.hpp"
#include "gofmt.hpp"
#include "strconv.hpp"

#include <cctype>

namespace weir::gotemplate::detail {
namespace {

enum class basic { invalid, boolean, integer, floating, string };

basic basic_kind(const go_value& v)
{
    if (v.is_bool()) return basic::boolean;
    if (v.is_int()) return basic::integer;
    if (v.is_float()) return basic::floating;
    if (v.is_string()) return basic::string;
    return basic::invalid;
}

bool nilish(const go_value& v)
{
    return v.is_missing() || v.is_nil();
}

// Go formats these operands with %s, so numbers inside show as %!s(int=1).
std::string as_s(const go_value& v)
{
    go_value one[] = {v};
    return go_sprintf("%s", one);
}

result<bool> eq2(const go_value& a, const go_value& b)
{
    basic ka = basic_kind(a), kb = basic_kind(b);
    if (ka != kb) {
        if (!nilish(a) && !nilish(b)) return fail("incompatible types for comparison");
        return false;
    }
    switch (ka) {
    case basic::boolean:
        return a.as_bool() == b.as_bool();
    case basic::integer:
        return a.as_int() == b.as_int();
    case basic::floating:
        return a.as_float() == b.as_float();
    case basic::string:
        return a.as_string() == b.as_string();
    case basic::invalid:
        break;
    }
    bool same_kind = (a.is_list() && b.is_list()) || (a.is_map() && b.is_map()) || (nilish(a) && nilish(b));
    if (!same_kind && !nilish(a) && !nilish(b))
        return fail(fmt::format("non-comparable types {}: {}, {}: {}", as_s(a), a.type_name(), b.type_name(),
                                to_display(b)));
    if (nilish(a) || nilish(b)) return nilish(a) == nilish(b);
    return fail(fmt::format("non-comparable type {}: {}", as_s(b), b.type_name()));
}

result<bool> lt2(const go_value& a, const go_value& b)
{
    basic ka = basic_kind(a), kb = basic_kind(b);
    if (ka == basic::invalid || kb == basic::invalid) return fail("invalid type for comparison");
    if (ka != kb) return fail("incompatible types for comparison");
    switch (ka) {
    case basic::integer:
        return a.as_int() < b.as_int();
    case basic::floating:
        return a.as_float() < b.as_float();
    case basic::string:
        return a.as_string() < b.as_string();
    default:
        return fail("invalid type for comparison");
    }
}

result<std::int64_t> index_arg(const go_value& idx, std::size_t len)
{
    if (nilish(idx)) return fail("cannot index slice/array with nil");
    if (!idx.is_int()) return fail("cannot index slice/array with type " + idx.type_name());
    std::int64_t x = idx.as_int();
    if (x < 0 || static_cast<std::size_t>(x) > len) return fail(fmt::format("index out of range: {}", x));
    return x;
}

std::string eval_args(std::span<const go_value> args)
{
    if (args.size() == 1 && args[0].is_string()) return args[0].as_string();
    std::vector<go_value> a(args.begin(), args.end());
    for (auto& v : a)
        if (nilish(v)) v = go_value::of_string("<no value>");
    return go_sprint(a);
}

std::string html_escape(std::string_view s)
{
    std::string out;
    for (char c : s) {
        switch (c) {
        case '"':
            out += "&#34;";
            break;
        case '\'':
            out += "&#39;";
            break;
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '\0':
            out += "\uFFFD";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string js_escape(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = rune_length(s, i);
        char32_t r = decode_rune(s, i);
        switch (r) {
        case '\\':
            out += "\\\\";
            break;
        case '\'':
            out += "\\'";
            break;
        case '"':
            out += "\\\"";
            break;
        case '<':
            out += "\\u003C";
            break;
        case '>':
            out += "\\u003E";
            break;
        case '&':
            out += "\\u0026";
            break;
        case '=':
            out += "\\u003D";
            break;
        default:
            if (r < ' ')
                out += fmt::format("\\u{:04X}", static_cast<unsigned>(r));
            else if (r < 0x80 || is_print(r))
                out.append(s.substr(i, n));
            else
                out += fmt::format("\\u{:04X}", static_cast<unsigned>(r));
        }
        i += n;
    }
    return out;
}

std::string query_escape(std::string_view s)
{
    std::string out;
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~')
            out += c;
        else if (c == ' ')
            out += '+';
        else
            out += fmt::format("%{:02X}", u);
    }
    return out;
}

} // namespace

result<void> check_size(call_context& ctx, std::size_t bytes, std::string_view what)
{
    if (bytes > ctx.opts().max_output)
        return fail(fmt::format("{} would produce {} bytes, more than the output limit of {}", what, bytes,
                                ctx.opts().max_output));
    return {};
}

std::string printable(const go_value& v)
{
    return v.is_missing() ? "<no value>" : to_display(v);
}

void add_builtins(function_table& t)
{
    function and_f = fn({param::raw, param::raw}, true, nullptr);
    and_f.short_circuit = true;
    t.add("and", and_f);
    t.add("or", and_f);
    t.add("not", fn({param::raw}, false, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_bool(!go_truth(a[0]));
          }));
    t.add("len", fn({param::raw}, false, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              const go_value& v = a[0];
              if (v.is_missing()) return fail("reflect: call of reflect.Value.Type on zero Value");
              if (v.is_nil()) return fail("len of nil pointer");
              if (v.is_string()) return go_value::of_int(static_cast<std::int64_t>(v.as_string().size()));
              if (v.is_list()) return go_value::of_int(static_cast<std::int64_t>(v.as_list().size()));
              if (v.is_map()) return go_value::of_int(static_cast<std::int64_t>(v.as_map().size()));
              return fail("len of type " + v.type_name());
          }));
    t.add("index",
          fn({param::raw, param::raw}, true,
             [](call_context&, std::span<const go_value> a) -> result<go_value> {
                 go_value item = a[0];
                 if (nilish(item)) return fail("index of untyped nil");
                 for (std::size_t i = 1; i < a.size(); ++i) {
                     if (item.is_nil()) return fail("index of nil pointer");
                     if (item.is_list() || item.is_string()) {
                         std::size_t len = item.is_list() ? item.as_list().size() : item.as_string().size();
                         WEIR_TRY_ASSIGN(auto x, index_arg(a[i], len));
                         if (static_cast<std::size_t>(x) >= len)
                             return fail(item.is_list() ? "reflect: slice index out of range"
                                                        : "reflect: string index out of range");
                         if (item.is_string())
                             item = go_value::of_typed_int(
                                 go_type::uint8_,
                                 static_cast<unsigned char>(item.as_string()[static_cast<std::size_t>(x)]));
                         else
                             item = go_value(item.as_list()[static_cast<std::size_t>(x)]);
                     } else if (item.is_map()) {
                         if (!nilish(a[i]) && !a[i].is_string())
                             return fail(
                                 fmt::format("value has type {}; should be string", a[i].type_name()));
                         std::string key = a[i].is_string() ? a[i].as_string() : "";
                         const go_value* v = item.map_find(key);
                         item = v                                    ? *v
                                : item.type() == go_type::map_string ? go_value::of_string("")
                                                                     : go_value::nil();
                     } else {
                         return fail("can't index item of type " + item.type_name());
                     }
                 }
                 return item;
             }));
    t.add("slice",
          fn({param::raw, param::raw}, true,
             [](call_context&, std::span<const go_value> a) -> result<go_value> {
                 const go_value& item = a[0];
                 if (nilish(item)) return fail("slice of untyped nil");
                 if (a.size() > 4) return fail(fmt::format("too many slice indexes: {}", a.size() - 1));
                 std::size_t len;
                 if (item.is_string()) {
                     if (a.size() == 4) return fail("cannot 3-index slice a string");
                     len = item.as_string().size();
                 } else if (item.is_list()) {
                     len = item.as_list().size();
                 } else {
                     return fail("can't slice item of type " + item.type_name());
                 }
                 std::int64_t idx[3] = {0, static_cast<std::int64_t>(len), static_cast<std::int64_t>(len)};
                 for (std::size_t i = 1; i < a.size(); ++i) {
                     WEIR_TRY_ASSIGN(idx[i - 1], index_arg(a[i], len));
                 }
                 if (idx[0] > idx[1])
                     return fail(fmt::format("invalid slice index: {} > {}", idx[0], idx[1]));
                 if (a.size() == 4 && idx[1] > idx[2])
                     return fail(fmt::format("invalid slice index: {} > {}", idx[1], idx[2]));
                 auto b = static_cast<std::size_t>(idx[0]), e = static_cast<std::size_t>(idx[1]);
                 if (item.is_string()) return go_value::of_string(item.as_string().substr(b, e - b));
                 const auto& l = item.as_list();
                 return go_value::of_list(go_list(l.begin() + static_cast<std::ptrdiff_t>(b),
                                                  l.begin() + static_cast<std::ptrdiff_t>(e)),
                                          item.type());
             }));
    t.add("print", fn({param::any}, true, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_string(go_sprint(a));
          }));
    t.add("println",
          fn({param::any}, true, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_string(go_sprintln(a));
          }));
    t.add("printf", fn({param::string_, param::any}, true,
                       [](call_context&, std::span<const go_value> a) -> result<go_value> {
                           return go_value::of_string(go_sprintf(a[0].as_string(), a.subspan(1)));
                       }));
    t.add("eq", fn({param::raw, param::raw}, true,
                   [](call_context&, std::span<const go_value> a) -> result<go_value> {
                       if (a.size() < 2) return fail("missing argument for comparison");
                       for (std::size_t i = 1; i < a.size(); ++i) {
                           WEIR_TRY_ASSIGN(bool e, eq2(a[0], a[i]));
                           if (e) return go_value::of_bool(true);
                       }
                       return go_value::of_bool(false);
                   }));
    auto cmp = [](auto op) {
        return fn(
            {param::raw, param::raw}, false,
            [op](call_context&, std::span<const go_value> a) -> result<go_value> { return op(a[0], a[1]); });
    };
    t.add("ne", cmp([](const go_value& x, const go_value& y) -> result<go_value> {
              WEIR_TRY_ASSIGN(bool e, eq2(x, y));
              return go_value::of_bool(!e);
          }));
    t.add("lt", cmp([](const go_value& x, const go_value& y) -> result<go_value> {
              WEIR_TRY_ASSIGN(bool l, lt2(x, y));
              return go_value::of_bool(l);
          }));
    t.add("le", cmp([](const go_value& x, const go_value& y) -> result<go_value> {
              WEIR_TRY_ASSIGN(bool l, lt2(x, y));
              if (l) return go_value::of_bool(true);
              WEIR_TRY_ASSIGN(bool e, eq2(x, y));
              return go_value::of_bool(e);
          }));
    t.add("gt", cmp([](const go_value& x, const go_value& y) -> result<go_value> {
              WEIR_TRY_ASSIGN(bool l, lt2(x, y));
              if (l) return go_value::of_bool(false);
              WEIR_TRY_ASSIGN(bool e, eq2(x, y));
              return go_value::of_bool(!e);
          }));
    t.add("ge", cmp([](const go_value& x, const go_value& y) -> result<go_value> {
              WEIR_TRY_ASSIGN(bool l, lt2(x, y));
              return go_value::of_bool(!l);
          }));
    t.add("call", fn({param::raw, param::raw}, true,
                     [](call_context&, std::span<const go_value> a) -> result<go_value> {
                         if (nilish(a[0])) return fail("call of nil");
                         return fail("non-function of type " + a[0].type_name());
                     }));
    t.add("html", fn({param::any}, true, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_string(html_escape(eval_args(a)));
          }));
    t.add("js", fn({param::any}, true, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_string(js_escape(eval_args(a)));
          }));
    t.add("urlquery",
          fn({param::any}, true, [](call_context&, std::span<const go_value> a) -> result<go_value> {
              return go_value::of_string(query_escape(eval_args(a)));
          }));
}

} // namespace weir::gotemplate::detail

namespace weir::gotemplate {

function_table function_table::builtins()
{
    function_table t;
    detail::add_builtins(t);
    return t;
}

function_table function_table::with_sprig()
{
    function_table t = builtins();
    detail::add_sprig_strings(t);
    detail::add_sprig_lists(t);
    detail::add_sprig_math(t);
    detail::add_sprig_misc(t);
    detail::add_sprig_crypto(t);
    detail::add_sprig_dates(t);
    // Sprig's plain list functions panic where their must* twins return the error; Go reports
    // both as "error calling NAME: ...", so the twins share one body.
    for (const char* name :
         {"first", "last", "rest", "initial", "reverse", "uniq", "without", "has", "compact", "slice",
          "chunk", "prepend", "deepCopy", "regexFind", "regexFindAll", "regexSplit"}) {
        std::string must = std::string("must") +
                           static_cast<char>(std::toupper(static_cast<unsigned char>(name[0]))) + (name + 1);
        if (const function* f = t.find(name)) {
            function copy = *f;
            t.add(must, std::move(copy));
        }
    }
    if (const function* f = t.find("append")) {
        function a = *f, p = *f;
        t.add("mustAppend", std::move(a));
        t.add("mustPush", std::move(p));
    }
    return t;
}

} // namespace weir::gotemplate
