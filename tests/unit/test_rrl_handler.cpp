// RrlHandler (server/rrl_handler): UDP responses pass through the limiter, TCP and exempt
// clients never do, log-only sends everything, deferred answers are judged when sent;
// prefetch hints pass through it and the query log to the processor.
#include "server/rrl_handler.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include "server/query_log_handler.hpp"
#include "tests/unit/client_info_util.hpp"
#include "tests/unit/iterator_test_util.hpp"
#include "zone/message.hpp"

namespace hayate::server {
namespace {

using namespace resolver::testing;
using Clock = ResponseRateLimiter::Clock;

// Answers every query with the same response, at once or (deferred) through the sink.
class FixedAnswer final : public QueryHandler {
 public:
  explicit FixedAnswer(std::vector<std::uint8_t> response) : response_(std::move(response)) {}
  bool deferring = false;
  std::vector<std::shared_ptr<ResponseSink>> pending;

  using QueryHandler::handle;
  void handle(std::span<const std::uint8_t>, const ClientInfo&, EmitResponse emit,
              DeferResponse defer) override {
    if (deferring) {
      pending.push_back(defer());
      return;
    }
    emit(response_);
  }
  const std::vector<std::uint8_t>& response() const { return response_; }
  void prefetch(std::span<const std::uint8_t>) override { ++prefetched; }
  int prefetched = 0;

 private:
  std::vector<std::uint8_t> response_;
};

// Records what a deferred answer finally sends.
class RecordingSink final : public ResponseSink {
 public:
  explicit RecordingSink(std::vector<std::vector<std::uint8_t>>& out) : out_(out) {}
  void send(std::span<const std::uint8_t> message) override {
    out_.emplace_back(message.begin(), message.end());
  }

 private:
  std::vector<std::vector<std::uint8_t>>& out_;
};

class RrlHandlerTest : public ::testing::Test {
 protected:
  RrlHandlerTest()
      : inner_(render(authoritative({a("www.example.", "192.0.2.80")}), name("www.example."), 1)),
        counters_(std::make_shared<RrlCounters>()),
        handler_(inner_, counters_, [this] { return now_; }) {}

  void limit(std::uint32_t rate, std::uint32_t slip, bool log_only = false,
             const char* exempt = nullptr) {
    RrlSettings s;
    s.responses_per_second = rate;
    s.slip = slip;
    s.log_only = log_only;
    if (exempt) s.exempt = Acl({*Prefix::parse(exempt)});
    handler_.set_limiter(std::make_shared<ResponseRateLimiter>(s));
  }

  // Sends `n` queries from `client`; returns the responses that came out.
  std::vector<std::vector<std::uint8_t>> ask(int n, const ClientInfo& client) {
    std::vector<std::vector<std::uint8_t>> out;
    const std::vector<std::uint8_t> query(12, 0);
    for (int i = 0; i < n; ++i) {
      handler_.handle(
          query, client,
          [&](std::span<const std::uint8_t> m) { out.emplace_back(m.begin(), m.end()); },
          [&]() -> std::shared_ptr<ResponseSink> {
            return std::make_shared<RecordingSink>(deferred_);
          });
    }
    return out;
  }

  static bool truncated(const std::vector<std::uint8_t>& message) {
    zone::Header header;
    return zone::Header::parse(message, header) && header.has(zone::flag::TC);
  }

  FixedAnswer inner_;
  std::shared_ptr<RrlCounters> counters_;
  Clock::time_point now_ = Clock::time_point{} + std::chrono::hours(1);
  RrlHandler handler_;
  std::vector<std::vector<std::uint8_t>> deferred_;
};

// The worker's loop hints the outermost handler; the hint must reach the query processor.
TEST_F(RrlHandlerTest, PassesPrefetchHintsInward) {
  const std::vector<std::uint8_t> query(12, 0);
  handler_.prefetch(query);
  EXPECT_EQ(inner_.prefetched, 1);
  const std::atomic<bool> enabled{false};
  QueryLogHandler logging(handler_, enabled);  // the worker's chain: log, RRL, processor
  logging.prefetch(query);
  EXPECT_EQ(inner_.prefetched, 2);
}

TEST_F(RrlHandlerTest, WithoutALimiterEverythingIsSent) {
  EXPECT_EQ(ask(100, test::client_from("192.0.2.1")).size(), 100u);
}

TEST_F(RrlHandlerTest, UdpResponsesBeyondTheRateAreDroppedOrSlipped) {
  limit(3, 2);
  const auto out = ask(9, test::client_from("192.0.2.1"));
  // 3 answers, then 6 limited: every second one slips.
  ASSERT_EQ(out.size(), 6u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(out[i], inner_.response());
  for (int i = 3; i < 6; ++i)
    EXPECT_TRUE(truncated(out[i]));
  EXPECT_EQ(counters_->dropped.load(), 3u);
  EXPECT_EQ(counters_->slipped.load(), 3u);
}

TEST_F(RrlHandlerTest, TcpIsNeverLimited) {
  limit(1, 0);
  EXPECT_EQ(ask(50, test::client_from("192.0.2.1", Transport::kTcp)).size(), 50u);
  EXPECT_EQ(counters_->dropped.load(), 0u);
}

TEST_F(RrlHandlerTest, ExemptClientsAreNeverLimited) {
  limit(1, 0, false, "192.0.2.0/24");
  EXPECT_EQ(ask(50, test::client_from("192.0.2.7")).size(), 50u);
  EXPECT_EQ(ask(50, test::client_from("198.51.100.7")).size(), 1u);
}

TEST_F(RrlHandlerTest, LogOnlyCountsButSendsEverything) {
  limit(1, 2, true);
  const auto out = ask(10, test::client_from("192.0.2.1"));
  ASSERT_EQ(out.size(), 10u);
  for (const auto& m : out)
    EXPECT_EQ(m, inner_.response());
  EXPECT_EQ(counters_->log_only.load(), 9u);
  EXPECT_EQ(counters_->dropped.load() + counters_->slipped.load(), 0u);
}

TEST_F(RrlHandlerTest, TheBudgetComesBackWithTime) {
  limit(2, 0);
  EXPECT_EQ(ask(2, test::client_from("192.0.2.1")).size(), 2u);
  now_ += std::chrono::seconds(1);
  EXPECT_EQ(ask(5, test::client_from("192.0.2.1")).size(), 2u);
}

TEST_F(RrlHandlerTest, DeferredAnswersAreJudgedWhenSent) {
  limit(2, 1);
  inner_.deferring = true;
  EXPECT_TRUE(ask(4, test::client_from("192.0.2.1")).empty());
  ASSERT_EQ(inner_.pending.size(), 4u);
  for (auto& sink : inner_.pending)
    sink->send(inner_.response());
  ASSERT_EQ(deferred_.size(), 4u);  // 2 answers, 2 slips
  EXPECT_EQ(deferred_[0], inner_.response());
  EXPECT_FALSE(truncated(deferred_[1]));
  EXPECT_TRUE(truncated(deferred_[2]));
  EXPECT_TRUE(truncated(deferred_[3]));
  EXPECT_EQ(counters_->slipped.load(), 2u);
}

TEST_F(RrlHandlerTest, AnotherLimiterStartsWithFreshBudgets) {
  limit(1, 0);
  EXPECT_EQ(ask(3, test::client_from("192.0.2.1")).size(), 1u);
  limit(1, 0);  // a reload that changed [rrl]
  EXPECT_EQ(ask(3, test::client_from("192.0.2.1")).size(), 1u);
  handler_.set_limiter(nullptr);
  EXPECT_EQ(ask(3, test::client_from("192.0.2.1")).size(), 3u);
}

}  // namespace
}  // namespace hayate::server
