// Kubernetes' protobuf encoding, read for the kinds kubectl sends that way: kubectl 1.32's typed
// clients (create configmap/secret/namespace/serviceaccount/role..., auth can-i) post protobuf
// and do not fall back to JSON. Each kind is a table of field numbers; unknown kinds get 415.
#include "api_impl.hpp"

#include <cstdint>
#include <ctime>

namespace weir::apiserver {

namespace {

enum class ft : unsigned char { str, bytes, i64, boolean, msg, map_str, map_bytes, time };

struct field;
struct message {
    std::vector<field> fields;
};
struct field {
    int num;
    const char* name;
    ft type;
    bool repeated = false;
    const message* sub = nullptr;
};

const message time_msg{};
const message owner_ref{{{1, "kind", ft::str}, {3, "name", ft::str}, {4, "uid", ft::str}, {5, "apiVersion", ft::str},
                         {6, "controller", ft::boolean}, {7, "blockOwnerDeletion", ft::boolean}}};
const message object_meta{{{1, "name", ft::str}, {2, "generateName", ft::str}, {3, "namespace", ft::str},
                           {5, "uid", ft::str}, {6, "resourceVersion", ft::str}, {7, "generation", ft::i64},
                           {11, "labels", ft::map_str}, {12, "annotations", ft::map_str},
                           {13, "ownerReferences", ft::msg, true, &owner_ref}, {14, "finalizers", ft::str, true}}};
const message object_ref{{{1, "kind", ft::str}, {2, "namespace", ft::str}, {3, "name", ft::str}, {4, "uid", ft::str},
                          {5, "apiVersion", ft::str}, {6, "resourceVersion", ft::str}, {7, "fieldPath", ft::str}}};
const message local_ref{{{1, "name", ft::str}}};
const message config_map{{{1, "metadata", ft::msg, false, &object_meta}, {2, "data", ft::map_str},
                          {3, "binaryData", ft::map_bytes}, {4, "immutable", ft::boolean}}};
const message secret{{{1, "metadata", ft::msg, false, &object_meta}, {2, "data", ft::map_bytes}, {3, "type", ft::str},
                      {4, "stringData", ft::map_str}, {5, "immutable", ft::boolean}}};
const message ns_spec{{{1, "finalizers", ft::str, true}}};
const message namespace_msg{{{1, "metadata", ft::msg, false, &object_meta}, {2, "spec", ft::msg, false, &ns_spec}}};
const message service_account{{{1, "metadata", ft::msg, false, &object_meta},
                               {2, "secrets", ft::msg, true, &object_ref},
                               {3, "imagePullSecrets", ft::msg, true, &local_ref},
                               {4, "automountServiceAccountToken", ft::boolean}}};
const message resource_attrs{{{1, "namespace", ft::str}, {2, "verb", ft::str}, {3, "group", ft::str},
                              {4, "version", ft::str}, {5, "resource", ft::str}, {6, "subresource", ft::str},
                              {7, "name", ft::str}}};
const message non_resource_attrs{{{1, "path", ft::str}, {2, "verb", ft::str}}};
const message ssar_spec{{{1, "resourceAttributes", ft::msg, false, &resource_attrs},
                         {2, "nonResourceAttributes", ft::msg, false, &non_resource_attrs}}};
const message ssar{{{1, "metadata", ft::msg, false, &object_meta}, {2, "spec", ft::msg, false, &ssar_spec}}};
const message sar_spec{{{1, "resourceAttributes", ft::msg, false, &resource_attrs},
                        {2, "nonResourceAttributes", ft::msg, false, &non_resource_attrs}, {3, "user", ft::str},
                        {4, "groups", ft::str, true}, {6, "uid", ft::str}}};
const message sar{{{1, "metadata", ft::msg, false, &object_meta}, {2, "spec", ft::msg, false, &sar_spec}}};
const message ssrr_spec{{{1, "namespace", ft::str}}};
const message ssrr{{{1, "metadata", ft::msg, false, &object_meta}, {2, "spec", ft::msg, false, &ssrr_spec}}};
const message ssr{{{1, "metadata", ft::msg, false, &object_meta}}};
const message policy_rule{{{1, "verbs", ft::str, true}, {2, "apiGroups", ft::str, true}, {3, "resources", ft::str, true},
                           {4, "resourceNames", ft::str, true}, {5, "nonResourceURLs", ft::str, true}}};
const message role{{{1, "metadata", ft::msg, false, &object_meta}, {2, "rules", ft::msg, true, &policy_rule}}};
const message subject{{{1, "kind", ft::str}, {2, "apiGroup", ft::str}, {3, "name", ft::str}, {4, "namespace", ft::str}}};
const message role_ref{{{1, "apiGroup", ft::str}, {2, "kind", ft::str}, {3, "name", ft::str}}};
const message binding{{{1, "metadata", ft::msg, false, &object_meta}, {2, "subjects", ft::msg, true, &subject},
                       {3, "roleRef", ft::msg, false, &role_ref}}};
const message preconditions{{{1, "uid", ft::str}, {2, "resourceVersion", ft::str}}};
const message delete_options{{{1, "gracePeriodSeconds", ft::i64}, {2, "preconditions", ft::msg, false, &preconditions},
                              {3, "orphanDependents", ft::boolean}, {4, "propagationPolicy", ft::str},
                              {5, "dryRun", ft::str, true}}};

const message* message_for(std::string_view kind)
{
    static const std::vector<std::pair<std::string_view, const message*>> kinds{
        {"ConfigMap", &config_map}, {"Secret", &secret}, {"Namespace", &namespace_msg},
        {"ServiceAccount", &service_account}, {"SelfSubjectAccessReview", &ssar}, {"SubjectAccessReview", &sar},
        {"LocalSubjectAccessReview", &sar}, {"SelfSubjectRulesReview", &ssrr}, {"SelfSubjectReview", &ssr},
        {"Role", &role}, {"ClusterRole", &role}, {"RoleBinding", &binding}, {"ClusterRoleBinding", &binding},
        {"DeleteOptions", &delete_options}};
    for (const auto& [k, m] : kinds)
        if (k == kind) return m;
    return nullptr;
}

struct reader {
    std::string_view in;
    std::size_t pos = 0;
    bool bad = false;

    bool done() const { return pos >= in.size() || bad; }
    std::uint64_t varint()
    {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos >= in.size()) {
                bad = true;
                return 0;
            }
            auto b = static_cast<unsigned char>(in[pos++]);
            v |= std::uint64_t(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        bad = true;
        return 0;
    }
    std::string_view bytes()
    {
        auto n = varint();
        if (bad || n > in.size() - pos) {
            bad = true;
            return {};
        }
        auto s = in.substr(pos, n);
        pos += n;
        return s;
    }
    void skip(int wire)
    {
        if (wire == 0) varint();
        else if (wire == 1) pos += 8;
        else if (wire == 2) bytes();
        else if (wire == 5) pos += 4;
        else bad = true;
        if (pos > in.size()) bad = true;
    }
};

std::string rfc3339(std::int64_t secs)
{
    std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

value decode(std::string_view data, const message& m, bool& bad);

value decode_map_entry(std::string_view data, bool bytes_value, std::string& key, bool& bad)
{
    reader r{data};
    value v = "";
    while (!r.done()) {
        auto tag = r.varint();
        int num = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
        if (wire != 2) {
            r.skip(wire);
            continue;
        }
        auto s = r.bytes();
        if (num == 1) key = std::string(s);
        else if (num == 2) v = bytes_value ? value(base64_encode(s)) : value(std::string(s));
    }
    bad = bad || r.bad;
    return v;
}

value decode(std::string_view data, const message& m, bool& bad)
{
    value out = object{};
    reader r{data};
    while (!r.done()) {
        auto tag = r.varint();
        int num = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
        const field* f = nullptr;
        for (const auto& x : m.fields)
            if (x.num == num) f = &x;
        if (!f) {
            r.skip(wire);
            continue;
        }
        value v;
        switch (f->type) {
        case ft::str: v = std::string(r.bytes()); break;
        case ft::bytes: v = base64_encode(r.bytes()); break;
        case ft::i64: v = static_cast<std::int64_t>(r.varint()); break;
        case ft::boolean: v = r.varint() != 0; break;
        case ft::msg: v = decode(r.bytes(), *f->sub, bad); break;
        case ft::time: {
            reader t{r.bytes()};
            std::int64_t secs = 0;
            while (!t.done()) {
                auto tt = t.varint();
                if ((tt >> 3) == 1 && (tt & 7) == 0) secs = static_cast<std::int64_t>(t.varint());
                else t.skip(static_cast<int>(tt & 7));
            }
            v = rfc3339(secs);
            break;
        }
        case ft::map_str:
        case ft::map_bytes: {
            std::string key;
            value mv = decode_map_entry(r.bytes(), f->type == ft::map_bytes, key, bad);
            value& target = out[f->name];
            if (!target.is_object()) target = object{};
            target.as_object().set(key, std::move(mv));
            continue;
        }
        }
        if (f->repeated) {
            value& target = out[f->name];
            if (!target.is_array()) target = array{};
            target.as_array().push_back(std::move(v));
        } else {
            out[f->name] = std::move(v);
        }
    }
    bad = bad || r.bad;
    return out;
}

} // namespace

result<value> decode_protobuf(std::string_view body)
{
    auto unsupported = [](std::string what) {
        return api_error(415, "UnsupportedMediaType",
                         "the body of the request was in an unknown format (" + what +
                             ") - accepted media types include: application/json, application/yaml");
    };
    if (body.size() < 4 || body.substr(0, 4) != std::string_view("k8s\0", 4)) return unsupported("no protobuf envelope");
    reader r{body.substr(4)};
    std::string api_version, kind;
    std::string_view raw;
    while (!r.done()) {
        auto tag = r.varint();
        int num = static_cast<int>(tag >> 3), wire = static_cast<int>(tag & 7);
        if (wire != 2) {
            r.skip(wire);
            continue;
        }
        auto s = r.bytes();
        if (num == 1) {
            reader tm{s};
            while (!tm.done()) {
                auto t = tm.varint();
                auto v = tm.bytes();
                if ((t >> 3) == 1) api_version = std::string(v);
                else if ((t >> 3) == 2) kind = std::string(v);
            }
        } else if (num == 2) {
            raw = s;
        }
    }
    const message* m = message_for(kind);
    if (r.bad || !m) return unsupported("protobuf of kind " + (kind.empty() ? std::string("unknown") : kind));
    bool bad = false;
    value obj = decode(raw, *m, bad);
    if (bad) return api_error(400, "BadRequest", "the protobuf body of the " + kind + " is malformed");
    value out = object{};
    if (!api_version.empty()) out["apiVersion"] = api_version;
    out["kind"] = kind;
    for (auto& [k, v] : obj.as_object()) out.as_object().push_back(k, std::move(v));
    return out;
}

} // namespace weir::apiserver
