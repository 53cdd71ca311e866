#include <weir/runtime/informer.hpp>

#include <weir/kube/errors.hpp>

#include <random>

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <unordered_set>

namespace weir::runtime {

informer::informer(std::shared_ptr<kube::client> client, informer_options options)
    : client_(std::move(client)), options_(std::move(options)), log_("informer." + options_.kind.kind)
{
}

informer::~informer() { stop(); }

void informer::add_handler(event_handler handler) { handlers_.push_back(std::move(handler)); }

status informer::start()
{
    WEIR_TRY_ASSIGN(selector_, label_selector::parse(options_.label_selector));
    if (thread_.joinable()) return ok();
    stopping_ = false;
    thread_ = std::thread([this] { run(); });
    return ok();
}

void informer::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        current_watch_.cancel();
        cv_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
}

bool informer::wait_for_sync(std::chrono::milliseconds timeout)
{
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, timeout, [&] { return synced_.load() || stopping_.load(); });
    return synced_;
}

void informer::drop_watch()
{
    std::lock_guard lock(mutex_);
    current_watch_.cancel();
}

void informer::sleep_for(std::chrono::milliseconds d)
{
    // Up to 20 % jitter, so informers that failed together do not retry together.
    static thread_local std::minstd_rand rng{std::random_device{}()};
    d += std::chrono::milliseconds(rng() % (d.count() / 5 + 1));
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, d, [&] { return stopping_.load(); });
}

object_ptr informer::snapshot(weir::value obj) const
{
    if (options_.strip_managed_fields)
        if (weir::value* meta = obj.find("metadata"); meta && meta->is_object()) meta->as_object().erase("managedFields");
    return std::make_shared<const weir::value>(compact(std::move(obj)));
}

void informer::apply(weir::value&& obj, bool deleted)
{
    std::string key = kube::object_key::of(obj).str();
    // An object whose labels left the selector is gone as far as this shard is concerned.
    if (deleted || !selector_.matches(kube::labels_of(obj))) {
        if (object_ptr old = store_.erase(key))
            for (auto& h : handlers_)
                if (h.on_delete) h.on_delete(old);
        return;
    }
    object_ptr now = snapshot(std::move(obj));
    object_ptr old = store_.upsert(now);
    for (auto& h : handlers_) {
        if (!old && h.on_add) h.on_add(now);
        else if (old && h.on_update) h.on_update(old, now);
    }
}

bool informer::list_once()
{
    // Page by page into the store: peak memory is one page, not the whole list twice.
    kube::list_options lo{.namespace_ = options_.namespace_, .label_selector = options_.label_selector,
                          .field_selector = options_.field_selector, .limit = options_.page_size};
    std::unordered_set<std::string> seen;
    std::string resource_version;
    for (;;) {
        auto page = client_->list(options_.kind, lo);
        if (!page) {
            log_.warn("list failed", {{"error", page.err().message}});
            return false;
        }
        for (auto& item : page->items) {
            std::string key = kube::object_key::of(item).str();
            object_ptr old = store_.get(key);
            seen.insert(std::move(key));
            if (old && kube::resource_version_of(*old) == kube::resource_version_of(item)) continue; // unchanged
            apply(std::move(item), false);
        }
        resource_version = page->resource_version;
        if (page->continue_token.empty()) break;
        lo.continue_token = page->continue_token;
        lo.resource_version.clear();
    }
    for (const auto& key : store_.keys())
        if (!seen.contains(key))
            if (object_ptr old = store_.erase(key))
                for (auto& h : handlers_)
                    if (h.on_delete) h.on_delete(old);
    resource_version_ = std::move(resource_version);
    ++lists_;
#if defined(__GLIBC__)
    malloc_trim(0); // hand the pages' transient memory back to the system after a (re)list
#endif
    {
        std::lock_guard lock(mutex_);
        synced_ = true;
        cv_.notify_all();
    }
    return true;
}

status informer::watch_once()
{
    kube::watch_cancel cancel;
    {
        std::lock_guard lock(mutex_);
        if (stopping_) return ok();
        current_watch_ = cancel;
    }
    static thread_local std::minstd_rand rng{std::random_device{}()};
    int timeout = options_.watch_timeout_seconds + static_cast<int>(rng() % std::max(1, options_.watch_timeout_seconds));
    kube::watch_options wo{.namespace_ = options_.namespace_, .label_selector = options_.label_selector,
                           .field_selector = options_.field_selector, .resource_version = resource_version_,
                           .timeout_seconds = timeout};
    ++watches_;
    return client_->watch(
        options_.kind, wo,
        [this](kube::watch_event&& ev) {
            std::string_view rv = kube::resource_version_of(ev.object);
            if (!rv.empty()) resource_version_ = std::string(rv);
            if (ev.type != kube::watch_event_type::bookmark)
                apply(std::move(ev.object), ev.type == kube::watch_event_type::deleted);
            return !stopping_;
        },
        cancel);
}

void informer::run()
{
    auto backoff = options_.min_backoff;
    bool need_list = true;
    while (!stopping_) {
        if (need_list) {
            if (!list_once()) {
                sleep_for(backoff);
                backoff = std::min(backoff * 2, options_.max_backoff);
                continue;
            }
            need_list = false;
        }
        auto started = std::chrono::steady_clock::now();
        status s = watch_once();
        if (stopping_) break;
        auto lasted = std::chrono::steady_clock::now() - started;
        if (s) {
            // A clean end (server timeout, or drop_watch): resume from the last resourceVersion.
            // A server that closes every watch at once must not make us spin: back off then.
            if (lasted > std::chrono::seconds(120)) backoff = options_.min_backoff;
            if (lasted < std::chrono::seconds(1)) {
                sleep_for(backoff);
                backoff = std::min(backoff * 2, options_.max_backoff);
            }
            continue;
        }
        if (kube::is_gone(s.err())) {
            log_.info("resourceVersion expired, relisting", {{"resourceVersion", resource_version_}});
            need_list = true;
            continue;
        }
        log_.warn("watch failed", {{"error", s.err().message}});
        sleep_for(backoff);
        backoff = std::min(backoff * 2, options_.max_backoff);
    }
}

} // namespace weir::runtime
