#include "server/client_subnet.hpp"

namespace hayate::server {

std::optional<zone::ClientSubnet> client_subnet_of(const zone::ParsedQuery& query,
                                                   std::span<const std::uint8_t> packet) {
  if (!query.has_edns || !query.has_client_subnet) return std::nullopt;
  zone::ClientSubnet subnet;
  if (zone::parse_client_subnet(query.client_subnet(packet), subnet) != zone::EcsError::kOk)
    return std::nullopt;
  return subnet;
}

}  // namespace hayate::server
