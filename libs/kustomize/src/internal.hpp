// Shared types of the kustomize engine's translation units.
#pragma once

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kustomize/kustomize.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace weir::schema {
struct type_info;
}

namespace weir::kustomize::detail {

namespace fs = std::filesystem;

// One object of the build with the history kustomize keeps for it.
struct resource {
    value obj;
    std::vector<std::string> names;      // every name it had, first the original
    std::vector<std::string> namespaces; // every namespace it had, first the original
    std::vector<std::string> prefixes;   // prefixes and suffixes applied, for reference matching
    std::vector<std::string> suffixes;
    bool needs_hash = false; // generated with a content-hash suffix still to add
    std::string behavior;    // generators: create, merge or replace
    // Where it came from, for buildMetadata originAnnotations: a resource file, or the
    // kustomization file whose generator (origin_generator) made it.
    fs::path origin;
    std::string origin_generator;
    // buildMetadata transformerAnnotations: one YAML list item per transformer run over it.
    std::vector<std::string> transformations;

    std::string_view api_version() const { return obj.get_string("apiVersion"); }
    std::string_view kind() const { return obj.get_string("kind"); }
    std::string name() const;
    std::string ns() const;
    void set_name(std::string n);
    void set_ns(std::string n);
    // Records the current name and namespace (call after a transformer may have changed them).
    void remember();
};

// A kustomize field spec: a slash-separated path applied to objects of a group/version/kind.
struct field_spec {
    std::string group, version, kind;
    std::string path;
    bool create = false;
    bool matches(const value& obj) const;
    // The path split into segments, computed once (transformers walk it for every object).
    const std::vector<std::string>& segments() const;

    // cache of segments()
    mutable std::vector<std::string> segments_;
    mutable bool split_ = false;
};

struct name_ref_spec {
    std::string group, kind;        // the referred kind
    std::vector<field_spec> fields; // where its name appears
    std::string version;            // the referred version, when given (crds: files)
};

// Transformer configuration: the built-in defaults plus any `configurations:` files.
struct config {
    std::vector<field_spec> name_prefix, name_suffix, namespace_, common_labels, template_labels,
        common_annotations, images, replicas, var_reference;
    std::vector<name_ref_spec> name_reference;
    void merge(const config& other);
};

config default_config();
result<config> parse_config(const value& doc, const std::string& file);

// Splits a field-spec path on unescaped '/' (kustomize writes "a\/b" for a key with a slash).
std::vector<std::string> split_path(std::string_view path);

// Calls fn on every value at `path` below obj (lists traversed implicitly; "[]" and "[k=v]"
// segments allowed). With create, missing maps on the way are created and fn gets a null for a
// missing last field (left out when fn leaves it null).
void visit_path(value& obj, const std::vector<std::string>& path, bool create,
                const std::function<void(value&)>& fn);

struct var_def {
    std::string name;
    value objref;
    std::string field_path;
};

// A custom OpenAPI document (`openapi: {path: ...}`): list merge keys and scopes by kind.
class openapi_schema {
public:
    ~openapi_schema();
    static result<std::unique_ptr<openapi_schema>> parse(std::string_view text, const std::string& file);
    const schema::type_info* type_for(std::string_view api_version, std::string_view kind) const;
    // From the document's paths: true namespaced, false cluster-scoped, nullopt not said.
    std::optional<bool> namespaced(std::string_view api_version, std::string_view kind) const;

private:
    openapi_schema();
    struct impl;
    std::unique_ptr<impl> impl_;
};

// The schema of one build, global to it as in kustomize: set by the top kustomization's
// `openapi:`, else by the first sub-kustomization that has one. It replaces the built-in schema
// (built-in kinds then have none) unless a strategic-merge patch already used the built-in one,
// which kustomize keeps loaded under the custom document.
struct schema_state {
    std::unique_ptr<openapi_schema> custom;
    bool exclusive = false;
    bool set = false;
    mutable bool builtin_used = false;
};

struct accumulator {
    std::vector<resource> res;
    config cfg;
    std::vector<var_def> vars;
    const schema_state* schemas = nullptr;
};

// The loader: reads files, enforcing that they stay below the root of the kustomization.
struct loader {
    fs::path root; // canonical directory of the kustomization
    fs::path kustomization_file;
    const build_options* opts = nullptr;
    result<fs::path> resolve_file(const std::string& rel, const std::string& what) const;
    result<std::string> read(const std::string& rel, const std::string& what) const;
};

result<std::string> read_file(const fs::path& p);
// Parses a YAML stream into objects, expanding `kind: List` items.
result<std::vector<value>> parse_objects(std::string_view text, const std::string& file);

// Building blocks, one file each.
status run_generators(accumulator& acc, const loader& ldr, const value& kust);
status merge_generated(accumulator& acc, std::vector<resource> generated);
status add_hash_suffixes(accumulator& acc);
std::string content_hash(const value& obj);

status apply_patches(accumulator& acc, const loader& ldr, const value& kust);
status apply_json6902_legacy(accumulator& acc, const loader& ldr, const value& kust);
status apply_namespace(accumulator& acc, const std::string& ns, bool unset_only = false);
status apply_prefix_suffix(accumulator& acc, const std::string& prefix, const std::string& suffix,
                           const std::vector<field_spec>* specs = nullptr);
status apply_labels(accumulator& acc, const value& kust);
// A fieldSpecs list ({group, version, kind, path, create} entries) of a transformer configuration.
std::vector<field_spec> parse_specs(const value* list);
status apply_map_field(accumulator& acc, const object& pairs, const std::vector<field_spec>& specs);
status apply_images(accumulator& acc, const value& images, const std::vector<field_spec>* specs = nullptr);
status apply_replicas(accumulator& acc, const value& replicas);
status apply_replacements(accumulator& acc, const loader& ldr, const value& list);
status run_generator_plugin(accumulator& acc, const loader& ldr, const value& cfg, const std::string& kind);
status run_patch_plugin(accumulator& acc, const loader& ldr, const value& cfg);
std::string to_scalar(const value& v);
// Cluster scope as kustomize sees it (its openapi document is older than the API server).
bool cluster_scoped(std::string_view api_version, std::string_view kind);
// The same, with the build's custom OpenAPI document first.
bool cluster_scoped(const accumulator& acc, std::string_view api_version, std::string_view kind);
// A strategic-merge patch with the build's schema (custom, built-in, or none for custom kinds).
status apply_smp_to(const accumulator& acc, value& obj, const value& patch);
status set_openapi(schema_state& st, const loader& ldr, const value& kust, bool top);
status add_crds(accumulator& acc, const loader& ldr, const value& kust);
status run_builtin_plugin(accumulator& acc, const loader& ldr, const value& cfg, bool generator);

// Resource selection as kustomize patches' `target` does it.
result<std::vector<std::size_t>> select(const accumulator& acc, const value& selector);

status fix_name_references(accumulator& acc);
status resolve_vars(accumulator& acc);

error build_error(std::string message);

} // namespace weir::kustomize::detail
