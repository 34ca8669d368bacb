#include "server/net/udp_response_sink.hpp"

#include <cerrno>
#include <vector>

#include <boost/asio/post.hpp>

#include "zone/truncated_response.hpp"

namespace hayate::server::net {

namespace {

bool send_once(int fd, std::span<const std::uint8_t> message, const sockaddr_storage& peer,
               socklen_t peer_length) {
  ssize_t n;
  do {
    n = ::sendto(fd, message.data(), message.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&peer), peer_length);
  } while (n < 0 && errno == EINTR);
  return n >= 0 || errno != EMSGSIZE;
}

}  // namespace

void send_datagram(int fd, std::span<const std::uint8_t> message, const sockaddr_storage& peer,
                   socklen_t peer_length) {
  if (!send_once(fd, message, peer, peer_length)) send_truncated(fd, message, peer, peer_length);
}

void send_truncated(int fd, std::span<const std::uint8_t> message, const sockaddr_storage& peer,
                    socklen_t peer_length) {
  const std::vector<std::uint8_t> truncated = zone::truncated_response(message);
  if (!truncated.empty()) (void)send_once(fd, truncated, peer, peer_length);
}

void DirectUdpResponseSink::send(std::span<const std::uint8_t> message) {
  if (message.empty() || sent_.exchange(true)) return;
  auto socket = socket_.lock();
  if (!socket || !socket->is_open()) return;  // the worker stopped: the client will retry
  send_datagram(socket->native_handle(), message, peer_, peer_length_);
}

void UdpResponseSink::send(std::span<const std::uint8_t> message) {
  if (executor_.running_in_this_thread()) {
    send_now(message);
    return;
  }
  // Sockets belong to the worker's thread: hop there with a copy of the bytes.
  boost::asio::post(executor_, [self = shared_from_this(),
                                bytes = std::vector<std::uint8_t>(message.begin(), message.end())] {
    self->send_now(bytes);
  });
}

void UdpResponseSink::send_now(std::span<const std::uint8_t> message) {
  if (sent_ || message.empty()) return;
  sent_ = true;
  auto socket = socket_.lock();
  if (!socket || !socket->is_open()) return;  // the listener closed: the client will retry
  send_datagram(socket->native_handle(), message, peer_, peer_length_);
}

}  // namespace hayate::server::net
