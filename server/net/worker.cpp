#include "server/net/worker.hpp"

#include <exception>

#include <spdlog/spdlog.h>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/system/system_error.hpp>

#include "server/net/uring_udp_loop.hpp"

namespace hayate::server::net {

namespace asio = boost::asio;

Worker::Worker(QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& tcp,
               bool io_uring)
    : work_(asio::make_work_guard(context_)),
      handler_(handler),
      limiter_(limiter),
      tcp_options_(tcp),
      batch_(std::make_unique<UdpBatch>()),
      io_uring_(io_uring && UringUdpLoop::supported()) {}

Worker::~Worker() {
  stop();
  // Sockets go first, then the io_context (members in reverse order) destroys the coroutines of
  // the connections still open.
  udp_.clear();
  uring_sockets_.clear();
  tcp_.clear();
}

unsigned short Worker::listen(const asio::ip::address& address, unsigned short port) {
  // Port 0 ("any"): UDP picks an ephemeral port, which a TCP socket may hold already (a client
  // connection's source port, or one in TIME_WAIT); then another port is tried.
  for (int attempt = 1;; ++attempt) {
    try {
      return listen_once(address, port);
    } catch (const boost::system::system_error& e) {
      if (port != 0 || e.code() != asio::error::address_in_use || attempt == 20) throw;
    }
  }
}

unsigned short Worker::listen_once(const asio::ip::address& address, unsigned short port) {
  std::unique_ptr<UdpServer> udp;
  std::shared_ptr<UdpListenSocket> uring_socket;
  if (io_uring_) {
    uring_socket = std::make_shared<UdpListenSocket>(asio::ip::udp::endpoint(address, port));
    port = uring_socket->local_port();
  } else {
    udp = std::make_unique<UdpServer>(context_, asio::ip::udp::endpoint(address, port), handler_,
                                      *batch_);
    port = udp->local_endpoint().port();
  }
  auto tcp = std::make_unique<TcpServer>(context_, asio::ip::tcp::endpoint(address, port), handler_,
                                         limiter_, tcp_options_);
  if (udp) udp_.push_back(std::move(udp));
  if (uring_socket) uring_sockets_.push_back(std::move(uring_socket));
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
    for (auto& s : uring_sockets_)
      s->close();
    for (auto& s : tcp_)
      s->close();
    context_.stop();
  });
  thread_.join();
}

void Worker::run() {
  if (io_uring_ && !uring_sockets_.empty()) {
    run_uring();
  } else {
    run_asio();
  }
}

void Worker::run_uring() {
  try {
    UringUdpLoop loop(context_, handler_, uring_sockets_);
    loop.run();  // handlers' exceptions are caught inside, per query
    return;
  } catch (const std::exception& e) {
    // The probe said yes, yet the ring failed here (e.g. a locked-memory limit) or while
    // serving (UringUdpLoop::kMaxReceiveErrors): keep serving.
    spdlog::error("worker: io_uring failed ({}); UDP continues through epoll", e.what());
  }
  if (context_.stopped()) return;
  fell_back_.store(true, std::memory_order_release);
  for (const auto& socket : uring_sockets_) {
    udp_.push_back(std::make_unique<UdpServer>(context_, *socket, handler_, *batch_));
    udp_.back()->start();
  }
  run_asio();
}

void Worker::run_asio() {
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
