#include <weir/runtime/leader_election.hpp>

#include <weir/kube/errors.hpp>
#include <weir/kube/time.hpp>

namespace weir::runtime {
namespace {
const kube::gvk lease_kind{"coordination.k8s.io", "v1", "Lease"};
}

leader_elector::leader_elector(std::shared_ptr<kube::client> client, leader_election_options options)
    : client_(std::move(client)), options_(std::move(options))
{
}

leader_elector::~leader_elector() { stop(); }

bool leader_elector::wait(std::chrono::milliseconds d)
{
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, d, [&] { return stopping_.load(); });
    return !stopping_;
}

bool leader_elector::try_acquire_or_renew()
{
    auto now = kube::format_micro_time(std::chrono::system_clock::now());
    long long lease_seconds = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(options_.lease_duration).count());
    auto current = client_->get(lease_kind, options_.namespace_, options_.name);
    if (!current) {
        if (!kube::is_not_found(current.err())) {
            log_.warn("cannot read lease", {{"error", current.err().message}});
            return false;
        }
        weir::value lease = weir::object{{"apiVersion", "coordination.k8s.io/v1"}, {"kind", "Lease"}};
        lease["metadata"] = weir::object{{"name", options_.name}, {"namespace", options_.namespace_}};
        lease["spec"] = weir::object{{"holderIdentity", options_.identity}, {"leaseDurationSeconds", lease_seconds},
                                     {"acquireTime", now}, {"renewTime", now}, {"leaseTransitions", 0}};
        auto created = client_->create(lease);
        leader_ = static_cast<bool>(created);
        return leader_;
    }
    weir::value lease = std::move(current).value();
    weir::value& spec = lease["spec"];
    if (!spec.is_object()) spec = weir::object{};
    std::string holder(spec.get_string("holderIdentity"));
    std::string record = holder + "|" + std::string(spec.get_string("renewTime"));
    auto steady_now = std::chrono::steady_clock::now();
    if (record != observed_record_) {
        observed_record_ = record;
        observed_at_ = steady_now;
    }
    std::chrono::milliseconds held_for = options_.lease_duration;
    if (const weir::value* d = spec.find("leaseDurationSeconds"); d && d->is_int()) held_for = std::chrono::seconds(d->as_int());
    if (!holder.empty() && holder != options_.identity && steady_now < observed_at_ + held_for) {
        leader_ = false;
        return false; // someone else holds a live lease
    }
    if (holder != options_.identity) {
        long long transitions = 0;
        if (const weir::value* t = spec.find("leaseTransitions"); t && t->is_int()) transitions = t->as_int();
        spec.as_object().set("leaseTransitions", transitions + 1);
        spec.as_object().set("acquireTime", now);
    }
    spec.as_object().set("holderIdentity", options_.identity);
    spec.as_object().set("leaseDurationSeconds", lease_seconds);
    spec.as_object().set("renewTime", now);
    auto updated = client_->update(lease); // carries resourceVersion: a racing candidate gets 409
    if (!updated) {
        if (!kube::is_conflict(updated.err())) log_.warn("cannot update lease", {{"error", updated.err().message}});
        leader_ = false;
        return false;
    }
    observed_record_ = options_.identity + "|" + now;
    observed_at_ = steady_now;
    leader_ = true;
    return true;
}

bool leader_elector::acquire()
{
    log_.info("attempting to acquire leader lease", {{"lease", options_.namespace_ + "/" + options_.name}});
    while (!stopping_) {
        if (try_acquire_or_renew()) {
            log_.info("successfully acquired lease", {{"lease", options_.namespace_ + "/" + options_.name},
                                                      {"identity", options_.identity}});
            return true;
        }
        if (!wait(options_.retry_period)) break;
    }
    return false;
}

void leader_elector::start_renewing(std::function<void()> on_lost)
{
    renewer_ = std::thread([this, on_lost = std::move(on_lost)] {
        auto last_renew = std::chrono::steady_clock::now();
        while (wait(options_.retry_period)) {
            if (try_acquire_or_renew()) {
                last_renew = std::chrono::steady_clock::now();
                continue;
            }
            if (std::chrono::steady_clock::now() - last_renew >= options_.renew_deadline) {
                leader_ = false;
                log_.error("leader lease lost", {{"lease", options_.namespace_ + "/" + options_.name}});
                if (on_lost) on_lost();
                return;
            }
        }
    });
}

void leader_elector::release()
{
    auto current = client_->get(lease_kind, options_.namespace_, options_.name);
    if (!current) return;
    const weir::value* spec0 = current->find("spec");
    if (!spec0 || spec0->get_string("holderIdentity") != options_.identity) return;
    weir::value lease = std::move(current).value();
    auto now = kube::format_micro_time(std::chrono::system_clock::now());
    weir::value& spec = lease["spec"];
    spec.as_object().set("holderIdentity", "");
    spec.as_object().set("leaseDurationSeconds", 1);
    spec.as_object().set("renewTime", now);
    if (auto r = client_->update(lease); !r) log_.warn("cannot release lease", {{"error", r.err().message}});
    else log_.info("released leader lease", {{"lease", options_.namespace_ + "/" + options_.name}});
}

void leader_elector::interrupt()
{
    std::lock_guard lock(mutex_);
    stopping_ = true;
    cv_.notify_all();
}

void leader_elector::stop()
{
    interrupt();
    {
        std::lock_guard lock(mutex_);
        if (stopped_) return;
        stopped_ = true;
    }
    if (renewer_.joinable() && renewer_.get_id() != std::this_thread::get_id()) renewer_.join();
    if (leader_ && options_.release_on_cancel) release();
    leader_ = false;
}

} // namespace weir::runtime
