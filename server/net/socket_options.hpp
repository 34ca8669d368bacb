// Socket options shared by the UDP and TCP listeners.
#pragma once

#include <sys/socket.h>

#include <cstring>

#include <boost/asio/socket_base.hpp>

namespace hayate::server::net {

// SO_REUSEPORT: every worker binds its own socket to the same address and the kernel spreads
// datagrams and connections over them by a hash of the client's address and port.
using ReusePort = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// The client's address in the form QueryHandler wants.
template <typename Endpoint>
void copy_endpoint(const Endpoint& endpoint, sockaddr_storage& out, socklen_t& length) {
  length = static_cast<socklen_t>(endpoint.size());
  std::memcpy(&out, endpoint.data(), endpoint.size());
}

}  // namespace hayate::server::net
