// Decoded Secret data with a short time-to-live, so a burst of events or webhooks for one Provider
// or Receiver reads its Secret once rather than once per request. A Secret edit takes effect
// within the TTL.
#pragma once

#include <weir/core/result.hpp>
#include <weir/kube/client.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <string>

namespace weir::notification {

class secret_cache {
public:
    using data = std::map<std::string, std::string>;
    secret_cache(kube::client& client, std::chrono::milliseconds ttl = std::chrono::seconds(10))
        : client_(client), ttl_(ttl)
    {
    }

    // A missing Secret is a transient error naming it (it may be created later).
    result<data> get(const std::string& namespace_, const std::string& name);

private:
    struct entry {
        data values;
        std::chrono::steady_clock::time_point expires;
    };
    kube::client& client_;
    std::chrono::milliseconds ttl_;
    std::mutex mutex_;
    std::map<std::string, entry> entries_;
};

} // namespace weir::notification
