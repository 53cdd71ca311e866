#include "cli_common.hpp"

#include <weir/core/duration.hpp>
#include <weir/kube/config.hpp>
#include <weir/kube/errors.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <ctime>
#include <iostream>
#include <thread>

#include <unistd.h>

namespace weir::cli {

std::string parsed_args::get(const std::string& name, const std::string& fallback) const
{
    auto it = flags.find(name);
    return it == flags.end() || it->second.empty() ? fallback : it->second.back();
}

std::vector<std::string> parsed_args::list(const std::string& name) const
{
    std::vector<std::string> out;
    auto it = flags.find(name);
    if (it == flags.end()) return out;
    for (const auto& v : it->second) {
        std::size_t start = 0;
        while (start <= v.size()) {
            auto comma = v.find(',', start);
            std::string part = v.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            if (!part.empty()) out.push_back(part);
            if (comma == std::string::npos) break;
            start = comma + 1;
        }
    }
    return out;
}

bool parsed_args::boolean(const std::string& name) const
{
    auto it = flags.find(name);
    if (it == flags.end()) return false;
    const std::string v = it->second.empty() ? "true" : it->second.back();
    return v == "true" || v == "1" || v.empty();
}

result<std::chrono::milliseconds> parsed_args::timeout(std::chrono::milliseconds fallback) const
{
    if (!has("timeout")) return fallback;
    auto d = parse_duration(get("timeout"));
    if (!d) return terminal_error("--timeout: " + d.err().message);
    return std::chrono::duration_cast<std::chrono::milliseconds>(*d);
}

result<parsed_args> parse(const args& a, const std::map<std::string, bool>& known_in)
{
    std::map<std::string, bool> known = known_in;
    for (auto [n, v] : {std::pair{"kubeconfig", true}, {"context", true}, {"namespace", true},
                        {"all-namespaces", false}, {"timeout", true}, {"verbose", false}})
        known.emplace(n, v);
    static const std::map<std::string, std::string> shorts{{"n", "namespace"}, {"A", "all-namespaces"},
                                                           {"s", "silent"}, {"o", "output"}, {"f", "follow"}};
    parsed_args out;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const std::string& arg = a[i];
        if (arg == "--") {
            out.pos.insert(out.pos.end(), a.begin() + static_cast<std::ptrdiff_t>(i) + 1, a.end());
            break;
        }
        if (arg.size() < 2 || arg[0] != '-') {
            out.pos.push_back(arg);
            continue;
        }
        std::string name = arg.substr(arg[1] == '-' ? 2 : 1), val;
        bool has_value = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            val = name.substr(eq + 1);
            name.resize(eq);
            has_value = true;
        }
        if (arg[1] != '-') {
            auto s = shorts.find(name);
            if (s == shorts.end()) return terminal_error("unknown flag " + arg);
            name = s->second;
        }
        auto k = known.find(name);
        if (k == known.end()) return terminal_error("unknown flag --" + name);
        if (k->second && !has_value) {
            if (i + 1 >= a.size()) return terminal_error("flag --" + name + " needs a value");
            val = a[++i];
        }
        out.flags[name].push_back(val);
    }
    if (const char* env = std::getenv("FLUX_SYSTEM_NAMESPACE"); env && *env && !out.has("namespace"))
        out.flags["namespace"].push_back(env);
    return out;
}

result<std::shared_ptr<kube::client>> connect(const parsed_args& f)
{
    auto cfg = kube::load_config({.kubeconfig = f.get("kubeconfig"), .context = f.get("context")});
    if (!cfg) return terminal_error("no cluster: " + cfg.err().message + " (set --kubeconfig or $KUBECONFIG)");
    std::string where = cfg->server + (cfg->source.empty() ? "" : " (from " + cfg->source + ")");
    WEIR_TRY_ASSIGN(auto c, kube::client::create(*cfg, {.timeout = std::chrono::seconds(15), .max_retries = 1,
                                                        .user_agent = "weir-cli"}));
    auto v = c->get_path("/version");
    if (!v) {
        if (kube::is_unauthorized(v.err()) || kube::is_forbidden(v.err()))
            return terminal_error("the cluster at " + where + " refused the credentials: " + v.err().message);
        return terminal_error("cannot reach the cluster at " + where + ": " + v.err().message);
    }
    return c;
}

bool is_weir_apiserver(kube::client& c)
{
    auto v = c.get_path("/version");
    return v && v->get_string("gitVersion").ends_with("-weir");
}

const std::vector<flux_kind>& flux_kinds()
{
    static const std::vector<flux_kind> kinds{
        {"GitRepository", "source git", {"source.toolkit.fluxcd.io", "v1", "GitRepository"}, "sources"},
        {"OCIRepository", "source oci", {"source.toolkit.fluxcd.io", "v1", "OCIRepository"}, "sources"},
        {"HelmRepository", "source helm", {"source.toolkit.fluxcd.io", "v1", "HelmRepository"}, "sources"},
        {"HelmChart", "source chart", {"source.toolkit.fluxcd.io", "v1", "HelmChart"}, "sources"},
        {"Bucket", "source bucket", {"source.toolkit.fluxcd.io", "v1", "Bucket"}, "sources"},
        {"Kustomization", "kustomization", {"kustomize.toolkit.fluxcd.io", "v1", "Kustomization"}, "kustomizations"},
        {"HelmRelease", "helmrelease", {"helm.toolkit.fluxcd.io", "v2", "HelmRelease"}, "helmreleases"},
        {"ImageRepository", "image repository", {"image.toolkit.fluxcd.io", "v1", "ImageRepository"}, "images"},
        {"ImagePolicy", "image policy", {"image.toolkit.fluxcd.io", "v1", "ImagePolicy"}, "images"},
        {"ImageUpdateAutomation", "image update", {"image.toolkit.fluxcd.io", "v1", "ImageUpdateAutomation"}, "images"},
        {"Receiver", "receiver", {"notification.toolkit.fluxcd.io", "v1", "Receiver"}, "notifications"},
        {"Alert", "alert", {"notification.toolkit.fluxcd.io", "v1beta3", "Alert"}, "notifications", false},
        {"Provider", "alert-provider", {"notification.toolkit.fluxcd.io", "v1beta3", "Provider"}, "notifications", false},
    };
    return kinds;
}

const flux_kind* kind_named(std::string_view kind)
{
    for (const auto& k : flux_kinds())
        if (k.kind == kind) return &k;
    return nullptr;
}

const flux_kind* take_kind(const std::vector<std::string>& pos, std::size_t& i)
{
    if (i >= pos.size()) return nullptr;
    std::string w = pos[i];
    std::transform(w.begin(), w.end(), w.begin(), [](unsigned char ch) { return std::tolower(ch); });
    auto second = [&](std::initializer_list<std::pair<const char*, const char*>> m) -> const flux_kind* {
        if (i + 1 >= pos.size()) return nullptr;
        for (auto [word, kind] : m)
            if (pos[i + 1] == word || pos[i + 1] == std::string(word) + "s") {
                i += 2;
                return kind_named(kind);
            }
        return nullptr;
    };
    if (w == "source" || w == "sources")
        return second({{"git", "GitRepository"}, {"oci", "OCIRepository"}, {"helm", "HelmRepository"},
                       {"chart", "HelmChart"}, {"bucket", "Bucket"}});
    if (w == "image" || w == "images")
        return second({{"repository", "ImageRepository"}, {"policy", "ImagePolicy"}, {"update", "ImageUpdateAutomation"}});
    static const std::vector<std::pair<std::vector<std::string>, const char*>> singles{
        {{"kustomization", "kustomizations", "ks"}, "Kustomization"},
        {{"helmrelease", "helmreleases", "hr"}, "HelmRelease"},
        {{"receiver", "receivers"}, "Receiver"},
        {{"alert", "alerts"}, "Alert"},
        {{"alert-provider", "alert-providers", "provider", "providers"}, "Provider"},
        {{"gitrepository", "gitrepositories", "gitrepo"}, "GitRepository"},
    };
    for (const auto& [names, kind] : singles)
        if (std::find(names.begin(), names.end(), w) != names.end()) {
            ++i;
            return kind_named(kind);
        }
    if (const flux_kind* k = kind_named(pos[i])) {
        ++i;
        return k;
    }
    return nullptr;
}

std::string kind_words_help()
{
    std::string out;
    for (const auto& k : flux_kinds()) out += (out.empty() ? "" : ", ") + k.words;
    return out;
}

std::string condition(const value& obj, std::string_view type, std::string_view field)
{
    const value* conds = obj.find_path({"status", "conditions"});
    if (!conds || !conds->is_array()) return "";
    for (const auto& c : conds->as_array())
        if (c.get_string("type") == type) return std::string(c.get_string(field));
    return "";
}

std::string string_at(const value& obj, std::initializer_list<std::string_view> path)
{
    const value* v = obj.find_path(path);
    if (!v) return "";
    if (v->is_string()) return v->as_string();
    if (v->is_int()) return std::to_string(v->as_int());
    if (v->is_bool()) return v->as_bool() ? "true" : "false";
    return "";
}

std::string revision_of(const value& obj)
{
    if (auto r = string_at(obj, {"status", "lastAppliedRevision"}); !r.empty()) return r;
    if (auto r = string_at(obj, {"status", "artifact", "revision"}); !r.empty()) return r;
    return string_at(obj, {"status", "lastAttemptedRevision"});
}

bool suspended(const value& obj)
{
    const value* s = obj.find_path({"spec", "suspend"});
    return s && s->is_bool() && s->as_bool();
}

bool is_ready(const value& obj)
{
    const value* gen = obj.find_path({"metadata", "generation"});
    const value* seen = obj.find_path({"status", "observedGeneration"});
    if (gen && gen->is_int() && (!seen || !seen->is_int() || seen->as_int() < gen->as_int())) return false;
    return condition(obj, "Ready", "status") == "True";
}

void print_table(const std::vector<std::vector<std::string>>& rows)
{
    std::vector<std::size_t> width;
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.size(); ++i) {
            if (width.size() <= i) width.push_back(0);
            width[i] = std::max(width[i], r[i].size());
        }
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += r[i];
            if (i + 1 < r.size()) line += std::string(width[i] - r[i].size() + 3, ' ');
        }
        std::cout << line << "\n";
    }
    std::cout.flush();
}

void say_action(std::string_view s) { std::cerr << "► " << s << std::endl; }
void say_success(std::string_view s) { std::cerr << "✔ " << s << std::endl; }
void say_waiting(std::string_view s) { std::cerr << "◎ " << s << std::endl; }
void say_warning(std::string_view s) { std::cerr << "⚠️ " << s << std::endl; }

status poll_until(std::chrono::milliseconds timeout, const std::string& what, const std::function<result<bool>()>& done)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    // A spinner on a terminal only; logs and pipes get the plain progress lines.
    static const char* frames[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
    bool tty = ::isatty(2) == 1;
    std::size_t frame = 0;
    auto clear = [&] {
        if (tty && frame > 0) std::cerr << "\r\033[K" << std::flush;
    };
    for (;;) {
        auto finished = done();
        if (!finished || *finished) {
            clear();
            if (!finished) return finished.err();
            return ok();
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            clear();
            return transient_error(fmt::format("timed out after {} waiting for {}", format_duration(timeout), what));
        }
        if (tty) std::cerr << "\r" << frames[frame++ % 10] << " waiting for " << what << std::flush;
        std::this_thread::sleep_for(std::chrono::milliseconds(tty ? 100 : 500));
    }
}

std::string now_rfc3339_nano()
{
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now - secs).count();
    std::time_t t = std::chrono::system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:09}Z", buf, nanos);
}

value clean_for_export(const value& obj)
{
    value out = object{};
    out["apiVersion"] = obj.get_string("apiVersion");
    out["kind"] = obj.get_string("kind");
    value meta = object{};
    meta["name"] = string_at(obj, {"metadata", "name"});
    if (auto ns = string_at(obj, {"metadata", "namespace"}); !ns.empty()) meta["namespace"] = ns;
    if (const value* l = obj.find_path({"metadata", "labels"}); l && l->is_object() && !l->as_object().empty())
        meta["labels"] = *l;
    if (const value* a = obj.find_path({"metadata", "annotations"}); a && a->is_object()) {
        value kept = object{};
        for (const auto& [k, v] : a->as_object())
            if (k != "kubectl.kubernetes.io/last-applied-configuration" && !k.starts_with("reconcile.fluxcd.io/"))
                kept[k] = v;
        if (!kept.as_object().empty()) meta["annotations"] = kept;
    }
    out["metadata"] = meta;
    if (const value* spec = obj.find("spec")) out["spec"] = *spec;
    if (const value* data = obj.find("data")) out["data"] = *data;
    if (const value* data = obj.find("stringData")) out["stringData"] = *data;
    if (const value* t = obj.find("type")) out["type"] = *t;
    return out;
}

} // namespace weir::cli
