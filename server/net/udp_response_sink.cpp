#include "server/net/udp_response_sink.hpp"

#include <cerrno>
#include <vector>

#include <boost/asio/post.hpp>

namespace hayate::server::net {

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
  ssize_t n;
  do {
    n = ::sendto(socket->native_handle(), message.data(), message.size(), MSG_DONTWAIT,
                 reinterpret_cast<const sockaddr*>(&peer_), peer_length_);
  } while (n < 0 && errno == EINTR);
  // Other errors (full send buffer, unreachable client): UDP promises nothing; as send_batch.
}

}  // namespace hayate::server::net
