// One worker thread: its own io_context, and a UDP socket and a TCP acceptor on every listen
// address (SO_REUSEPORT). Everything a worker does happens on its thread, so its query handler
// needs no locking; other threads talk to it by posting to context().
#pragma once

#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include "server/net/connection_limiter.hpp"
#include "server/net/tcp_server.hpp"
#include "server/net/udp_batch.hpp"
#include "server/net/udp_server.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

class Worker {
 public:
  // `handler` and `limiter` must outlive the worker.
  Worker(QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& tcp);
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Binds UDP and TCP on address:port and returns the port bound (the UDP socket's ephemeral port
  // when `port` is 0, which the TCP acceptor then takes too). Throws boost::system::system_error.
  unsigned short listen(const boost::asio::ip::address& address, unsigned short port);

  void start();  // starts the thread
  void stop();   // stops the io_context and joins the thread; connections are dropped

  boost::asio::io_context& context() { return context_; }

 private:
  void run();

  boost::asio::io_context context_{1};  // one thread: asio can skip its internal locking
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  QueryHandler& handler_;
  ConnectionLimiter& limiter_;
  TcpOptions tcp_options_;
  std::unique_ptr<UdpBatch> batch_;
  std::vector<std::unique_ptr<UdpServer>> udp_;
  std::vector<std::unique_ptr<TcpServer>> tcp_;
  std::thread thread_;
};

}  // namespace hayate::server::net
