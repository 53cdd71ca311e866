// notification.toolkit.fluxcd.io kinds as typed specs: Provider and Alert (v1beta3), Receiver (v1).
//
//   WEIR_TRY_ASSIGN(auto alert, alert_spec::from(obj));      // obj: the whole Alert
//   WEIR_TRY_ASSIGN(auto rcv, receiver_spec::from(obj));
//
// Errors are terminal and name the field ("spec.type: ...").
#pragma once

#include <weir/api/meta.hpp>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace weir::api::notification {

inline constexpr std::string_view v1beta3 = "notification.toolkit.fluxcd.io/v1beta3";
inline constexpr std::string_view v1 = "notification.toolkit.fluxcd.io/v1";

// Every provider type weir can send to.
bool known_provider_type(std::string_view type);
// github, gitlab, gitea, bitbucket, bitbucketserver, azuredevops.
bool is_commit_status_type(std::string_view type);
bool known_receiver_type(std::string_view type);

struct provider_spec {
    std::string type;
    std::string address;
    std::string channel;
    std::string username;
    std::string proxy;
    std::chrono::nanoseconds timeout = std::chrono::seconds(15);
    std::optional<local_object_reference> secret_ref;
    std::optional<local_object_reference> cert_secret_ref;
    std::optional<local_object_reference> proxy_secret_ref; // keys address, username, password
    bool suspend = false;

    static result<provider_spec> from(const value& object);
};

// One entry of Alert.spec.eventSources or Receiver.spec.resources.
struct object_selector {
    std::string api_version;
    std::string kind;
    std::string name; // "*" matches every name
    std::string namespace_;
    std::map<std::string, std::string> match_labels;
};

struct alert_spec {
    local_object_reference provider_ref;
    std::vector<object_selector> event_sources;
    std::string event_severity = "info"; // info: all events; error: errors only
    std::vector<std::string> inclusion_list;
    std::vector<std::string> exclusion_list;
    std::map<std::string, std::string> event_metadata;
    std::string summary;
    bool suspend = false;

    static result<alert_spec> from(const value& object);
};

struct receiver_spec {
    std::string type;
    std::chrono::nanoseconds interval = std::chrono::minutes(10);
    std::vector<std::string> events;
    std::vector<object_selector> resources;
    local_object_reference secret_ref;
    bool suspend = false;

    static result<receiver_spec> from(const value& object);
};

// The apiVersion Flux assumes for a Receiver resource without one; empty for kinds that need it.
std::string_view default_api_version(std::string_view kind);

} // namespace weir::api::notification
