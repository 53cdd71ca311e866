// Tree-walking evaluator. Errors travel as values (val::t::error) so && and || can absorb them.
#include "ast.hpp"

namespace weir::cel {
namespace {

struct scope {
    const object& vars;
    std::vector<std::pair<std::string, val>> locals; // macro loop variables, innermost last
};

val at_col(const node& n, std::string msg)
{
    return val::error("column " + std::to_string(n.col) + ": " + msg);
}

val eval(const node& n, scope& sc);

val lookup_field(const node& n, const val& target)
{
    if (target.is_error()) return target;
    if (target.tag != val::t::map)
        return at_col(n, std::string("cannot select field '") + n.name + "' from a " + type_name(target));
    for (const auto& [k, v] : *target.map)
        if (k.tag == val::t::string && k.s == n.name) return v;
    return at_col(n, "no such key: '" + n.name + "'");
}

val eval_index(const node& n, scope& sc)
{
    val t = eval(*n.kids[0], sc);
    if (t.is_error()) return t;
    val k = eval(*n.kids[1], sc);
    if (k.is_error()) return k;
    if (t.tag == val::t::list) {
        std::int64_t i = 0;
        if (k.tag == val::t::int_)
            i = k.i;
        else if (k.tag == val::t::uint_)
            i = static_cast<std::int64_t>(k.u);
        else if (k.tag == val::t::double_ && k.d == static_cast<double>(static_cast<std::int64_t>(k.d)))
            i = static_cast<std::int64_t>(k.d);
        else
            return at_col(n, std::string("a list index must be an int, not a ") + type_name(k));
        if (i < 0 || static_cast<std::size_t>(i) >= t.list->size())
            return at_col(n, "index " + std::to_string(i) + " out of range of a list of size " +
                                 std::to_string(t.list->size()));
        return (*t.list)[static_cast<std::size_t>(i)];
    }
    if (t.tag == val::t::map) {
        for (const auto& [mk, mv] : *t.map) {
            val e = equals(mk, k);
            if (e.tag == val::t::boolean && e.b) return mv;
        }
        return at_col(n, k.tag == val::t::string ? "no such key: '" + k.s + "'"
                                                 : std::string("no such key of type ") + type_name(k));
    }
    return at_col(n, std::string("cannot index a ") + type_name(t));
}

val eval_logic(const node& n, scope& sc)
{
    bool is_and = n.kind == op::and_;
    val l = eval(*n.kids[0], sc);
    if (l.tag == val::t::boolean && l.b != is_and) return l; // short circuit: false && x, true || x
    val r = eval(*n.kids[1], sc);
    if (r.tag == val::t::boolean && r.b != is_and) return r; // the right side decides, absorbing a left error
    if (l.is_error()) return l;
    if (r.is_error()) return r;
    if (l.tag != val::t::boolean || r.tag != val::t::boolean)
        return at_col(n,
                      std::string("no such overload: ") + type_name(l) + " " + n.name + " " + type_name(r));
    return r;
}

val eval_has(const node& n, scope& sc)
{
    const node& sel = *n.kids[0];
    val t = eval(*sel.kids[0], sc);
    if (t.is_error()) return t;
    if (t.tag != val::t::map)
        return at_col(n, std::string("has() needs a map to test, not a ") + type_name(t));
    for (const auto& [k, v] : *t.map)
        if (k.tag == val::t::string && k.s == sel.name) return val::boolean(true);
    return val::boolean(false);
}

val eval_macro(const node& n, scope& sc)
{
    val range = eval(*n.kids[0], sc);
    if (range.is_error()) return range;
    std::vector<val> items;
    if (range.tag == val::t::list)
        items = *range.list;
    else if (range.tag == val::t::map)
        for (const auto& kv : *range.map)
            items.push_back(kv.first);
    else
        return at_col(n, n.name + "() needs a list or a map, not a " + type_name(range));
    const std::string& m = n.name;
    val out = val::new_list();
    std::size_t count = 0;
    bool all = true, any = false;
    val err;
    sc.locals.emplace_back(n.var, val{});
    std::size_t slot = sc.locals.size() - 1;
    for (auto& item : items) {
        sc.locals[slot].second = item;
        bool filtered_in = true;
        if (m == "map" && n.kids.size() == 3) {
            val f = eval(*n.kids[1], sc);
            if (f.is_error()) {
                err = f;
                break;
            }
            if (f.tag != val::t::boolean) {
                err = at_col(*n.kids[1], "map() filter must be a bool");
                break;
            }
            filtered_in = f.b;
        }
        if (m == "map") {
            if (!filtered_in) continue;
            val v = eval(*n.kids.back(), sc);
            if (v.is_error()) {
                err = v;
                break;
            }
            out.list->push_back(std::move(v));
            continue;
        }
        val p = eval(*n.kids[1], sc);
        if (!p.is_error() && p.tag != val::t::boolean)
            p = at_col(*n.kids[1], m + "() predicate must be a bool, not a " + type_name(p));
        if (p.is_error()) {
            // all/exists absorb an error when another element decides, as && and || do.
            if (err.tag == val::t::null) err = p;
            if (m == "all" || m == "exists") continue;
            break;
        }
        if (m == "all" && !p.b) {
            all = false;
            break;
        }
        if (m == "exists" && p.b) {
            any = true;
            break;
        }
        if (m == "exists_one" && p.b) ++count;
        if (m == "filter" && p.b) out.list->push_back(item);
    }
    sc.locals.pop_back();
    if (m == "all") return !all ? val::boolean(false) : err.is_error() ? err : val::boolean(true);
    if (m == "exists") return any ? val::boolean(true) : err.is_error() ? err : val::boolean(false);
    if (err.is_error()) return err;
    if (m == "exists_one") return val::boolean(count == 1);
    return out;
}

val eval_call(const node& n, scope& sc)
{
    std::vector<val> args;
    args.reserve(n.kids.size());
    for (const auto& k : n.kids) {
        args.push_back(eval(*k, sc));
        if (args.back().is_error()) return args.back();
    }
    val r = call_function(n.name, args, n.receiver);
    if (r.is_error() && r.s.rfind("column ", 0) != 0) return at_col(n, r.s);
    return r;
}

val eval(const node& n, scope& sc)
{
    switch (n.kind) {
    case op::literal:
        return n.lit;
    case op::ident: {
        for (auto it = sc.locals.rbegin(); it != sc.locals.rend(); ++it)
            if (it->first == n.name) return it->second;
        if (const value* v = sc.vars.find(n.name)) return from_value(*v);
        for (const char* t :
             {"int", "uint", "double", "string", "bytes", "bool", "list", "map", "null_type", "type"})
            if (n.name == t) return val::type(t);
        return at_col(n, "undeclared reference to '" + n.name + "'");
    }
    case op::select:
        return lookup_field(n, eval(*n.kids[0], sc));
    case op::index:
        return eval_index(n, sc);
    case op::call:
        return eval_call(n, sc);
    case op::list: {
        val out = val::new_list();
        for (const auto& k : n.kids) {
            out.list->push_back(eval(*k, sc));
            if (out.list->back().is_error()) return out.list->back();
        }
        return out;
    }
    case op::map: {
        val out = val::new_map();
        for (std::size_t i = 0; i + 1 < n.kids.size(); i += 2) {
            val k = eval(*n.kids[i], sc);
            if (k.is_error()) return k;
            if (k.tag != val::t::string && k.tag != val::t::int_ && k.tag != val::t::uint_ &&
                k.tag != val::t::boolean)
                return at_col(*n.kids[i],
                              std::string("a map key must be a string, int, uint or bool, not a ") +
                                  type_name(k));
            for (const auto& kv : *out.map)
                if (equals(kv.first, k).b) return at_col(*n.kids[i], "duplicate key in map literal");
            val v = eval(*n.kids[i + 1], sc);
            if (v.is_error()) return v;
            out.map->emplace_back(std::move(k), std::move(v));
        }
        return out;
    }
    case op::cond: {
        val c = eval(*n.kids[0], sc);
        if (c.is_error()) return c;
        if (c.tag != val::t::boolean)
            return at_col(n, std::string("the condition of ?: must be a bool, not a ") + type_name(c));
        return eval(*n.kids[c.b ? 1 : 2], sc);
    }
    case op::and_:
    case op::or_:
        return eval_logic(n, sc);
    case op::not_: {
        val v = eval(*n.kids[0], sc);
        if (v.is_error()) return v;
        if (v.tag != val::t::boolean) return at_col(n, std::string("no such overload: !") + type_name(v));
        return val::boolean(!v.b);
    }
    case op::neg: {
        std::vector<val> a{eval(*n.kids[0], sc)};
        if (a[0].is_error()) return a[0];
        val r = call_function("-_", a, false);
        return r.is_error() ? at_col(n, r.s) : r;
    }
    case op::has:
        return eval_has(n, sc);
    case op::macro:
        return eval_macro(n, sc);
    }
    return at_col(n, "unsupported expression");
}

} // namespace

result<value> evaluate(const program& p, const object& vars)
{
    scope sc{vars, {}};
    val r = eval(p.root(), sc);
    if (r.is_error()) return terminal_error("evaluating '" + p.source() + "': " + r.s, "ExpressionError");
    return to_value(r);
}

result<bool> evaluate_bool(const program& p, const object& vars)
{
    WEIR_TRY_ASSIGN(auto v, evaluate(p, vars));
    if (!v.is_bool())
        return terminal_error("expression '" + p.source() + "' gave a " + v.type_name() + ", not a bool",
                              "ExpressionError");
    return v.as_bool();
}

} // namespace weir::cel
