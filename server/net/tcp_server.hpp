// One TCP listening socket of one worker. Each worker has its own acceptor on every listen address
// (SO_REUSEPORT), so connections are spread over the workers by the kernel and each connection
// lives on the thread that accepted it.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "server/net/connection_limiter.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

struct TcpOptions {
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(10)};  // RFC 7766 §6.2.3
};

class TcpServer {
 public:
  // Opens, binds and listens. Throws boost::system::system_error when that fails.
  TcpServer(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
            QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& options);
  TcpServer(const TcpServer&) = delete;
  TcpServer& operator=(const TcpServer&) = delete;

  void start();  // starts accepting; runs on the io_context's thread from then on
  void close();  // stops accepting; open connections end when the io_context stops
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  boost::asio::awaitable<void> accept_loop();
  void serve(boost::asio::ip::tcp::socket socket);

  boost::asio::ip::tcp::acceptor acceptor_;
  QueryHandler& handler_;
  ConnectionLimiter& limiter_;
  TcpOptions options_;
  sockaddr_storage listener_{};  // the bound address, for ClientInfo::listener
  socklen_t listener_length_ = 0;
};

}  // namespace hayate::server::net
