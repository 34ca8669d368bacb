#include "server/dns64_policy.hpp"

#include <algorithm>

namespace hayate::server {

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

const Dns64Policy* Dns64Policies::select(const sockaddr_storage& client,
                                         std::uint8_t& index) const {
  index = 0;
  std::size_t count = std::min(policies_.size(), kMaxPolicies);
  for (std::size_t i = 0; i < count; ++i) {
    if (policies_[i].clients.allows(client)) {
      index = static_cast<std::uint8_t>(i + 1);
      return &policies_[i];
    }
  }
  return nullptr;
}

}  // namespace hayate::server
