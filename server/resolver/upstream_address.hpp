// The address of an upstream DNS server: IP address (v4 or v6) and port.
//
// The resolver keys everything it learns about a server (RTT, EDNS support, lameness; the infra
// cache) by this value, and the transport sends to it over UDP or TCP alike.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include <boost/asio/ip/address.hpp>

namespace hayate::server::resolver {

struct UpstreamAddress {
  boost::asio::ip::address address;
  std::uint16_t port = 53;

  friend bool operator==(const UpstreamAddress& a, const UpstreamAddress& b) {
    return a.port == b.port && a.address == b.address;
  }

  // "192.0.2.1#53" / "2001:db8::1#53", the notation dig and Unbound's logs use.
  std::string to_string() const { return address.to_string() + '#' + std::to_string(port); }

  static UpstreamAddress from_string(const std::string& ip, std::uint16_t port = 53) {
    return {boost::asio::ip::make_address(ip), port};
  }
};

struct UpstreamAddressHash {
  std::size_t operator()(const UpstreamAddress& a) const {
    // FNV-1a over the address octets and the port: cheap and good enough for a hash table key.
    std::size_t h = 1469598103934665603ull;
    auto mix = [&h](std::uint8_t octet) {
      h ^= octet;
      h *= 1099511628211ull;
    };
    if (a.address.is_v4()) {
      for (std::uint8_t octet : a.address.to_v4().to_bytes())
        mix(octet);
    } else {
      for (std::uint8_t octet : a.address.to_v6().to_bytes())
        mix(octet);
    }
    mix(static_cast<std::uint8_t>(a.port >> 8));
    mix(static_cast<std::uint8_t>(a.port));
    return h;
  }
};

}  // namespace hayate::server::resolver
