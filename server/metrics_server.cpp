#include "server/metrics_server.hpp"

#include <chrono>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace hayate::server {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

std::string http_response(std::string_view status, std::string_view content_type,
                          const std::string& body) {
  std::string out = "HTTP/1.0 ";
  out += status;
  out += "\r\nContent-Type: ";
  out += content_type;
  out += "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n";
  out += body;
  return out;
}

}  // namespace

MetricsServer::MetricsServer(asio::io_context& context, const tcp::endpoint& endpoint,
                             Render render)
    : acceptor_(context), render_(std::move(render)) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen();
}

void MetricsServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void MetricsServer::close() {
  error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> MetricsServer::accept_loop() {
  while (true) {
    error_code error;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) co_return;
    if (error) continue;
    asio::co_spawn(socket.get_executor(), serve(std::move(socket), render_), asio::detached);
  }
}

asio::awaitable<void> MetricsServer::serve(tcp::socket socket, Render render) {
  // A client that never finishes its request is cut off; closing the socket ends the read.
  asio::steady_timer deadline(socket.get_executor(), std::chrono::seconds(5));
  deadline.async_wait([&socket](const error_code& error) {
    error_code ignored;
    if (!error) socket.close(ignored);
  });
  asio::streambuf input(kMaxRequest);
  error_code error;
  const std::size_t n = co_await asio::async_read_until(
      socket, input, "\r\n\r\n", asio::redirect_error(asio::use_awaitable, error));
  if (!error) {
    std::string head(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + n);
    const std::string reply = respond(head.substr(0, head.find("\r\n")), render);
    co_await asio::async_write(socket, asio::buffer(reply),
                               asio::redirect_error(asio::use_awaitable, error));
  }
  deadline.cancel();
  error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

std::string MetricsServer::respond(const std::string& request_line, const Render& render) {
  // "GET /metrics HTTP/1.1"; a query string is allowed (Prometheus may add one).
  const auto first_space = request_line.find(' ');
  const auto second_space = request_line.find(' ', first_space + 1);
  if (first_space == std::string::npos || second_space == std::string::npos) {
    return http_response("400 Bad Request", "text/plain", "bad request\n");
  }
  const std::string method = request_line.substr(0, first_space);
  std::string target = request_line.substr(first_space + 1, second_space - first_space - 1);
  target = target.substr(0, target.find('?'));
  if (method != "GET" && method != "HEAD") {
    return http_response("405 Method Not Allowed", "text/plain", "only GET\n");
  }
  if (target != "/metrics") return http_response("404 Not Found", "text/plain", "try /metrics\n");
  std::string reply = http_response("200 OK", "text/plain; version=0.0.4; charset=utf-8", render());
  if (method == "HEAD") reply.erase(reply.find("\r\n\r\n") + 4);
  return reply;
}

}  // namespace hayate::server
