// IPv4-embedded IPv6 addresses (RFC 6052) and the special names DNS64 needs: ipv4only.arpa
// (RFC 7050, RFC 8880) and the ip6.arpa → in-addr.arpa mapping of RFC 6147 §5.3.1.
//
// Pure functions on octets and names: no sockets, no configuration.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "zone/name.hpp"

namespace hayate::zone {

using Ipv4Octets = std::array<std::uint8_t, 4>;
using Ipv6Octets = std::array<std::uint8_t, 16>;

// A Pref64::/n (RFC 6052 §2.2). Only the first length/8 octets of `octets` matter.
struct Nat64Prefix {
  Ipv6Octets octets{};
  std::uint8_t length = 96;

  // The well-known prefix 64:ff9b::/96 (RFC 6052 §2.1).
  static Nat64Prefix well_known();
  bool is_well_known() const;
  // Whether `address` starts with this prefix (and so may embed an IPv4 address).
  bool contains(const Ipv6Octets& address) const;
  friend bool operator==(const Nat64Prefix&, const Nat64Prefix&) = default;
};

// RFC 6052 §2.2: the lengths an embedding is defined for.
bool is_nat64_prefix_length(unsigned length);

// RFC 6052 §2.2: the IPv4 address goes after the prefix, skipping bits 64–71 (the "u" octet,
// which is zero); the suffix is zero.
Ipv6Octets synthesize_ipv6(const Nat64Prefix& prefix, const Ipv4Octets& ipv4);

// The IPv4 address embedded in `address`, or nullopt when it does not start with the prefix or
// its u octet is not zero (RFC 6052 §2.2: such an address is not one we synthesized).
std::optional<Ipv4Octets> extract_ipv4(const Nat64Prefix& prefix, const Ipv6Octets& address);

// RFC 6052 §3.1: the well-known prefix must not be used with non-global IPv4 addresses. True for
// addresses outside the special-purpose ranges (RFC 6890 with its updates) that are not globally
// reachable: this, private, shared, loopback, link-local, IETF protocol assignments, the
// documentation nets, benchmarking, class E and broadcast, multicast.
bool is_global_ipv4(const Ipv4Octets& ipv4);

// RFC 7050 §2.2 / RFC 8880 §2: "ipv4only.arpa." (any case).
bool is_ipv4only_arpa(const Name& name);
// Its well-known A records: 192.0.0.170 and 192.0.0.171.
std::array<Ipv4Octets, 2> ipv4only_arpa_addresses();

// The IPv6 address a full ip6.arpa PTR name stands for (32 one-nibble labels, any case), or
// nullopt for any other name.
std::optional<Ipv6Octets> ip6_arpa_address(const Name& name);
// "d.c.b.a.in-addr.arpa." for a.b.c.d (RFC 1035 §3.5).
Name in_addr_arpa_name(const Ipv4Octets& ipv4);

}  // namespace hayate::zone
