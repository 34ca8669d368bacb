// ResponseRateLimiter (server/rrl): the budgets, one rule per test, on an injected clock.
#include "server/rrl.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace hayate::server {
namespace {

using namespace std::chrono_literals;
using Clock = ResponseRateLimiter::Clock;

RrlSettings settings(std::uint32_t rate, std::uint32_t slip = 0, std::uint32_t window = 15) {
  RrlSettings s;
  s.responses_per_second = rate;
  s.nxdomains_per_second = rate;
  s.referrals_per_second = rate;
  s.errors_per_second = rate;
  s.slip = slip;
  s.window = window;
  return s;
}

RrlKey key(std::uint8_t net = 1, RrlCategory category = RrlCategory::kAnswer,
           std::uint64_t name = 42, std::uint16_t qtype = 1) {
  RrlKey k;
  k.family = 4;
  k.prefix = {192, 0, net, 0};
  k.category = category;
  k.name_hash = name;
  k.qtype = qtype;
  return k;
}

// Sends `n` responses at `at` and returns how many were allowed.
int sent(ResponseRateLimiter& limiter, const RrlKey& k, int n, Clock::time_point at) {
  int allowed = 0;
  for (int i = 0; i < n; ++i)
    allowed += limiter.decide(k, at) == RrlAction::kSend ? 1 : 0;
  return allowed;
}

const Clock::time_point t0 = Clock::time_point{} + 1000h;

TEST(Rrl, AKeyGetsItsRateInOneSecondAndNoMore) {
  ResponseRateLimiter limiter(settings(5));
  EXPECT_EQ(sent(limiter, key(), 5, t0), 5);
  EXPECT_EQ(limiter.decide(key(), t0), RrlAction::kDrop);
}

TEST(Rrl, ASecondLaterTheBudgetIsBack) {
  ResponseRateLimiter limiter(settings(5));
  sent(limiter, key(), 5, t0);
  EXPECT_EQ(sent(limiter, key(), 10, t0 + 1s), 5);
}

TEST(Rrl, CreditAccruesInFractionsOfASecond) {
  ResponseRateLimiter limiter(settings(5));
  sent(limiter, key(), 5, t0);
  EXPECT_EQ(sent(limiter, key(), 3, t0 + 200ms), 1);  // 5/s: one response per 200 ms
}

TEST(Rrl, TheBurstIsCappedAtOneSecondOfTheRate) {
  ResponseRateLimiter limiter(settings(5));
  sent(limiter, key(), 1, t0);
  EXPECT_EQ(sent(limiter, key(), 20, t0 + 10s), 5);  // ten quiet seconds do not save up 50
}

TEST(Rrl, FloodingRunsUpADebtThatTheWindowBounds) {
  ResponseRateLimiter limiter(settings(10, 0, 3));
  sent(limiter, key(), 1000, t0);  // the debt stops at 3 s × 10/s
  // One quiet second pays back 10 of the 30 owed: still limited.
  EXPECT_EQ(sent(limiter, key(), 1, t0 + 1s), 0);
  // A quiet window forgives everything.
  EXPECT_EQ(sent(limiter, key(), 20, t0 + 1s + 3s), 10);
}

TEST(Rrl, SlipSendsEveryNthLimitedResponse) {
  ResponseRateLimiter limiter(settings(1, 2));
  ASSERT_EQ(limiter.decide(key(), t0), RrlAction::kSend);
  EXPECT_EQ(limiter.decide(key(), t0), RrlAction::kDrop);
  EXPECT_EQ(limiter.decide(key(), t0), RrlAction::kSlip);
  EXPECT_EQ(limiter.decide(key(), t0), RrlAction::kDrop);
  EXPECT_EQ(limiter.decide(key(), t0), RrlAction::kSlip);
}

TEST(Rrl, SlipOneSlipsAllAndSlipZeroDropsAll) {
  ResponseRateLimiter slip_all(settings(1, 1));
  ResponseRateLimiter drop_all(settings(1, 0));
  slip_all.decide(key(), t0);
  drop_all.decide(key(), t0);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(slip_all.decide(key(), t0), RrlAction::kSlip);
    EXPECT_EQ(drop_all.decide(key(), t0), RrlAction::kDrop);
  }
}

TEST(Rrl, EachCategoryHasItsOwnRate) {
  RrlSettings s = settings(10);
  s.nxdomains_per_second = 2;
  s.errors_per_second = 1;
  s.referrals_per_second = 3;
  ResponseRateLimiter limiter(s);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kAnswer), 20, t0), 10);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kNodata), 20, t0), 10);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kNxdomain), 20, t0), 2);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kError), 20, t0), 1);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kReferral), 20, t0), 3);
}

TEST(Rrl, ARateOfZeroLeavesThatCategoryUnlimited) {
  RrlSettings s = settings(1);
  s.errors_per_second = 0;
  ResponseRateLimiter limiter(s);
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kError), 100, t0), 100);
  EXPECT_EQ(limiter.entries(), 0u);  // nothing tracked for it either
}

TEST(Rrl, KeysHaveSeparateBudgets) {
  ResponseRateLimiter limiter(settings(2));
  EXPECT_EQ(sent(limiter, key(1), 5, t0), 2);
  EXPECT_EQ(sent(limiter, key(2), 5, t0), 2);                                // another prefix
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kAnswer, 43), 5, t0), 2);      // another name
  EXPECT_EQ(sent(limiter, key(1, RrlCategory::kAnswer, 42, 28), 5, t0), 2);  // another type
}

TEST(Rrl, TheTableKeepsAtMostMaxEntriesDroppingTheLeastRecentlyUsed) {
  RrlSettings s = settings(1);
  s.max_entries = 16;  // one per shard
  ResponseRateLimiter limiter(s);
  for (std::uint64_t name = 0; name < 1000; ++name)
    limiter.decide(key(1, RrlCategory::kAnswer, name), t0);
  EXPECT_LE(limiter.entries(), 16u);
  // An evicted key starts afresh with a full budget.
  EXPECT_EQ(limiter.decide(key(1, RrlCategory::kAnswer, 0), t0), RrlAction::kSend);
}

TEST(Rrl, AClockThatGoesBackGivesNoCredit) {
  ResponseRateLimiter limiter(settings(2));
  sent(limiter, key(), 2, t0);
  EXPECT_EQ(sent(limiter, key(), 2, t0 - 5s), 0);
}

}  // namespace
}  // namespace hayate::server
