#include "server/net/worker.hpp"

#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

namespace hayate::server::net {

namespace asio = boost::asio;

Worker::Worker(QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& tcp)
    : work_(asio::make_work_guard(context_)),
      handler_(handler),
      limiter_(limiter),
      tcp_options_(tcp),
      batch_(std::make_unique<UdpBatch>()) {}

Worker::~Worker() {
  stop();
  // Sockets go first, then the io_context (members in reverse order) destroys the coroutines of
  // the connections still open.
  udp_.clear();
  tcp_.clear();
}

unsigned short Worker::listen(const asio::ip::address& address, unsigned short port) {
  auto udp = std::make_unique<UdpServer>(context_, asio::ip::udp::endpoint(address, port), handler_,
                                         *batch_);
  port = udp->local_endpoint().port();
  auto tcp = std::make_unique<TcpServer>(context_, asio::ip::tcp::endpoint(address, port), handler_,
                                         limiter_, tcp_options_);
  udp_.push_back(std::move(udp));
  tcp_.push_back(std::move(tcp));
  return port;
}

void Worker::start() {
  for (auto& s : udp_)
    s->start();
  for (auto& s : tcp_)
    s->start();
  thread_ = std::thread([this] { run(); });
}

void Worker::stop() {
  if (!thread_.joinable()) return;
  // Close the listeners on the worker's own thread (sockets are not thread-safe), then stop.
  asio::post(context_, [this] {
    for (auto& s : udp_)
      s->close();
    for (auto& s : tcp_)
      s->close();
    context_.stop();
  });
  thread_.join();
}

void Worker::run() {
  // A handler that throws must not take the worker (and its share of clients) down with it.
  while (true) {
    try {
      context_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("worker: unexpected exception while answering: {}", e.what());
    }
  }
}

}  // namespace hayate::server::net
