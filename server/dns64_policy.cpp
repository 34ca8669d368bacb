#include "server/dns64_policy.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

namespace hayate::server {

bool ListenerAddress::matches(const sockaddr_storage& listener) const {
  if (listener.ss_family != family) return false;
  if (family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(listener);
    return ntohs(in.sin_port) == port && std::memcmp(&in.sin_addr, address.data(), 4) == 0;
  }
  const auto& in6 = reinterpret_cast<const sockaddr_in6&>(listener);
  return ntohs(in6.sin6_port) == port && std::memcmp(&in6.sin6_addr, address.data(), 16) == 0;
}

bool Dns64Policy::maps(const zone::Nat64Prefix& prefix, const zone::Ipv4Octets& ipv4) const {
  if (prefix.is_well_known() && !zone::is_global_ipv4(ipv4)) return false;
  if (mapped.empty()) return true;
  return std::any_of(mapped.begin(), mapped.end(),
                     [&](const Prefix& p) { return p.contains(AF_INET, ipv4.data()); });
}

bool Dns64Policy::excludes(const zone::Ipv6Octets& ipv6) const {
  if (mode == Dns64Mode::kSynthesizeAlways) return true;  // exclude ::/0
  return std::any_of(exclude.begin(), exclude.end(),
                     [&](const Prefix& p) { return p.contains(AF_INET6, ipv6.data()); });
}

const Dns64Policy* Dns64Policies::select(const ClientInfo& client, std::uint8_t& index) const {
  index = 0;
  std::size_t count = std::min(policies_.size(), kMaxPolicies);
  for (std::size_t i = 0; i < count; ++i) {
    const Dns64Policy& policy = policies_[i];
    bool on_listener =
        policy.listeners.empty() ||
        std::any_of(policy.listeners.begin(), policy.listeners.end(),
                    [&](const ListenerAddress& l) { return l.matches(client.listener); });
    if (on_listener && policy.clients.allows(client.address)) {
      index = static_cast<std::uint8_t>(i + 1);
      return &policies_[i];
    }
  }
  return nullptr;
}

}  // namespace hayate::server
