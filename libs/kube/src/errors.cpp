#include <weir/kube/errors.hpp>

#include <weir/core/json.hpp>

#include <fmt/format.h>

namespace weir::kube {
namespace {

// The Status reason Kubernetes uses for a code when the body carries none.
std::string_view default_reason(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return code >= 500 ? "InternalError" : "Unknown";
    }
}

bool terminal_code(int code)
{
    return code == 400 || code == 405 || code == 406 || code == 413 || code == 415 || code == 422;
}

// "spec.x: Invalid value; spec.y: Required value" from details.causes.
std::string causes_of(const weir::value& status)
{
    const weir::value* causes = status.find_path({"details", "causes"});
    if (!causes || !causes->is_array()) return {};
    std::string out;
    for (const auto& c : causes->as_array()) {
        if (!out.empty()) out += "; ";
        std::string_view field = c.get_string("field");
        if (!field.empty()) out += std::string(field) + ": ";
        out += c.get_string("message", c.get_string("reason"));
    }
    return out;
}

} // namespace

weir::error error_from_response(int http_status, std::string_view body, std::string_view what)
{
    weir::error e;
    e.code = http_status;
    e.kind = terminal_code(http_status) ? error_kind::terminal : error_kind::transient;
    std::string message;
    if (auto doc = parse_json(body); doc && doc->is_object() && doc->get_string("kind") == "Status") {
        e.reason = std::string(doc->get_string("reason"));
        message = std::string(doc->get_string("message"));
        if (const weir::value* c = doc->find("code"); c && c->is_int() && http_status == 0)
            e.code = static_cast<int>(c->as_int());
        std::string causes = causes_of(*doc);
        if (!causes.empty() && message.find(causes) == std::string::npos) message += " (" + causes + ")";
    }
    if (e.reason.empty()) e.reason = std::string(default_reason(e.code));
    if (message.empty()) {
        std::string_view text = body.substr(0, 200);
        message = fmt::format("server replied {} {}", e.code, e.reason);
        if (!text.empty()) message += fmt::format(": {}", text);
    }
    e.message = fmt::format("{}: {}", what, message);
    return e;
}

weir::error network_error(std::string_view what, std::string_view detail, bool timeout)
{
    weir::error e = transient_error(fmt::format("{}: {}", what, detail), timeout ? "Timeout" : "ServiceUnavailable");
    e.code = 0;
    return e;
}

bool is_not_found(const weir::error& e) { return e.code == 404 || (e.code == 0 && e.reason == "NotFound"); }
bool is_already_exists(const weir::error& e) { return e.reason == "AlreadyExists"; }
bool is_conflict(const weir::error& e) { return e.code == 409 && e.reason != "AlreadyExists"; }
bool is_invalid(const weir::error& e) { return e.code == 422 || e.reason == "Invalid"; }
bool is_bad_request(const weir::error& e) { return e.code == 400; }
bool is_gone(const weir::error& e) { return e.code == 410 || e.reason == "Expired" || e.reason == "Gone"; }
bool is_forbidden(const weir::error& e) { return e.code == 403; }
bool is_unauthorized(const weir::error& e) { return e.code == 401; }
bool is_too_many_requests(const weir::error& e) { return e.code == 429; }
bool is_timeout(const weir::error& e) { return e.code == 504 || e.reason == "Timeout"; }
bool is_server_error(const weir::error& e) { return e.code >= 500; }
bool is_network(const weir::error& e) { return e.code == 0 && (e.reason == "ServiceUnavailable" || e.reason == "Timeout"); }
bool is_method_not_supported(const weir::error& e) { return e.code == 405; }

} // namespace weir::kube
