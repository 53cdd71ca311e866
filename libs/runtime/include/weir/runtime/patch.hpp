// Writing back to the API server: status patches with optimistic concurrency and conflict
// retries, and finalizer edits that cannot lose a concurrent change.
//
//   weir::value updated = *cached;                          // a copy to edit
//   conditions::mark_ready(updated, "Succeeded", "...");
//   WEIR_TRY(runtime::patch_status(client, *cached, updated));
//
//   if (!has_finalizer(obj, "finalizers.fluxcd.io")) WEIR_TRY(add_finalizer(client, obj, "finalizers.fluxcd.io"));
//
// Blocking (kube::client); call from worker threads.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <string_view>

namespace weir::runtime {

// RFC 7386 merge patch turning `from` into `to` (removed keys become null; arrays are replaced).
weir::value merge_patch(const weir::value& from, const weir::value& to);

struct status_patch_options {
    int max_conflict_retries = 5;
    std::string field_manager;
};

// Patches the status subresource from original.status to modified.status with a merge patch that
// carries original's resourceVersion. On 409 Conflict it re-reads the object and replays the change
// (original.status -> modified.status) onto the fresh status, keeping what others wrote meanwhile. Returns the object
// the server stored. No request is made when the statuses are equal (returns `modified`).
result<weir::value> patch_status(kube::client& client, const weir::value& original, const weir::value& modified,
                                 const status_patch_options& options = {});

bool has_finalizer(const weir::value& obj, std::string_view finalizer);
// JSON patches that start with a `test` op, so a concurrent edit fails (409/422) instead of being
// overwritten; callers retry from a fresh read.
weir::value add_finalizer_patch(const weir::value& obj, std::string_view finalizer);
weir::value remove_finalizer_patch(const weir::value& obj, std::string_view finalizer);
result<weir::value> add_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer);
// add_finalizer when it is missing; nothing otherwise.
status ensure_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer);
bool being_deleted(const weir::value& obj); // metadata.deletionTimestamp is set

// A reconciler acknowledges a reconcile request (the requested_at_annotation of predicates.hpp) by
// copying its value to status.lastHandledReconcileAt, as Flux's do.
void acknowledge_reconcile_request(weir::value& obj);
result<weir::value> remove_finalizer(kube::client& client, const weir::value& obj, std::string_view finalizer);

} // namespace weir::runtime
