#include "events.grpc.pb.h"

#include <weir/core/log.hpp>
#include <weir/eventsink/event.hpp>
#include <weir/eventsink/forwarder.hpp>
#include <weir/eventsink/proto.hpp>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <grpcpp/grpcpp.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace weir::eventsink {
namespace {

std::string hostname()
{
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    return buf;
}

} // namespace

result<std::string> grpc_target(std::string_view address)
{
    std::string_view rest = address;
    std::string default_port;
    if (rest.starts_with("http://")) {
        rest.remove_prefix(7);
        default_port = "80";
    } else if (rest.starts_with("https://")) {
        rest.remove_prefix(8);
        default_port = "443";
    }
    rest = rest.substr(0, rest.find('/'));
    if (rest.empty() || rest.starts_with(":"))
        return terminal_error("--events-addr \"" + std::string(address) + "\" has no host", "InvalidFlag");
    std::string target(rest);
    bool has_port = target.back() != ']' && target.rfind(':') != std::string::npos &&
                    (target.front() != '[' || target.rfind(']') < target.rfind(':'));
    if (!has_port) target += ":" + (default_port.empty() ? std::string("80") : default_port);
    // A trailing dot (Flux's fully qualified service names) is fine for DNS but not for gRPC's
    // resolver, which treats the name literally.
    if (auto colon = target.rfind(':'); colon > 0 && target[colon - 1] == '.') target.erase(colon - 1, 1);
    return target;
}

struct grpc_forwarder::impl {
    forwarder_options options;
    std::string target;
    logger log{"eventsink"};
    mutable std::mutex mutex;
    std::condition_variable cv;
    std::deque<flux_event> buffer;
    std::size_t in_flight = 0;
    bool stopping = false;
    forwarder_stats stats;
    std::shared_ptr<grpc::Channel> channel;
    std::unique_ptr<events::v1::EventReceiver::Stub> stub;
    std::unique_ptr<grpc::ClientContext> context; // of the open stream; guarded by mutex for TryCancel
    std::thread thread;

    void run();
    bool send_batch(grpc::ClientWriter<events::v1::Event>& writer, std::deque<flux_event>& batch);
    bool post_batch(std::deque<flux_event>& batch);
    bool json_mode = false;
    void requeue_front(std::deque<flux_event>& batch);
    void sleep_backoff(std::chrono::milliseconds d);
};

void grpc_forwarder::impl::requeue_front(std::deque<flux_event>& batch)
{
    std::lock_guard lock(mutex);
    while (!batch.empty()) {
        if (buffer.size() >= options.buffer_size) {
            ++stats.dropped; // the newest of the failed batch is older than what waits: drop it
            batch.pop_back();
            continue;
        }
        buffer.push_front(std::move(batch.back()));
        batch.pop_back();
    }
    in_flight = 0;
}

void grpc_forwarder::impl::sleep_backoff(std::chrono::milliseconds d)
{
    std::unique_lock lock(mutex);
    cv.wait_for(lock, d, [&] { return stopping; });
}

bool grpc_forwarder::impl::send_batch(grpc::ClientWriter<events::v1::Event>& writer,
                                      std::deque<flux_event>& batch)
{
    events::v1::Event msg;
    while (!batch.empty()) {
        msg.Clear();
        to_proto(batch.front(), msg);
        if (!writer.Write(msg)) return false;
        batch.pop_front();
        std::lock_guard lock(mutex);
        ++stats.sent;
        --in_flight;
    }
    return true;
}

// Flux's protocol: POST the JSON event to the address, 5 s timeout; 429 means a duplicate the
// receiver folded (never retried); connection errors and 5xx are retried later.
bool grpc_forwarder::impl::post_batch(std::deque<flux_event>& batch)
{
    namespace beast = boost::beast;
    namespace http = beast::http;
    auto colon = target.rfind(':');
    std::string host = target.substr(0, colon), port = target.substr(colon + 1);
    std::string path = "/";
    try {
        boost::asio::io_context io;
        beast::tcp_stream stream(io);
        boost::asio::ip::tcp::resolver resolver(io);
        stream.expires_after(std::chrono::seconds(5));
        stream.connect(resolver.resolve(host, port));
        beast::flat_buffer buf;
        while (!batch.empty()) {
            http::request<http::string_body> req{http::verb::post, path, 11};
            req.set(http::field::host, host);
            req.set(http::field::content_type, "application/json");
            req.body() = batch.front().to_json();
            req.prepare_payload();
            stream.expires_after(std::chrono::seconds(5));
            http::write(stream, req);
            http::response<http::string_body> res;
            http::read(stream, buf, res);
            if (res.result_int() >= 500) return false;
            batch.pop_front();
            std::lock_guard lock(mutex);
            if (res.result_int() < 300) ++stats.sent;
            --in_flight;
            if (!res.keep_alive()) return batch.empty();
        }
        return true;
    } catch (const std::exception& e) {
        log.debug("posting events failed", {{"target", target}, {"error", e.what()}});
        return false;
    }
}

void grpc_forwarder::impl::run()
{
    auto backoff = options.min_backoff;
    events::v1::PublishSummary summary;
    std::unique_ptr<grpc::ClientWriter<events::v1::Event>> writer;
    for (;;) {
        std::deque<flux_event> batch;
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return stopping || !buffer.empty(); });
            if (stopping) break;
            batch.swap(buffer);
            in_flight = batch.size();
        }
        if (json_mode) {
            if (post_batch(batch)) {
                backoff = options.min_backoff;
                cv.notify_all();
                continue;
            }
            requeue_front(batch);
            sleep_backoff(backoff);
            backoff = std::min(backoff * 2, options.max_backoff);
            continue;
        }
        if (!writer &&
            !channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(2))) {
            // No HTTP/2 connection: the receiver is down, or it is a Flux notification-controller
            // that answers HTTP/1.1 only (weir's speaks both on one port). Posting Flux's JSON
            // tells which; when it works, keep doing that, so weir controllers can report to
            // Flux's during a gradual switch.
            if (post_batch(batch)) {
                log.info("events address does not speak gRPC: posting Flux JSON events",
                         {{"target", target}});
                json_mode = true;
                cv.notify_all();
                continue;
            }
            requeue_front(batch);
            {
                std::lock_guard lock(mutex);
                ++stats.reconnects;
            }
            sleep_backoff(backoff);
            backoff = std::min(backoff * 2, options.max_backoff);
            continue;
        }
        if (!writer) {
            auto ctx = std::make_unique<grpc::ClientContext>();
            ctx->set_wait_for_ready(false);
            {
                std::lock_guard lock(mutex);
                context = std::move(ctx);
            }
            writer = stub->Publish(context.get(), &summary);
        }
        if (send_batch(*writer, batch)) {
            backoff = options.min_backoff;
            cv.notify_all(); // flush() waiters
            continue;
        }
        // The stream broke: collect its status, keep what was not written, and retry later.
        grpc::Status st = writer->Finish();
        writer.reset();
        requeue_front(batch);
        {
            std::lock_guard lock(mutex);
            ++stats.reconnects;
        }
        log.debug("event stream to notification-controller failed",
                  {{"target", target},
                   {"error", st.error_message()},
                   {"retry_in_ms", static_cast<long long>(backoff.count())}});
        sleep_backoff(backoff);
        backoff = std::min(backoff * 2, options.max_backoff);
    }
    if (writer) {
        writer->WritesDone();
        writer->Finish();
    }
}

grpc_forwarder::grpc_forwarder(forwarder_options options) : impl_(std::make_unique<impl>())
{
    impl_->options = std::move(options);
    if (impl_->options.instance.empty()) impl_->options.instance = hostname();
    auto target = grpc_target(impl_->options.address);
    impl_->target = target ? *target : impl_->options.address;
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, static_cast<int>(impl_->options.min_backoff.count()));
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, static_cast<int>(impl_->options.max_backoff.count()));
    impl_->channel = grpc::CreateCustomChannel(impl_->target, grpc::InsecureChannelCredentials(), args);
    impl_->stub = events::v1::EventReceiver::NewStub(impl_->channel);
    impl_->thread = std::thread([this] { impl_->run(); });
}

grpc_forwarder::~grpc_forwarder()
{
    flush(std::chrono::milliseconds(500));
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stopping = true;
        if (impl_->context) impl_->context->TryCancel();
    }
    impl_->cv.notify_all();
    impl_->thread.join();
}

void grpc_forwarder::forward(const runtime::event& ev)
{
    flux_event fe = flux_event::from(ev, impl_->options.instance);
    {
        std::lock_guard lock(impl_->mutex);
        if (impl_->buffer.size() >= impl_->options.buffer_size) {
            impl_->buffer.pop_front();
            ++impl_->stats.dropped;
        }
        impl_->buffer.push_back(std::move(fe));
    }
    impl_->cv.notify_all();
}

bool grpc_forwarder::flush(std::chrono::milliseconds deadline)
{
    std::unique_lock lock(impl_->mutex);
    return impl_->cv.wait_for(lock, deadline, [&] { return impl_->buffer.empty() && impl_->in_flight == 0; });
}

forwarder_stats grpc_forwarder::stats() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->stats;
}

std::shared_ptr<grpc_forwarder> make_forwarder(forwarder_options options)
{
    return std::make_shared<grpc_forwarder>(std::move(options));
}

} // namespace weir::eventsink
