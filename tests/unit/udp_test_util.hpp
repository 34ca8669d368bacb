// UDP client helpers shared by the UDP server and worker tests (gtest assertions inside).
#pragma once

#include <gtest/gtest.h>

#include <set>

#include "tests/unit/net_test_util.hpp"

namespace hayate::test {

inline sockaddr_in loopback_v4(std::uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline void send_to(const ClientSocket& s, std::span<const std::uint8_t> m, std::uint16_t port) {
  const sockaddr_in to = loopback_v4(port);
  ASSERT_EQ(
      ::sendto(s.fd(), m.data(), m.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to),
      static_cast<ssize_t>(m.size()));
}

// Returns the IDs of the responses received until `expected` came or the socket's timeout.
inline std::multiset<std::uint16_t> receive_ids(const ClientSocket& s, std::size_t expected) {
  std::multiset<std::uint16_t> ids;
  std::uint8_t buffer[512];
  while (ids.size() < expected) {
    const ssize_t n = ::recv(s.fd(), buffer, sizeof buffer, 0);
    if (n < 12) break;
    EXPECT_NE(buffer[2] & 0x80, 0) << "QR set by the handler";
    ids.insert(message_id(std::span<const std::uint8_t>(buffer, n)));
  }
  return ids;
}

}  // namespace hayate::test
