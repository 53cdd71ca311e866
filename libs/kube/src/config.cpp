// kubeconfig and in-cluster configuration.
#include <weir/kube/config.hpp>

#include "detail/exec_plugin.hpp"

#include <weir/core/yaml.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace fs = std::filesystem;

namespace weir::kube {
namespace {

result<std::string> read_file(const std::string& path, std::string_view what)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) return transient_error(std::string(what) + " " + path + ": cannot read file", "ConfigError");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The entry named `name` in a kubeconfig list (clusters, users, contexts), or nullptr.
const weir::value* named(const weir::value& doc, std::string_view list, std::string_view field, std::string_view name)
{
    const weir::value* items = doc.find(list);
    if (!items || !items->is_array()) return nullptr;
    for (const auto& item : items->as_array())
        if (item.get_string("name") == name) return item.find(field);
    return nullptr;
}

// Makes file references absolute against the directory of the kubeconfig that holds them.
void absolutize(weir::value& doc, const std::string& base_dir)
{
    auto fix = [&](std::string_view list, std::string_view field, std::initializer_list<std::string_view> keys) {
        weir::value* items = doc.find(list);
        if (!items || !items->is_array()) return;
        for (auto& item : items->as_array()) {
            weir::value* body = item.find(field);
            if (!body || !body->is_object()) continue;
            for (auto key : keys) {
                weir::value* v = body->find(key);
                if (v && v->is_string() && !v->as_string().empty() && fs::path(v->as_string()).is_relative())
                    *v = (fs::path(base_dir) / v->as_string()).lexically_normal().string();
            }
        }
    };
    fix("clusters", "cluster", {"certificate-authority"});
    fix("users", "user", {"client-certificate", "client-key", "tokenFile"});
}

// Reads "<key>-data" (base64) or "<key>" (a file) from a cluster or user entry.
result<std::string> pem_field(const weir::value& body, std::string_view key, std::string_view what)
{
    std::string data_key = std::string(key) + "-data";
    if (auto d = body.get_string(data_key); !d.empty()) {
        auto decoded = base64_decode(d);
        if (!decoded) return terminal_error(std::string(what) + ": " + data_key + ": " + decoded.err().message, "ConfigError");
        return std::move(decoded).value();
    }
    if (auto path = body.get_string(key); !path.empty()) return read_file(std::string(path), std::string(what) + " " + std::string(key));
    return std::string();
}

result<exec_config> parse_exec(const weir::value& e, std::string_view what)
{
    exec_config out;
    out.command = std::string(e.get_string("command"));
    if (out.command.empty()) return terminal_error(std::string(what) + ": exec.command is empty", "ConfigError");
    if (auto v = e.get_string("apiVersion"); !v.empty()) out.api_version = std::string(v);
    if (const weir::value* args = e.find("args"); args && args->is_array())
        for (const auto& a : args->as_array())
            if (a.is_string()) out.args.push_back(a.as_string());
    if (const weir::value* env = e.find("env"); env && env->is_array())
        for (const auto& kv : env->as_array())
            out.env.emplace_back(std::string(kv.get_string("name")), std::string(kv.get_string("value")));
    return out;
}

result<config> build_config(const weir::value& doc, std::string_view context_name, std::string_view source)
{
    std::string what = "kubeconfig " + std::string(source);
    std::string ctx_name = context_name.empty() ? std::string(doc.get_string("current-context")) : std::string(context_name);
    if (ctx_name.empty()) return terminal_error(what + ": no current-context set; pass --context or set one", "ConfigError");
    const weir::value* ctx = named(doc, "contexts", "context", ctx_name);
    if (!ctx) return terminal_error(what + ": context \"" + ctx_name + "\" not found", "ConfigError");
    std::string cluster_name(ctx->get_string("cluster"));
    const weir::value* cluster = named(doc, "clusters", "cluster", cluster_name);
    if (!cluster) return terminal_error(what + ": cluster \"" + cluster_name + "\" of context \"" + ctx_name + "\" not found", "ConfigError");

    config cfg;
    cfg.source = std::string(source);
    cfg.server = std::string(cluster->get_string("server"));
    if (cfg.server.empty()) return terminal_error(what + ": cluster \"" + cluster_name + "\" has no server", "ConfigError");
    while (!cfg.server.empty() && cfg.server.back() == '/') cfg.server.pop_back();
    cfg.namespace_ = std::string(ctx->get_string("namespace", "default"));
    if (const weir::value* skip = cluster->find("insecure-skip-tls-verify"); skip && skip->is_bool())
        cfg.insecure_skip_tls_verify = skip->as_bool();
    cfg.tls_server_name = std::string(cluster->get_string("tls-server-name"));
    WEIR_TRY_ASSIGN(cfg.ca_pem, pem_field(*cluster, "certificate-authority", what));

    std::string user_name(ctx->get_string("user"));
    if (const weir::value* user = user_name.empty() ? nullptr : named(doc, "users", "user", user_name)) {
        WEIR_TRY_ASSIGN(cfg.client_cert_pem, pem_field(*user, "client-certificate", what));
        WEIR_TRY_ASSIGN(cfg.client_key_pem, pem_field(*user, "client-key", what));
        cfg.token = std::string(user->get_string("token"));
        cfg.token_file = std::string(user->get_string("tokenFile"));
        cfg.username = std::string(user->get_string("username"));
        cfg.password = std::string(user->get_string("password"));
        cfg.impersonate_user = std::string(user->get_string("as"));
        if (const weir::value* g = user->find("as-groups"); g && g->is_array())
            for (const auto& x : g->as_array())
                if (x.is_string()) cfg.impersonate_groups.push_back(x.as_string());
        if (const weir::value* e = user->find("exec"); e && e->is_object()) {
            WEIR_TRY_ASSIGN(cfg.exec, parse_exec(*e, what));
        }
    }
    return cfg;
}

void merge_list(weir::value& into, const weir::value& from, std::string_view list)
{
    const weir::value* src = from.find(list);
    if (!src || !src->is_array()) return;
    weir::value& dst = into[list];
    if (!dst.is_array()) dst = weir::array{};
    for (const auto& item : src->as_array()) {
        bool seen = false;
        for (const auto& existing : dst.as_array()) seen = seen || existing.get_string("name") == item.get_string("name");
        if (!seen) dst.as_array().push_back(item);
    }
}

result<weir::value> read_kubeconfig_doc(const std::string& path)
{
    WEIR_TRY_ASSIGN(std::string text, read_file(path, "kubeconfig"));
    auto doc = parse_yaml(text, {.schema = yaml_schema::kubernetes_1_1});
    if (!doc) return terminal_error("kubeconfig " + path + ": " + doc.err().message, "ConfigError");
    if (doc->is_null()) return weir::value(weir::object{});
    if (!doc->is_object()) return terminal_error("kubeconfig " + path + ": not a mapping", "ConfigError");
    absolutize(*doc, fs::path(path).parent_path().string());
    return std::move(doc).value();
}

std::vector<std::string> split_path_list(std::string_view list)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        std::size_t end = list.find(':', start);
        if (end == std::string_view::npos) end = list.size();
        if (end > start) out.emplace_back(list.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

} // namespace

result<config> parse_kubeconfig(std::string_view yaml_text, std::string_view base_dir, std::string_view context,
                                std::string_view source)
{
    auto doc = parse_yaml(yaml_text, {.schema = yaml_schema::kubernetes_1_1});
    if (!doc) return terminal_error("kubeconfig " + std::string(source) + ": " + doc.err().message, "ConfigError");
    if (!doc->is_object()) return terminal_error("kubeconfig " + std::string(source) + ": not a mapping", "ConfigError");
    absolutize(*doc, std::string(base_dir));
    return build_config(*doc, context, source);
}

result<config> load_kubeconfig(const std::vector<std::string>& paths, std::string_view context)
{
    weir::value merged = weir::object{};
    std::string source;
    for (const auto& path : paths) {
        if (paths.size() > 1 && !fs::exists(path)) continue; // kubectl skips missing entries of a list
        WEIR_TRY_ASSIGN(weir::value doc, read_kubeconfig_doc(path));
        if (merged.get_string("current-context").empty() && !doc.get_string("current-context").empty())
            merged["current-context"] = std::string(doc.get_string("current-context"));
        for (auto list : {"clusters", "users", "contexts"}) merge_list(merged, doc, list);
        source += (source.empty() ? "" : ":") + path;
    }
    if (source.empty()) return terminal_error("kubeconfig: none of the files exist", "ConfigError");
    return build_config(merged, context, source);
}

result<config> in_cluster_config(std::string root)
{
    const char* host = std::getenv("KUBERNETES_SERVICE_HOST");
    const char* port = std::getenv("KUBERNETES_SERVICE_PORT");
    if (!host || !port || !*host)
        return terminal_error("in-cluster config: KUBERNETES_SERVICE_HOST/PORT are not set (not running in a pod?)", "ConfigError");
    config cfg;
    std::string h = host;
    if (h.find(':') != std::string::npos) h = "[" + h + "]"; // IPv6 service address
    cfg.server = "https://" + h + ":" + port;
    cfg.source = "in-cluster";
    cfg.token_file = root + "/token";
    WEIR_TRY_ASSIGN(cfg.ca_pem, read_file(root + "/ca.crt", "in-cluster CA"));
    if (auto ns = read_file(root + "/namespace", "in-cluster namespace"); ns) cfg.namespace_ = *ns;
    while (!cfg.namespace_.empty() && std::isspace(static_cast<unsigned char>(cfg.namespace_.back()))) cfg.namespace_.pop_back();
    if (cfg.namespace_.empty()) cfg.namespace_ = "default";
    WEIR_TRY(cfg.current_credentials()); // fail at start-up, not on the first request
    return cfg;
}

result<config> load_config(load_options options)
{
    if (!options.kubeconfig.empty()) return load_kubeconfig({options.kubeconfig}, options.context);
    if (const char* env = std::getenv("KUBECONFIG"); env && *env) return load_kubeconfig(split_path_list(env), options.context);
    if (options.allow_in_cluster && std::getenv("KUBERNETES_SERVICE_HOST")) return in_cluster_config();
    const char* home = std::getenv("HOME");
    std::string path = std::string(home ? home : "") + "/.kube/config";
    if (!fs::exists(path))
        return terminal_error("no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, or create " + path, "ConfigError");
    return load_kubeconfig({path}, options.context);
}

// Credential refresh state shared by copies of one config.
struct config::cache {
    std::mutex mutex;
    std::string file_token;
    fs::file_time_type file_mtime{};
    std::chrono::steady_clock::time_point file_checked{};
    std::optional<detail::exec_credential> exec;
};

std::shared_ptr<config::cache> config::make_cache() { return std::make_shared<cache>(); }

void config::invalidate_credentials() const
{
    std::lock_guard lock(cache_->mutex);
    cache_->exec.reset();
    cache_->file_token.clear();
}

result<credentials> config::current_credentials() const
{
    credentials out{token, client_cert_pem, client_key_pem};
    std::lock_guard lock(cache_->mutex);
    if (!token_file.empty()) {
        // Re-check at most once a second; re-read when the kubelet rewrote the file.
        auto now = std::chrono::steady_clock::now();
        if (cache_->file_token.empty() || now - cache_->file_checked > std::chrono::seconds(1)) {
            cache_->file_checked = now;
            std::error_code ec;
            auto mtime = fs::last_write_time(token_file, ec);
            if (!ec && (cache_->file_token.empty() || mtime != cache_->file_mtime)) {
                WEIR_TRY_ASSIGN(std::string t, read_file(token_file, "token file"));
                while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
                cache_->file_token = std::move(t);
                cache_->file_mtime = mtime;
            } else if (ec && cache_->file_token.empty()) {
                return transient_error("token file " + token_file + ": " + ec.message(), "ConfigError");
            }
        }
        out.bearer_token = cache_->file_token;
    }
    if (exec) {
        if (!cache_->exec || cache_->exec->expired()) {
            WEIR_TRY_ASSIGN(cache_->exec, detail::run_exec_plugin(*exec, server));
        }
        if (!cache_->exec->token.empty()) out.bearer_token = cache_->exec->token;
        if (!cache_->exec->client_cert_pem.empty()) {
            out.client_cert_pem = cache_->exec->client_cert_pem;
            out.client_key_pem = cache_->exec->client_key_pem;
        }
    }
    return out;
}

} // namespace weir::kube
