#include "server/net/udp_listen_socket.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>

#include <boost/system/system_error.hpp>

#include "server/net/socket_options.hpp"

namespace hayate::server::net {

namespace {

[[noreturn]] void fail(int fd, const char* what) {
  const int error = errno;
  if (fd >= 0) ::close(fd);
  throw boost::system::system_error(error, boost::system::system_category(), what);
}

int enable(int fd, int level, int option) {
  const int one = 1;
  return ::setsockopt(fd, level, option, &one, sizeof one);
}

}  // namespace

UdpListenSocket::UdpListenSocket(const boost::asio::ip::udp::endpoint& endpoint) {
  const bool v6 = endpoint.address().is_v6();
  fd_ = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) fail(-1, "socket");
  // SO_REUSEPORT: every worker binds its own socket to the address (as UdpServer does).
  if (enable(fd_, SOL_SOCKET, SO_REUSEPORT) != 0) fail(fd_, "setsockopt SO_REUSEPORT");
  if (v6 && enable(fd_, IPPROTO_IPV6, IPV6_V6ONLY) != 0) fail(fd_, "setsockopt IPV6_V6ONLY");
  never_fragment(fd_, v6);
  if (::bind(fd_, endpoint.data(), static_cast<socklen_t>(endpoint.size())) != 0) {
    fail(fd_, "bind");
  }
  local_length_ = sizeof local_;
  if (::getsockname(fd_, reinterpret_cast<sockaddr*>(&local_), &local_length_) != 0) {
    fail(fd_, "getsockname");
  }
  // Room for bursts while the worker is busy; the kernel caps this at net.core.rmem_max.
  const int receive_buffer = 4 << 20;
  (void)::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
}

UdpListenSocket::~UdpListenSocket() {
  if (fd_ >= 0) ::close(fd_);
}

unsigned short UdpListenSocket::local_port() const {
  if (local_.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(local_).sin6_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in&>(local_).sin_port);
}

}  // namespace hayate::server::net
