// IP addresses, "address:port" endpoints and CIDR prefixes as written in the configuration.
//
// Parsing only (inet_pton); nothing here opens a socket. The family is our own enum so that
// callers do not need <sys/socket.h> to read a Config.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hayate::conf {

enum class Family : std::uint8_t { kIPv4, kIPv6 };

struct Address {
  Family family = Family::kIPv4;
  std::array<std::uint8_t, 16> bytes{};  // IPv4 uses the first 4 octets; the rest stay zero

  std::size_t size() const { return family == Family::kIPv4 ? 4 : 16; }
  std::string to_string() const;
  friend auto operator<=>(const Address&, const Address&) = default;
};

struct Endpoint {
  Address address;
  std::uint16_t port = 0;

  // "192.0.2.1:53" or "[2001:db8::1]:53": the form that parse_endpoint() reads back.
  std::string to_string() const;
  friend auto operator<=>(const Endpoint&, const Endpoint&) = default;
};

struct Prefix {
  Address address;  // host bits are always zero (see parse_prefix)
  std::uint8_t length = 0;

  bool contains(const Address& a) const;
  std::string to_string() const;  // "192.0.2.0/24"
  friend auto operator<=>(const Prefix&, const Prefix&) = default;
};

// A parsed value, or the reason (without position: the caller knows where the text came from).
template <typename T>
struct Parsed {
  std::optional<T> value;
  std::string error;

  static Parsed fail(std::string reason) { return {std::nullopt, std::move(reason)}; }
  explicit operator bool() const { return value.has_value(); }
};

// A bare IPv4 or IPv6 address. Zone ids ("fe80::1%eth0") are not accepted.
Parsed<Address> parse_address(std::string_view text);

// "addr", "addr:port", "[v6]" or "[v6]:port". A bare IPv6 address ("::1") is accepted without
// brackets, but then it cannot carry a port. Without a port, `default_port` is used; when that
// is 0 the port is required.
Parsed<Endpoint> parse_endpoint(std::string_view text, std::uint16_t default_port);

// "addr/len" or a bare "addr" (a host prefix: /32 or /128). Host bits set beyond the length
// ("192.0.2.1/24") are accepted and cleared, the way routing tables normalise them: an ACL
// written with a host's address means its network, and rejecting it would only annoy.
Parsed<Prefix> parse_prefix(std::string_view text);

}  // namespace hayate::conf
