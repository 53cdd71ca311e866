// Leader election on a coordination.k8s.io/v1 Lease, with client-go's rules: a candidate takes the
// lease when it is free (holderIdentity empty) or when its record has not changed for
// leaseDurationSeconds of the candidate's own clock; the leader renews every retry period and
// gives up (on_lost) when it could not renew within the renew deadline; on shutdown it releases
// the lease (holder cleared) so the next replica takes over at once.
//
//   leader_elector le(client, {.name = "source-controller-leader-election", .namespace_ = "flux-system",
//                               .identity = pod_name});
//   if (!le.acquire()) return;                 // false: stop() was called while waiting
//   le.start_renewing([] { std::exit(1); });   // Flux exits when leadership is lost
//   ... le.stop();                             // releases
//
// Threads: acquire() blocks the caller; renewing runs on a thread of its own.
#pragma once

#include <weir/core/log.hpp>
#include <weir/kube/client.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

namespace weir::runtime {

struct leader_election_options {
    std::string name;        // the Lease
    std::string namespace_;
    std::string identity;    // unique per replica (hostname_uuid)
    std::chrono::milliseconds lease_duration{std::chrono::seconds(35)};
    std::chrono::milliseconds renew_deadline{std::chrono::seconds(30)};
    std::chrono::milliseconds retry_period{std::chrono::seconds(5)};
    bool release_on_cancel = true;
};

class leader_elector {
public:
    leader_elector(std::shared_ptr<kube::client> client, leader_election_options options);
    ~leader_elector();
    leader_elector(const leader_elector&) = delete;
    leader_elector& operator=(const leader_elector&) = delete;

    // Blocks until this replica holds the lease (true) or stop() is called (false).
    bool acquire();
    void start_renewing(std::function<void()> on_lost);
    // Stops renewing; releases the lease when held and release_on_cancel is set. Blocking.
    void stop();
    // Wakes acquire() and the renewer without releasing; safe from any thread (even a callback).
    void interrupt();
    bool is_leader() const { return leader_; }
    // One attempt to take or renew the lease (exposed for tests).
    bool try_acquire_or_renew();

private:
    bool wait(std::chrono::milliseconds d); // false when stopped
    void release();

    std::shared_ptr<kube::client> client_;
    leader_election_options options_;
    logger log_{"leader-election"};
    std::atomic<bool> leader_{false};
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::condition_variable cv_;
    std::thread renewer_;
    bool stopped_ = false;
    // What this replica last saw in the Lease, and when (its own clock).
    std::string observed_record_;
    std::chrono::steady_clock::time_point observed_at_{};
};

} // namespace weir::runtime
