// A deferred UDP answer: one datagram from the listening socket the query came in on, to the
// address it came from (so the client sees the answer from the address and port it asked).
#pragma once

#include <sys/socket.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "server/net/udp_listen_socket.hpp"
#include "server/query_handler.hpp"

namespace hayate::server::net {

// One datagram, now, without blocking; UDP promises nothing, so a full send buffer or an
// unreachable client just loses it (as sendmmsg in UdpServer::send_batch). A message larger than
// the interface MTU (EMSGSIZE: listeners never fragment, socket_options.hpp) goes as
// send_truncated.
void send_datagram(int fd, std::span<const std::uint8_t> message, const sockaddr_storage& peer,
                   socklen_t peer_length);

// Header, question and OPT of `message` with TC=1 (zone::truncated_response), so that the client
// asks again over TCP; nothing when `message` does not parse.
void send_truncated(int fd, std::span<const std::uint8_t> message, const sockaddr_storage& peer,
                    socklen_t peer_length);

class UdpResponseSink final : public ResponseSink,
                              public std::enable_shared_from_this<UdpResponseSink> {
 public:
  // `socket` is the listener's; when it is gone (shutdown) the answer is dropped.
  UdpResponseSink(std::weak_ptr<boost::asio::ip::udp::socket> socket,
                  boost::asio::io_context::executor_type executor, const sockaddr_storage& peer,
                  socklen_t peer_length)
      : socket_(std::move(socket)), executor_(executor), peer_(peer), peer_length_(peer_length) {}

  void send(std::span<const std::uint8_t> message) override;

 private:
  void send_now(std::span<const std::uint8_t> message);

  std::weak_ptr<boost::asio::ip::udp::socket> socket_;
  boost::asio::io_context::executor_type executor_;
  sockaddr_storage peer_;
  socklen_t peer_length_;
  bool sent_ = false;
};

// The same for the io_uring path (uring_udp_loop.hpp), whose listening socket is a plain
// descriptor outside asio: sent at once from whatever thread answers, since nothing on the
// worker's thread needs to see it.
class DirectUdpResponseSink final : public ResponseSink {
 public:
  DirectUdpResponseSink(std::weak_ptr<UdpListenSocket> socket, const sockaddr_storage& peer,
                        socklen_t peer_length)
      : socket_(std::move(socket)), peer_(peer), peer_length_(peer_length) {}

  void send(std::span<const std::uint8_t> message) override;

 private:
  std::weak_ptr<UdpListenSocket> socket_;
  sockaddr_storage peer_;
  socklen_t peer_length_;
  std::atomic<bool> sent_{false};
};

}  // namespace hayate::server::net
