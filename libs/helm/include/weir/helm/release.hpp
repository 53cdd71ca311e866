// Helm 3 release records, stored as the real helm CLI stores them, so `helm list/history/rollback`
// read weir's releases and weir reads Helm's.
//
//   weir::helm::release rel{.name = "web", .namespace_ = "apps", .version = 1, ...};
//   weir::value secret = weir::helm::release_secret(rel);   // POST to the storage namespace
//   WEIR_TRY_ASSIGN(auto back, weir::helm::release_from_secret(secret));
//
// Storage: Secret `sh.helm.release.v1.<name>.v<version>`, type `helm.sh/release.v1`, labels
// name/owner=helm/status/version (+ createdAt or modifiedAt), data key `release` =
// base64(gzip(JSON)) (base64 once more in the Secret's .data). The JSON field names are Helm's
// pkg/release ones (snake_case: first_deployed, last_run, delete_policies, ...).
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/helm/chart.hpp>
#include <weir/helm/render.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace weir::helm {

// Helm's release statuses, spelled as stored.
inline constexpr std::string_view status_unknown = "unknown";
inline constexpr std::string_view status_deployed = "deployed";
inline constexpr std::string_view status_uninstalled = "uninstalled";
inline constexpr std::string_view status_superseded = "superseded";
inline constexpr std::string_view status_failed = "failed";
inline constexpr std::string_view status_uninstalling = "uninstalling";
inline constexpr std::string_view status_pending_install = "pending-install";
inline constexpr std::string_view status_pending_upgrade = "pending-upgrade";
inline constexpr std::string_view status_pending_rollback = "pending-rollback";

// Times are RFC 3339 strings as Go writes time.Time ("2026-11-22T02:42:19.123456789Z"); empty
// means unset (omitted from the JSON).
struct release_info {
    std::string first_deployed;
    std::string last_deployed;
    std::string deleted;
    std::string description;
    std::string status;
    std::string notes;
};

struct hook_execution {
    std::string started_at;
    std::string completed_at;
    std::string phase; // "", "Unknown", "Running", "Succeeded", "Failed"
};

struct release_hook {
    std::string name, kind, path, manifest;
    std::vector<std::string> events;
    hook_execution last_run;
    int weight = 0;
    std::vector<std::string> delete_policies;
};

struct release {
    std::string name;
    std::string namespace_;
    int version = 0;
    release_info info;
    weir::value chart;  // Helm's chart JSON {metadata, lock, templates, values, schema, files}
    weir::value config = weir::object{}; // the user-supplied values
    std::string manifest;
    std::vector<release_hook> hooks;
    std::string apply_method; // Helm 4: "ssa" | "csa"; empty for Helm 3
};

// A release record for a rendered chart, as `helm install/upgrade` writes it: the chart, the
// user values as `config`, the manifest (CRDs not included), the hooks and the notes, with both
// deployment times set to `now` (go_time_now() when empty).
release make_release(const chart& c, const rendered_chart& r, const release_options& opts, std::string_view status,
                     std::string_view description, std::string now = {});

// The chart as Helm serialises it inside a release (file data base64, as Go's []byte).
weir::value chart_to_json(const chart& c);
result<chart> chart_from_json(const weir::value& j);
release_hook to_release_hook(const hook& h);

weir::value release_to_json(const release& r);
result<release> release_from_json(const weir::value& j);

// base64(gzip(json)): the value of the Secret's `release` key before the Secret's own base64.
result<std::string> encode_release(const release& r);
// Accepts gzipped or plain JSON after the base64, as Helm does.
result<release> decode_release(std::string_view encoded);

std::string release_secret_name(std::string_view name, int version);
// The Secret object (apiVersion v1, kind Secret, .data.release), labels as Helm sets them on
// create (createdAt = `unix_seconds`).
result<weir::value> release_secret(const release& r, std::int64_t unix_seconds = 0);
result<release> release_from_secret(const weir::value& secret);

// Now in Go's RFC 3339 with nanoseconds, UTC.
std::string go_time_now();

} // namespace weir::helm
