// Socket options shared by the UDP and TCP listeners.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstring>

#include <boost/asio/socket_base.hpp>

namespace hayate::server::net {

// SO_REUSEPORT: every worker binds its own socket to the same address and the kernel spreads
// datagrams and connections over them by a hash of the client's address and port.
using ReusePort = boost::asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// IPv4 UDP answers leave with DF set and are never fragmented, whatever path MTU the kernel has
// learnt (IP_PMTUDISC_PROBE): ICMP "fragmentation needed", which anyone can forge, cannot make
// the server fragment its answers (fragments are what off-path cache poisoning aims at, and many
// networks drop them). It is also cheaper: with the default (IP_PMTUDISC_WANT) every datagram
// gets an IP ID from a hashed global table (__ip_select_ident), with DF and no local
// fragmentation its ID is 0 (RFC 6864 §4.1: the ID of an atomic datagram has no meaning).
// An answer larger than the interface MTU then fails to send with EMSGSIZE, and the client gets
// header + question + OPT with TC=1 instead (zone/truncated_response, send_datagram).
// Best effort: a kernel that refuses leaves the default. IPv6 has no IP ID to save.
inline void never_fragment(int fd, bool v6) {
  if (v6) return;
  const int probe = IP_PMTUDISC_PROBE;
  (void)::setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &probe, sizeof probe);
}

// The client's address in the form QueryHandler wants.
template <typename Endpoint>
void copy_endpoint(const Endpoint& endpoint, sockaddr_storage& out, socklen_t& length) {
  length = static_cast<socklen_t>(endpoint.size());
  std::memcpy(&out, endpoint.data(), endpoint.size());
}

}  // namespace hayate::server::net
