// The event intake endpoint (--events-addr, Flux's default :9090). One port, two protocols:
// connections that open with the HTTP/2 preface are handed to the gRPC EventReceiver service
// (api/proto/events.proto, what weir's controllers stream), everything else is HTTP/1.1 where
// POST / takes Flux's JSON event (what Flux controllers and third parties send): 202 accepted,
// 400 invalid, 429 duplicate or over the per-object rate.
#pragma once

#include "http_server.hpp"
#include "intake.hpp"

#include <memory>

namespace weir::notification {

struct event_server_options {
    std::string listen = ":9090";
};

class event_server {
public:
    event_server(event_server_options options, intake& in);
    ~event_server();
    status start();
    void stop();
    unsigned short port() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

} // namespace weir::notification
