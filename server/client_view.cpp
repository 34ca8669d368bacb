#include "server/client_view.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace hayate::server {

ClientAddress source_address(const ClientInfo& client) {
  ClientAddress out;
  if (client.address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(client.address).sin_addr;
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&in);
    std::copy(bytes, bytes + 4, out.bytes.begin());
    out.family = AF_INET;
    out.known_bits = 32;
  } else if (client.address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(client.address).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&in6)) {
      std::copy(in6.s6_addr + 12, in6.s6_addr + 16, out.bytes.begin());
      out.family = AF_INET;
      out.known_bits = 32;
    } else {
      std::copy(in6.s6_addr, in6.s6_addr + 16, out.bytes.begin());
      out.family = AF_INET6;
      out.known_bits = 128;
    }
  }
  return out;
}

ClientView choose_client_view(const zone::ParsedQuery& query, std::span<const std::uint8_t> packet,
                              const ClientInfo& client, const AnswerPolicy& policy) {
  ClientView view;
  ClientAddress address = source_address(client);
  if (query.has_client_subnet) {
    zone::ClientSubnet subnet;
    if (zone::parse_client_subnet(query.client_subnet(packet), subnet) != zone::EcsError::kOk ||
        subnet.scope_prefix != 0) {
      view.formerr = true;
      return view;
    }
    if (policy.ecs_trusted.allows(client.address)) {
      view.echo = true;
      view.ecs = subnet;
      address.family = subnet.family == zone::ecs_family::IPV4 ? AF_INET : AF_INET6;
      address.bytes = subnet.address;
      address.known_bits = subnet.source_prefix;
    }
  }
  if (!policy.views.empty()) view.choice = policy.views.choose(address);
  return view;
}

}  // namespace hayate::server
