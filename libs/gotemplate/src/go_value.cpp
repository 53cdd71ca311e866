#include <weir/gotemplate/go_value.hpp>

namespace weir::gotemplate {

go_value go_value::of_list(go_list l, go_type t)
{
    return go_value(t, std::make_shared<go_list>(std::move(l)));
}
go_value go_value::of_map(go_map m, go_type t)
{
    return go_value(t, std::make_shared<go_map>(std::move(m)));
}

bool go_value::is_int() const
{
    return type_ == go_type::int_ || type_ == go_type::int64_ || type_ == go_type::int32_ ||
           type_ == go_type::uint32_ || type_ == go_type::uint8_;
}
bool go_value::is_list() const
{
    return type_ == go_type::list_any || type_ == go_type::list_string || type_ == go_type::list_int ||
           type_ == go_type::list_list;
}

go_value go_value::from(const weir::value& v)
{
    switch (v.type()) {
    case weir::value::kind::null:
        return nil();
    case weir::value::kind::boolean:
        return of_bool(v.as_bool());
    case weir::value::kind::integer:
        return of_int64(v.as_int());
    case weir::value::kind::number:
        return of_float(v.as_double());
    case weir::value::kind::string:
        return of_string(v.as_string());
    case weir::value::kind::array: {
        go_list l;
        l.reserve(v.as_array().size());
        for (auto& e : v.as_array())
            l.push_back(from(e));
        return of_list(std::move(l));
    }
    case weir::value::kind::object: {
        go_map m;
        for (auto& [k, e] : v.as_object())
            m.insert_or_assign(k, from(e));
        return of_map(std::move(m));
    }
    }
    return {};
}

const go_value* go_value::map_find(std::string_view key) const
{
    const auto& m = as_map();
    auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
}

std::string go_value::type_name() const
{
    switch (type_) {
    case go_type::invalid:
    case go_type::nil:
        return "<nil>";
    case go_type::bool_:
        return "bool";
    case go_type::int_:
        return "int";
    case go_type::int32_:
        return "int32";
    case go_type::int64_:
        return "int64";
    case go_type::uint32_:
        return "uint32";
    case go_type::uint8_:
        return "uint8";
    case go_type::float64_:
        return "float64";
    case go_type::string_:
        return "string";
    case go_type::list_any:
        return "[]interface {}";
    case go_type::list_string:
        return "[]string";
    case go_type::list_int:
        return "[]int";
    case go_type::list_list:
        return "[][]interface {}";
    case go_type::map_any:
        return "map[string]interface {}";
    case go_type::map_string:
        return "map[string]string";
    case go_type::time:
        return "time.Time";
    }
    return "?";
}

std::string go_value::kind_name() const
{
    if (is_list()) return "slice";
    if (is_time()) return "struct";
    if (is_map()) return "map";
    if (type_ == go_type::invalid || type_ == go_type::nil) return "invalid";
    return type_name();
}

weir::value go_value::to_value() const
{
    switch (type_) {
    case go_type::invalid:
    case go_type::nil:
        return nullptr;
    case go_type::bool_:
        return as_bool();
    case go_type::float64_:
        return as_float();
    case go_type::string_:
        return as_string();
    default:
        break;
    }
    if (is_int()) return static_cast<long long>(as_int());
    if (is_time()) return nullptr;
    if (is_list()) {
        weir::array a;
        for (auto& e : as_list())
            a.push_back(e.to_value());
        return a;
    }
    weir::object o;
    for (auto& [k, e] : as_map())
        o.push_back(k, e.to_value());
    return o;
}

bool go_truth(const go_value& v)
{
    switch (v.type()) {
    case go_type::invalid:
    case go_type::nil:
        return false;
    case go_type::bool_:
        return v.as_bool();
    case go_type::float64_:
        return v.as_float() != 0;
    case go_type::string_:
        return !v.as_string().empty();
    default:
        break;
    }
    if (v.is_int()) return v.as_int() != 0;
    if (v.is_time()) return true; // a struct
    if (v.is_list()) return !v.as_list().empty();
    return !v.as_map().empty();
}

bool go_deep_equal(const go_value& a, const go_value& b)
{
    if (&a == &b) return true;
    bool an = a.is_missing() || a.is_nil(), bn = b.is_missing() || b.is_nil();
    if (an || bn) return an && bn;
    if (a.type() != b.type()) return false;
    switch (a.type()) {
    case go_type::bool_:
        return a.as_bool() == b.as_bool();
    case go_type::float64_:
        return a.as_float() == b.as_float();
    case go_type::string_:
        return a.as_string() == b.as_string();
    default:
        break;
    }
    if (a.is_int() || a.is_time()) return a.as_int() == b.as_int();
    if (a.is_list()) {
        const auto &x = a.as_list(), &y = b.as_list();
        if (x.size() != y.size()) return false;
        for (std::size_t i = 0; i < x.size(); ++i)
            if (!go_deep_equal(x[i], y[i])) return false;
        return true;
    }
    const auto &x = a.as_map(), &y = b.as_map();
    if (x.size() != y.size()) return false;
    for (auto& [k, v] : x) {
        auto it = y.find(k);
        if (it == y.end() || !go_deep_equal(v, it->second)) return false;
    }
    return true;
}

} // namespace weir::gotemplate
