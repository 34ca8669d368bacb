// EDNS Client Subnet on the resolver's side (RFC 7871 §7.1, §7.3, §11.3): what subnet, if any,
// goes upstream for a client's question, to which servers, and whether a response's ECS option
// belongs to the query it answers.
//
// Privacy first: nothing is sent unless [resolver] ecs-send is on, and then only to the servers
// of zones on the allow list (and never to root or TLD servers) or to listed upstream addresses.
// Subnets are kept as zone::ClientSubnet (family, prefix length, address zero past the prefix):
// the same shape as on the wire, so what is sent, cached and echoed is the same value.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "server/resolver/upstream_address.hpp"
#include "zone/edns.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"

namespace hayate::server::resolver {

struct EcsSettings {
  bool send = false;  // ecs-send
  // Servers of zones at or below these names get ECS (ecs-zones).
  std::vector<zone::Name> zones;
  // Servers (forwarders or authoritative) whose address is in one of these prefixes get ECS
  // (ecs-upstreams); ClientSubnet is used as a prefix: family, source_prefix, address.
  std::vector<zone::ClientSubnet> upstreams;
  std::uint8_t max_source_v4 = 24;  // RFC 7871 §11.1: /24 and /56 are the recommended maximum
  std::uint8_t max_source_v6 = 56;
  // RFC 7871 §11.3: sent instead of private or unroutable client addresses; nullopt: send none.
  std::optional<zone::ClientSubnet> public_v4;
  std::optional<zone::ClientSubnet> public_v6;
  std::size_t max_subnets_per_name = 64;  // tailored answers kept per question
  // How long a server that answered REFUSED/FORMERR to ECS is asked without it.
  std::chrono::seconds unwanted_ttl{900};
};

// The whole address of a socket address (prefix 32 or 128); nullopt for other families. An
// IPv4-mapped IPv6 address (dual-stack sockets) counts as the IPv4 address it carries.
std::optional<zone::ClientSubnet> subnet_of_address(const sockaddr_storage& address);
std::optional<zone::ClientSubnet> subnet_of_address(const boost::asio::ip::address& address);

// `subnet` cut to `prefix` bits (never lengthened), the bits past it cleared, scope 0.
zone::ClientSubnet truncate_subnet(zone::ClientSubnet subnet, std::uint8_t prefix);

// Whether the first `prefix.source_prefix` bits of `address` (same family) equal `prefix`'s.
bool subnet_contains(const zone::ClientSubnet& prefix, const zone::ClientSubnet& address);

// RFC 7871 §11.3 (and RFC 6890's special-purpose registries): loopback, RFC 1918, shared
// address space (RFC 6598), link-local, "this network", ULA (RFC 4193), unspecified, IPv4-mapped.
bool subnet_is_unroutable(const zone::ClientSubnet& subnet);

// What a client's question may send upstream, before the per-server checks: nullopt when
// nothing (ecs-send off, a private address and no public one); SOURCE 0 when the client sent
// SOURCE 0 (§7.1.1: it asked that no address be used); else the client's own option when its
// SOURCE is shorter than our maximum, or its address cut to the maximum (§7.1.1, §11.1).
std::optional<zone::ClientSubnet> ecs_for_client(
    const EcsSettings& settings, const sockaddr_storage& client,
    const std::optional<zone::ClientSubnet>& client_option);

// Iterating: whether a server of `zone` at `server` may get ECS. Never the root or a TLD
// (fewer than 2 labels: their answers are the same for everyone, and they would learn every
// client's network); otherwise the zone on the allow list, or the server's address.
bool ecs_allowed_for_zone(const EcsSettings& settings, const zone::Name& zone,
                          const UpstreamAddress& server);
// Forwarding: only upstreams on the address allow list.
bool ecs_allowed_for_upstream(const EcsSettings& settings, const UpstreamAddress& server);

// The EDNS options area holding one ECS option for `subnet` (UpstreamQuery::edns_options).
std::vector<std::uint8_t> ecs_options_area(const zone::ClientSubnet& subnet);

// RFC 7871 §7.3: a response to a query that carried ECS. No option: valid for everyone (scope
// 0). An option whose FAMILY, SOURCE PREFIX-LENGTH or ADDRESS differ from what was sent, or that
// does not parse: the response is not for this query and must be dropped. Else the scope,
// limited to the SOURCE sent (§7.3.1: a longer scope is treated as the source).
struct EcsReplyCheck {
  bool accepted = false;
  std::uint8_t scope = 0;
};
EcsReplyCheck check_ecs_reply(const zone::ResponseView& view, const zone::ClientSubnet& sent);

// "192.0.2.0/24" or "2001:db8::/56", for keys, logs and `hayatectl cache dump`.
std::string subnet_to_text(const zone::ClientSubnet& subnet);

}  // namespace hayate::server::resolver
