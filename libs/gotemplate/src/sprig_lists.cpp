// Sprig 3.2.3's lists, dicts and defaults (list.go, dict.go, defaults.go).
#include "funcs.hpp"
#include "gofmt.hpp"

#include <algorithm>
#include <cmath>

namespace weir::gotemplate::detail {

std::vector<std::string> strslice(const go_value& v);

namespace {

using args = std::span<const go_value>;
using S = param;

bool empty(const go_value& v)
{
    return !go_truth(v);
}

std::int64_t to_int(const go_value& v)
{
    return cast_to_int64(v);
}

// Sprig panics with "Cannot <op> on type <T>" for a non-list; Go reports the panic as the error.
result<go_list> as_list(const go_value& v, std::string_view op)
{
    if (v.is_list()) return v.as_list();
    if (v.is_nil() || v.is_missing())
        return fail("runtime error: invalid memory address or nil pointer dereference");
    return fail(fmt::format("Cannot {} on type {}", op, v.kind_name()));
}

go_value list_of(go_list l)
{
    return go_value::of_list(std::move(l));
}
go_value map_or_empty(const go_value& v)
{
    return v.is_map() ? v : go_value::of_map({});
}

go_value deep_copy(const go_value& v, int depth = 0)
{
    if (depth > 1500) return go_value::nil(); // a map that holds itself
    if (v.is_list()) {
        go_list l;
        for (auto& e : v.as_list())
            l.push_back(deep_copy(e, depth + 1));
        return go_value::of_list(std::move(l), v.type());
    }
    if (v.is_map()) {
        go_map m;
        for (auto& [k, e] : v.as_map())
            m.emplace(k, deep_copy(e, depth + 1));
        return go_value::of_map(std::move(m), v.type());
    }
    return v;
}

// mergo.Merge (without override): fills keys dst lacks, recursing into maps both hold.
void merge_into(go_map& dst, const go_map& src, bool overwrite, int depth = 0)
{
    if (depth > 1500 || &dst == &src) return;
    for (auto& [k, v] : src) {
        auto it = dst.find(k);
        if (it == dst.end()) {
            dst.emplace(k, v);
        } else if (it->second.is_map() && v.is_map()) {
            merge_into(it->second.mutable_map(), v.as_map(), overwrite, depth + 1);
        } else if (overwrite ? !empty(v) : empty(it->second)) {
            it->second = v;
        }
    }
}

} // namespace

void add_sprig_lists(function_table& t)
{
    auto list_fn = [](call_context&, args a) -> result<go_value> {
        return list_of(go_list(a.begin(), a.end()));
    };
    t.add("list", fn({S::any}, true, list_fn));
    t.add("tuple", fn({S::any}, true, list_fn));
    t.add("dict", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              go_map m;
              for (std::size_t i = 0; i < a.size(); i += 2)
                  m.insert_or_assign(strval(a[i]), i + 1 < a.size() ? a[i + 1] : go_value::of_string(""));
              return go_value::of_map(std::move(m));
          }));
    t.add("get", fn({S::map_any, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              if (a[0].is_map())
                  if (const go_value* v = a[0].map_find(a[1].as_string())) return *v;
              return go_value::of_string("");
          }));
    t.add("set", fn({S::map_any, S::string_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (!a[0].is_map()) return fail("assignment to entry in nil map");
              a[0].mutable_map().insert_or_assign(a[1].as_string(), a[2]);
              return a[0];
          }));
    t.add("unset", fn({S::map_any, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              if (a[0].is_map()) a[0].mutable_map().erase(a[1].as_string());
              return a[0];
          }));
    t.add("hasKey", fn({S::map_any, S::string_}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(a[0].is_map() && a[0].map_find(a[1].as_string()));
          }));
    t.add("pluck", fn({S::string_, S::map_any}, true, [](call_context&, args a) -> result<go_value> {
              go_list out;
              for (std::size_t i = 1; i < a.size(); ++i)
                  if (a[i].is_map())
                      if (const go_value* v = a[i].map_find(a[0].as_string())) out.push_back(*v);
              return list_of(std::move(out));
          }));
    t.add("keys", fn({S::map_any}, true, [](call_context&, args a) -> result<go_value> {
              go_list out;
              for (auto& d : a)
                  if (d.is_map())
                      for (auto& [k, v] : d.as_map())
                          out.push_back(go_value::of_string(k));
              return go_value::of_list(std::move(out), go_type::list_string);
          }));
    t.add("values", fn({S::map_any}, false, [](call_context&, args a) -> result<go_value> {
              go_list out;
              if (a[0].is_map())
                  for (auto& [k, v] : a[0].as_map())
                      out.push_back(v);
              return list_of(std::move(out));
          }));
    auto pick_omit = [](bool pick) {
        return fn({S::map_any, S::string_}, true, [pick](call_context&, args a) -> result<go_value> {
            go_map out;
            if (a[0].is_map())
                for (auto& [k, v] : a[0].as_map()) {
                    bool named = std::any_of(a.begin() + 1, a.end(),
                                             [&](const go_value& n) { return n.as_string() == k; });
                    if (named == pick) out.emplace(k, v);
                }
            return go_value::of_map(std::move(out));
        });
    };
    t.add("pick", pick_omit(true));
    t.add("omit", pick_omit(false));
    auto merge = [](bool overwrite) {
        return fn({S::map_any, S::any}, true, [overwrite](call_context&, args a) -> result<go_value> {
            go_value dst = map_or_empty(a[0]);
            for (std::size_t i = 1; i < a.size(); ++i)
                if (a[i].is_map()) merge_into(dst.mutable_map(), a[i].as_map(), overwrite);
            return dst;
        });
    };
    t.add("merge", merge(false));
    t.add("mustMerge", merge(false));
    t.add("mergeOverwrite", merge(true));
    t.add("mustMergeOverwrite", merge(true));
    t.add("deepCopy", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (a[0].is_nil()) return fail("reflect: call of reflect.Value.Type on zero Value");
              return deep_copy(a[0]);
          }));
    // Sprig's dig asserts Go types: the keys are strings, the dict and each step a map.
    t.add("dig", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              if (a.size() < 3) return fail("dig needs at least three arguments");
              auto conversion = [](const go_value& v, const char* want) {
                  return fail(fmt::format("interface conversion: interface {{}} is {}, not {}",
                                          v.is_nil() ? "nil" : v.type_name(), want));
              };
              if (a.back().type() != go_type::map_any) return conversion(a.back(), "map[string]interface {}");
              for (std::size_t i = 0; i + 2 < a.size(); ++i)
                  if (!a[i].is_string()) return conversion(a[i], "string");
              go_value cur = a.back();
              for (std::size_t i = 0; i + 2 < a.size(); ++i) {
                  if (cur.type() != go_type::map_any) return conversion(cur, "map[string]interface {}");
                  const go_value* v = cur.map_find(a[i].as_string());
                  if (!v) return a[a.size() - 2];
                  cur = *v;
              }
              return cur;
          }));

    auto l1 = [&](const char* name, const char* op, auto body) {
        t.add(name, fn({S::any}, false, [op, body](call_context&, args a) -> result<go_value> {
                  WEIR_TRY_ASSIGN(go_list l, as_list(a[0], op));
                  return body(std::move(l), a[0].type());
              }));
    };
    l1("first", "find first", [](go_list l, go_type) { return l.empty() ? go_value::nil() : l.front(); });
    l1("last", "find last", [](go_list l, go_type) { return l.empty() ? go_value::nil() : l.back(); });
    l1("rest", "find rest", [](go_list l, go_type) {
        return l.empty() ? go_value::of_nil_list() : list_of(go_list(l.begin() + 1, l.end()));
    });
    l1("initial", "find initial", [](go_list l, go_type) {
        return l.empty() ? go_value::of_nil_list() : list_of(go_list(l.begin(), l.end() - 1));
    });
    l1("reverse", "find reverse", [](go_list l, go_type) {
        std::reverse(l.begin(), l.end());
        return list_of(std::move(l));
    });
    l1("uniq", "find uniq", [](go_list l, go_type) {
        go_list out;
        for (auto& e : l)
            if (std::none_of(out.begin(), out.end(), [&](const go_value& o) { return go_deep_equal(o, e); }))
                out.push_back(e);
        return list_of(std::move(out));
    });
    l1("compact", "compact", [](go_list l, go_type) {
        go_list out;
        for (auto& e : l)
            if (!empty(e)) out.push_back(e);
        return list_of(std::move(out));
    });
    t.add("sortAlpha", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              // a non-list becomes a one-element list of its string form, nil included
              auto s = a[0].is_list() ? strslice(a[0]) : std::vector<std::string>{strval(a[0])};
              std::sort(s.begin(), s.end());
              go_list out;
              for (auto& x : s)
                  out.push_back(go_value::of_string(x));
              return go_value::of_list(std::move(out), go_type::list_string);
          }));
    auto push = fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
        WEIR_TRY_ASSIGN(go_list l, as_list(a[0], "push"));
        l.push_back(a[1]);
        return list_of(std::move(l));
    });
    t.add("append", push);
    t.add("push", push);
    t.add("prepend", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              WEIR_TRY_ASSIGN(go_list l, as_list(a[0], "prepend"));
              l.insert(l.begin(), a[1]);
              return list_of(std::move(l));
          }));
    t.add("without", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              WEIR_TRY_ASSIGN(go_list l, as_list(a[0], "find without"));
              go_list out;
              for (auto& e : l)
                  if (std::none_of(a.begin() + 1, a.end(),
                                   [&](const go_value& o) { return go_deep_equal(o, e); }))
                      out.push_back(e);
              return list_of(std::move(out));
          }));
    t.add("has", fn({S::any, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (a[1].is_nil() || a[1].is_missing()) return go_value::of_bool(false);
              WEIR_TRY_ASSIGN(go_list l, as_list(a[1], "find has"));
              return go_value::of_bool(
                  std::any_of(l.begin(), l.end(), [&](const go_value& e) { return go_deep_equal(e, a[0]); }));
          }));
    t.add("concat", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              go_list out;
              for (auto& v : a) {
                  if (v.is_nil())
                      return fail("runtime error: invalid memory address or nil pointer dereference");
                  if (!v.is_list())
                      return fail(fmt::format("Cannot concat type {} as list",
                                              v.is_nil() ? "invalid" : v.kind_name()));
                  const go_list& l = v.as_list();
                  out.insert(out.end(), l.begin(), l.end());
              }
              if (out.empty()) return go_value::of_nil_list(); // Go appends to a nil slice
              return list_of(std::move(out));
          }));
    // Sprig's slice replaces Go's builtin one (user functions win over builtins).
    t.add("slice", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              if (a[0].is_nil() || a[0].is_missing())
                  return fail("runtime error: invalid memory address or nil pointer dereference");
              if (!a[0].is_list())
                  return fail("list should be type of slice or array but " + a[0].kind_name());
              const go_list& l = a[0].as_list();
              if (l.empty()) return go_value::nil();
              std::int64_t b = a.size() > 1 ? to_int(a[1]) : 0;
              std::int64_t e = a.size() > 2 ? to_int(a[2]) : static_cast<std::int64_t>(l.size());
              if (b < 0 || e < b || e > static_cast<std::int64_t>(l.size()))
                  return fail("reflect.Value.Slice: slice index out of bounds");
              return go_value::of_list(go_list(l.begin() + b, l.begin() + e), a[0].type());
          }));
    t.add("chunk", fn({S::int_, S::any}, false, [](call_context&, args a) -> result<go_value> {
              if (a[1].is_nil())
                  return fail("runtime error: invalid memory address or nil pointer dereference");
              if (!a[1].is_list()) return fail("Cannot chunk type " + a[1].kind_name());
              const go_list& l = a[1].as_list();
              go_list out;
              // Sprig sizes the result as floor((len-1)/size)+1 and each chunk as size (the last as
              // len mod size); a negative make() panics, which Go reports as this runtime error
              std::int64_t size = a[0].as_int();
              auto len = static_cast<double>(l.size());
              double q = std::floor((len - 1) / static_cast<double>(size)) + 1;
              if (!(q >= 0) || q > static_cast<double>(max_generated_list))
                  return fail("runtime error: makeslice: len out of range");
              auto count = static_cast<std::int64_t>(q);
              for (std::int64_t i = 0; i < count; ++i) {
                  std::int64_t clen = size;
                  if (i == count - 1) {
                      clen = static_cast<std::int64_t>(std::floor(std::fmod(len, static_cast<double>(size))));
                      if (clen == 0) clen = size;
                  }
                  if (clen < 0) return fail("runtime error: makeslice: len out of range");
                  go_list part;
                  for (std::int64_t j = 0; j < clen; ++j) {
                      std::int64_t ix = i * size + j;
                      if (ix < 0 || ix >= static_cast<std::int64_t>(l.size()))
                          return fail("reflect: slice index out of range");
                      part.push_back(l[static_cast<std::size_t>(ix)]);
                  }
                  out.push_back(list_of(std::move(part)));
              }
              return go_value::of_list(std::move(out), go_type::list_list);
          }));

    t.add("default", fn({S::any, S::any}, true, [](call_context&, args a) -> result<go_value> {
              if (a.size() < 2 || empty(a[1])) return a[0];
              return a[1];
          }));
    t.add("empty", fn({S::any}, false, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(empty(a[0]));
          }));
    t.add("coalesce", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              for (auto& v : a)
                  if (!empty(v)) return v;
              return go_value::nil();
          }));
    t.add("all", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(
                  std::all_of(a.begin(), a.end(), [](const go_value& v) { return !empty(v); }));
          }));
    t.add("any", fn({S::any}, true, [](call_context&, args a) -> result<go_value> {
              return go_value::of_bool(
                  std::any_of(a.begin(), a.end(), [](const go_value& v) { return !empty(v); }));
          }));
    t.add("ternary", fn({S::any, S::any, S::bool_}, false, [](call_context&, args a) -> result<go_value> {
              return a[2].as_bool() ? a[0] : a[1];
          }));
}

} // namespace weir::gotemplate::detail
