#include "conf/address.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace hayate::conf {
namespace {

bool parse_decimal(std::string_view text, unsigned max, unsigned& out) {
  if (text.empty() || text.size() > 5) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;  // no sign, no spaces: from_chars alone allows neither
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out <= max;
}

Parsed<std::uint16_t> parse_port(std::string_view text) {
  unsigned port = 0;
  if (!parse_decimal(text, 65535, port) || port == 0) {
    return Parsed<std::uint16_t>::fail("invalid port '" + std::string(text) +
                                       "' (expected 1..65535)");
  }
  return {static_cast<std::uint16_t>(port), {}};
}

// Splits "host:port" / "[v6]:port" / "host" into the address text and the port text (empty
// when absent). Returns false on malformed brackets.
bool split_host_port(std::string_view text, std::string_view& host, std::string_view& port) {
  port = {};
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return false;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (rest.empty()) return true;
    if (rest[0] != ':' || rest.size() == 1) return false;
    port = rest.substr(1);
    return true;
  }
  auto colon = text.find(':');
  if (colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    host = text.substr(0, colon);  // exactly one colon: IPv4 (or a name) with a port
    port = text.substr(colon + 1);
    if (port.empty()) return false;
    return true;
  }
  host = text;  // no colon, or several: a bare address
  return true;
}

void clear_host_bits(Prefix& p) {
  for (std::size_t i = 0; i < p.address.size(); ++i) {
    int bits_kept = static_cast<int>(p.length) - static_cast<int>(i * 8);
    if (bits_kept >= 8) continue;
    std::uint8_t mask = bits_kept <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - bits_kept));
    p.address.bytes[i] &= mask;
  }
}

}  // namespace

std::string Address::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(family == Family::kIPv4 ? AF_INET : AF_INET6, bytes.data(), buf, sizeof buf);
  return buf;
}

std::string Endpoint::to_string() const {
  std::string host = address.to_string();
  if (address.family == Family::kIPv6) host = "[" + host + "]";
  return host + ":" + std::to_string(port);
}

bool Prefix::contains(const Address& a) const {
  if (a.family != address.family) return false;
  Prefix other{a, length};
  clear_host_bits(other);
  return other.address == address;
}

std::string Prefix::to_string() const {
  return address.to_string() + "/" + std::to_string(length);
}

Parsed<Address> parse_address(std::string_view text) {
  std::string s(text);  // inet_pton needs a terminated string
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = Family::kIPv4;
    return {a, {}};
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = Family::kIPv6;
    return {a, {}};
  }
  if (s.find('%') != std::string::npos) {
    return Parsed<Address>::fail("'" + s + "': IPv6 zone ids (%iface) are not supported");
  }
  return Parsed<Address>::fail("'" + s + "' is not an IPv4 or IPv6 address");
}

Parsed<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port) {
  std::string_view host, port_text;
  if (!split_host_port(text, host, port_text)) {
    return Parsed<Endpoint>::fail("'" + std::string(text) +
                                  "' is not \"addr\", \"addr:port\" or \"[v6addr]:port\"");
  }
  auto address = parse_address(host);
  if (!address) return Parsed<Endpoint>::fail(address.error);
  Endpoint e{*address.value, default_port};
  if (!port_text.empty()) {
    auto port = parse_port(port_text);
    if (!port) return Parsed<Endpoint>::fail(port.error);
    e.port = *port.value;
  } else if (default_port == 0) {
    return Parsed<Endpoint>::fail("'" + std::string(text) + "' needs a port (\"addr:port\")");
  }
  return {e, {}};
}

Parsed<Prefix> parse_prefix(std::string_view text) {
  auto slash = text.find('/');
  auto address = parse_address(text.substr(0, slash));
  if (!address) return Parsed<Prefix>::fail(address.error);
  Prefix p{*address.value, static_cast<std::uint8_t>(address.value->size() * 8)};
  if (slash != std::string_view::npos) {
    unsigned length = 0;
    if (!parse_decimal(text.substr(slash + 1), p.length, length)) {
      return Parsed<Prefix>::fail("invalid prefix length in '" + std::string(text) +
                                  "' (expected 0.." + std::to_string(p.length) + ")");
    }
    p.length = static_cast<std::uint8_t>(length);
  }
  clear_host_bits(p);
  return {p, {}};
}

}  // namespace hayate::conf
