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

// One response: its ID, its size and the port it came from (all 0 when none came in time).
struct SourcedResponse {
  std::uint16_t id = 0;
  std::size_t size = 0;
  std::uint16_t from_port = 0;
  bool operator==(const SourcedResponse&) const = default;
};

inline SourcedResponse receive_with_source(const ClientSocket& s) {
  std::uint8_t buffer[512];
  sockaddr_in from{};
  socklen_t from_length = sizeof from;
  const ssize_t n = ::recvfrom(s.fd(), buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from),
                               &from_length);
  if (n < 12) return {};
  return {message_id(std::span<const std::uint8_t>(buffer, n)), static_cast<std::size_t>(n),
          ntohs(from.sin_port)};
}

}  // namespace hayate::test
