// meta.k8s.io/v1 Table responses, what `kubectl get` asks for to print columns: Name, the CRD's
// additionalPrinterColumns (JSONPath subset: fields, indexes, [*] and [?(@.k=="v")] filters) or
// a few built-in columns, and Age.
#include "table.hpp"

#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

#include <ctime>

namespace weir::apiserver {

namespace {

struct column {
    std::string name, type, format, description, path;
    int priority = 0;
};

// The CRD list's own column; other built-in kinds: table_builtin.cpp.
std::vector<column> builtin_columns(std::string_view resource)
{
    if (resource == "customresourcedefinitions")
        return {{"Created At", "string", "", "When the CRD was created.", ".metadata.creationTimestamp"}};
    return {};
}

std::vector<column> columns_of(const resource_info& r, bool& age)
{
    age = true;
    if (r.printer_columns && r.printer_columns->is_array() && !r.printer_columns->as_array().empty()) {
        age = false;
        std::vector<column> out;
        for (const auto& c : r.printer_columns->as_array()) {
            column col{std::string(c.get_string("name")), std::string(c.get_string("type", "string")),
                       std::string(c.get_string("format")), std::string(c.get_string("description")),
                       std::string(c.get_string("jsonPath"))};
            if (const value* p = c.find("priority"); p && p->is_int())
                col.priority = static_cast<int>(p->as_int());
            out.push_back(std::move(col));
        }
        return out;
    }
    age = r.resource != "customresourcedefinitions";
    return builtin_columns(r.resource);
}

std::vector<const value*> step(const std::vector<const value*>& in, std::string_view seg)
{
    std::vector<const value*> out;
    for (const value* v : in) {
        if (seg.front() != '[') {
            if (const value* c = v->find(seg)) out.push_back(c);
            continue;
        }
        if (!v->is_array()) continue;
        std::string_view inner = seg.substr(1, seg.size() - 2);
        const auto& items = v->as_array();
        if (inner == "*") {
            for (const auto& x : items)
                out.push_back(&x);
        } else if (inner.starts_with("?(@.")) {
            auto eq = inner.find("==");
            if (eq == std::string_view::npos) continue;
            std::string_view key = inner.substr(4, eq - 4);
            std::string_view want = inner.substr(eq + 2);
            if (want.ends_with(")")) want.remove_suffix(1);
            if (want.size() >= 2 && (want.front() == '"' || want.front() == '\''))
                want = want.substr(1, want.size() - 2);
            for (const auto& x : items)
                if (x.get_string(key) == want) out.push_back(&x);
        } else {
            std::size_t i = static_cast<std::size_t>(std::atol(std::string(inner).c_str()));
            if (i < items.size()) out.push_back(&items[i]);
        }
    }
    return out;
}

const value* eval_path(const value& obj, std::string_view path)
{
    std::vector<const value*> cur{&obj};
    std::size_t i = 0;
    while (i < path.size() && !cur.empty()) {
        if (path[i] == '.') {
            ++i;
            continue;
        }
        std::size_t end = i;
        if (path[i] == '[') {
            end = path.find(']', i);
            if (end == std::string_view::npos) return nullptr;
            ++end;
        } else {
            while (end < path.size() && path[end] != '.' && path[end] != '[')
                ++end;
        }
        cur = step(cur, path.substr(i, end - i));
        i = end;
    }
    return cur.empty() ? nullptr : cur.front();
}

} // namespace

std::string human_age(std::string_view ts)
{
    std::tm tm{};
    if (!strptime(std::string(ts).c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return "<invalid>";
    long long s = static_cast<long long>(std::time(nullptr) - timegm(&tm));
    if (s < -1) return "<invalid>";
    if (s < 0) return "0s";
    if (s < 120) return fmt::format("{}s", s);
    long long m = s / 60, h = s / 3600, d = h / 24, y = d / 365;
    if (m < 10) return s % 60 ? fmt::format("{}m{}s", m, s % 60) : fmt::format("{}m", m);
    if (m < 180) return fmt::format("{}m", m);
    if (h < 8) return m % 60 ? fmt::format("{}h{}m", h, m % 60) : fmt::format("{}h", h);
    if (h < 48) return fmt::format("{}h", h);
    if (h < 24 * 8) return h % 24 ? fmt::format("{}d{}h", d, h % 24) : fmt::format("{}d", d);
    if (h < 24 * 365 * 2) return fmt::format("{}d", d);
    if (h < 24 * 365 * 8) return d % 365 ? fmt::format("{}y{}d", y, d % 365) : fmt::format("{}y", y);
    return fmt::format("{}y", y);
}

namespace {

value cell(const column& c, const value* v)
{
    if (!v) return nullptr;
    if (c.type == "date") return v->is_string() ? value(human_age(v->as_string())) : value(nullptr);
    if (v->is_string() || v->is_number() || v->is_bool()) return *v;
    return to_json(*v);
}

value definition(std::string name, std::string type, std::string format, std::string description,
                 int priority)
{
    value d = object{};
    d["name"] = std::move(name);
    d["type"] = std::move(type);
    d["format"] = std::move(format);
    d["description"] = std::move(description);
    d["priority"] = priority;
    return d;
}

} // namespace

bool wants_table(std::string_view accept)
{
    return accept.find("as=Table") != std::string_view::npos;
}

value table_definitions(const resource_info& r)
{
    bool age = true;
    value defs = array{};
    if (const auto* b = r.custom ? nullptr : builtin_table(r.group, r.resource)) {
        for (const auto& c : *b)
            defs.as_array().push_back(definition(
                c.name, c.type,
                c.type == std::string_view("date") ? "" : (c.name == std::string_view("Name") ? "name" : ""),
                c.description, c.priority));
        return defs;
    }
    defs.as_array().push_back(
        definition("Name", "string", "name", "Name must be unique within a namespace.", 0));
    for (const auto& c : columns_of(r, age))
        defs.as_array().push_back(definition(c.name, c.type, c.format, c.description, c.priority));
    if (age)
        defs.as_array().push_back(definition("Age", "date", "", "Time since the object was created.", 0));
    return defs;
}

value table_row(const resource_info& r, const value& obj)
{
    bool age = true;
    value cells = array{};
    if (const auto* b = r.custom ? nullptr : builtin_table(r.group, r.resource)) {
        for (const auto& c : *b)
            cells.as_array().push_back(c.cell(obj));
        value row = object{};
        row["cells"] = std::move(cells);
        row["object"] = obj;
        return row;
    }
    cells.as_array().push_back(obj.find_path({"metadata", "name"}) ? *obj.find_path({"metadata", "name"})
                                                                   : value(""));
    for (const auto& c : columns_of(r, age))
        cells.as_array().push_back(cell(c, eval_path(obj, c.path)));
    if (age) {
        const value* ts = obj.find_path({"metadata", "creationTimestamp"});
        cells.as_array().push_back(ts && ts->is_string() ? value(human_age(ts->as_string()))
                                                         : value("<unknown>"));
    }
    value row = object{};
    row["cells"] = std::move(cells);
    row["object"] = obj;
    return row;
}

std::string table_json(const resource_info& r, const std::vector<value>& objects, std::int64_t rv,
                       const std::string& cont, bool with_definitions)
{
    value t = object{};
    t["kind"] = "Table";
    t["apiVersion"] = "meta.k8s.io/v1";
    t["metadata"]["resourceVersion"] = std::to_string(rv);
    if (!cont.empty()) t["metadata"]["continue"] = cont;
    t["columnDefinitions"] = with_definitions ? table_definitions(r) : value(array{});
    value rows = array{};
    for (const auto& o : objects)
        rows.as_array().push_back(table_row(r, o));
    t["rows"] = std::move(rows);
    return to_json(t);
}

} // namespace weir::apiserver
