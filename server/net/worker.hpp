// One worker thread: its own io_context, and a UDP socket and a TCP acceptor on every listen
// address (SO_REUSEPORT). Everything a worker does happens on its thread, so its query handler
// needs no locking; other threads talk to it by posting to context().
//
// UDP goes through io_uring (uring_udp_loop.hpp) when asked for and the kernel offers it, else
// through asio (udp_server.hpp); TCP and everything else always through asio.
#pragma once

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "server/net/connection_limiter.hpp"
#include "server/net/tcp_server.hpp"
#include "server/net/udp_batch.hpp"
#include "server/net/udp_listen_socket.hpp"
#include "server/net/udp_server.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

class Worker {
 public:
  // `handler` and `limiter` must outlive the worker.
  Worker(QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& tcp,
         bool io_uring = false);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds UDP and TCP on address:port and returns the port bound (the UDP socket's ephemeral port
  // when `port` is 0, which the TCP acceptor then takes too). Throws boost::system::system_error.
  unsigned short listen(const boost::asio::ip::address& address, unsigned short port);

  void start();  // starts the thread
  void stop();   // stops the io_context and joins the thread; connections are dropped

  boost::asio::io_context& context() { return context_; }

  // Whether UDP goes through io_uring (decided at construction: asked for, and supported).
  bool uses_io_uring() const { return io_uring_; }
  // Whether the ring failed while serving (or at set-up, after the probe said yes) and UDP went
  // over to epoll on the same sockets; set on the worker's thread before it serves through epoll.
  bool fell_back_to_epoll() const { return fell_back_.load(std::memory_order_acquire); }

 private:
  unsigned short listen_once(const boost::asio::ip::address& address, unsigned short port);
  void run();
  void run_uring();
  void run_asio();

  boost::asio::io_context context_{1};  // one thread: asio can skip its internal locking
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  QueryHandler& handler_;
  ConnectionLimiter& limiter_;
  TcpOptions tcp_options_;
  std::unique_ptr<UdpBatch> batch_;
  bool io_uring_;
  std::atomic<bool> fell_back_{false};
  std::vector<std::unique_ptr<UdpServer>> udp_;
  std::vector<std::shared_ptr<UdpListenSocket>> uring_sockets_;  // with io_uring_
  std::vector<std::unique_ptr<TcpServer>> tcp_;
  std::thread thread_;
};

}  // namespace hayate::server::net
