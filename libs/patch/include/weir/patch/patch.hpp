// The three patch formats of Kubernetes, applied in place to a weir::value:
//
//   WEIR_TRY(patch::apply_json_patch(obj, ops));          // RFC 6902, ops is an array
//   patch::apply_merge_patch(obj, p);                      // RFC 7386
//   WEIR_TRY(patch::apply_strategic_merge(obj, p));        // Kubernetes strategic merge patch
//
// Strategic merge looks up list merge keys in libs/schema by the object's apiVersion and kind, and
// understands the directives $patch (replace/delete/merge), $retainKeys, $setElementOrder/<list>
// and $deleteFromPrimitiveList/<list>; a null value deletes a key. Errors are terminal and say
// which path is wrong.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/schema/schema.hpp>

#include <string_view>

namespace weir::patch {

struct json_patch_options {
    // kustomize's patch library lets `replace` set an object key that is absent (as `add` would).
    bool replace_adds_missing_key = false;
};

// RFC 6902. Paths are JSON pointers; "-" appends to an array. The operations apply one after the
// other and the document is left unchanged when one fails.
status apply_json_patch(value& doc, const value& ops, json_patch_options options = {});

// RFC 7386: objects merge recursively, null deletes, anything else replaces.
void apply_merge_patch(value& doc, const value& patch);

struct smp_options {
    // kustomize (kyaml) merges a list without a schema by a key when every element has one of
    // mountPath, devicePath, ip, type, topologyKey, name, containerPort; the API server does not.
    bool infer_merge_keys = false;
    // kustomize puts a merged list's items in the patch's order first, then the original-only
    // items; the API server interleaves patch and original items instead.
    bool patch_order_first = false;
    // kustomize: an object of a kind no schema knows merges without any schema, its metadata
    // included (finalizers are then replaced, not merged as a set).
    bool no_schema_without_type = false;
};

// Strategic merge with an explicit schema for the top-level object (nullptr: unknown kind).
status apply_strategic_merge(value& doc, const value& patch, const schema::type_info* type,
                             smp_options options = {});
// Strategic merge, with the schema chosen by doc's apiVersion and kind.
status apply_strategic_merge(value& doc, const value& patch, smp_options options = {});

// Parses a JSON pointer ("/a/b~1c/0") into its unescaped tokens.
result<std::vector<std::string>> parse_json_pointer(std::string_view pointer);

} // namespace weir::patch
