#include "commit_message.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/gotemplate/template.hpp>

#include <regex>

namespace weir::image {

namespace {

using gotemplate::go_list;
using gotemplate::go_map;
using gotemplate::go_type;
using gotemplate::go_value;

go_value str(const std::string& v)
{
    return go_value::of_string(v);
}

go_value change_value(const setters::change& c)
{
    return go_value::of_map(
        {{"OldValue", str(c.old_value)}, {"NewValue", str(c.new_value)}, {"Setter", str(c.setter)}});
}

// Flux's ObjectIdentifier (kyaml's ResourceIdentifier: {APIVersion, Kind} {Name, Namespace}):
// the key `range` binds, printing as Go prints the struct. The string key sorts in Go's field
// order (APIVersion, Kind, Name, Namespace), which is how Go's range orders struct keys.
std::string object_sort_key(const setters::object_id& o)
{
    return o.api_version + '\x1f' + o.kind + '\x1f' + o.name + '\x1f' + o.namespace_;
}

go_value object_key(const setters::object_id& o)
{
    auto ms = std::make_shared<gotemplate::method_set>();
    ms->display = "{{" + o.api_version + " " + o.kind + "} {" + o.name + " " + o.namespace_ + "}}";
    return go_value::with_methods(go_value::of_map({{"APIVersion", str(o.api_version)},
                                                    {"Kind", str(o.kind)},
                                                    {"Name", str(o.name)},
                                                    {"Namespace", str(o.namespace_)}},
                                                   go_type::map_string),
                                  std::move(ms));
}

// map[ObjectIdentifier][]Change as a string-keyed map whose `range` yields the struct keys.
struct object_changes {
    go_map changes; // sort key -> []Change
    go_map keys;    // sort key -> ObjectIdentifier
    void add(const setters::change& c)
    {
        std::string k = object_sort_key(c.object);
        auto [it, fresh] = changes.try_emplace(k, go_value::of_list({}));
        if (fresh) keys.emplace(k, object_key(c.object));
        it->second.as_list().push_back(change_value(c));
    }
    go_value value() const
    {
        auto ms = std::make_shared<gotemplate::method_set>();
        ms->range_keys = std::make_shared<const go_map>(keys);
        return go_value::with_methods(go_value::of_map(changes), std::move(ms));
    }
};

} // namespace

status check_template(const std::string& tmpl)
{
    // Only inside actions: the message text itself may say ".Updated".
    static const std::regex updated(R"(\.Updated\b)");
    bool uses_updated = false;
    for (std::size_t open = tmpl.find("{{"); open != std::string::npos && !uses_updated;
         open = tmpl.find("{{", open + 2)) {
        auto close = tmpl.find("}}", open + 2);
        std::string action =
            tmpl.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
        uses_updated = std::regex_search(action, updated);
    }
    if (uses_updated)
        return terminal_error(
            "spec.git.commit.messageTemplate uses .Updated, which Flux removed: use .Changed "
            "(.Changed.Changes, .Changed.FileChanges, .Changed.Objects)",
            "RemovedTemplateField");
    gotemplate::template_set set;
    if (auto s = set.parse("commit message", tmpl); !s)
        return terminal_error("spec.git.commit.messageTemplate: " + s.err().message, "InvalidTemplate");
    return ok();
}

result<std::string> render_commit_message(const std::string& tmpl, const commit_context& ctx)
{
    if (tmpl.empty()) return std::string(api::image_v1::default_commit_message);
    WEIR_TRY(check_template(tmpl));
    go_list changes;
    std::map<std::string, object_changes> files;
    object_changes objects;
    for (const auto& c : ctx.changes) {
        changes.push_back(change_value(c));
        files[c.file].add(c);
        objects.add(c);
    }
    go_map per_file;
    for (const auto& [file, oc] : files)
        per_file.emplace(file, oc.value());
    go_map values;
    for (const auto& [k, v] : ctx.values)
        values.emplace(k, str(v));
    go_value data = go_value::of_map(
        {{"AutomationObject",
          go_value::of_map({{"Name", str(ctx.name)}, {"Namespace", str(ctx.namespace_)}})},
         {"Values", go_value::of_map(std::move(values), go_type::map_string)},
         {"Changed", go_value::of_map({{"Changes", go_value::of_list(std::move(changes))},
                                       {"FileChanges", go_value::of_map(std::move(per_file))},
                                       {"Objects", objects.value()}})}});
    gotemplate::template_set set;
    if (auto s = set.parse("commit message", tmpl); !s)
        return terminal_error("spec.git.commit.messageTemplate: " + s.err().message, "InvalidTemplate");
    auto out = set.execute("commit message", data);
    if (!out)
        return terminal_error("spec.git.commit.messageTemplate: " + out.err().message, "InvalidTemplate");
    return out;
}

} // namespace weir::image
