// Kubernetes label selectors ("app=web,tier!=db,env in (a,b),!legacy"), parsed once and matched
// against an object's labels. Used by informers for --watch-label-selector sharding: the server
// filters when it can, and the informer checks again so that an object whose labels move out of
// the shard is treated as deleted.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>

#include <string>
#include <vector>

namespace weir::runtime {

class label_selector {
public:
    label_selector() = default; // matches everything
    // Errors are terminal: the selector text is wrong.
    static result<label_selector> parse(std::string_view text);
    // `labels` is metadata.labels (or null).
    bool matches(const weir::value* labels) const;
    bool empty() const { return reqs_.empty(); }
    const std::string& str() const { return text_; }

private:
    enum class op { eq, ne, in, not_in, exists, not_exists };
    struct requirement {
        std::string key;
        op o;
        std::vector<std::string> values;
    };
    std::vector<requirement> reqs_;
    std::string text_;
};

} // namespace weir::runtime
