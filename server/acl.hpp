// Address match lists: "is this client allowed?" for transfers, the resolver and DNS64 clients.
#pragma once

#include <sys/socket.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hayate::server {

struct Prefix {
  int family = AF_INET;  // AF_INET or AF_INET6
  std::array<std::uint8_t, 16> address{};
  std::uint8_t length = 0;

  // "192.0.2.0/24", "2001:db8::/32", or a bare address (a host prefix). Host bits past the length
  // are cleared, as BIND and Unbound accept "192.0.2.1/24" meaning 192.0.2.0/24.
  static std::optional<Prefix> parse(std::string_view text);
  bool contains(int family, const std::uint8_t* address) const;
  std::string to_string() const;
};

class Acl {
 public:
  Acl() = default;
  explicit Acl(std::vector<Prefix> prefixes) : prefixes_(std::move(prefixes)) {}

  // IPv4-mapped IPv6 clients (::ffff:a.b.c.d, from dual-stack sockets) match IPv4 prefixes.
  bool allows(const sockaddr_storage& client) const;
  bool empty() const { return prefixes_.empty(); }
  const std::vector<Prefix>& prefixes() const { return prefixes_; }

  static Acl loopback();  // 127.0.0.0/8 and ::1

 private:
  std::vector<Prefix> prefixes_;
};

}  // namespace hayate::server
