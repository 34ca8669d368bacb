#include "server/acl.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>
#include <cstring>

namespace hayate::server {
namespace {

void clear_host_bits(std::array<std::uint8_t, 16>& address, std::uint8_t length, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    int bits_in_prefix = std::max(0, std::min(8, length - i * 8));
    address[i] &= static_cast<std::uint8_t>(0xff00 >> bits_in_prefix);
  }
}

}  // namespace

std::optional<Prefix> Prefix::parse(std::string_view text) {
  Prefix prefix;
  std::string address(text.substr(0, text.find('/')));
  if (inet_pton(AF_INET, address.c_str(), prefix.address.data()) == 1) {
    prefix.family = AF_INET;
  } else if (inet_pton(AF_INET6, address.c_str(), prefix.address.data()) == 1) {
    prefix.family = AF_INET6;
  } else {
    return std::nullopt;
  }
  int max_length = prefix.family == AF_INET ? 32 : 128;
  int length = max_length;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (ec != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
      return std::nullopt;
    }
    if (length < 0 || length > max_length) return std::nullopt;
  }
  prefix.length = static_cast<std::uint8_t>(length);
  clear_host_bits(prefix.address, prefix.length, max_length / 8);
  return prefix;
}

bool Prefix::contains(int family_of_address, const std::uint8_t* other) const {
  if (family_of_address != family) return false;
  int full_bytes = length / 8;
  if (std::memcmp(address.data(), other, full_bytes) != 0) return false;
  int rest = length % 8;
  if (rest == 0) return true;
  auto mask = static_cast<std::uint8_t>(0xff00 >> rest);
  return (address[full_bytes] & mask) == (other[full_bytes] & mask);
}

std::string Prefix::to_string() const {
  char buffer[INET6_ADDRSTRLEN];
  inet_ntop(family, address.data(), buffer, sizeof buffer);
  return std::string(buffer) + "/" + std::to_string(length);
}

bool Acl::allows(const sockaddr_storage& client) const {
  int family = client.ss_family;
  const std::uint8_t* address = nullptr;
  if (family == AF_INET) {
    address = reinterpret_cast<const std::uint8_t*>(
        &reinterpret_cast<const sockaddr_in&>(client).sin_addr);
  } else if (family == AF_INET6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(client).sin6_addr;
    address = in6.s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&in6)) {
      family = AF_INET;
      address += 12;
    }
  } else {
    return false;
  }
  for (const Prefix& prefix : prefixes_) {
    if (prefix.contains(family, address)) return true;
  }
  return false;
}

Acl Acl::loopback() {
  return Acl({*Prefix::parse("127.0.0.0/8"), *Prefix::parse("::1")});
}

}  // namespace hayate::server
