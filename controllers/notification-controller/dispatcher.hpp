// Alert dispatch: for each accepted event, every matching Alert sends to its Provider on a pool of
// workers, so a slow or failing provider never holds up another alert. A send that fails with a
// transient error (network, 429, 5xx) is retried with exponential backoff; when the attempts run
// out, or the error is terminal, the failure is reported as a Warning event on the Alert.
//
// Beyond Flux: error events of one object for one Alert are grouped. The first is sent at once;
// later ones within `group_window` are held, and when the window closes one notification says
// "failed N times" with the latest message, instead of N messages.
#pragma once

#include "alert_match.hpp"
#include "http_client.hpp"
#include "providers/provider.hpp"

#include <weir/kube/types.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace weir::notification {

// What the dispatcher reads from the cluster, as functions so tests can give plain values.
struct dispatch_world {
    std::function<std::vector<kube::object_ptr>()> alerts;
    std::function<kube::object_ptr(const std::string& namespace_, const std::string& name)> provider;
    std::function<result<std::map<std::string, std::string>>(const std::string& namespace_,
                                                             const std::string& name)>
        secret;
    labels_lookup labels;
    std::function<void(const value& alert, const std::string& reason, const std::string& message)>
        report_failure;
};

struct dispatcher_options {
    int workers = 4;
    int max_attempts = 4;
    std::chrono::milliseconds retry_base{500};
    std::chrono::milliseconds group_window{std::chrono::minutes(1)};
};

struct dispatcher_stats {
    std::uint64_t delivered = 0, failed = 0, retried = 0, grouped = 0;
};

class dispatcher {
public:
    dispatcher(dispatcher_options options, dispatch_world world);
    ~dispatcher();
    dispatcher(const dispatcher&) = delete;
    dispatcher& operator=(const dispatcher&) = delete;

    void submit(eventsink::flux_event ev);
    dispatcher_stats stats() const;
    // True when no task is queued or running (grouped events waiting for their window count as
    // queued); for tests and benchmarks.
    bool wait_idle(std::chrono::milliseconds deadline);

    // Everything a Provider object and its Secrets say, resolved for sending.
    static result<std::pair<provider_config, http_client_options>>
    resolve_provider(const value& provider, const dispatch_world& world);

private:
    enum class task_kind { match, send, flush };
    struct task {
        task_kind kind;
        eventsink::flux_event ev;
        kube::object_ptr alert;
        int attempt = 1;
        std::string group_key;
        std::uint64_t seq = 0; // arrival order, so "latest" survives parallel matching
    };
    struct group {
        std::uint64_t latest_seq = 0;
        std::chrono::steady_clock::time_point last_sent{};
        std::uint64_t pending = 0;
        eventsink::flux_event latest;
        kube::object_ptr alert;
        bool flush_scheduled = false;
    };
    using clock = std::chrono::steady_clock;

    void schedule(clock::time_point due, task t);
    void worker();
    void match(const eventsink::flux_event& ev, std::uint64_t seq);
    void route(kube::object_ptr alert, eventsink::flux_event ev, std::uint64_t seq);
    void send(task t);
    void flush(const std::string& key);

    dispatcher_options options_;
    dispatch_world world_;
    mutable std::mutex mutex_;
    std::condition_variable cv_, idle_cv_;
    std::multimap<clock::time_point, task> queue_;
    int running_ = 0;
    std::uint64_t next_seq_ = 0;
    bool stopping_ = false;
    std::mutex groups_mutex_;
    std::map<std::string, group> groups_;
    dispatcher_stats stats_;
    std::vector<std::thread> threads_;
};

} // namespace weir::notification
