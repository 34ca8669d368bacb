#include "server/net/tcp_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/net/socket_options.hpp"
#include "server/net/tcp_connection.hpp"

namespace hayate::server::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

TcpServer::TcpServer(asio::io_context& context, const tcp::endpoint& endpoint,
                     QueryHandler& handler, ConnectionLimiter& limiter, const TcpOptions& options)
    : acceptor_(context), handler_(handler), limiter_(limiter), options_(options) {
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(tcp::acceptor::reuse_address(true));
  acceptor_.set_option(ReusePort(true));
  if (endpoint.address().is_v6()) acceptor_.set_option(asio::ip::v6_only(true));
  acceptor_.bind(endpoint);
  copy_endpoint(acceptor_.local_endpoint(), listener_, listener_length_);
  acceptor_.listen(asio::socket_base::max_listen_connections);
}

void TcpServer::start() {
  asio::co_spawn(acceptor_.get_executor(), accept_loop(), asio::detached);
}

void TcpServer::close() {
  error_code ignored;
  acceptor_.close(ignored);
}

asio::awaitable<void> TcpServer::accept_loop() {
  while (true) {
    error_code error;
    tcp::socket socket =
        co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, error));
    if (error == asio::error::operation_aborted || error == asio::error::bad_descriptor) {
      co_return;  // closed
    }
    if (error) {
      // Out of descriptors or memory: back off instead of spinning on the same error.
      asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, error));
      if (!acceptor_.is_open()) co_return;
      continue;
    }
    serve(std::move(socket));
  }
}

void TcpServer::serve(tcp::socket socket) {
  error_code error;
  const tcp::endpoint peer = socket.remote_endpoint(error);
  if (error) return;  // already gone
  ClientInfo client;
  copy_endpoint(peer, client.address, client.address_length);
  client.transport = Transport::kTcp;
  client.listener = listener_;
  client.listener_length = listener_length_;
  // RFC 7766 §6.2.2: beyond the limits the connection is closed at once (dropping `socket`).
  std::optional<ConnectionLimiter::Slot> slot = limiter_.try_acquire(client.address);
  if (!slot) return;
  // Responses are written whole; Nagle would only hold back the last segment of each.
  socket.set_option(tcp::no_delay(true), error);
  std::make_shared<TcpConnection>(std::move(socket), client, handler_, std::move(*slot),
                                  options_.idle_timeout)
      ->start();
}

}  // namespace hayate::server::net
