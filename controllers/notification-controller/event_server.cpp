#include "event_server.hpp"

#include "events.grpc.pb.h"

#include <weir/core/log.hpp>
#include <weir/eventsink/proto.hpp>

#include <grpcpp/grpcpp.h>
#include <grpcpp/server_posix.h>

namespace weir::notification {
namespace {

class event_service final : public events::v1::EventReceiver::Service {
public:
    explicit event_service(intake& in) : intake_(in) {}

    grpc::Status Publish(grpc::ServerContext*, grpc::ServerReader<events::v1::Event>* reader,
                         events::v1::PublishSummary* summary) override
    {
        events::v1::Event msg;
        while (reader->Read(&msg)) {
            eventsink::flux_event ev = eventsink::from_proto(msg);
            if (ev.involved_object.kind.empty() || ev.involved_object.name.empty() || ev.message.empty()) {
                summary->set_invalid(summary->invalid() + 1);
                continue;
            }
            if (intake_.submit(std::move(ev)) == intake_result::accepted)
                summary->set_accepted(summary->accepted() + 1);
            else
                summary->set_throttled(summary->throttled() + 1);
        }
        return grpc::Status::OK;
    }

private:
    intake& intake_;
};

server_response handle_json(intake& in, const server_request& req)
{
    if (req.method != "POST") return {405, "method not allowed\n"};
    auto ev = eventsink::flux_event::from_json(req.body);
    if (!ev) return {400, ev.err().message + "\n"};
    switch (in.submit(std::move(*ev))) {
    case intake_result::accepted:
        return {202, ""};
    case intake_result::duplicate:
        return {429, "duplicate event\n"};
    case intake_result::rate_limited:
        return {429, "too many events for this object\n"};
    }
    return {500, ""};
}

} // namespace

struct event_server::impl {
    intake& in;
    event_service service;
    std::unique_ptr<grpc::Server> grpc_server;
    std::unique_ptr<http_server> http;
    explicit impl(intake& i) : in(i), service(i) {}
};

event_server::event_server(event_server_options options, intake& in) : impl_(std::make_unique<impl>(in))
{
    grpc::ServerBuilder builder;
    builder.RegisterService(&impl_->service);
    impl_->grpc_server = builder.BuildAndStart(); // no ports: connections arrive by hand-off
    grpc::Server* server = impl_->grpc_server.get();
    impl_->http = std::make_unique<http_server>(
        http_server_options{
            .listen = options.listen,
            .body_limit = 3 << 20,
            .http2_handoff = [server](int fd) { grpc::AddInsecureChannelFromFd(server, fd); }},
        [this](const server_request& r) { return handle_json(impl_->in, r); });
}

event_server::~event_server()
{
    stop();
}

status event_server::start()
{
    return impl_->http->start();
}

void event_server::stop()
{
    if (!impl_->http) return;
    impl_->http->stop();
    impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(1));
    impl_->http.reset();
}

unsigned short event_server::port() const
{
    return impl_->http ? impl_->http->port() : 0;
}

} // namespace weir::notification
