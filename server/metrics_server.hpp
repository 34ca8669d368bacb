// The Prometheus endpoint: a tiny HTTP/1.0 responder for GET /metrics, meant for a loopback
// address. One request per connection; the connection is closed after the answer.
#pragma once

#include <utility>  // before asio's awaitable with g++ 12 and Boost 1.74

#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace hayate::server {

class MetricsServer {
 public:
  using Render = std::function<std::string()>;  // the metrics page, rendered on each request

  // Binds and listens; throws boost::system::system_error when that fails.
  MetricsServer(boost::asio::io_context& context, const boost::asio::ip::tcp::endpoint& endpoint,
                Render render);
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  void start();
  void close();
  boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  static constexpr std::size_t kMaxRequest = 8192;

  boost::asio::awaitable<void> accept_loop();
  static boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket, Render render);
  static std::string respond(const std::string& request_line, const Render& render);

  boost::asio::ip::tcp::acceptor acceptor_;
  Render render_;
};

}  // namespace hayate::server
