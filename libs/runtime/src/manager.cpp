#include <weir/runtime/manager.hpp>

#include <fcntl.h>
#include <iostream>
#include <random>
#include <signal.h>
#include <unistd.h>

namespace weir::runtime {
namespace {

// SIGTERM/SIGINT -> a byte on a pipe; a thread turns it into manager::stop(). Writing to a pipe
// is async-signal-safe, condition variables are not.
int signal_pipe[2] = {-1, -1};
extern "C" void on_signal(int)
{
    char c = 1;
    [[maybe_unused]] auto n = write(signal_pipe[1], &c, 1);
}

std::string default_identity()
{
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    std::mt19937_64 rng{std::random_device{}()};
    char suffix[17];
    snprintf(suffix, sizeof suffix, "%016llx", static_cast<unsigned long long>(rng()));
    return std::string(host) + "_" + suffix;
}

} // namespace

result<std::unique_ptr<manager>> manager::create(controller_options options)
{
    log_level level;
    log_encoding encoding;
    if (!parse_log_level(options.log_level, level))
        return terminal_error("flag --log-level: unknown level \"" + options.log_level + "\"", "InvalidFlag");
    if (!parse_log_encoding(options.log_encoding, encoding))
        return terminal_error("flag --log-encoding: unknown encoding \"" + options.log_encoding + "\"",
                              "InvalidFlag");
    configure_logging(level, encoding);
    WEIR_TRY_ASSIGN(auto cfg, kube::load_config({.kubeconfig = options.kubeconfig}));
    WEIR_TRY_ASSIGN(auto client, kube::client::create(std::move(cfg), {.qps = options.kube_api_qps,
                                                                       .burst = options.kube_api_burst,
                                                                       .user_agent = options.name}));
    return std::make_unique<manager>(std::move(client), std::move(options));
}

manager::manager(std::shared_ptr<kube::client> client, controller_options options)
    : client_(std::move(client)), options_(std::move(options)), log_(options_.name)
{
    if (options_.runtime_namespace.empty()) options_.runtime_namespace = client_->default_namespace();
    if (options_.runtime_namespace.empty()) options_.runtime_namespace = "default";
    if (options_.identity.empty()) options_.identity = default_identity();
    events_ = std::make_unique<event_recorder>(client_, event_recorder_options{.component = options_.name});
}

manager::~manager()
{
    stop();
    controllers_.clear(); // joins workers before the informers they read go away
    informers_.clear();
}

informer& manager::informer_for(const kube::gvk& kind, bool sharded)
{
    std::lock_guard lock(mutex_);
    auto& slot = informers_[{kind, sharded}];
    if (!slot) {
        informer_options o{.kind = kind};
        if (!options_.watch_all_namespaces) o.namespace_ = options_.runtime_namespace;
        if (sharded) o.label_selector = options_.watch_label_selector;
        slot = std::make_unique<informer>(client_, std::move(o));
    }
    return *slot;
}

controller& manager::add_controller(controller_spec spec)
{
    controllers_.push_back(std::make_unique<controller>(*this, std::move(spec)));
    return *controllers_.back();
}

bool manager::is_leader() const
{
    return !elector_ || elector_->is_leader();
}

unsigned short manager::health_port() const
{
    return health_server_ ? health_server_->port() : 0;
}
unsigned short manager::metrics_port() const
{
    return metrics_server_ ? metrics_server_->port() : 0;
}

status manager::start_ops()
{
    auto start = [](const std::string& addr, std::unique_ptr<ops_server>& server) -> status {
        if (addr.empty() || addr == "0") return ok();
        server = std::make_unique<ops_server>(ops_server_options{.listen = addr});
        return server->start();
    };
    WEIR_TRY(start(options_.metrics_addr, metrics_server_));
    WEIR_TRY(start(options_.health_addr, health_server_));
    // Ready once serving: a standby replica waiting for the Lease is healthy and ready too.
    if (health_server_) health_server_->set_ready(true);
    if (metrics_server_) metrics_server_->set_ready(true);
    return ok();
}

bool manager::wait_stop_or(std::function<bool()> ready)
{
    std::unique_lock lock(mutex_);
    while (!stop_requested_ && !ready())
        cv_.wait_for(lock, std::chrono::milliseconds(100));
    return !stop_requested_;
}

void manager::stop()
{
    std::lock_guard lock(mutex_);
    stop_requested_ = true;
    cv_.notify_all();
    if (elector_) elector_->interrupt();
}

status manager::run()
{
    std::thread signal_thread;
    if (options_.handle_signals && signal_pipe[0] < 0 && pipe2(signal_pipe, O_CLOEXEC) == 0) {
        struct sigaction sa {};
        sa.sa_handler = on_signal;
        sigaction(SIGTERM, &sa, nullptr);
        sigaction(SIGINT, &sa, nullptr);
        signal_thread = std::thread([this] {
            char c;
            if (read(signal_pipe[0], &c, 1) == 1 && c == 1) {
                log_.info("signal received, shutting down");
                stop();
            }
        });
    }
    auto stop_signal_thread = [&] {
        if (signal_thread.joinable()) {
            char c = 0;
            [[maybe_unused]] auto n = write(signal_pipe[1], &c, 1);
            signal_thread.join();
            close(signal_pipe[0]);
            close(signal_pipe[1]);
            signal_pipe[0] = signal_pipe[1] = -1;
        }
    };
    if (auto s = start_ops(); !s) {
        stop_signal_thread();
        return s;
    }
    if (options_.enable_leader_election) {
        auto elector = std::make_unique<leader_elector>(
            client_, leader_election_options{.name = options_.name + "-leader-election",
                                             .namespace_ = options_.runtime_namespace,
                                             .identity = options_.identity,
                                             .lease_duration = options_.lease_duration,
                                             .renew_deadline = options_.renew_deadline,
                                             .retry_period = options_.retry_period,
                                             .release_on_cancel = options_.release_on_cancel});
        {
            std::lock_guard lock(mutex_);
            elector_ = std::move(elector);
            if (stop_requested_) elector_->interrupt();
        }
        if (elector_->acquire()) {
            elector_->start_renewing([this] {
                std::lock_guard lock(mutex_);
                lost_ = transient_error("leader election lost: lease " + options_.runtime_namespace + "/" +
                                            options_.name +
                                            "-leader-election was not renewed within the renew deadline",
                                        "LeaderElectionLost");
                stop_requested_ = true;
                cv_.notify_all();
            });
        }
    }
    if (!stop_requested_) {
        for (auto& [key, inf] : informers_)
            if (auto s = inf->start(); !s) {
                stop();
                lost_ = s.err();
            }
        bool synced = wait_stop_or([&] {
            for (auto& [key, inf] : informers_)
                if (!inf->has_synced()) return false;
            return true;
        });
        if (synced) {
            for (auto& c : controllers_)
                c->start(options_.concurrent);
            started_ = true;
            log_.info("controllers started",
                      {{"controllers", controllers_.size()}, {"workers", options_.concurrent}});
            wait_stop_or([] { return false; });
        }
    }
    // Shutdown: stop taking work, let in-flight reconciles finish, then let go of everything.
    for (auto& c : controllers_)
        c->shutdown();
    auto deadline = std::chrono::steady_clock::now() + options_.graceful_shutdown_timeout;
    for (auto& c : controllers_)
        if (!c->wait_idle(std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now())))
            log_.warn("reconciles still running after the graceful shutdown timeout",
                      {{"controller", c->spec().name}});
    for (auto& [key, inf] : informers_)
        inf->stop();
    if (elector_) elector_->stop();
    if (metrics_server_) metrics_server_->stop();
    if (health_server_) health_server_->stop();
    started_ = false;
    stop_signal_thread();
    std::lock_guard lock(mutex_);
    if (lost_) return *lost_;
    return ok();
}

int exit_with(const weir::error& e)
{
    if (e.reason == "Help") {
        std::cout << e.message;
        return 0;
    }
    logger("main").error("fatal", {{"error", e.message}});
    return 1;
}

} // namespace weir::runtime
