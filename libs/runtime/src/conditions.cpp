#include <weir/runtime/conditions.hpp>

#include <weir/kube/types.hpp>

namespace weir::runtime::conditions {
namespace {

weir::array* list_of(weir::value& obj, bool create)
{
    weir::value* status = obj.find("status");
    if (!status || !status->is_object()) {
        if (!create) return nullptr;
        obj.as_object().set("status", weir::object{});
        status = obj.find("status");
    }
    weir::value* list = status->find("conditions");
    if (!list || !list->is_array()) {
        if (!create) return nullptr;
        status->as_object().set("conditions", weir::array{});
        list = status->find("conditions");
    }
    return &list->as_array();
}

const weir::value* find_condition(const weir::value& obj, std::string_view type)
{
    const weir::value* list = obj.find_path({"status", "conditions"});
    if (!list || !list->is_array()) return nullptr;
    for (const auto& c : list->as_array())
        if (c.get_string("type") == type) return &c;
    return nullptr;
}

} // namespace

std::optional<condition> get(const weir::value& obj, std::string_view type)
{
    const weir::value* c = find_condition(obj, type);
    if (!c) return std::nullopt;
    condition out{std::string(type), std::string(c->get_string("status")), std::string(c->get_string("reason")),
                  std::string(c->get_string("message")), 0, std::string(c->get_string("lastTransitionTime"))};
    if (const weir::value* g = c->find("observedGeneration"); g && g->is_int()) out.observed_generation = g->as_int();
    return out;
}

bool is_true(const weir::value& obj, std::string_view type)
{
    const weir::value* c = find_condition(obj, type);
    return c && c->get_string("status") == "True";
}

bool is_false(const weir::value& obj, std::string_view type)
{
    const weir::value* c = find_condition(obj, type);
    return c && c->get_string("status") == "False";
}

bool set(weir::value& obj, std::string_view type, std::string_view status, std::string_view reason,
         std::string_view message, kube::sys_time now)
{
    weir::array* list = list_of(obj, true);
    long long generation = kube::generation_of(obj);
    for (auto& c : *list) {
        if (c.get_string("type") != type) continue;
        bool changed = false;
        auto put = [&](std::string_view key, weir::value v) {
            const weir::value* old = c.find(key);
            if (old && *old == v) return;
            c.as_object().set(key, std::move(v));
            changed = true;
        };
        if (c.get_string("status") != status) put("lastTransitionTime", kube::format_time(now));
        put("status", status);
        put("observedGeneration", generation);
        put("reason", reason);
        put("message", message);
        return changed;
    }
    list->push_back(weir::object{{"type", type},
                                 {"status", status},
                                 {"observedGeneration", generation},
                                 {"lastTransitionTime", kube::format_time(now)},
                                 {"reason", reason},
                                 {"message", message}});
    return true;
}

bool remove(weir::value& obj, std::string_view type)
{
    weir::array* list = list_of(obj, false);
    if (!list) return false;
    for (auto it = list->begin(); it != list->end(); ++it)
        if (it->get_string("type") == type) {
            list->erase(it);
            return true;
        }
    return false;
}

bool mark_ready(weir::value& obj, std::string_view reason, std::string_view message, kube::sys_time now)
{
    bool changed = set(obj, ready, "True", reason, message, now);
    changed |= remove(obj, reconciling);
    changed |= remove(obj, stalled);
    return changed;
}

bool mark_reconciling(weir::value& obj, std::string_view reason, std::string_view message, kube::sys_time now)
{
    bool changed = set(obj, reconciling, "True", reason, message, now);
    changed |= set(obj, ready, "Unknown", reason, message, now);
    changed |= remove(obj, stalled);
    return changed;
}

bool mark_stalled(weir::value& obj, std::string_view reason, std::string_view message, kube::sys_time now)
{
    bool changed = set(obj, stalled, "True", reason, message, now);
    changed |= set(obj, ready, "False", reason, message, now);
    changed |= remove(obj, reconciling);
    return changed;
}

bool mark_failed(weir::value& obj, std::string_view reason, std::string_view message, kube::sys_time now)
{
    bool changed = set(obj, ready, "False", reason, message, now);
    changed |= remove(obj, stalled);
    return changed;
}

void set_observed_generation(weir::value& obj)
{
    weir::value& status = obj["status"];
    if (!status.is_object()) status = weir::object{};
    status.as_object().set("observedGeneration", static_cast<long long>(kube::generation_of(obj)));
}

std::int64_t observed_generation(const weir::value& obj)
{
    const weir::value* g = obj.find_path({"status", "observedGeneration"});
    return g && g->is_int() ? g->as_int() : 0;
}

} // namespace weir::runtime::conditions
