// The resolver in the query pipeline: QueryProcessor → ResolverStage → Forwarder, against scripted
// upstream servers (no sockets), answers read back with zone::ResponseView.
#include "server/resolver/resolver_stage.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "server/query_processor.hpp"
#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/forwarder.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/resolver/scripted_upstream.hpp"
#include "tests/unit/client_info_util.hpp"
#include "tests/unit/iterator_test_util.hpp"

namespace hayate::server::resolver {
namespace {

using namespace testing;  // NOLINT: the response builders
using Bytes = std::vector<std::uint8_t>;

const UpstreamAddress kFirst = UpstreamAddress::from_string("192.0.2.1");
const UpstreamAddress kSecond = UpstreamAddress::from_string("192.0.2.2");
const UpstreamAddress kCorp = UpstreamAddress::from_string("192.0.2.99");

Bytes make_query(const std::string& qname, std::uint16_t qtype, bool rd = true,
                 std::uint16_t id = 4242) {
  Bytes out(512);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.id = id;
  header.set(zone::flag::RD, rd);
  renderer.begin(header);
  renderer.add_question(name(qname).wire(), qtype, 1);
  out.resize(renderer.finish());
  return out;
}

// One scripted rule; fields left unset match anything.
ScriptedRule rule(const UpstreamAddress& server, std::optional<std::string> qname,
                  ScriptedBehaviour behaviour, std::vector<std::uint8_t> response = {}) {
  ScriptedRule r;
  r.server = server;
  if (qname) r.qname = name(*qname);
  r.behaviour = behaviour;
  r.response = std::move(response);
  return r;
}

// A server that answers every A question with 198.51.100.1.
ScriptedRule answers_everything(const UpstreamAddress& server) {
  ScriptedRule r;
  r.server = server;
  r.respond = [](const UpstreamQuery& q) {
    return render(authoritative({a(q.qname.to_text(), "198.51.100.1")}), q.qname, q.qtype);
  };
  return r;
}

using test::client_from;

std::shared_ptr<const ServingState> local_zones() {
  const std::string zones = std::string(HAYATE_TEST_ZONES) + "/server/";
  std::vector<ZoneSource> sources = {
      {name("example.com."), zones + "example.com.zone", Acl::loopback()}};
  return build_serving_state(sources, AnswerPolicy{}, nullptr);
}

// Collects what a deferred answer sends.
class CapturingSink final : public ResponseSink {
 public:
  explicit CapturingSink(std::vector<Bytes>& out) : out_(out) {}
  void send(std::span<const std::uint8_t> m) override { out_.emplace_back(m.begin(), m.end()); }

 private:
  std::vector<Bytes>& out_;
};

class ResolverStageTest : public ::testing::Test {
 protected:
  explicit ResolverStageTest(ResolverSettings resolver_settings = settings())
      : shared(std::move(resolver_settings), clock.function()),
        upstream(context, &shared.infra()),
        forwarder(ForwarderServices{upstream, shared.rrsets(), shared.negatives(), shared.infra(),
                                    &stats},
                  shared.forward_table()),
        stage(context, shared, &forwarder, nullptr, stats),
        processor(local_zones(), stats) {
    processor.set_recursion(&stage);
  }

  static ResolverSettings settings() {
    ResolverSettings s;
    s.allow = Acl::loopback();
    s.forward = {kFirst, kSecond};
    s.forward_zones = {ForwardZone{name("corp.example."), {kCorp}}};
    return s;
  }

  // Sends `query` from `client`, runs the io_context until nothing is pending, returns the one
  // response (given at once or deferred).
  zone::ResponseView ask(const Bytes& query, const char* client = "127.0.0.1") {
    std::vector<Bytes> sent;
    processor.handle(
        query, client_from(client),
        [&](std::span<const std::uint8_t> m) { sent.emplace_back(m.begin(), m.end()); },
        [&]() -> std::shared_ptr<ResponseSink> { return std::make_shared<CapturingSink>(sent); });
    context.restart();
    context.run();
    zone::ResponseView view;
    EXPECT_EQ(sent.size(), 1u);
    if (sent.size() == 1) {
      EXPECT_EQ(zone::parse_response(sent[0], view), zone::ResponseError::kOk);
    }
    return view;
  }

  std::size_t queries_to(const UpstreamAddress& server) const {
    return upstream.log_for(server).size();
  }

  boost::asio::io_context context;
  ManualClock clock;
  ResolverShared shared;
  ScriptedUpstream upstream;  // reports timeouts to shared.infra(), as the real transport does
  WorkerStats stats;
  Forwarder forwarder;
  ResolverStage stage;
  QueryProcessor processor;
};

TEST_F(ResolverStageTest, ForwardsWithRecursionDesiredAndAnswersWithRaNotAa) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7", 600)}),
                         name("www.example.org."), rr_type::A));
  zone::ResponseView view = ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(view.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(view.header.has(zone::flag::RA));
  EXPECT_FALSE(view.header.has(zone::flag::AA));
  EXPECT_TRUE(view.header.has(zone::flag::RD));
  EXPECT_EQ(view.header.id, 4242);
  ASSERT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(view.section(zone::Section::kAnswer)[0].ttl, 600u);
  ASSERT_EQ(upstream.log().size(), 1u);
  EXPECT_TRUE(upstream.log()[0].query.recursion_desired);
  EXPECT_EQ(stats.upstream_queries.load(), 1u);
}

TEST_F(ResolverStageTest, CacheHitNeedsNoUpstreamQueryAndDecrementsTtl) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7", 600)}),
                         name("www.example.org."), rr_type::A));
  ask(make_query("www.example.org.", rr_type::A));
  clock.advance(std::chrono::seconds(100));
  zone::ResponseView view = ask(make_query("www.example.org.", rr_type::A, true, 7));
  EXPECT_EQ(upstream.log().size(), 1u) << "answered from the cache";
  EXPECT_EQ(view.header.id, 7);
  EXPECT_TRUE(view.header.has(zone::flag::RA));
  ASSERT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(view.section(zone::Section::kAnswer)[0].ttl, 500u);
  EXPECT_EQ(stats.resolver_cache_answers.load(), 1u);
}

TEST_F(ResolverStageTest, CnameChainIsAnsweredAndCachedWhole) {
  upstream.answer(kFirst, name("alias.example.org."), rr_type::A,
                  render(authoritative({cname("alias.example.org.", "target.example.net."),
                                        a("target.example.net.", "198.51.100.9")}),
                         name("alias.example.org."), rr_type::A));
  zone::ResponseView first = ask(make_query("alias.example.org.", rr_type::A));
  EXPECT_EQ(first.section(zone::Section::kAnswer).size(), 2u);
  zone::ResponseView second = ask(make_query("alias.example.org.", rr_type::A));
  EXPECT_EQ(second.section(zone::Section::kAnswer).size(), 2u);
  EXPECT_EQ(upstream.log().size(), 1u);
}

// RFC 6672 §3.4: the DNAME stays in the answer when the chain comes from the cache.
TEST_F(ResolverStageTest, DnameChainFromTheCacheKeepsTheDname) {
  upstream.answer(kFirst, name("www.old.example.org."), rr_type::A,
                  render(authoritative({dname("old.example.org.", "new.example.net."),
                                        cname("www.old.example.org.", "www.new.example.net."),
                                        a("www.new.example.net.", "198.51.100.9")}),
                         name("www.old.example.org."), rr_type::A));
  zone::ResponseView first = ask(make_query("www.old.example.org.", rr_type::A));
  ASSERT_EQ(first.section(zone::Section::kAnswer).size(), 3u);
  zone::ResponseView second = ask(make_query("www.old.example.org.", rr_type::A));
  EXPECT_EQ(upstream.log().size(), 1u) << "answered from the cache";
  ASSERT_EQ(second.section(zone::Section::kAnswer).size(), 3u);
  EXPECT_EQ(second.section(zone::Section::kAnswer)[0].type, rr_type::DNAME);
  EXPECT_EQ(second.section(zone::Section::kAnswer)[1].type, rr_type::CNAME);
  EXPECT_EQ(second.section(zone::Section::kAnswer)[2].type, rr_type::A);
}

// RFC 2308 §5: NXDOMAIN cached for min(SOA TTL, MINIMUM), with the SOA in the authority section.
TEST_F(ResolverStageTest, NegativeAnswersAreCachedWithTheirSoa) {
  upstream.answer(kFirst, name("nope.example.org."), rr_type::A,
                  render(negative(zone::rcode::NXDOMAIN, soa("example.org.", 3600, 300)),
                         name("nope.example.org."), rr_type::A));
  upstream.answer(kFirst, name("www.example.org."), rr_type::AAAA,
                  render(negative(zone::rcode::NOERROR, soa("example.org.", 60, 900)),
                         name("www.example.org."), rr_type::AAAA));
  zone::ResponseView nx = ask(make_query("nope.example.org.", rr_type::A));
  EXPECT_EQ(nx.rcode, zone::rcode::NXDOMAIN);
  ASSERT_EQ(nx.section(zone::Section::kAuthority).size(), 1u);
  EXPECT_EQ(nx.section(zone::Section::kAuthority)[0].ttl, 300u);
  ask(make_query("www.example.org.", rr_type::AAAA));
  EXPECT_EQ(upstream.log().size(), 2u);

  clock.advance(std::chrono::seconds(10));
  zone::ResponseView nx_again = ask(make_query("nope.example.org.", rr_type::A));
  EXPECT_EQ(nx_again.rcode, zone::rcode::NXDOMAIN);
  EXPECT_EQ(nx_again.section(zone::Section::kAuthority)[0].ttl, 290u);
  zone::ResponseView below = ask(make_query("deeper.nope.example.org.", rr_type::TXT));
  EXPECT_EQ(below.rcode, zone::rcode::NXDOMAIN) << "RFC 8020: nothing exists below NXDOMAIN";
  zone::ResponseView nodata = ask(make_query("www.example.org.", rr_type::AAAA));
  EXPECT_EQ(nodata.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(nodata.section(zone::Section::kAnswer).empty());
  EXPECT_EQ(nodata.section(zone::Section::kAuthority)[0].ttl, 50u);
  EXPECT_EQ(upstream.log().size(), 2u) << "all three from the negative cache";
}

TEST_F(ResolverStageTest, FailsOverToTheSecondUpstreamAndRemembersTheFirst) {
  upstream.add(rule(kFirst, std::nullopt, ScriptedBehaviour::kTimeout));
  upstream.add(answers_everything(kSecond));
  for (int i = 0; i < 3; ++i) {
    zone::ResponseView view =
        ask(make_query("host" + std::to_string(i) + ".example.org.", rr_type::A));
    EXPECT_EQ(view.rcode, zone::rcode::NOERROR);
    EXPECT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  }
  EXPECT_EQ(queries_to(kFirst), 3u);
  EXPECT_EQ(stats.upstream_failures.load(), 3u);
  // After three timeouts in a row the infra cache marks the first upstream down: the second is
  // asked first from now on.
  ask(make_query("host9.example.org.", rr_type::A));
  EXPECT_EQ(queries_to(kFirst), 3u);
  EXPECT_EQ(queries_to(kSecond), 4u);
}

TEST_F(ResolverStageTest, ServfailAndRefusedMoveOnToTheNextUpstream) {
  upstream.add(
      rule(kFirst, "a.example.org.", ScriptedBehaviour::kAnswer,
           render(error_reply(zone::rcode::SERVFAIL), name("a.example.org."), rr_type::A)));
  upstream.add(rule(kFirst, "b.example.org.", ScriptedBehaviour::kAnswer,
                    render(error_reply(zone::rcode::REFUSED), name("b.example.org."), rr_type::A)));
  upstream.add(answers_everything(kSecond));
  EXPECT_EQ(ask(make_query("a.example.org.", rr_type::A)).rcode, zone::rcode::NOERROR);
  EXPECT_EQ(ask(make_query("b.example.org.", rr_type::A)).rcode, zone::rcode::NOERROR);
  // REFUSED made the first upstream lame for a while: it goes to the back of the list.
  ask(make_query("c.example.org.", rr_type::A));
  EXPECT_EQ(queries_to(kFirst), 2u);
  EXPECT_EQ(queries_to(kSecond), 3u);
}

// RFC 8767: expired data, answered with TTL 30, when no upstream answers.
TEST_F(ResolverStageTest, ServesStaleWhenEveryUpstreamFails) {
  ScriptedRule once = rule(kFirst, "www.example.org.", ScriptedBehaviour::kAnswer,
                           render(authoritative({a("www.example.org.", "198.51.100.7", 60)}),
                                  name("www.example.org."), rr_type::A));
  once.times = 1;
  upstream.add(std::move(once));
  ask(make_query("www.example.org.", rr_type::A));
  clock.advance(std::chrono::seconds(120));  // expired, within stale-max-age
  zone::ResponseView view = ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(view.rcode, zone::rcode::NOERROR);
  ASSERT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(view.section(zone::Section::kAnswer)[0].ttl, kStaleAnswerTtl);
  EXPECT_EQ(queries_to(kFirst), 2u);
  EXPECT_EQ(queries_to(kSecond), 1u);
  EXPECT_EQ(stats.stale_answers.load(), 1u);
  // Nothing cached at all: SERVFAIL.
  EXPECT_EQ(ask(make_query("other.example.org.", rr_type::A)).rcode, zone::rcode::SERVFAIL);
}

TEST_F(ResolverStageTest, ClientsOutsideTheAclAreRefused) {
  zone::ResponseView view = ask(make_query("www.example.org.", rr_type::A), "203.0.113.5");
  EXPECT_EQ(view.rcode, zone::rcode::REFUSED);
  EXPECT_TRUE(upstream.log().empty());
  EXPECT_EQ(stats.resolver_refused.load(), 1u);
}

// RD=0: from the cache only (as Unbound for allowed clients); a miss is REFUSED, never resolved.
TEST_F(ResolverStageTest, NoRecursionDesiredAnswersFromCacheOnly) {
  EXPECT_EQ(ask(make_query("www.example.org.", rr_type::A, false)).rcode, zone::rcode::REFUSED);
  EXPECT_TRUE(upstream.log().empty());
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7")}),
                         name("www.example.org."), rr_type::A));
  ask(make_query("www.example.org.", rr_type::A));
  zone::ResponseView cached = ask(make_query("www.example.org.", rr_type::A, false));
  EXPECT_EQ(cached.rcode, zone::rcode::NOERROR);
  EXPECT_FALSE(cached.header.has(zone::flag::RD));
  EXPECT_TRUE(cached.header.has(zone::flag::RA));
  EXPECT_EQ(cached.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(upstream.log().size(), 1u);
}

// Local zones answer first (authoritatively, AA=1), even for clients outside the resolver's ACL.
TEST_F(ResolverStageTest, LocalZonesAnswerFirst) {
  zone::ResponseView view = ask(make_query("www.example.com.", rr_type::A), "203.0.113.5");
  EXPECT_EQ(view.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(view.header.has(zone::flag::AA));
  EXPECT_FALSE(view.section(zone::Section::kAnswer).empty());
  EXPECT_TRUE(upstream.log().empty());
}

// Per-domain forwarding: the longest forward zone wins over the global list.
TEST_F(ResolverStageTest, ForwardZoneGoesToItsOwnUpstream) {
  upstream.answer(kCorp, name("intranet.corp.example."), rr_type::A,
                  render(authoritative({a("intranet.corp.example.", "10.1.2.3")}),
                         name("intranet.corp.example."), rr_type::A));
  EXPECT_EQ(ask(make_query("intranet.corp.example.", rr_type::A)).rcode, zone::rcode::NOERROR);
  EXPECT_EQ(queries_to(kCorp), 1u);
  EXPECT_EQ(queries_to(kFirst), 0u);
}

// Identical questions asked while one is in flight share its upstream exchange.
TEST_F(ResolverStageTest, ConcurrentIdenticalQuestionsShareOneUpstreamQuery) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7")}),
                         name("www.example.org."), rr_type::A));
  std::vector<Bytes> sent;
  auto defer = [&]() -> std::shared_ptr<ResponseSink> {
    return std::make_shared<CapturingSink>(sent);
  };
  auto emit = [&](std::span<const std::uint8_t> m) { sent.emplace_back(m.begin(), m.end()); };
  for (std::uint16_t id = 1; id <= 3; ++id)
    processor.handle(make_query("www.example.org.", rr_type::A, true, id), client_from("127.0.0.1"),
                     emit, defer);
  context.run();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(upstream.log().size(), 1u);
  for (const Bytes& m : sent) {
    zone::ResponseView view;
    ASSERT_EQ(zone::parse_response(m, view), zone::ResponseError::kOk);
    EXPECT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  }
}

// Only the chain from the question is believed: an unrelated record in the answer section is not
// cached (RFC 5452 §6).
TEST_F(ResolverStageTest, UnrelatedAnswerRecordsAreNotCached) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7"),
                                        a("victim.example.net.", "203.0.113.66")}),
                         name("www.example.org."), rr_type::A));
  zone::ResponseView view = ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(view.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_FALSE(shared.rrsets().lookup(name("victim.example.net."), rr_type::A));
}

// Issue 8: an answer from the resolver's caches is kept rendered in the worker's answer cache and
// sent again with its TTLs lowered by the seconds it has been kept, with the query's ID and case.
TEST_F(ResolverStageTest, CachedAnswersAreKeptRenderedWithTtlsRunningDown) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7", 600)}),
                         name("www.example.org."), rr_type::A));
  ask(make_query("www.example.org.", rr_type::A));  // resolved
  ask(make_query("www.example.org.", rr_type::A));  // from the RRset cache, then kept
  EXPECT_EQ(stats.resolver_cache_answers.load(), 1u);
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
  clock.advance(std::chrono::seconds(100));
  zone::ResponseView kept = ask(make_query("WWW.example.ORG.", rr_type::A, true, 777));
  EXPECT_EQ(stats.answers_from_cache.load(), 1u) << "sent from the answer cache";
  EXPECT_EQ(stats.resolver_cache_answers.load(), 2u) << "still counted as a resolver cache answer";
  EXPECT_EQ(kept.header.id, 777);
  EXPECT_TRUE(kept.header.has(zone::flag::RA));
  EXPECT_EQ(kept.qname.to_text(), "WWW.example.ORG.");
  ASSERT_EQ(kept.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(kept.section(zone::Section::kAnswer)[0].ttl, 500u);
  EXPECT_EQ(upstream.log().size(), 1u);
}

// A kept answer lasts as long as its first record: then the caches are asked again.
TEST_F(ResolverStageTest, KeptAnswerExpiresWithItsShortestTtl) {
  upstream.answer(kFirst, name("alias.example.org."), rr_type::A,
                  render(authoritative({cname("alias.example.org.", "www.example.org.", 30),
                                        a("www.example.org.", "198.51.100.7", 600)}),
                         name("alias.example.org."), rr_type::A));
  ask(make_query("alias.example.org.", rr_type::A));
  ask(make_query("alias.example.org.", rr_type::A));
  clock.advance(std::chrono::seconds(29));
  zone::ResponseView last = ask(make_query("alias.example.org.", rr_type::A));
  ASSERT_EQ(last.section(zone::Section::kAnswer).size(), 2u);
  EXPECT_EQ(last.section(zone::Section::kAnswer)[0].ttl, 1u);
  EXPECT_EQ(last.section(zone::Section::kAnswer)[1].ttl, 571u);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
  clock.advance(std::chrono::seconds(1));  // the CNAME has expired: resolved again
  ask(make_query("alias.example.org.", rr_type::A));
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
  EXPECT_EQ(upstream.log().size(), 2u);
}

// NXDOMAIN is kept too, its SOA's TTL running down as well.
TEST_F(ResolverStageTest, KeptNegativeAnswerAgesItsSoa) {
  upstream.answer(kFirst, name("nx.example.org."), rr_type::A,
                  render(negative(zone::rcode::NXDOMAIN, soa("example.org.", 3600, 300)),
                         name("nx.example.org."), rr_type::A));
  ask(make_query("nx.example.org.", rr_type::A));
  ask(make_query("nx.example.org.", rr_type::A));
  clock.advance(std::chrono::seconds(50));
  zone::ResponseView nx = ask(make_query("nx.example.org.", rr_type::A));
  EXPECT_EQ(nx.rcode, zone::rcode::NXDOMAIN);
  ASSERT_EQ(nx.section(zone::Section::kAuthority).size(), 1u);
  EXPECT_EQ(nx.section(zone::Section::kAuthority)[0].ttl, 250u);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
}

// A query with an ECS option (from a client outside [ecs] trusted, with ecs-send off) gets the
// option echoed, as without the answer cache, and its answer is not kept for others.
TEST_F(ResolverStageTest, QueriesWithEcsNeitherGetNorLeaveKeptAnswers) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7", 600)}),
                         name("www.example.org."), rr_type::A));
  zone::ClientSubnet subnet;
  subnet.family = zone::ecs_family::IPV4;
  subnet.source_prefix = 24;
  subnet.address = {198, 51, 100, 0};
  Bytes with_ecs(512);
  {
    zone::MessageRenderer renderer(with_ecs, with_ecs.size());
    zone::Header header;
    header.id = 5;
    header.set(zone::flag::RD);
    renderer.begin(header);
    renderer.add_question(name("www.example.org.").wire(), rr_type::A, 1);
    renderer.add_opt(zone::OptParams{}, ecs_options_area(subnet));
    with_ecs.resize(renderer.finish());
  }
  ask(make_query("www.example.org.", rr_type::A));  // resolved
  ask(with_ecs);                                    // from the RRset cache: not kept
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
  ask(make_query("www.example.org.", rr_type::A));  // from the RRset cache: kept
  zone::ResponseView echoed = ask(with_ecs);
  EXPECT_EQ(stats.answers_from_cache.load(), 0u) << "the kept answer has no ECS to echo";
  ASSERT_TRUE(echoed.edns.client_subnet.has_value());
  EXPECT_EQ(echoed.edns.client_subnet->source_prefix, 24);
  zone::ResponseView plain = ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
  EXPECT_FALSE(plain.edns.present) << "no OPT, no ECS for a query without them";
}

// `hayatectl cache flush` reaches the kept answers (through the cache generation), and a client
// the resolver does not serve never gets one.
TEST_F(ResolverStageTest, KeptAnswersFollowFlushAndTheResolverAcl) {
  upstream.answer(kFirst, name("www.example.org."), rr_type::A,
                  render(authoritative({a("www.example.org.", "198.51.100.7", 600)}),
                         name("www.example.org."), rr_type::A));
  ask(make_query("www.example.org.", rr_type::A));
  ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(ask(make_query("www.example.org.", rr_type::A), "192.0.2.200").rcode,
            zone::rcode::REFUSED);
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
  shared.flush(nullptr);
  ask(make_query("www.example.org.", rr_type::A));
  EXPECT_EQ(upstream.log().size(), 2u) << "resolved again after the flush";
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
}

namespace hayate::server::resolver {
namespace {

class PrefetchingResolverStageTest : public ResolverStageTest {
 protected:
  PrefetchingResolverStageTest() : ResolverStageTest(prefetching()) {}
  static ResolverSettings prefetching() {
    ResolverSettings s = settings();
    s.prefetch = true;
    s.rrset_cache.prefetch_min_hits = 3;
    return s;
  }
};

// A popular answer in the last tenth of its TTL is given from the cache at once and fetched
// again in the background (Unbound's prefetch), so its next askers still hit the cache.
TEST_F(PrefetchingResolverStageTest, PopularEntryNearExpiryIsRefreshedBehindTheCacheAnswer) {
  upstream.answer(kFirst, name("hot.example.org."), rr_type::A,
                  render(authoritative({a("hot.example.org.", "198.51.100.7", 100)}),
                         name("hot.example.org."), rr_type::A));
  ask(make_query("hot.example.org.", rr_type::A));
  for (int i = 0; i < 3; ++i)
    ask(make_query("hot.example.org.", rr_type::A));
  EXPECT_EQ(upstream.log().size(), 1u);

  clock.advance(std::chrono::seconds(95));
  zone::ResponseView near_expiry = ask(make_query("hot.example.org.", rr_type::A));
  ASSERT_EQ(near_expiry.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(near_expiry.section(zone::Section::kAnswer)[0].ttl, 5u) << "the cached answer";
  EXPECT_EQ(upstream.log().size(), 2u) << "and one prefetch query";

  zone::ResponseView refreshed = ask(make_query("hot.example.org.", rr_type::A));
  ASSERT_EQ(refreshed.section(zone::Section::kAnswer).size(), 1u);
  EXPECT_EQ(refreshed.section(zone::Section::kAnswer)[0].ttl, 100u);
  EXPECT_EQ(upstream.log().size(), 2u);
}

// Without `prefetch` the same entry just expires.
TEST_F(ResolverStageTest, NoPrefetchUnlessConfigured) {
  upstream.answer(kFirst, name("hot.example.org."), rr_type::A,
                  render(authoritative({a("hot.example.org.", "198.51.100.7", 100)}),
                         name("hot.example.org."), rr_type::A));
  for (int i = 0; i < 4; ++i)
    ask(make_query("hot.example.org.", rr_type::A));
  clock.advance(std::chrono::seconds(95));
  ask(make_query("hot.example.org.", rr_type::A));
  EXPECT_EQ(upstream.log().size(), 1u);
}

}  // namespace
}  // namespace hayate::server::resolver

// [resolver] max-pending and max-pending-per-client: questions beyond either are dropped
// unanswered (as Unbound drops when its request list is full), counted, and the places come
// back once the questions in flight are answered.
class PendingLimitResolverStageTest : public ResolverStageTest {
 protected:
  PendingLimitResolverStageTest() : ResolverStageTest(limited()) {
    upstream.add(answers_everything(kFirst));
  }
  static ResolverSettings limited() {
    ResolverSettings s = settings();
    s.max_pending = 5;
    s.max_pending_per_client = 3;
    return s;
  }
  // Hands `n` different questions from `client` to the pipeline without running the io_context,
  // so that they are all pending at once.
  void start(int n, const char* client, std::vector<Bytes>& sent) {
    for (int i = 0; i < n; ++i) {
      const std::string qname = "q" + std::to_string(next_++) + ".example.org.";
      processor.handle(
          make_query(qname, rr_type::A), client_from(client),
          [&](std::span<const std::uint8_t> m) { sent.emplace_back(m.begin(), m.end()); },
          [&]() -> std::shared_ptr<ResponseSink> { return std::make_shared<CapturingSink>(sent); });
    }
  }
  int next_ = 0;
};

TEST_F(PendingLimitResolverStageTest, QuestionsBeyondTheLimitsAreDroppedAndCounted) {
  std::vector<Bytes> sent;
  start(5, "127.0.0.1", sent);  // 3 pending, 2 over the per-client limit
  start(3, "127.0.0.2", sent);  // 2 pending, then the total of 5 is reached
  EXPECT_EQ(shared.pending().open_connections(), 5u);
  context.restart();
  context.run();
  EXPECT_EQ(sent.size(), 5u) << "only the questions within the limits are answered";
  for (const Bytes& m : sent) {
    zone::ResponseView view;
    ASSERT_EQ(zone::parse_response(m, view), zone::ResponseError::kOk);
    EXPECT_EQ(view.rcode, zone::rcode::NOERROR);
  }
  EXPECT_EQ(stats.resolver_overload_drops.load(), 3u);
  EXPECT_EQ(shared.pending().open_connections(), 0u) << "answered questions give their place back";
  EXPECT_EQ(ask(make_query("after.example.org.", rr_type::A)).rcode, zone::rcode::NOERROR);
}

}  // namespace
}  // namespace hayate::server::resolver
