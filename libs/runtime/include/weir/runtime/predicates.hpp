// Which watch events deserve a reconcile. A controller that writes its own status would otherwise
// wake itself up on every status write; these predicates let spec, label, annotation, finalizer
// and deletion changes through and drop updates that only touched status (or resourceVersion and
// managedFields). The `reconcile.fluxcd.io/requestedAt` annotation is an annotation, so
// `flux reconcile` always passes.
#pragma once

#include <weir/core/value.hpp>

#include <string_view>

namespace weir::runtime {

inline constexpr std::string_view requested_at_annotation = "reconcile.fluxcd.io/requestedAt";

// True when old and new differ only in status, metadata.resourceVersion or managedFields.
bool status_only_change(const weir::value& old_obj, const weir::value& new_obj);
// The default update predicate of every weir controller: !status_only_change.
bool spec_or_metadata_changed(const weir::value& old_obj, const weir::value& new_obj);
// Flux's choice for its own kinds: a new generation (a spec change), a changed reconcile.fluxcd.io/*
// annotation (requestedAt, forceAt, resetAt) or the start of deletion. A finalizer being added, a
// label or any other metadata edit does not cost a full reconcile.
bool generation_or_request_changed(const weir::value& old_obj, const weir::value& new_obj);
// True when the requestedAt annotation is set and differs from `last_handled` (Flux records the
// handled value in status.lastHandledReconcileAt).
bool reconcile_requested(const weir::value& obj);
// spec.suspend == true.
bool is_suspended(const weir::value& obj);
// metadata.deletionTimestamp is set.
bool is_being_deleted(const weir::value& obj);

} // namespace weir::runtime
