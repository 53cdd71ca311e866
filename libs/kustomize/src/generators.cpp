// configMapGenerator and secretGenerator, with kustomize's content-hash name suffixes.
#include "internal.hpp"

#include <weir/core/json.hpp>
#include <weir/core/yaml.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <map>

namespace weir::kustomize::detail {
namespace {

bool valid_utf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n == 0 || i + n > s.size()) return false;
        for (std::size_t j = 1; j < n; ++j)
            if ((static_cast<unsigned char>(s[i + j]) >> 6) != 2) return false;
        i += n;
    }
    return true;
}

std::string base64_raw(std::string_view in);

// kustomize wraps encoded data at 70 columns, each line ending in a newline, when it spans more
// than one line.
std::string base64(std::string_view in)
{
    std::string enc = base64_raw(in);
    constexpr std::size_t line = 70;
    if (enc.size() < line) return enc;
    std::string out;
    for (std::size_t i = 0; i < enc.size(); i += line) {
        out.append(enc, i, line);
        out += '\n';
    }
    return out;
}

std::string base64_raw(std::string_view in)
{
    static const char* tbl = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += tbl[v & 63];
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += tbl[v >> 18];
        out += tbl[(v >> 12) & 63];
        out += tbl[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

// A JSON string as Go's encoding/json writes it (HTML characters escaped).
void go_json_string(std::string& out, std::string_view s)
{
    static const char* hex = "0123456789abcdef";
    out += '"';
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '<': case '>': case '&':
            out += "\\u00";
            out += hex[c >> 4];
            out += hex[c & 15];
            break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out += hex[c >> 4];
                out += hex[c & 15];
            } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                       (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
                out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
                i += 2;
            } else {
                out += static_cast<char>(c);
            }
        }
    }
    out += '"';
}

void go_json_value(std::string& out, const value& v)
{
    switch (v.type()) {
    case value::kind::null: out += "null"; break;
    case value::kind::boolean: out += v.as_bool() ? "true" : "false"; break;
    case value::kind::integer: out += std::to_string(v.as_int()); break;
    case value::kind::number: out += to_json(v); break;
    case value::kind::string: go_json_string(out, v.as_string()); break;
    case value::kind::array: {
        out += '[';
        bool first = true;
        for (const auto& e : v.as_array()) {
            if (!first) out += ',';
            first = false;
            go_json_value(out, e);
        }
        out += ']';
        break;
    }
    case value::kind::object: {
        std::vector<const object::member*> ms;
        for (const auto& m : v.as_object()) ms.push_back(&m);
        std::sort(ms.begin(), ms.end(), [](auto* a, auto* b) { return a->first < b->first; });
        out += '{';
        bool first = true;
        for (auto* m : ms) {
            if (!first) out += ',';
            first = false;
            go_json_string(out, m->first);
            out += ':';
            go_json_value(out, m->second);
        }
        out += '}';
        break;
    }
    }
}

std::string sha256_hex(std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

} // namespace

// kustomize's hasher looks the name up under a key literally named "metadata/name", which no
// object has, so the name never enters the hash; missing fields count as "".
std::string content_hash(const value& obj)
{
    object m;
    std::string_view kind = obj.get_string("kind");
    auto field = [&](std::string_view k) -> value {
        const value* v = obj.find(k);
        if (!v || v->is_null()) return value("");
        return *v;
    };
    if (kind == "ConfigMap") {
        m.push_back("kind", "ConfigMap");
        m.push_back("name", "");
        m.push_back("data", field("data"));
        if (const value* b = obj.find("binaryData"); b && b->is_object()) m.push_back("binaryData", *b);
    } else if (kind == "Secret") {
        m.push_back("kind", "Secret");
        m.push_back("type", field("type"));
        m.push_back("name", "");
        m.push_back("data", field("data"));
        if (const value* b = obj.find("stringData"); b && b->is_object()) m.push_back("stringData", *b);
    }
    std::string text;
    if (m.empty())
        go_json_value(text, obj);
    else
        go_json_value(text, value(std::move(m)));
    std::string h = sha256_hex(text).substr(0, 10);
    for (char& c : h) {
        switch (c) {
        case '0': c = 'g'; break;
        case '1': c = 'h'; break;
        case '3': c = 'k'; break;
        case 'a': c = 'm'; break;
        case 'e': c = 't'; break;
        default: break;
        }
    }
    return h;
}

namespace {

struct gen_options {
    object labels, annotations;
    bool disable_hash = false;
    bool immutable = false;
};

void read_options(gen_options& o, const value* v)
{
    if (!v || !v->is_object()) return;
    if (const value* l = v->find("labels"); l && l->is_object())
        for (const auto& [k, x] : l->as_object()) o.labels.set(k, x);
    if (const value* a = v->find("annotations"); a && a->is_object())
        for (const auto& [k, x] : a->as_object()) o.annotations.set(k, x);
    if (const value* d = v->find("disableNameSuffixHash"); d && d->is_bool() && d->as_bool()) o.disable_hash = true;
    if (const value* d = v->find("immutable"); d && d->is_bool() && d->as_bool()) o.immutable = true;
}

std::string strip_quotes(std::string s)
{
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return s.substr(1, s.size() - 2);
    return s;
}

using kv_list = std::vector<std::pair<std::string, std::string>>;

status parse_env_file(kv_list& out, std::string_view text, const std::string& file)
{
    std::size_t pos = 0;
    bool first = true;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        std::string line(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
        pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
        if (first && line.starts_with("\xEF\xBB\xBF")) line = line.substr(3);
        first = false;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        std::size_t s = 0;
        while (s < line.size() && std::isspace(static_cast<unsigned char>(line[s]))) ++s;
        line = line.substr(s);
        if (line.empty() || line[0] == '#') continue;
        auto eq = line.find('=');
        std::string key = line.substr(0, eq);
        if (key.empty() || key.find_first_of(" \t") != std::string::npos)
            return build_error("env file " + file + ": invalid key \"" + key + "\"");
        if (eq == std::string::npos) {
            const char* e = std::getenv(key.c_str());
            out.emplace_back(key, e ? e : "");
        } else {
            out.emplace_back(key, line.substr(eq + 1));
        }
    }
    return ok();
}

std::string base_name(const std::string& p)
{
    auto s = p.find_last_of('/');
    return s == std::string::npos ? p : p.substr(s + 1);
}

result<resource> generate(const value& g, const std::string& kind, const gen_options& global, const loader& ldr)
{
    std::string name(g.get_string("name"));
    std::string where = kind + "Generator '" + name + "'";
    if (name.empty()) return build_error(kind + "Generator entry without a name");
    gen_options o;
    read_options(o, g.find("options"));
    for (const auto& [k, x] : global.labels) o.labels.set(k, x);
    for (const auto& [k, x] : global.annotations) o.annotations.set(k, x);
    o.disable_hash = o.disable_hash || global.disable_hash;
    o.immutable = o.immutable || global.immutable;

    kv_list kvs;
    kv_list binary;
    auto strings = [&](const char* field) {
        std::vector<std::string> out;
        if (const value* v = g.find(field)) {
            if (v->is_string()) out.push_back(v->as_string());
            if (v->is_array())
                for (const auto& e : v->as_array())
                    if (e.is_string()) out.push_back(e.as_string());
        }
        return out;
    };
    const source_filter* filter =
        kind == "Secret" && ldr.opts && ldr.opts->secret_source_filter ? &ldr.opts->secret_source_filter : nullptr;
    auto read_source = [&](const std::string& path) -> result<std::string> {
        WEIR_TRY_ASSIGN(std::string text, ldr.read(path, where));
        if (!filter) return text;
        return (*filter)(path, std::move(text));
    };
    for (const char* field : {"env", "envs"}) {
        for (const auto& env : strings(field)) {
            WEIR_TRY_ASSIGN(std::string text, read_source(env));
            WEIR_TRY(parse_env_file(kvs, text, env));
        }
    }
    for (const auto& lit : strings("literals")) {
        auto eq = lit.find('=');
        if (eq == std::string::npos)
            return build_error(where + ": literal \"" + lit + "\" must be key=value");
        kvs.emplace_back(lit.substr(0, eq), strip_quotes(lit.substr(eq + 1)));
    }
    for (const auto& f : strings("files")) {
        std::string key, path = f;
        if (auto eq = f.find('='); eq != std::string::npos) {
            key = f.substr(0, eq);
            path = f.substr(eq + 1);
        } else {
            key = base_name(f);
        }
        WEIR_TRY_ASSIGN(std::string text, read_source(path));
        if (kind == "ConfigMap" && !valid_utf8(text))
            binary.emplace_back(key, base64(text));
        else
            kvs.emplace_back(key, std::move(text));
    }
    object data, bin;
    for (auto& [k, v] : kvs) data.set(k, kind == "Secret" ? value(base64(v)) : value(std::move(v)));
    for (auto& [k, v] : binary) bin.set(k, std::move(v));

    object meta;
    meta.push_back("name", name);
    if (std::string ns(g.get_string("namespace")); !ns.empty()) meta.push_back("namespace", ns);
    if (!o.labels.empty()) meta.push_back("labels", o.labels);
    if (!o.annotations.empty()) meta.push_back("annotations", o.annotations);
    object obj;
    obj.push_back("apiVersion", "v1");
    obj.push_back("kind", kind);
    obj.push_back("metadata", std::move(meta));
    if (kind == "Secret") obj.push_back("type", std::string(g.get_string("type", "Opaque")));
    if (!data.empty()) obj.push_back("data", std::move(data));
    if (!bin.empty()) obj.push_back("binaryData", std::move(bin));
    if (o.immutable) obj.push_back("immutable", true);
    resource r;
    r.obj = std::move(obj);
    r.needs_hash = !o.disable_hash;
    r.behavior = g.get_string("behavior", "create");
    r.origin = ldr.kustomization_file;
    r.origin_generator = kind + "Generator";
    r.remember();
    return r;
}

bool same_id(const resource& a, const resource& b)
{
    if (a.kind() != b.kind()) return false;
    auto norm = [](std::string s) { return s == "default" ? std::string{} : s; };
    std::string bn = b.name(), bns = norm(b.ns());
    bool name_ok = std::find(a.names.begin(), a.names.end(), bn) != a.names.end();
    bool ns_ok = false;
    for (const auto& s : a.namespaces)
        if (norm(s) == bns) ns_ok = true;
    return name_ok && ns_ok;
}

void merge_map_field(value& into, const value& from, std::string_view field)
{
    const value* f = from.find(field);
    if (!f || !f->is_object()) return;
    value& t = into[field];
    if (!t.is_object()) t = object{};
    for (const auto& [k, v] : f->as_object()) t.as_object().set(k, v);
}

} // namespace

status merge_generated(accumulator& acc, std::vector<resource> generated)
{
    for (auto& g : generated) {
        auto it = std::find_if(acc.res.begin(), acc.res.end(), [&](const resource& r) { return same_id(r, g); });
        if (g.behavior != "merge" && g.behavior != "replace") {
            if (it != acc.res.end())
                return build_error("cannot add " + std::string(g.kind()) + " '" + g.name() +
                                   "' from a generator: a resource with that id already exists (use behavior merge "
                                   "or replace)");
            acc.res.push_back(std::move(g));
            continue;
        }
        if (it == acc.res.end())
            return build_error("id " + std::string(g.kind()) + "/" + g.name() + " does not exist; cannot " +
                               g.behavior + " or replace");
        if (g.behavior == "replace") {
            auto names = it->names;
            auto nss = it->namespaces;
            // Labels and annotations of the replaced object stay, under the new ones.
            value merged_meta = object{};
            if (const value* m = it->obj.find("metadata")) {
                merge_map_field(merged_meta, *m, "labels");
                merge_map_field(merged_meta, *m, "annotations");
            }
            if (const value* m = g.obj.find("metadata")) {
                merge_map_field(merged_meta, *m, "labels");
                merge_map_field(merged_meta, *m, "annotations");
            }
            for (const char* f : {"labels", "annotations"})
                if (const value* v = merged_meta.find(f)) g.obj["metadata"].as_object().set(f, *v);
            it->obj = std::move(g.obj);
            it->set_name(names.back());
            if (!nss.back().empty()) it->set_ns(nss.back());
            it->needs_hash = g.needs_hash;
            continue;
        }
        merge_map_field(it->obj, g.obj, "data");
        merge_map_field(it->obj, g.obj, "binaryData");
        if (const value* m = g.obj.find("metadata")) {
            merge_map_field(it->obj["metadata"], *m, "labels");
            merge_map_field(it->obj["metadata"], *m, "annotations");
        }
        if (g.obj.find("immutable")) it->obj.as_object().set("immutable", true);
        it->needs_hash = it->needs_hash && g.needs_hash;
    }
    return ok();
}

status run_generators(accumulator& acc, const loader& ldr, const value& kust)
{
    gen_options global;
    read_options(global, kust.find("generatorOptions"));
    std::vector<resource> out;
    for (const char* kind : {"ConfigMap", "Secret"}) {
        const value* list = kust.find(std::string(kind) == "ConfigMap" ? "configMapGenerator" : "secretGenerator");
        if (!list || !list->is_array()) continue;
        for (const auto& g : list->as_array()) {
            WEIR_TRY_ASSIGN(resource r, generate(g, kind, global, ldr));
            out.push_back(std::move(r));
        }
    }
    return merge_generated(acc, std::move(out));
}

// A ConfigMapGenerator/SecretGenerator plugin configuration: the generator fields at the top level
// and the name and namespace in metadata.
status run_generator_plugin(accumulator& acc, const loader& ldr, const value& cfg, const std::string& kind)
{
    value g = cfg;
    g["name"] = std::string(cfg.find_path({"metadata", "name"}) ? cfg.find_path({"metadata", "name"})->as_string() : "");
    if (const value* ns = cfg.find_path({"metadata", "namespace"}); ns && ns->is_string()) g["namespace"] = *ns;
    gen_options none;
    WEIR_TRY_ASSIGN(resource r, generate(g, kind, none, ldr));
    std::vector<resource> v;
    v.push_back(std::move(r));
    return merge_generated(acc, std::move(v));
}

status add_hash_suffixes(accumulator& acc)
{
    for (auto& r : acc.res) {
        if (!r.needs_hash) continue;
        r.set_name(r.name() + "-" + content_hash(r.obj));
        r.needs_hash = false;
        r.remember();
    }
    return ok();
}

} // namespace weir::kustomize::detail
