#include "dispatcher.hpp"

#include "nats_client.hpp"

#include <weir/api/notification.hpp>
#include <weir/core/log.hpp>
#include <weir/core/yaml.hpp>
#include <weir/kube/types.hpp>

#include <fmt/format.h>

namespace weir::notification {
namespace {

const logger& log()
{
    static const logger l("dispatcher");
    return l;
}

std::string meta_string(const value& obj, std::string_view key)
{
    const value* m = obj.find("metadata");
    return m ? std::string(m->get_string(key)) : std::string();
}

std::string describe(std::chrono::milliseconds d)
{
    if (d < std::chrono::seconds(1)) return fmt::format("{}ms", d.count());
    auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    return s % 60 == 0 && s > 0 ? fmt::format("{}m", s / 60) : fmt::format("{}s", s);
}

} // namespace

dispatcher::dispatcher(dispatcher_options options, dispatch_world world)
    : options_(options), world_(std::move(world))
{
    for (int i = 0; i < std::max(1, options_.workers); ++i)
        threads_.emplace_back([this] { worker(); });
}

dispatcher::~dispatcher()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_)
        t.join();
}

void dispatcher::schedule(clock::time_point due, task t)
{
    {
        std::lock_guard lock(mutex_);
        queue_.emplace(due, std::move(t));
    }
    cv_.notify_one();
}

void dispatcher::submit(eventsink::flux_event ev)
{
    std::uint64_t seq;
    {
        std::lock_guard lock(mutex_);
        seq = ++next_seq_;
    }
    schedule(clock::now(), task{task_kind::match, std::move(ev), nullptr, 1, {}, seq});
}

void dispatcher::worker()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        if (stopping_) return;
        if (queue_.empty()) {
            cv_.wait(lock);
            continue;
        }
        auto due = queue_.begin()->first;
        if (due > clock::now()) {
            cv_.wait_until(lock, due);
            continue;
        }
        task t = std::move(queue_.begin()->second);
        queue_.erase(queue_.begin());
        ++running_;
        lock.unlock();
        switch (t.kind) {
        case task_kind::match:
            match(t.ev, t.seq);
            break;
        case task_kind::send:
            send(std::move(t));
            break;
        case task_kind::flush:
            flush(t.group_key);
            break;
        }
        lock.lock();
        --running_;
        if (running_ == 0 && queue_.empty()) idle_cv_.notify_all();
    }
}

void dispatcher::match(const eventsink::flux_event& ev, std::uint64_t seq)
{
    for (auto& alert : world_.alerts()) {
        auto spec = api::notification::alert_spec::from(*alert);
        if (!spec || spec->suspend) continue; // the Alert reconciler reports invalid specs
        auto out = event_for_alert(*spec, meta_string(*alert, "namespace"), ev, world_.labels);
        if (!out) {
            world_.report_failure(*alert, "InvalidAlert", out.err().message);
            continue;
        }
        if (*out) route(alert, std::move(**out), seq);
    }
}

void dispatcher::route(kube::object_ptr alert, eventsink::flux_event ev, std::uint64_t seq)
{
    if (ev.severity == "error" && options_.group_window.count() > 0) {
        const auto& io = ev.involved_object;
        std::string key = fmt::format("{}/{}|{}/{}/{}", meta_string(*alert, "namespace"),
                                      meta_string(*alert, "name"), io.kind, io.namespace_, io.name);
        auto now = clock::now();
        std::lock_guard lock(groups_mutex_);
        group& g = groups_[key];
        if (g.last_sent != clock::time_point{} && now - g.last_sent < options_.group_window) {
            ++g.pending;
            if (seq >= g.latest_seq) {
                g.latest = std::move(ev);
                g.latest_seq = seq;
                g.alert = alert;
            }
            if (!g.flush_scheduled) {
                g.flush_scheduled = true;
                schedule(g.last_sent + options_.group_window, task{task_kind::flush, {}, nullptr, 1, key});
            }
            std::lock_guard slock(mutex_);
            ++stats_.grouped;
            return;
        }
        g.last_sent = now;
    }
    schedule(clock::now(), task{task_kind::send, std::move(ev), std::move(alert), 1, {}});
}

void dispatcher::flush(const std::string& key)
{
    task t{task_kind::send, {}, nullptr, 1, {}};
    {
        std::lock_guard lock(groups_mutex_);
        auto it = groups_.find(key);
        if (it == groups_.end()) return;
        group& g = it->second;
        g.flush_scheduled = false;
        if (g.pending == 0) return;
        t.ev = std::move(g.latest);
        t.alert = std::move(g.alert);
        t.ev.message = fmt::format("{} (failed {} more times in the last {})", t.ev.message, g.pending,
                                   describe(options_.group_window));
        t.ev.metadata["count"] = std::to_string(g.pending);
        g.pending = 0;
        g.last_sent = clock::now();
    }
    send(std::move(t));
}

result<std::pair<provider_config, http_client_options>>
dispatcher::resolve_provider(const value& provider, const dispatch_world& world)
{
    WEIR_TRY_ASSIGN(auto spec, api::notification::provider_spec::from(provider));
    std::string ns = meta_string(provider, "namespace");
    provider_config cfg{.type = spec.type,
                        .address = spec.address,
                        .channel = spec.channel,
                        .username = spec.username,
                        .token = {},
                        .password = {},
                        .headers = {},
                        .provider_uid = meta_string(provider, "uid"),
                        .commit_status_id = {}};
    http_client_options http{.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(spec.timeout),
                             .proxy = spec.proxy,
                             .ca_pem = {},
                             .cert_pem = {},
                             .key_pem = {}};
    if (spec.secret_ref) {
        WEIR_TRY_ASSIGN(auto data, world.secret(ns, spec.secret_ref->name));
        auto get = [&](const char* k) {
            auto it = data.find(k);
            return it == data.end() ? std::string() : it->second;
        };
        if (auto a = get("address"); !a.empty()) cfg.address = a;
        if (auto u = get("username"); !u.empty()) cfg.username = u;
        if (auto p = get("proxy"); !p.empty()) http.proxy = p;
        cfg.token = get("token");
        cfg.password = get("password");
        if (auto h = get("headers"); !h.empty()) {
            auto parsed = parse_yaml(h);
            if (!parsed || !parsed->is_object())
                return terminal_error(
                    fmt::format("secret '{}/{}' key headers must be a YAML map of header names to values", ns,
                                spec.secret_ref->name),
                    "InvalidSecret");
            for (const auto& [k, v] : parsed->as_object())
                if (v.is_string()) cfg.headers[k] = v.as_string();
        }
    }
    if (spec.proxy_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, world.secret(ns, spec.proxy_secret_ref->name));
        if (data["address"].empty())
            return terminal_error(fmt::format("secret '{}/{}' (proxySecretRef) has no 'address' key", ns,
                                              spec.proxy_secret_ref->name),
                                  "InvalidSecret");
        http.proxy = data["address"];
        http.proxy_username = data["username"];
        http.proxy_password = data["password"];
    }
    if (spec.cert_secret_ref) {
        WEIR_TRY_ASSIGN(auto data, world.secret(ns, spec.cert_secret_ref->name));
        http.ca_pem = data["ca.crt"];
        http.cert_pem = data["tls.crt"];
        http.key_pem = data["tls.key"];
    }
    return std::pair{cfg, http};
}

void dispatcher::send(task t)
{
    const value& alert = *t.alert;
    std::string alert_ns = meta_string(alert, "namespace");
    auto spec = api::notification::alert_spec::from(alert);
    if (!spec) return;
    auto fail = [&](const error& e) {
        {
            std::lock_guard lock(mutex_);
            ++stats_.failed;
        }
        std::string msg = fmt::format("failed to send notification for {}/{}/{} to provider '{}': {}",
                                      t.ev.involved_object.kind, t.ev.involved_object.namespace_,
                                      t.ev.involved_object.name, spec->provider_ref.name, e.message);
        log().error(msg, {{"alert", alert_ns + "/" + meta_string(alert, "name")}});
        world_.report_failure(alert, "NotificationDispatchFailed", msg);
    };
    kube::object_ptr provider = world_.provider(alert_ns, spec->provider_ref.name);
    if (!provider)
        return fail(
            transient_error(fmt::format("provider '{}/{}' not found", alert_ns, spec->provider_ref.name)));
    if (const value* s = provider->find_path({"spec", "suspend"}); s && s->is_bool() && s->as_bool()) return;
    auto resolved = resolve_provider(*provider, world_);
    error last;
    bool ok_all = true;
    if (!resolved) {
        last = resolved.err();
        ok_all = false;
    } else {
        auto reqs = build_requests(resolved->first, t.ev);
        if (!reqs) {
            last = reqs.err();
            ok_all = false;
        } else {
            for (const auto& r : *reqs) {
                auto sent = r.method == nats_method ? nats_publish(r, resolved->second)
                                                    : send_request(r, resolved->second);
                status checked = sent ? check_ok_field(r, *sent) : status(sent.err());
                if (!checked) {
                    last = checked.err();
                    ok_all = false;
                    break;
                }
            }
        }
    }
    if (ok_all) {
        std::lock_guard lock(mutex_);
        ++stats_.delivered;
        return;
    }
    if (!last.terminal() && t.attempt < options_.max_attempts) {
        auto delay = options_.retry_base * (1 << (t.attempt - 1));
        {
            std::lock_guard lock(mutex_);
            ++stats_.retried;
        }
        ++t.attempt;
        schedule(clock::now() + delay, std::move(t));
        return;
    }
    fail(last);
}

dispatcher_stats dispatcher::stats() const
{
    std::lock_guard lock(mutex_);
    return stats_;
}

bool dispatcher::wait_idle(std::chrono::milliseconds deadline)
{
    std::unique_lock lock(mutex_);
    return idle_cv_.wait_for(lock, deadline, [&] { return running_ == 0 && queue_.empty(); });
}

} // namespace weir::notification
