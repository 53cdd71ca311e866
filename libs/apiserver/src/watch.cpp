// Watches: the initial state or the events since a resourceVersion from the store's ring, then
// every change as it is committed. Lines are built once per event and shared by all watchers.
#include "api_impl.hpp"

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::apiserver {

namespace {

std::shared_ptr<const std::string> event_line(std::string_view type, const std::string& obj)
{
    auto s = std::make_shared<std::string>();
    s->reserve(obj.size() + 32);
    *s += R"({"type":")";
    *s += type;
    *s += R"(","object":)";
    *s += obj;
    *s += "}\n";
    return s;
}

void push(watcher& w, std::shared_ptr<const std::string> line, std::size_t max_bytes)
{
    if (w.closed) return;
    w.pending_bytes += line->size();
    w.pending.push_back(std::move(line));
    if (w.pending_bytes > max_bytes) {
        // A consumer this far behind would make us hold every event for it: end its watch instead.
        w.closed = true;
    }
    if (w.wake) w.wake();
}

bool matches(const watcher& w, const std::string& key, const labels_t& labels)
{
    if (!key.starts_with(w.prefix)) return false;
    if (w.fields_match) {
        auto [ns, name] = key_ns_name(key);
        if (!w.fields_match(std::string(ns), std::string(name))) return false;
    }
    return !w.labels_match || w.labels_match(labels);
}

std::string bookmark(const watcher& w, std::int64_t rv, bool initial_end)
{
    std::string md = fmt::format(R"("resourceVersion":"{}")", rv);
    if (initial_end) md += R"(,"annotations":{"k8s.io/initial-events-end":"true"})";
    return fmt::format(R"({{"type":"BOOKMARK","object":{{"kind":"{}","apiVersion":"{}","metadata":{{{}}}}}}})",
                       w.kind, w.api_version, md) + "\n";
}

} // namespace

std::variant<response, std::shared_ptr<watcher>> api::impl::watch(call& c)
{
    auto labels = parse_label_selector(c.param("labelSelector"));
    if (!labels) return status_response(&c, labels.err());
    auto fields = parse_field_selector(c.param("fieldSelector"));
    if (!fields) return status_response(&c, fields.err());
    auto w = std::make_shared<watcher>();
    w->prefix = c.t.prefix();
    w->api_version = c.t.res->api_version();
    w->kind = c.t.res->kind;
    w->bookmarks = c.param("allowWatchBookmarks") == "true";
    if (wants_table(c.req.accept))
        w->transform = [res = *c.t.res](const std::string& json) {
            auto v = parse_json(json);
            if (!v) return json;
            std::string rv(v->find_path({"metadata", "resourceVersion"}) ? v->find_path({"metadata", "resourceVersion"})->as_string() : "0");
            return table_json(res, {std::move(v).value()}, std::atoll(rv.c_str()), "", true);
        };
    if (!labels->empty()) w->labels_match = [sel = *labels](const labels_t& l) { return sel.matches(l); };
    if (!c.t.name.empty()) fields->reqs.push_back({"metadata.name", requirement::op::eq, {c.t.name}});
    if (!fields->empty())
        w->fields_match = [sel = *fields](const std::string& ns, const std::string& name) {
            return sel.matches({{"metadata.name", name}, {"metadata.namespace", ns}});
        };
    long timeout = std::atol(c.param("timeoutSeconds", "1800").c_str());
    if (timeout <= 0) timeout = 1800;
    w->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout);

    std::string rv_param = c.param("resourceVersion");
    bool initial = c.param("sendInitialEvents") == "true";
    std::int64_t since = 0;
    if (!rv_param.empty() && rv_param != "0" && !initial) {
        since = std::atoll(rv_param.c_str());
        std::vector<const store_event*> events;
        if (!st->events_since(since, events)) {
            // Too old: one ERROR event with 410 Expired; the client relists.
            error e = api_error(410, "Expired",
                                fmt::format("too old resource version: {} ({})", since, st->oldest_event_rv() + 1));
            call none{c.req, {}, {}, {}, false, {}, {}};
            w->pending.push_back(event_line("ERROR", status_response(&none, e).body));
            w->closed = true;
            return w;
        }
        for (const auto* ev : events) {
            const char* type = ev->type == event_type::added ? "ADDED"
                               : ev->type == event_type::modified ? "MODIFIED" : "DELETED";
            if (!ev->key.starts_with(w->prefix)) continue;
            bool now = matches(*w, ev->key, ev->labels), before = matches(*w, ev->key, ev->old_labels);
            if (ev->type == event_type::modified && now != before) type = now ? "ADDED" : "DELETED";
            else if (!now) continue;
            w->pending.push_back(event_line(type, w->transform ? w->transform(*ev->json) : *ev->json));
        }
    } else {
        // No version (or 0, or sendInitialEvents): the current state as ADDED events first.
        st->scan(w->prefix, "", [&](const std::string& key, const stored_object& so) {
            if (matches(*w, key, so.labels))
                w->pending.push_back(event_line("ADDED", w->transform ? w->transform(*so.json) : *so.json));
            return true;
        });
        if (initial) w->pending.push_back(std::make_shared<std::string>(bookmark(*w, st->revision(), true)));
    }
    for (const auto& l : w->pending) w->pending_bytes += l->size();
    watchers.push_back(w);
    return w;
}

void api::impl::notify(const store_event& ev)
{
    std::shared_ptr<const std::string> lines[3];
    bool dead = false;
    for (auto& weak : watchers) {
        auto w = weak.lock();
        if (!w || w->closed) {
            dead = true;
            continue;
        }
        if (!ev.key.starts_with(w->prefix)) continue;
        bool now = matches(*w, ev.key, ev.labels);
        bool before = ev.type == event_type::modified && matches(*w, ev.key, ev.old_labels);
        int type = static_cast<int>(ev.type);
        if (ev.type == event_type::modified && now != before) type = now ? 0 : 2;
        else if (!now) continue;
        const char* name = type == 0 ? "ADDED" : type == 1 ? "MODIFIED" : "DELETED";
        if (w->transform) {
            push(*w, event_line(name, w->transform(*ev.json)), opt.max_pending_bytes);
            continue;
        }
        if (!lines[type]) lines[type] = event_line(name, *ev.json);
        push(*w, lines[type], opt.max_pending_bytes);
    }
    if (dead)
        std::erase_if(watchers, [](const std::weak_ptr<watcher>& w) {
            auto p = w.lock();
            return !p || p->closed;
        });
}

void api::impl::tick()
{
    auto now = std::chrono::steady_clock::now();
    for (auto& weak : watchers) {
        auto w = weak.lock();
        if (!w || w->closed) continue;
        if (now >= w->deadline) {
            w->closed = true;
            if (w->wake) w->wake();
            continue;
        }
        if (w->bookmarks && w->pending.empty())
            push(*w, std::make_shared<std::string>(bookmark(*w, st->revision(), false)), opt.max_pending_bytes);
    }
    std::erase_if(watchers, [](const std::weak_ptr<watcher>& w) {
        auto p = w.lock();
        return !p || p->closed;
    });
}

} // namespace weir::apiserver
