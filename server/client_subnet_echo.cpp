#include "server/client_subnet_echo.hpp"

#include <algorithm>

namespace hayate::server {

std::optional<zone::ClientSubnet> client_subnet_of(const zone::ParsedQuery& query,
                                                   std::span<const std::uint8_t> packet) {
  if (!query.has_edns || !query.has_client_subnet) return std::nullopt;
  zone::ClientSubnet subnet;
  if (zone::parse_client_subnet(query.client_subnet(packet), subnet) != zone::EcsError::kOk)
    return std::nullopt;
  return subnet;
}

std::size_t write_ecs_echo(const zone::ClientSubnet& client, std::uint8_t scope,
                           EcsOptionBuffer& out) {
  zone::ClientSubnet echo = client;
  echo.scope_prefix =
      static_cast<std::uint8_t>(std::min<std::size_t>(scope, zone::ecs_max_prefix(client.family)));
  std::array<std::uint8_t, 20> data{};
  std::size_t length = zone::encode_client_subnet(echo, data);
  if (length == 0) return 0;
  return zone::write_option(out, zone::edns_option::CLIENT_SUBNET,
                            std::span<const std::uint8_t>(data.data(), length));
}

}  // namespace hayate::server
