#include "server/resolver/infra_cache.hpp"

#include <gtest/gtest.h>

#include <array>
#include <thread>
#include <vector>

namespace hayate::server::resolver {
namespace {

using namespace std::chrono_literals;

UpstreamAddress server(const char* ip) {
  return UpstreamAddress::from_string(ip);
}

zone::Name name(const char* text) {
  return zone::Name::from_text(text).value();
}

// A clock the test moves by hand.
class InfraCacheTest : public ::testing::Test {
 protected:
  explicit InfraCacheTest(InfraOptions options = {}) : cache_(options, [this] { return now_; }) {}

  void advance(std::chrono::steady_clock::duration d) { now_ += d; }

  std::chrono::steady_clock::time_point now_{std::chrono::hours(1)};
  InfraCache cache_;
  SecureRandom random_;
};

TEST_F(InfraCacheTest, UnknownServerGetsTheInitialTimeout) {
  EXPECT_EQ(cache_.timeout_for(server("192.0.2.1")), 800ms);
  EXPECT_FALSE(cache_.info(server("192.0.2.1")));
  EXPECT_TRUE(cache_.use_edns(server("192.0.2.1")));
  EXPECT_EQ(cache_.edns_support(server("192.0.2.1")), EdnsSupport::kUnknown);
}

TEST_F(InfraCacheTest, RttIsSmoothedAsInRfc6298) {
  const auto s = server("192.0.2.1");
  cache_.record_rtt(s, 100ms);  // first sample: SRTT = R, RTTVAR = R/2
  auto info = cache_.info(s);
  ASSERT_TRUE(info);
  EXPECT_DOUBLE_EQ(info->srtt_ms, 100);
  EXPECT_DOUBLE_EQ(info->rttvar_ms, 50);
  EXPECT_EQ(info->rto, 300ms);  // 100 + 4 * 50

  cache_.record_rtt(s, 100ms);
  info = cache_.info(s);
  EXPECT_DOUBLE_EQ(info->rttvar_ms, 37.5);  // 3/4 * 50 + 1/4 * 0
  EXPECT_DOUBLE_EQ(info->srtt_ms, 100);
  EXPECT_EQ(cache_.timeout_for(s), 250ms);

  cache_.record_rtt(s, 200ms);
  info = cache_.info(s);
  EXPECT_DOUBLE_EQ(info->rttvar_ms, 53.125);  // 3/4 * 37.5 + 1/4 * |100 - 200|
  EXPECT_DOUBLE_EQ(info->srtt_ms, 112.5);     // 7/8 * 100 + 1/8 * 200
  EXPECT_EQ(cache_.timeout_for(s), 325ms);
}

TEST_F(InfraCacheTest, RtoIsClampedTo50msAnd3s) {
  cache_.record_rtt(server("192.0.2.1"), 1ms);
  EXPECT_EQ(cache_.timeout_for(server("192.0.2.1")), 50ms);
  cache_.record_rtt(server("192.0.2.2"), 2500ms);
  EXPECT_EQ(cache_.timeout_for(server("192.0.2.2")), 3000ms);
}

TEST_F(InfraCacheTest, TimeoutsBackOffAndMarkTheServerDown) {
  const auto s = server("192.0.2.1");
  cache_.record_rtt(s, 100ms);  // RTO 300 ms
  cache_.record_timeout(s, false);
  EXPECT_EQ(cache_.timeout_for(s), 600ms);  // RFC 6298 §5.5: doubled
  cache_.record_timeout(s, false);
  EXPECT_EQ(cache_.timeout_for(s), 1200ms);
  EXPECT_FALSE(cache_.info(s)->down);
  cache_.record_timeout(s, false);  // third in a row: down for 5 s
  EXPECT_EQ(cache_.timeout_for(s), 2400ms);
  EXPECT_TRUE(cache_.info(s)->down);
  EXPECT_EQ(cache_.info(s)->consecutive_timeouts, 3u);

  advance(5100ms);
  EXPECT_FALSE(cache_.info(s)->down);  // probe allowed again
  cache_.record_timeout(s, false);     // the probe fails: down for 10 s now, RTO capped
  EXPECT_EQ(cache_.timeout_for(s), 3000ms);
  advance(9s);
  EXPECT_TRUE(cache_.info(s)->down);
  advance(2s);
  EXPECT_FALSE(cache_.info(s)->down);

  cache_.record_rtt(s, 100ms);  // an answer ends the backoff
  EXPECT_EQ(cache_.info(s)->consecutive_timeouts, 0u);
  EXPECT_LT(cache_.timeout_for(s), 1000ms);
}

TEST_F(InfraCacheTest, UnmeasuredServerBacksOffFromTheInitialTimeout) {
  const auto s = server("192.0.2.1");
  cache_.record_timeout(s, false);
  EXPECT_EQ(cache_.timeout_for(s), 1600ms);
}

TEST_F(InfraCacheTest, EdnsFallbackAfterTwoUnansweredEdnsQueries) {
  const auto s = server("2001:db8::1");
  cache_.record_timeout(s, true);
  EXPECT_TRUE(cache_.use_edns(s));
  cache_.record_timeout(s, true);
  EXPECT_FALSE(cache_.use_edns(s));  // RFC 6891 §7: try without EDNS
  EXPECT_EQ(cache_.edns_support(s), EdnsSupport::kUnknown);

  cache_.record_edns(s, EdnsSupport::kNo);
  EXPECT_FALSE(cache_.use_edns(s));
  cache_.record_edns(s, EdnsSupport::kYes);
  EXPECT_TRUE(cache_.use_edns(s));
  cache_.record_timeout(s, true);
  cache_.record_timeout(s, true);
  EXPECT_TRUE(cache_.use_edns(s));  // known to do EDNS: silence is not EDNS's fault
}

TEST_F(InfraCacheTest, LameMarksExpire) {
  const auto s = server("192.0.2.1");
  cache_.mark_lame(s, name("example.com."), 60s);
  EXPECT_TRUE(cache_.is_lame(s, name("EXAMPLE.com.")));
  EXPECT_FALSE(cache_.is_lame(s, name("example.net.")));
  EXPECT_FALSE(cache_.is_lame(server("192.0.2.2"), name("example.com.")));
  advance(59s);
  EXPECT_TRUE(cache_.is_lame(s, name("example.com.")));
  advance(2s);
  EXPECT_FALSE(cache_.is_lame(s, name("example.com.")));
}

TEST_F(InfraCacheTest, SelectionSkipsLameServersForThatZoneOnly) {
  const std::array candidates{server("192.0.2.1"), server("192.0.2.2")};
  cache_.mark_lame(candidates[0], name("example.com."), 60s);
  const zone::Name zone = name("example.com.");
  for (int i = 0; i < 50; ++i)
    EXPECT_EQ(cache_.select(candidates, &zone, random_), 1u);
  const zone::Name other = name("example.org.");
  bool first_seen = false;
  for (int i = 0; i < 200; ++i)
    first_seen |= cache_.select(candidates, &other, random_) == 0u;
  EXPECT_TRUE(first_seen);

  cache_.mark_lame(candidates[1], zone, 60s);
  EXPECT_FALSE(cache_.select(candidates, &zone, random_));  // all lame
  EXPECT_FALSE(cache_.select({}, nullptr, random_));
}

TEST_F(InfraCacheTest, SelectionPrefersFastServersAndSometimesExplores) {
  const std::array candidates{server("192.0.2.1"), server("192.0.2.2"), server("192.0.2.3"),
                              server("192.0.2.4")};
  cache_.record_rtt(candidates[0], 10ms);    // RTO 50 ms
  cache_.record_rtt(candidates[1], 50ms);    // RTO 150 ms
  cache_.record_rtt(candidates[2], 1000ms);  // RTO 3 s: outside fastest + 400 ms
  // candidates[3] is unknown: 376 ms, inside the band, so it gets measured soon.
  std::array<int, 4> picks{};
  constexpr int kRounds = 4000;
  for (int i = 0; i < kRounds; ++i)
    ++picks[*cache_.select(candidates, nullptr, random_)];
  for (int i : {0, 1, 3})
    EXPECT_GT(picks[i], kRounds / 5) << "server " << i;
  // Exploration: about 5% for the slow server.
  EXPECT_GT(picks[2], kRounds / 100);
  EXPECT_LT(picks[2], kRounds / 10);
}

TEST(InfraCacheOptions, NoExplorationMeansTheSlowServerIsNeverPicked) {
  InfraOptions options;
  options.explore_percent = 0;
  InfraCache cache(options);
  SecureRandom random;
  const std::array candidates{server("192.0.2.1"), server("192.0.2.2")};
  cache.record_rtt(candidates[0], 10ms);
  cache.record_rtt(candidates[1], 900ms);
  for (int i = 0; i < 500; ++i)
    EXPECT_EQ(cache.select(candidates, nullptr, random), 0u);
}

TEST_F(InfraCacheTest, DownServersAreAvoidedUntilAllAreDown) {
  const std::array candidates{server("192.0.2.1"), server("192.0.2.2")};
  cache_.record_rtt(candidates[0], 10ms);
  cache_.record_rtt(candidates[1], 10ms);
  for (int i = 0; i < 3; ++i)
    cache_.record_timeout(candidates[0], false);
  for (int i = 0; i < 100; ++i)
    EXPECT_EQ(cache_.select(candidates, nullptr, random_), 1u);

  advance(1s);
  for (int i = 0; i < 3; ++i)
    cache_.record_timeout(candidates[1], false);
  // Both down: the one whose hold ends first (candidates[0], down since a second earlier).
  EXPECT_EQ(cache_.select(candidates, nullptr, random_), 0u);
}

TEST_F(InfraCacheTest, EntriesExpireAfterHostTtl) {
  const auto s = server("192.0.2.1");
  cache_.record_rtt(s, 10ms);
  advance(899s);
  EXPECT_TRUE(cache_.info(s));
  advance(2s);
  EXPECT_FALSE(cache_.info(s));
  EXPECT_EQ(cache_.timeout_for(s), 800ms);
}

class SmallInfraCacheTest : public InfraCacheTest {
 protected:
  SmallInfraCacheTest() : InfraCacheTest(options()) {}
  static InfraOptions options() {
    InfraOptions o;
    o.max_servers = 3;
    return o;
  }
};

TEST_F(SmallInfraCacheTest, LeastRecentlyUpdatedServerIsEvicted) {
  cache_.record_rtt(server("192.0.2.1"), 10ms);
  cache_.record_rtt(server("192.0.2.2"), 10ms);
  cache_.record_rtt(server("192.0.2.3"), 10ms);
  cache_.record_rtt(server("192.0.2.1"), 10ms);  // now the most recent
  cache_.record_rtt(server("192.0.2.4"), 10ms);
  EXPECT_EQ(cache_.size(), 3u);
  EXPECT_TRUE(cache_.info(server("192.0.2.1")));
  EXPECT_FALSE(cache_.info(server("192.0.2.2")));
  EXPECT_TRUE(cache_.info(server("192.0.2.3")));
  EXPECT_TRUE(cache_.info(server("192.0.2.4")));
}

TEST(InfraCacheThreads, WorkersShareOneCache) {
  InfraCache cache;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      SecureRandom random;
      std::vector<UpstreamAddress> candidates;
      for (int i = 0; i < 8; ++i) {
        candidates.push_back({boost::asio::ip::address_v4(0xc0000200u + i), 53});
      }
      for (int i = 0; i < 2000; ++i) {
        const auto& s = candidates[(i + t) % candidates.size()];
        if (i % 7 == 0) {
          cache.record_timeout(s, true);
        } else {
          cache.record_rtt(s, std::chrono::milliseconds(i % 300));
        }
        ASSERT_TRUE(cache.select(candidates, nullptr, random));
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(cache.size(), 8u);
}

}  // namespace
}  // namespace hayate::server::resolver
