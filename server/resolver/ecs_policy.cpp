#include "server/resolver/ecs_policy.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "zone/message.hpp"

namespace hayate::server::resolver {
namespace {

using zone::ClientSubnet;
namespace ecs_family = zone::ecs_family;

ClientSubnet from_bytes(std::uint16_t family, const std::uint8_t* bytes) {
  ClientSubnet s;
  s.family = family;
  s.source_prefix = family == ecs_family::IPV4 ? 32 : 128;
  std::memcpy(s.address.data(), bytes, family == ecs_family::IPV4 ? 4 : 16);
  return s;
}

// IPv4-mapped IPv6 (::ffff:a.b.c.d): the IPv4 address it carries.
bool is_v4_mapped(const std::uint8_t* v6) {
  static constexpr std::uint8_t kPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  return std::memcmp(v6, kPrefix, 12) == 0;
}

struct Special {
  std::uint16_t family;
  std::uint8_t length;
  std::array<std::uint8_t, 16> address;
};

// RFC 6890 special-purpose blocks a resolver must not put in ECS for its clients (§11.3).
const Special kUnroutable[] = {
    {ecs_family::IPV4, 8, {0}},          // "this network" (RFC 1122)
    {ecs_family::IPV4, 8, {10}},         // RFC 1918
    {ecs_family::IPV4, 10, {100, 64}},   // shared address space (RFC 6598)
    {ecs_family::IPV4, 8, {127}},        // loopback
    {ecs_family::IPV4, 16, {169, 254}},  // link-local (RFC 3927)
    {ecs_family::IPV4, 12, {172, 16}},   // RFC 1918
    {ecs_family::IPV4, 16, {192, 168}},  // RFC 1918
    {ecs_family::IPV6, 128, {}},         // unspecified
    {ecs_family::IPV6, 128, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},  // loopback
    {ecs_family::IPV6, 96, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}},         // IPv4-mapped
    {ecs_family::IPV6, 7, {0xfc}},                                              // ULA (RFC 4193)
    {ecs_family::IPV6, 10, {0xfe, 0x80}},                                       // link-local
};

bool bits_equal(const std::uint8_t* a, const std::uint8_t* b, unsigned bits) {
  unsigned whole = bits / 8;
  if (std::memcmp(a, b, whole) != 0) return false;
  unsigned rest = bits % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

std::uint8_t max_source(const EcsSettings& settings, std::uint16_t family) {
  return family == ecs_family::IPV4 ? settings.max_source_v4 : settings.max_source_v6;
}

}  // namespace

std::optional<ClientSubnet> subnet_of_address(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) {
    const auto& in = reinterpret_cast<const sockaddr_in&>(address);
    return from_bytes(ecs_family::IPV4, reinterpret_cast<const std::uint8_t*>(&in.sin_addr));
  }
  if (address.ss_family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&in6.sin6_addr);
    if (is_v4_mapped(bytes)) return from_bytes(ecs_family::IPV4, bytes + 12);
    return from_bytes(ecs_family::IPV6, bytes);
  }
  return std::nullopt;
}

std::optional<ClientSubnet> subnet_of_address(const boost::asio::ip::address& address) {
  if (address.is_v4()) return from_bytes(ecs_family::IPV4, address.to_v4().to_bytes().data());
  auto bytes = address.to_v6().to_bytes();
  if (is_v4_mapped(bytes.data())) return from_bytes(ecs_family::IPV4, bytes.data() + 12);
  return from_bytes(ecs_family::IPV6, bytes.data());
}

ClientSubnet truncate_subnet(ClientSubnet subnet, std::uint8_t prefix) {
  subnet.source_prefix = std::min(subnet.source_prefix, prefix);
  subnet.scope_prefix = 0;
  unsigned bits = subnet.source_prefix;
  for (unsigned i = 0; i < subnet.address.size(); ++i) {
    if (bits >= 8) {
      bits -= 8;
      continue;
    }
    subnet.address[i] &= static_cast<std::uint8_t>(bits == 0 ? 0 : 0xff << (8 - bits));
    bits = 0;
  }
  return subnet;
}

bool subnet_contains(const ClientSubnet& prefix, const ClientSubnet& address) {
  return prefix.family == address.family && prefix.source_prefix <= address.source_prefix &&
         bits_equal(prefix.address.data(), address.address.data(), prefix.source_prefix);
}

bool subnet_is_unroutable(const ClientSubnet& subnet) {
  return std::any_of(std::begin(kUnroutable), std::end(kUnroutable), [&](const Special& s) {
    ClientSubnet block;
    block.family = s.family;
    block.source_prefix = s.length;
    block.address = s.address;
    // A client subnet shorter than the block (10.0.0.0/7) is not inside it.
    return subnet_contains(block, subnet);
  });
}

std::optional<ClientSubnet> ecs_for_client(const EcsSettings& settings,
                                           const sockaddr_storage& client,
                                           const std::optional<ClientSubnet>& client_option) {
  if (!settings.send) return std::nullopt;
  std::optional<ClientSubnet> base = client_option;
  if (base && base->source_prefix == 0) {
    // §7.1.1: SOURCE 0 asks that no address be used; we pass that on (FAMILY kept, no ADDRESS),
    // so the authoritative server does not fall back to our address either.
    return truncate_subnet(*base, 0);
  }
  if (!base) base = subnet_of_address(client);
  if (!base) return std::nullopt;
  if (subnet_is_unroutable(*base)) {
    // §11.3: a private address says nothing about where the client is; the resolver's own
    // public address does, or nothing is sent.
    base = base->family == ecs_family::IPV4 ? settings.public_v4 : settings.public_v6;
    if (!base) return std::nullopt;
  }
  // §7.1.1: the shorter of the client's SOURCE and our maximum (§11.1: /24 and /56).
  return truncate_subnet(*base, max_source(settings, base->family));
}

bool ecs_allowed_for_upstream(const EcsSettings& settings, const UpstreamAddress& server) {
  if (!settings.send) return false;
  auto address = subnet_of_address(server.address);
  return address &&
         std::any_of(settings.upstreams.begin(), settings.upstreams.end(),
                     [&](const ClientSubnet& p) { return subnet_contains(p, *address); });
}

bool ecs_allowed_for_zone(const EcsSettings& settings, const zone::Name& zone,
                          const UpstreamAddress& server) {
  if (!settings.send || zone.label_count() < 2) return false;
  bool listed =
      std::any_of(settings.zones.begin(), settings.zones.end(),
                  [&](const zone::Name& allowed) { return zone.is_subdomain_of(allowed); });
  return listed || ecs_allowed_for_upstream(settings, server);
}

std::vector<std::uint8_t> ecs_options_area(const ClientSubnet& subnet) {
  std::array<std::uint8_t, 20> data{};
  std::size_t length = zone::encode_client_subnet(subnet, data);
  std::vector<std::uint8_t> area(zone::kOptionHeaderSize + length);
  zone::write_option(area, zone::edns_option::CLIENT_SUBNET, std::span(data.data(), length));
  return area;
}

EcsReplyCheck check_ecs_reply(const zone::ResponseView& view, const ClientSubnet& sent) {
  const zone::ResponseEdns& edns = view.edns;
  if (edns.client_subnet_error != zone::EcsError::kOk) return {};  // an option that is garbage
  if (!edns.client_subnet) return {true, 0};  // §7.3: no option, an answer for everyone
  const ClientSubnet& got = *edns.client_subnet;
  if (got.family != sent.family || got.source_prefix != sent.source_prefix ||
      !bits_equal(got.address.data(), sent.address.data(), sent.source_prefix)) {
    return {};  // §7.3: not what we asked about; could be spoofed or a broken server
  }
  return {true, std::min(got.scope_prefix, sent.source_prefix)};
}

std::string subnet_to_text(const ClientSubnet& subnet) {
  std::string text;
  if (subnet.family == ecs_family::IPV4) {
    boost::asio::ip::address_v4::bytes_type bytes;
    std::copy_n(subnet.address.begin(), 4, bytes.begin());
    text = boost::asio::ip::address_v4(bytes).to_string();
  } else {
    boost::asio::ip::address_v6::bytes_type bytes;
    std::copy_n(subnet.address.begin(), 16, bytes.begin());
    text = boost::asio::ip::address_v6(bytes).to_string();
  }
  return text + '/' + std::to_string(subnet.source_prefix);
}

}  // namespace hayate::server::resolver
