#include "zone/dns64_address.hpp"

#include <string>

namespace hayate::zone {
namespace {

constexpr std::size_t kUOctet = 8;  // bits 64–71 (RFC 6052 §2.2)

// The octet positions the four IPv4 octets take for a prefix length: the run after the prefix,
// with octet 8 skipped.
std::array<std::size_t, 4> ipv4_positions(unsigned length) {
  std::array<std::size_t, 4> positions{};
  std::size_t at = length / 8;
  for (std::size_t& position : positions) {
    if (at == kUOctet) ++at;
    position = at++;
  }
  return positions;
}

int hex_value(std::uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = ascii_lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

bool label_is(std::span<const std::uint8_t> wire, std::size_t& pos, std::string_view text) {
  if (pos >= wire.size() || wire[pos] != text.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (ascii_lower(wire[pos + 1 + i]) != static_cast<std::uint8_t>(text[i])) return false;
  }
  pos += 1 + text.size();
  return true;
}

}  // namespace

Nat64Prefix Nat64Prefix::well_known() {
  Nat64Prefix prefix;
  prefix.octets[1] = 0x64;
  prefix.octets[2] = 0xff;
  prefix.octets[3] = 0x9b;
  prefix.length = 96;
  return prefix;
}

bool Nat64Prefix::is_well_known() const {
  return *this == well_known();
}

bool Nat64Prefix::contains(const Ipv6Octets& address) const {
  for (std::size_t i = 0; i < length / 8u; ++i) {
    if (address[i] != octets[i]) return false;
  }
  return true;
}

bool is_nat64_prefix_length(unsigned length) {
  return length == 32 || length == 40 || length == 48 || length == 56 || length == 64 ||
         length == 96;
}

Ipv6Octets synthesize_ipv6(const Nat64Prefix& prefix, const Ipv4Octets& ipv4) {
  Ipv6Octets out{};
  for (std::size_t i = 0; i < prefix.length / 8u; ++i)
    out[i] = prefix.octets[i];
  auto positions = ipv4_positions(prefix.length);
  for (std::size_t i = 0; i < 4; ++i)
    out[positions[i]] = ipv4[i];
  return out;
}

std::optional<Ipv4Octets> extract_ipv4(const Nat64Prefix& prefix, const Ipv6Octets& address) {
  if (!prefix.contains(address)) return std::nullopt;
  if (prefix.length < 96 && address[kUOctet] != 0) return std::nullopt;
  Ipv4Octets ipv4{};
  auto positions = ipv4_positions(prefix.length);
  for (std::size_t i = 0; i < 4; ++i)
    ipv4[i] = address[positions[i]];
  return ipv4;
}

bool is_global_ipv4(const Ipv4Octets& a) {
  struct Range {
    std::uint32_t network;
    unsigned length;
  };
  // RFC 6890 §2.2.2 (and RFC 8190): the ranges marked not globally reachable, plus multicast.
  static constexpr Range kRanges[] = {
      {0x00000000, 8},   // 0.0.0.0/8 "this network"
      {0x0a000000, 8},   // 10.0.0.0/8 private
      {0x64400000, 10},  // 100.64.0.0/10 shared address space (RFC 6598)
      {0x7f000000, 8},   // 127.0.0.0/8 loopback
      {0xa9fe0000, 16},  // 169.254.0.0/16 link local
      {0xac100000, 12},  // 172.16.0.0/12 private
      {0xc0000000, 24},  // 192.0.0.0/24 IETF protocol assignments
      {0xc0000200, 24},  // 192.0.2.0/24 TEST-NET-1
      {0xc0a80000, 16},  // 192.168.0.0/16 private
      {0xc6120000, 15},  // 198.18.0.0/15 benchmarking
      {0xc6336400, 24},  // 198.51.100.0/24 TEST-NET-2
      {0xcb007100, 24},  // 203.0.113.0/24 TEST-NET-3
      {0xe0000000, 4},   // 224.0.0.0/4 multicast
      {0xf0000000, 4},   // 240.0.0.0/4 reserved, and 255.255.255.255
  };
  std::uint32_t value =
      (std::uint32_t{a[0]} << 24) | (std::uint32_t{a[1]} << 16) | (std::uint32_t{a[2]} << 8) | a[3];
  for (const Range& range : kRanges) {
    std::uint32_t mask = ~std::uint32_t{0} << (32 - range.length);
    if ((value & mask) == range.network) return false;
  }
  return true;
}

bool is_ipv4only_arpa(const Name& name) {
  auto wire = name.wire();
  std::size_t pos = 0;
  return label_is(wire, pos, "ipv4only") && label_is(wire, pos, "arpa") && pos + 1 == wire.size();
}

std::array<Ipv4Octets, 2> ipv4only_arpa_addresses() {
  return {Ipv4Octets{192, 0, 0, 170}, Ipv4Octets{192, 0, 0, 171}};
}

std::optional<Ipv6Octets> ip6_arpa_address(const Name& name) {
  auto wire = name.wire();
  Ipv6Octets address{};
  std::size_t pos = 0;
  // The first label is the lowest nibble (RFC 3596 §2.5).
  for (int nibble = 31; nibble >= 0; --nibble) {
    if (pos + 2 > wire.size() || wire[pos] != 1) return std::nullopt;
    int value = hex_value(wire[pos + 1]);
    if (value < 0) return std::nullopt;
    auto& octet = address[static_cast<std::size_t>(nibble) / 2];
    octet = static_cast<std::uint8_t>(octet | (nibble % 2 == 1 ? value : value << 4));
    pos += 2;
  }
  if (!label_is(wire, pos, "ip6") || !label_is(wire, pos, "arpa") || pos + 1 != wire.size()) {
    return std::nullopt;
  }
  return address;
}

Name in_addr_arpa_name(const Ipv4Octets& ipv4) {
  std::string text;
  for (int i = 3; i >= 0; --i)
    text += std::to_string(ipv4[static_cast<std::size_t>(i)]) + ".";
  text += "in-addr.arpa.";
  return Name::from_text(text).value();
}

}  // namespace hayate::zone
