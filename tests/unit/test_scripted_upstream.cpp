#include "server/resolver/scripted_upstream.hpp"

#include <gtest/gtest.h>

#include <optional>

#include "server/resolver/upstream_wire.hpp"
#include "zone/message_renderer.hpp"

namespace hayate::server::resolver {
namespace {

using namespace std::chrono_literals;

zone::Name name(const char* text) {
  return zone::Name::from_text(text).value();
}

const UpstreamAddress kRoot = UpstreamAddress::from_string("198.41.0.4");
const UpstreamAddress kTld = UpstreamAddress::from_string("2001:db8::53");

// A NOERROR response with an OPT record, for the question `qname`/A.
std::vector<std::uint8_t> response(const char* qname) {
  std::vector<std::uint8_t> out(512);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.set(zone::flag::QR);
  renderer.begin(header);
  renderer.add_question(name(qname).wire(), 1, 1);
  renderer.add_opt(zone::OptParams{});
  out.resize(renderer.finish());
  return out;
}

UpstreamQuery query(const char* qname, const UpstreamAddress& server) {
  UpstreamQuery q;
  q.qname = name(qname);
  q.qtype = 1;
  q.server = server;
  q.timeout = 500ms;
  return q;
}

class ScriptedUpstreamTest : public ::testing::Test {
 protected:
  UpstreamResult exchange(const UpstreamQuery& q) {
    std::optional<UpstreamResult> result;
    upstream_.send(q, [&](UpstreamResult r) { result = std::move(r); });
    EXPECT_FALSE(result) << "completion inside send()";
    context_.restart();
    context_.run();
    EXPECT_TRUE(result);
    return result.value_or(UpstreamResult{});
  }
  ScriptedRule rule(ScriptedBehaviour behaviour, const UpstreamAddress& server) {
    ScriptedRule r;
    r.server = server;
    r.behaviour = behaviour;
    r.response = response("com.");
    return r;
  }

  boost::asio::io_context context_;
  InfraCache infra_;
  ScriptedUpstream upstream_{context_, &infra_};
};

TEST_F(ScriptedUpstreamTest, AnswersMatchingRuleAndLogsTheQuery) {
  upstream_.answer(kRoot, name("com."), 1, response("com."));
  const UpstreamResult r = exchange(query("COM.", kRoot));  // QNAME case-insensitively
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(zone::load_u16(r.response.data()), r.id);  // ID patched to the query's
  EXPECT_EQ(r.rtt, 10ms);
  EXPECT_TRUE(r.edns_used);
  ASSERT_EQ(upstream_.log().size(), 1u);
  EXPECT_EQ(upstream_.log()[0].query.qname, name("com."));
  EXPECT_EQ(upstream_.log()[0].protocol, UpstreamProtocol::kUdp);
  EXPECT_EQ(upstream_.log_for(kRoot).size(), 1u);
  EXPECT_TRUE(upstream_.log_for(kTld).empty());
  EXPECT_EQ(infra_.edns_support(kRoot), EdnsSupport::kYes);
  EXPECT_TRUE(infra_.info(kRoot)->measured);
}

TEST_F(ScriptedUpstreamTest, UnmatchedQueriesTimeOut) {
  upstream_.answer(kRoot, name("com."), 1, response("com."));
  UpstreamResult r = exchange(query("com.", kTld));  // other server
  EXPECT_EQ(r.status, UpstreamStatus::kTimeout);
  EXPECT_EQ(r.rtt, 500ms);
  EXPECT_EQ(infra_.info(kTld)->consecutive_timeouts, 1u);
  upstream_.set_unmatched(ScriptedBehaviour::kNetworkError);
  r = exchange(query("net.", kRoot));  // other name
  EXPECT_EQ(r.status, UpstreamStatus::kNetworkError);
  EXPECT_EQ(upstream_.log().size(), 2u);
}

TEST_F(ScriptedUpstreamTest, TimesLimitsARuleThenTheNextOneApplies) {
  ScriptedRule first = rule(ScriptedBehaviour::kTimeout, kRoot);
  first.times = 1;
  upstream_.add(first);
  upstream_.add(rule(ScriptedBehaviour::kAnswer, kRoot));
  EXPECT_EQ(exchange(query("com.", kRoot)).status, UpstreamStatus::kTimeout);
  EXPECT_EQ(exchange(query("com.", kRoot)).status, UpstreamStatus::kOk);
  EXPECT_EQ(exchange(query("com.", kRoot)).status, UpstreamStatus::kOk);
}

TEST_F(ScriptedUpstreamTest, SpoofedRepliesAreReportedAsTheRealTransportReportsThem) {
  for (auto behaviour : {ScriptedBehaviour::kWrongId, ScriptedBehaviour::kWrongQuestion,
                         ScriptedBehaviour::kOtherSource}) {
    ScriptedUpstream upstream(context_);
    ScriptedRule r = rule(behaviour, kRoot);
    upstream.add(r);
    std::optional<UpstreamResult> result;
    upstream.send(query("com.", kRoot), [&](UpstreamResult res) { result = std::move(res); });
    context_.restart();
    context_.run();
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, UpstreamStatus::kTimeout);
    EXPECT_EQ(result->dropped, 1);
    EXPECT_TRUE(result->response.empty());
  }
}

TEST_F(ScriptedUpstreamTest, TruncatedThenTcp) {
  upstream_.add(rule(ScriptedBehaviour::kTruncatedThenTcp, kRoot));
  const UpstreamResult r = exchange(query("com.", kRoot));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_EQ(r.protocol, UpstreamProtocol::kTcp);
  EXPECT_EQ(r.messages, 2);
  ASSERT_EQ(upstream_.log().size(), 2u);
  EXPECT_EQ(upstream_.log()[0].protocol, UpstreamProtocol::kUdp);
  EXPECT_EQ(upstream_.log()[1].protocol, UpstreamProtocol::kTcp);
}

TEST_F(ScriptedUpstreamTest, TruncatedAndTcpFails) {
  upstream_.add(rule(ScriptedBehaviour::kTruncatedTcpFails, kRoot));
  const UpstreamResult r = exchange(query("com.", kRoot));
  EXPECT_EQ(r.status, UpstreamStatus::kTruncated);
  EXPECT_TRUE(response_facts(r.response).truncated);
}

TEST_F(ScriptedUpstreamTest, FormErrToEdnsFallsBackAndTheInfraCacheRemembers) {
  upstream_.add(rule(ScriptedBehaviour::kFormErrToEdns, kRoot));
  UpstreamResult r = exchange(query("com.", kRoot));
  ASSERT_EQ(r.status, UpstreamStatus::kOk);
  EXPECT_FALSE(r.edns_used);
  ASSERT_EQ(upstream_.log().size(), 2u);
  EXPECT_TRUE(upstream_.log()[0].edns);
  EXPECT_FALSE(upstream_.log()[1].edns);
  EXPECT_EQ(infra_.edns_support(kRoot), EdnsSupport::kNo);

  upstream_.clear_log();
  r = exchange(query("com.", kRoot));  // no EDNS at all now
  EXPECT_EQ(r.messages, 1);
  ASSERT_EQ(upstream_.log().size(), 1u);
  EXPECT_FALSE(upstream_.log()[0].edns);
}

TEST_F(ScriptedUpstreamTest, ComputedResponsesAndCallbackOrder) {
  ScriptedRule r;
  r.respond = [](const UpstreamQuery& q) { return response(q.qname.to_text().c_str()); };
  upstream_.add(r);
  std::vector<std::string> order;
  for (const char* n : {"a.example.", "b.example.", "c.example."}) {
    upstream_.send(query(n, kTld), [&order](UpstreamResult result) {
      ASSERT_EQ(match_response(result.response, result.id, query("x.", kTld)),
                ResponseMatch::kWrongQuestion);
      order.push_back(std::to_string(result.id));
    });
  }
  context_.run();
  EXPECT_EQ(order, (std::vector<std::string>{"1", "2", "3"}));  // the order sent
  ASSERT_EQ(upstream_.log().size(), 3u);
  EXPECT_EQ(upstream_.log()[2].query.qname, name("c.example."));
}

}  // namespace
}  // namespace hayate::server::resolver
