// What the cluster commands share: flag parsing in the flux CLI's style, the connection to the
// cluster, the table of Flux kinds with their CLI words, conditions, tables and waiting.
//
//   WEIR_TRY_ASSIGN(auto f, cli::parse(a, {{"with-source", false}, {"path", true}}));
//   WEIR_TRY_ASSIGN(auto c, cli::connect(f));
//   const cli::flux_kind* k = cli::take_kind(f.pos, i);   // "source git", "ks", "image policy"...
#pragma once

#include "command.hpp"

#include <weir/core/result.hpp>
#include <weir/core/value.hpp>
#include <weir/kube/client.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace weir::cli {

// Parsed command line: positional words and flags. Every command takes --kubeconfig, --context,
// -n/--namespace (default flux-system, as flux), -A/--all-namespaces and --timeout.
struct parsed_args {
    std::vector<std::string> pos;
    std::map<std::string, std::vector<std::string>> flags;

    bool has(const std::string& name) const { return flags.count(name) > 0; }
    std::string get(const std::string& name, const std::string& fallback = {}) const;
    // Every value of a repeatable flag; "a,b" values are split at commas.
    std::vector<std::string> list(const std::string& name) const;
    bool boolean(const std::string& name) const; // --x, --x=true
    std::string namespace_() const { return get("namespace", "flux-system"); }
    bool all_namespaces() const { return boolean("all-namespaces"); }
    result<std::chrono::milliseconds> timeout(std::chrono::milliseconds fallback = std::chrono::minutes(5)) const;
};

// name -> takes a value. Unknown flags are an error that names them.
result<parsed_args> parse(const args& a, const std::map<std::string, bool>& known);

// Connects and checks the server answers (GET /version), so "no cluster" is one clear error.
result<std::shared_ptr<kube::client>> connect(const parsed_args& f);
// weir-apiserver reports a gitVersion ending in "-weir": it runs no pods.
bool is_weir_apiserver(kube::client& c);

// A Flux kind as the CLI names it.
struct flux_kind {
    std::string kind;     // "GitRepository"
    std::string words;    // "source git"
    kube::gvk gvk;
    std::string group;    // for `get all` headings: "sources", "kustomizations", ...
    bool reconcilable = true;
};
const std::vector<flux_kind>& flux_kinds();
// Reads one or two words at pos[i] ("source git", "kustomization", "ks", "image policy") and
// advances i; nullptr when they name no kind.
const flux_kind* take_kind(const std::vector<std::string>& pos, std::size_t& i);
const flux_kind* kind_named(std::string_view kind); // by Kind ("GitRepository")
std::string kind_words_help();

// Condition fields of status.conditions[type==type] ("" when absent).
std::string condition(const value& obj, std::string_view type, std::string_view field);
std::string string_at(const value& obj, std::initializer_list<std::string_view> path);
// The revision a kind reports: lastAppliedRevision (appliers) or artifact.revision (sources).
std::string revision_of(const value& obj);
bool suspended(const value& obj);
// Ready=True and observedGeneration caught up.
bool is_ready(const value& obj);

// Columns padded like flux's tables; the first row is the header.
void print_table(const std::vector<std::vector<std::string>>& rows);

// Progress lines as flux writes them (stderr): "► doing", "✔ done", "◎ waiting", "✗ failed".
void say_action(std::string_view s);
void say_success(std::string_view s);
void say_waiting(std::string_view s);
void say_warning(std::string_view s);

// Polls every 500 ms until `done` returns true (ok) or an error (returned), or the timeout passes.
status poll_until(std::chrono::milliseconds timeout, const std::string& what, const std::function<result<bool>()>& done);

// RFC3339 with nanoseconds, as flux writes reconcile.fluxcd.io/requestedAt.
std::string now_rfc3339_nano();

// The object with only what a user writes: apiVersion, kind, metadata (name, namespace, labels,
// annotations without the server's own) and spec, as `flux export` prints it.
value clean_for_export(const value& obj);

} // namespace weir::cli
