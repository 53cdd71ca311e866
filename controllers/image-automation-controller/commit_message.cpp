#include "commit_message.hpp"

#include <weir/api/image_v1.hpp>
#include <weir/gotemplate/template.hpp>

#include <regex>

namespace weir::image {

namespace {

std::string object_key(const setters::object_id& o)
{
    return o.kind + "/" + o.namespace_ + "/" + o.name;
}

value change_value(const setters::change& c)
{
    return object{{"OldValue", c.old_value}, {"NewValue", c.new_value}, {"Setter", c.setter}};
}

} // namespace

status check_template(const std::string& tmpl)
{
    // Only inside actions: the message text itself may say ".Updated".
    static const std::regex updated(R"(\.Updated\b)");
    bool uses_updated = false;
    for (std::size_t open = tmpl.find("{{"); open != std::string::npos && !uses_updated; open = tmpl.find("{{", open + 2)) {
        auto close = tmpl.find("}}", open + 2);
        std::string action = tmpl.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
        uses_updated = std::regex_search(action, updated);
    }
    if (uses_updated)
        return terminal_error("spec.git.commit.messageTemplate uses .Updated, which Flux removed: use .Changed "
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
    value changes = array{};
    value files = object{};
    value objects = object{};
    for (const auto& c : ctx.changes) {
        value cv = change_value(c);
        changes.as_array().push_back(cv);
        std::string key = object_key(c.object);
        value& per_file = files[c.file][key];
        if (per_file.is_null()) per_file = array{};
        per_file.as_array().push_back(cv);
        value& per_object = objects[key];
        if (per_object.is_null()) per_object = array{};
        per_object.as_array().push_back(cv);
    }
    value values = object{};
    for (const auto& [k, v] : ctx.values) values[k] = v;
    value data = object{{"AutomationObject", object{{"Name", ctx.name}, {"Namespace", ctx.namespace_}}},
                        {"Values", values},
                        {"Changed", object{{"Changes", changes}, {"FileChanges", files}, {"Objects", objects}}}};
    auto out = gotemplate::render(tmpl, data);
    if (!out) return terminal_error("spec.git.commit.messageTemplate: " + out.err().message, "InvalidTemplate");
    return out;
}

} // namespace weir::image
