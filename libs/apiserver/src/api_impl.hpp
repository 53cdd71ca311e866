// Private: the state of weir::apiserver::api shared by its source files.
#pragma once

#include <weir/apiserver/api.hpp>
#include <weir/apiserver/resources.hpp>
#include <weir/apiserver/selector.hpp>
#include <weir/apiserver/store.hpp>
#include <weir/core/log.hpp>
#include <weir/core/value.hpp>

#include <map>
#include <optional>

namespace weir::apiserver {

struct user_info {
    std::string name;
    std::vector<std::string> groups;
};

// What the path names: a resource, maybe a namespace, a name and a subresource.
struct target {
    const resource_info* res = nullptr;
    std::string ns, name, sub;
    std::string key() const { return res->key_prefix() + ns + "/" + name; }
    std::string prefix() const { return res->key_prefix() + (res->namespaced && !ns.empty() ? ns + "/" : ""); }
};

// One request in flight.
struct call {
    const request& req;
    std::map<std::string, std::string, std::less<>> q;
    user_info user;
    target t;
    bool dry_run = false;
    std::string manager;
    std::vector<value> causes; // field causes of an Invalid error
    bool applying = false;     // server-side apply: managedFields are set by the apply itself
    std::vector<std::string> warnings; // Warning headers of the response
    std::string param(std::string_view k, std::string_view fallback = {}) const
    {
        auto it = q.find(k);
        return it == q.end() ? std::string(fallback) : it->second;
    }
};

// HTTP status codes carried in weir::error::code.
error api_error(int code, std::string reason, std::string message);
error not_found(const target& t);
error invalid(call& c, std::string_view kind, std::string_view name, std::string field, std::string detail,
              std::string cause_reason = "FieldValueInvalid");
response status_response(const call* c, const error& e);
response json_response(unsigned code, std::string body);

std::string now_rfc3339();
std::string new_uid();
std::string url_decode(std::string_view s);
std::string base64_encode(std::string_view in);
std::string base64_decode(std::string_view in);
bool is_dns1123_subdomain(std::string_view s);
bool is_dns1123_label(std::string_view s);
// Parses a request body: JSON, or YAML when the content type says so.
result<value> parse_body(const call& c);
// parse_body for create and update bodies with duplicate fields, which the real server takes
// (the last wins) under fieldValidation Warn/Ignore and refuses under Strict (duplicates.cpp).
result<value> parse_body_dedup(call& c, bool patch);
// Kubernetes' protobuf envelope for the few kinds kubectl sends that way (proto.cpp).
result<value> decode_protobuf(std::string_view body);
// Table responses for kubectl get (table.cpp).
bool wants_table(std::string_view accept);
std::string table_json(const resource_info& r, const std::vector<value>& objects, std::int64_t rv,
                       const std::string& cont, bool with_definitions);
// Splits "a/b/c" into segments.
std::vector<std::string> split_path(std::string_view path);
// The namespace and name parts of a storage key.
std::pair<std::string_view, std::string_view> key_ns_name(std::string_view key);

struct api::impl {
    api_options opt;
    std::unique_ptr<store> st;
    resource_registry reg;
    std::vector<std::weak_ptr<watcher>> watchers;
    logger log{"apiserver"};
    bool in_gc = false;

    // api.cpp: routing and authentication
    std::variant<response, std::shared_ptr<watcher>> serve(const request& req);
    result<user_info> authenticate(const request& req);
    result<target> resolve(call& c, const std::vector<std::string>& segs, std::size_t at, std::string_view group,
                           std::string_view version);
    status authorize(call& c, std::string_view verb);
    bool allowed(const user_info& u, std::string_view verb, std::string_view group, std::string_view resource,
                 std::string_view ns, std::string_view name, std::string_view sub);
    void bootstrap();

    // discovery.cpp
    std::optional<response> discovery(const call& c, const std::vector<std::string>& segs);
    response openapi(const call& c, const std::vector<std::string>& segs);

    // crud.cpp
    result<response> get(call& c);
    result<response> list(call& c);
    result<response> create(call& c);
    result<response> replace(call& c);
    result<response> patch(call& c);
    result<response> remove(call& c);
    result<response> remove_collection(call& c);
    result<response> review(call& c);
    result<value> load(const target& t) const;
    // Turns a proposed object into the next stored state of `old` (null for creates) and writes it.
    result<value> commit(call& c, const value* old, value obj);
    result<value> prepare_create(call& c, value obj);
    status write(call& c, const target& t, value& obj, bool existed);
    result<value> finish_delete(call& c, const target& t, value obj);
    std::string serve_json(const call& c, const value& obj) const;
    void on_crds_changed();
    void ensure_default_service_account(const std::string& ns);
    status namespace_ok(call& c);

    // gc.cpp
    void collect_garbage();
    void clean_namespace(const std::string& ns);
    void orphan_dependents(const std::string& uid);

    // watch.cpp
    std::variant<response, std::shared_ptr<watcher>> watch(call& c);
    void notify(const store_event& ev);
    void tick();

    // patch.cpp
    result<value> apply_patch(call& c, const value& live, bool exists);

    // fields.cpp: unknown fields of built-in kinds, as fieldValidation asks (patch: the object
    // is the result of a patch, whose errors the real server words without the kind).
    status check_fields(call& c, value& obj, bool patch);
    // Server-side apply of a built-in kind refuses unknown fields whatever fieldValidation says.
    status check_applied_fields(call& c, const value& applied);

    // defaults.cpp: what the real server fills in on built-in kinds (old: null on create).
    void apply_defaults(call& c, const value* old, value& obj);
    void service_defaults(call& c, const value* old, value& obj);

    // validate.cpp (custom resources)
    status validate_custom(call& c, value& obj);
    // Fields of built-in kinds that cannot change after creation (immutable ConfigMaps, selectors).
    status validate_immutable(call& c, const value& old, const value& obj);
};

} // namespace weir::apiserver
