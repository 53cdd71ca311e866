#include "secret_cache.hpp"

#include <weir/api/secret.hpp>

#include <fmt/format.h>

namespace weir::notification {

result<secret_cache::data> secret_cache::get(const std::string& namespace_, const std::string& name)
{
    std::string key = namespace_ + "/" + name;
    auto now = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (auto it = entries_.find(key); it != entries_.end() && it->second.expires > now)
            return it->second.values;
    }
    auto secret = client_.get({"", "v1", "Secret"}, namespace_, name);
    if (!secret) {
        error e = secret.err().wrap(fmt::format("failed to read secret '{}'", key));
        e.kind = error_kind::transient;
        e.reason = "SecretNotFound";
        return e;
    }
    WEIR_TRY_ASSIGN(auto values, api::secret_data(*secret));
    std::lock_guard lock(mutex_);
    if (entries_.size() > 4096) entries_.clear();
    entries_[key] = {values, now + ttl_};
    return values;
}

} // namespace weir::notification
