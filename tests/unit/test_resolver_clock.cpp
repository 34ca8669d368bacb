// The resolver's coarse clock (server/resolver/clock.hpp): the same epoch as steady_clock, at
// most a few kernel ticks behind it and never ahead, and it does not go backwards.
#include "server/resolver/clock.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hayate::server::resolver {
namespace {

TEST(ResolverClock, CoarseTimeIsSteadyClockTimeOfTheLastTick) {
  for (int i = 0; i < 1000; ++i) {
    const SteadyTime before = std::chrono::steady_clock::now();
    const SteadyTime coarse = coarse_steady_now();
    const SteadyTime after = std::chrono::steady_clock::now();
    // Never ahead of the precise clock read after it; behind the one read before by at most a
    // tick (10 ms at HZ=100) plus generous slack for a preempted test.
    ASSERT_LE(coarse, after) << i;
    ASSERT_GT(coarse, before - std::chrono::milliseconds(200)) << i;
  }
}

TEST(ResolverClock, CoarseTimeNeverGoesBackwards) {
  SteadyTime last = coarse_steady_now();
  for (int i = 0; i < 100000; ++i) {
    const SteadyTime now = coarse_steady_clock_function()();
    ASSERT_GE(now, last) << i;
    last = now;
  }
}

}  // namespace
}  // namespace hayate::server::resolver
