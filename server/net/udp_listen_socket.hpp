// A worker's UDP listening socket as a plain descriptor, for the io_uring path
// (uring_udp_loop.hpp), which must keep it out of asio's epoll set: asio registers every socket
// it owns, and each datagram would then wake asio's reactor as well as the ring.
//
// Shared with deferred answers (DirectUdpResponseSink), which may send from any thread: the
// descriptor is closed only when the last owner lets go, so a send can never hit a descriptor
// number that a later open() reused.
#pragma once

#include <sys/socket.h>

#include <atomic>

#include <boost/asio/ip/udp.hpp>

namespace hayate::server::net {

class UdpListenSocket {
 public:
  // Opens, binds (SO_REUSEPORT; IPV6_V6ONLY on IPv6) and makes the socket non-blocking.
  // Throws boost::system::system_error when that fails.
  explicit UdpListenSocket(const boost::asio::ip::udp::endpoint& endpoint);
  ~UdpListenSocket();
  UdpListenSocket(const UdpListenSocket&) = delete;
  UdpListenSocket& operator=(const UdpListenSocket&) = delete;

  int native_handle() const { return fd_; }
  // After close() nothing more is sent from the socket; the descriptor itself stays until the
  // destructor (see above).
  void close() { open_.store(false, std::memory_order_relaxed); }
  bool is_open() const { return open_.load(std::memory_order_relaxed); }

  const sockaddr_storage& local_address() const { return local_; }
  socklen_t local_address_length() const { return local_length_; }
  unsigned short local_port() const;

 private:
  int fd_ = -1;
  std::atomic<bool> open_{true};
  sockaddr_storage local_{};
  socklen_t local_length_ = 0;
};

}  // namespace hayate::server::net
