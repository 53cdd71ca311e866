#include <weir/core/duration.hpp>
#include <weir/runtime/history.hpp>

#include <algorithm>

namespace weir::runtime {

namespace {

bool same_outcome(const value& entry, const snapshot& s)
{
    return entry.is_object() && entry.get_string("digest") == s.digest &&
           entry.get_string("lastReconciledStatus") == s.status;
}

value metadata_value(const std::map<std::string, std::string>& metadata)
{
    object m;
    for (const auto& [k, v] : metadata)
        m.push_back(k, v);
    return m;
}

} // namespace

void record_history(value& obj, const snapshot& s, kube::sys_time now, std::size_t max_snapshots)
{
    value& history = obj["status"]["history"];
    if (!history.is_array()) history = array{};
    auto& entries = history.as_array();
    std::string when = kube::format_time(now);

    value entry = object{};
    std::int64_t total = 0;
    auto found =
        std::find_if(entries.begin(), entries.end(), [&](const value& e) { return same_outcome(e, s); });
    if (found != entries.end()) {
        entry = std::move(*found);
        entries.erase(found);
        if (const value* t = entry.find("totalReconciliations"); t && t->is_int()) total = t->as_int();
    } else {
        entry["digest"] = s.digest;
        entry["firstReconciled"] = when;
    }
    entry["lastReconciled"] = when;
    entry["lastReconciledDuration"] = format_duration(s.duration);
    entry["lastReconciledStatus"] = s.status;
    entry["totalReconciliations"] = total + 1;
    if (!s.metadata.empty()) entry["metadata"] = metadata_value(s.metadata);
    entries.insert(entries.begin(), std::move(entry));
    if (entries.size() > max_snapshots) entries.resize(max_snapshots);
}

} // namespace weir::runtime
