// ConnectionLimiter (server/net/connection_limiter): counts in all and per client address, used
// for TCP connections and for the resolver's questions in flight.
#include "server/net/connection_limiter.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <vector>

#include "tests/unit/client_info_util.hpp"

namespace hayate::server::net {
namespace {

TEST(ConnectionLimiter, PerClientAndTotalLimitsAndSlotsComeBack) {
  ConnectionLimiter limiter(3, 2);
  const auto a = test::client_from("192.0.2.1").address;
  const auto b = test::client_from("192.0.2.2").address;
  std::vector<ConnectionLimiter::Slot> held;
  held.push_back(*limiter.try_acquire(a));
  held.push_back(*limiter.try_acquire(a));
  EXPECT_FALSE(limiter.try_acquire(a)) << "per client";
  held.push_back(*limiter.try_acquire(b));
  EXPECT_FALSE(limiter.try_acquire(b)) << "in all";
  EXPECT_EQ(limiter.open_connections(), 3u);
  held.clear();
  EXPECT_EQ(limiter.open_connections(), 0u);
  EXPECT_TRUE(limiter.try_acquire(a));
}

// The resolver's internal questions (DNS64's A look-ups) have no client address: they count
// against the total only, not as one client that would soon be over its own limit.
TEST(ConnectionLimiter, WithoutAnAddressOnlyTheTotalCounts) {
  ConnectionLimiter limiter(3, 1);
  const sockaddr_storage none{};
  std::vector<ConnectionLimiter::Slot> held;
  for (int i = 0; i < 3; ++i) {
    auto slot = limiter.try_acquire(none);
    ASSERT_TRUE(slot) << i;
    held.push_back(std::move(*slot));
  }
  EXPECT_FALSE(limiter.try_acquire(none));
}

}  // namespace
}  // namespace hayate::server::net
