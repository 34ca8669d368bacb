// EDNS Client Subnet through the whole resolver (RFC 7871): QueryProcessor → ResolverStage →
// iterator or forwarder → scripted servers, with a leaf that tailors its answers by the subnet it
// is sent. What each server received is read back from the scripted upstream's log.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "client_info_util.hpp"
#include "conf/config.hpp"
#include "iterator_test_util.hpp"
#include "server/daemon_config.hpp"
#include "server/query_processor.hpp"
#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/forwarder.hpp"
#include "server/resolver/iterator_resolver.hpp"
#include "server/resolver/resolver_shared.hpp"
#include "server/resolver/resolver_stage.hpp"
#include "server/resolver/scripted_upstream.hpp"

namespace hayate::server::resolver {
namespace {

using namespace testing;  // NOLINT: the response builders
using Bytes = std::vector<std::uint8_t>;
using zone::ClientSubnet;

const UpstreamAddress kRoot = UpstreamAddress::from_string("10.0.0.1");
const UpstreamAddress kTld = UpstreamAddress::from_string("10.0.1.1");
const UpstreamAddress kLeaf = UpstreamAddress::from_string("10.0.2.1");
const UpstreamAddress kListedForwarder = UpstreamAddress::from_string("192.0.2.10");
const UpstreamAddress kOtherForwarder = UpstreamAddress::from_string("192.0.2.20");

ClientSubnet subnet(const std::string& address, std::uint8_t prefix) {
  return truncate_subnet(subnet_of_address(boost::asio::ip::make_address(address)).value(), prefix);
}

// The ECS option a query or response carries, if any.
std::optional<ClientSubnet> ecs_in_options(std::span<const std::uint8_t> options) {
  zone::OptionIterator it(options);
  zone::EdnsOption option;
  while (it.next(option)) {
    ClientSubnet s;
    if (option.code == zone::edns_option::CLIENT_SUBNET &&
        zone::parse_client_subnet(option.data, s) == zone::EcsError::kOk)
      return s;
  }
  return std::nullopt;
}

std::string sent_ecs(const ScriptedMessage& m) {
  auto s = ecs_in_options(m.query.edns_options);
  return s ? subnet_to_text(*s) : "none";
}

// A leaf that answers by the subnet it is sent (GeoDNS): 198.51.100.0/24 → 192.0.2.1, any
// other subnet → 192.0.2.2, no subnet → 192.0.2.99; `scope` for the tailored names, 0 for
// global.geo.test. An NS RRset for the referral path.
Msg geo_leaf(const UpstreamQuery& q, std::uint8_t scope) {
  auto sent = ecs_in_options(q.edns_options);
  std::string address = "192.0.2.99";
  bool global = q.qname == name("global.geo.test.");
  if (sent && sent->source_prefix > 0 && !global)
    address = subnet_contains(subnet("198.51.100.0", 24), *sent) ? "192.0.2.1" : "192.0.2.2";
  if (q.qtype != rr_type::A || !q.qname.is_subdomain_of(name("geo.test.")))
    return negative(zone::rcode::NOERROR, soa("geo.test.", 300, 300));
  Msg msg = authoritative({a(q.qname.to_text(), address, 300)});
  if (sent) {
    ClientSubnet echo = *sent;
    // RFC 7871 §7.2.1: the scope can be no more than the source... in practice; 0 when global.
    echo.scope_prefix = global || sent->source_prefix == 0 ? 0 : scope;
    msg.opt = ecs_options_area(echo);
  }
  return msg;
}

Bytes make_query(const std::string& qname, std::optional<ClientSubnet> ecs = std::nullopt) {
  Bytes out(512);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.id = 99;
  header.set(zone::flag::RD);
  renderer.begin(header);
  renderer.add_question(name(qname).wire(), rr_type::A, 1);
  if (ecs) {
    renderer.add_opt(zone::OptParams{}, ecs_options_area(*ecs));
  } else {
    renderer.add_opt(zone::OptParams{});
  }
  out.resize(renderer.finish());
  return out;
}

class CapturingSink final : public ResponseSink {
 public:
  explicit CapturingSink(std::vector<Bytes>& out) : out_(out) {}
  void send(std::span<const std::uint8_t> m) override { out_.emplace_back(m.begin(), m.end()); }

 private:
  std::vector<Bytes>& out_;
};

ResolverSettings ecs_settings() {
  ResolverSettings s;
  s.allow = Acl({*Prefix::parse("0.0.0.0/0")});
  s.forward_zones = {ForwardZone{name("listed.example."), {kListedForwarder}},
                     ForwardZone{name("unlisted.example."), {kOtherForwarder}}};
  s.ecs.send = true;
  s.ecs.zones = {name("test.")};  // test. itself is a TLD: never sent (one label)
  s.ecs.upstreams = {subnet("192.0.2.10", 32)};
  return s;
}

ResolverLimits no_priming() {
  ResolverLimits limits;
  limits.prime_root = false;  // the scripted root has no NS RRset of its own
  return limits;
}

class ResolverEcsTest : public ::testing::Test {
 protected:
  explicit ResolverEcsTest(ResolverSettings settings = ecs_settings())
      : shared(std::move(settings), clock.function()),
        upstream(context, &shared.infra()),
        iterator(IteratorServices{upstream, shared.rrsets(), shared.negatives(), shared.infra(),
                                  &shared.settings().ecs},
                 parse_root_hints(". 3600000 NS a.root.test.\na.root.test. 3600000 A 10.0.0.1\n")
                     .value(),
                 no_priming()),
        forwarder(ForwarderServices{upstream, shared.rrsets(), shared.negatives(), shared.infra(),
                                    &stats, &shared.settings().ecs},
                  shared.forward_table()),
        stage(context, shared, &forwarder, &iterator, stats),
        processor(build_serving_state({}, AnswerPolicy{}, nullptr), stats) {
    processor.set_recursion(&stage);
    serve(kRoot, [](const UpstreamQuery&) {
      return referral({ns("test.", "ns1.nic.test.")}, {a("ns1.nic.test.", "10.0.1.1")});
    });
    serve(kTld, [](const UpstreamQuery&) {
      return referral({ns("geo.test.", "ns1.geo.test.")}, {a("ns1.geo.test.", "10.0.2.1")});
    });
  }

  void serve(const UpstreamAddress& server, std::function<Msg(const UpstreamQuery&)> responder,
             std::optional<unsigned> times = std::nullopt) {
    ScriptedRule rule;
    rule.server = server;
    rule.times = times;
    rule.respond = [responder](const UpstreamQuery& q) {
      return render(responder(q), q.qname, q.qtype, q.qclass);
    };
    upstream.add(std::move(rule));
  }
  void serve_geo_leaf(std::uint8_t scope = 24) {
    serve(kLeaf, [scope](const UpstreamQuery& q) { return geo_leaf(q, scope); });
  }

  zone::ResponseView ask(const std::string& qname, const std::string& client,
                         std::optional<ClientSubnet> ecs = std::nullopt) {
    std::vector<Bytes> sent;
    processor.handle(
        make_query(qname, ecs), test::client_from(client.c_str()),
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

  static std::string address_in(const zone::ResponseView& view) {
    const auto& answer = view.section(zone::Section::kAnswer);
    if (answer.empty() || answer.back().rdatas.empty()) return "no answer";
    const zone::Rdata& r = answer.back().rdatas[0];
    return std::to_string(r[0]) + "." + std::to_string(r[1]) + "." + std::to_string(r[2]) + "." +
           std::to_string(r[3]);
  }

  std::vector<std::string> leaf_ecs() const {
    std::vector<std::string> out;
    for (const auto& m : upstream.log_for(kLeaf))
      out.push_back(sent_ecs(m));
    return out;
  }

  boost::asio::io_context context;
  ManualClock clock;
  WorkerStats stats;
  ResolverShared shared;
  ScriptedUpstream upstream;
  IteratorResolver iterator;
  Forwarder forwarder;
  ResolverStage stage;
  QueryProcessor processor;
};

TEST_F(ResolverEcsTest, ASlash24AnswerIsNotServedToAnotherSlash24AndRootAndTldNeverSeeEcs) {
  serve_geo_leaf();
  EXPECT_EQ(address_in(ask("www.geo.test.", "198.51.100.7")), "192.0.2.1");
  EXPECT_EQ(address_in(ask("www.geo.test.", "198.51.100.200")), "192.0.2.1") << "same /24";
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u) << "the second client was answered from cache";
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.0.113.9")), "192.0.2.2") << "another /24";
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"198.51.100.0/24", "203.0.113.0/24"}));
  for (const auto& m : upstream.log_for(kRoot))
    EXPECT_EQ(sent_ecs(m), "none") << "root";
  for (const auto& m : upstream.log_for(kTld))
    EXPECT_EQ(sent_ecs(m), "none") << "TLD";
  EXPECT_FALSE(shared.rrsets().lookup(name("www.geo.test."), rr_type::A))
      << "a tailored answer never goes to the RRset cache, where everyone would get it";
  EXPECT_EQ(stats.ecs_queries_sent.load(), 2u);
  EXPECT_EQ(stats.ecs_tailored_cached.load(), 2u);
  EXPECT_EQ(stats.ecs_cache_hits.load(), 1u);
  EXPECT_EQ(stats.ecs_cache_misses.load(), 1u);
  // Both clients' subnets are back in the cache: answered without the leaf.
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.0.113.77")), "192.0.2.2");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 2u);
}

// §7.3.1: SCOPE 16 covers the client's /16, cut from the /24 sent.
TEST_F(ResolverEcsTest, ShorterScopeCoversTheWiderSubnet) {
  serve_geo_leaf(16);
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.0.113.9")), "192.0.2.2");
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.0.5.9")), "192.0.2.2");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u);
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.1.5.9")), "192.0.2.2");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 2u) << "outside the /16";
}

TEST_F(ResolverEcsTest, ScopeZeroIsSharedByEveryone) {
  serve_geo_leaf();
  EXPECT_EQ(address_in(ask("global.geo.test.", "198.51.100.7")), "192.0.2.99");
  EXPECT_EQ(address_in(ask("global.geo.test.", "203.0.113.9")), "192.0.2.99");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u);
  EXPECT_TRUE(shared.rrsets().lookup(name("global.geo.test."), rr_type::A));
  EXPECT_EQ(stats.ecs_tailored_cached.load(), 0u);
}

// §7.1.1: SOURCE 0 from the client: no address goes upstream, and the answer (scope 0) is for all.
TEST_F(ResolverEcsTest, SourceZeroFromTheClientSendsNoAddressAndIsCachedForEveryone) {
  serve_geo_leaf();
  zone::ResponseView view = ask("www.geo.test.", "198.51.100.7", subnet("0.0.0.0", 0));
  EXPECT_EQ(address_in(view), "192.0.2.99");
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"0.0.0.0/0"}));
  ASSERT_TRUE(view.edns.client_subnet);
  EXPECT_EQ(view.edns.client_subnet->source_prefix, 0);
  EXPECT_EQ(view.edns.client_subnet->scope_prefix, 0);
  EXPECT_EQ(address_in(ask("www.geo.test.", "203.0.113.9")), "192.0.2.99");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u) << "cacheable for everyone";
}

// §7.2: the client's FAMILY/SOURCE/ADDRESS back with the cache entry's scope; none without ECS.
TEST_F(ResolverEcsTest, AnswerCarriesEcsOnlyWhenTheClientSentIt) {
  serve_geo_leaf();
  zone::ResponseView plain = ask("www.geo.test.", "198.51.100.7");
  EXPECT_FALSE(plain.edns.client_subnet);
  EXPECT_TRUE(plain.edns.options.empty());
  // The client's own /20 is shorter than our /24: it is what goes upstream (§7.1.1).
  zone::ResponseView with = ask("www.geo.test.", "192.0.2.200", subnet("198.51.96.0", 20));
  ASSERT_TRUE(with.edns.client_subnet);
  EXPECT_EQ(subnet_to_text(*with.edns.client_subnet), "198.51.96.0/20");
  EXPECT_EQ(with.edns.client_subnet->scope_prefix, 20) << "min(scope 24, source 20)";
  EXPECT_EQ(leaf_ecs().back(), "198.51.96.0/20");
  // From the cache, the scope is the entry's.
  zone::ResponseView cached = ask("www.geo.test.", "192.0.2.200", subnet("198.51.100.0", 24));
  ASSERT_TRUE(cached.edns.client_subnet);
  EXPECT_EQ(subnet_to_text(*cached.edns.client_subnet), "198.51.100.0/24");
  EXPECT_EQ(cached.edns.client_subnet->scope_prefix, 24);
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 2u) << "the /24 of the first client was cached";
}

// §7.3: an option for another subnet is not an answer to our query (spoofed or broken).
TEST_F(ResolverEcsTest, MismatchedEcsInAResponseIsDropped) {
  serve(kLeaf, [](const UpstreamQuery& q) {
    Msg msg = authoritative({a(q.qname.to_text(), "192.0.2.66", 300)});
    ClientSubnet other = subnet("192.0.2.0", 24);
    other.scope_prefix = 24;
    msg.opt = ecs_options_area(other);
    return msg;
  });
  zone::ResponseView view = ask("www.geo.test.", "198.51.100.7");
  EXPECT_EQ(view.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(address_in(view), "no answer");
  EXPECT_FALSE(shared.rrsets().lookup(name("www.geo.test."), rr_type::A));
  EXPECT_EQ(shared.subnets().size(), 0u);
}

// §7.4: negative answers are not tailored, whatever SCOPE comes with them: cached for everyone.
TEST_F(ResolverEcsTest, NegativeAnswersAreNotTailored) {
  serve(kLeaf, [](const UpstreamQuery& q) {
    Msg msg = negative(zone::rcode::NXDOMAIN, soa("geo.test.", 300, 300));
    if (auto sent = ecs_in_options(q.edns_options)) {
      sent->scope_prefix = 24;
      msg.opt = ecs_options_area(*sent);
    }
    return msg;
  });
  EXPECT_EQ(ask("nx.geo.test.", "198.51.100.7").rcode, zone::rcode::NXDOMAIN);
  zone::ResponseView other = ask("nx.geo.test.", "203.0.113.9", subnet("203.0.113.0", 24));
  EXPECT_EQ(other.rcode, zone::rcode::NXDOMAIN);
  ASSERT_TRUE(other.edns.client_subnet);
  EXPECT_EQ(other.edns.client_subnet->scope_prefix, 0) << "an answer for everyone";
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u) << "from the shared negative cache";
  EXPECT_EQ(stats.ecs_tailored_cached.load(), 0u);
}

// A server that refuses ECS is asked again at once without it, and not sent ECS for a while.
TEST_F(ResolverEcsTest, RefusedToEcsIsRetriedWithoutAndTheServerRemembered) {
  serve(kLeaf, [](const UpstreamQuery& q) {
    if (ecs_in_options(q.edns_options)) return error_reply(zone::rcode::REFUSED);
    return authoritative({a(q.qname.to_text(), "192.0.2.77", 300)});
  });
  EXPECT_EQ(address_in(ask("www.geo.test.", "198.51.100.7")), "192.0.2.77");
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"198.51.100.0/24", "none"}));
  EXPECT_TRUE(shared.infra().ecs_unwanted(kLeaf));
  EXPECT_FALSE(shared.infra().is_lame(kLeaf, name("geo.test."))) << "not lame: it answers";
  EXPECT_EQ(address_in(ask("mail.geo.test.", "198.51.100.7")), "192.0.2.77");
  EXPECT_EQ(leaf_ecs().back(), "none");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 3u) << "no second refusal";
}

TEST_F(ResolverEcsTest, FormerrToEcsIsRetriedWithout) {
  serve(kLeaf, [](const UpstreamQuery& q) {
    if (ecs_in_options(q.edns_options)) return error_reply(zone::rcode::FORMERR);
    return authoritative({a(q.qname.to_text(), "192.0.2.78", 300)});
  });
  EXPECT_EQ(address_in(ask("www.geo.test.", "198.51.100.7")), "192.0.2.78");
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"198.51.100.0/24", "none"}));
  EXPECT_TRUE(shared.infra().ecs_unwanted(kLeaf));
}

// §11.3 without a public address configured: nothing is sent for private clients.
TEST_F(ResolverEcsTest, PrivateClientSendsNothingWithoutAPublicAddress) {
  serve_geo_leaf();
  EXPECT_EQ(address_in(ask("www.geo.test.", "10.1.2.3")), "192.0.2.99");
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"none"}));
  EXPECT_EQ(stats.ecs_queries_sent.load(), 0u);
}

// Forwarding: only upstreams on ecs-upstreams get ECS; a tailored answer is kept per subnet.
TEST_F(ResolverEcsTest, ForwarderSendsEcsOnlyToListedUpstreams) {
  serve(kListedForwarder, [](const UpstreamQuery& q) { return geo_leaf(q, 24); });
  serve(kOtherForwarder, [](const UpstreamQuery& q) { return geo_leaf(q, 24); });
  EXPECT_EQ(address_in(ask("www.listed.example.", "198.51.100.7")), "no answer")
      << "geo_leaf serves geo.test. only: NODATA";
  upstream.clear_log();
  ASSERT_EQ(upstream.log_for(kListedForwarder).size(), 0u);
  EXPECT_EQ(address_in(ask("unlisted.example.", "198.51.100.7")), "no answer");
  ASSERT_EQ(upstream.log_for(kOtherForwarder).size(), 1u);
  EXPECT_EQ(sent_ecs(upstream.log_for(kOtherForwarder)[0]), "none");
}

TEST_F(ResolverEcsTest, ForwarderCachesTailoredAnswersPerSubnet) {
  serve(kListedForwarder, [](const UpstreamQuery& q) {
    auto sent = ecs_in_options(q.edns_options);
    bool first = sent && subnet_contains(subnet("198.51.100.0", 24), *sent);
    Msg msg{0, false, {a(q.qname.to_text(), first ? "192.0.2.1" : "192.0.2.2", 300)}, {}, {}};
    if (sent) {
      ClientSubnet echo = *sent;
      echo.scope_prefix = 24;
      msg.opt = ecs_options_area(echo);
    }
    return msg;
  });
  EXPECT_EQ(address_in(ask("www.listed.example.", "198.51.100.7")), "192.0.2.1");
  EXPECT_EQ(address_in(ask("www.listed.example.", "203.0.113.7")), "192.0.2.2");
  EXPECT_EQ(address_in(ask("www.listed.example.", "198.51.100.9")), "192.0.2.1");
  ASSERT_EQ(upstream.log_for(kListedForwarder).size(), 2u);
  EXPECT_EQ(sent_ecs(upstream.log_for(kListedForwarder)[0]), "198.51.100.0/24");
  EXPECT_EQ(sent_ecs(upstream.log_for(kListedForwarder)[1]), "203.0.113.0/24");
  EXPECT_FALSE(shared.rrsets().lookup(name("www.listed.example."), rr_type::A));
}

TEST_F(ResolverEcsTest, CacheDumpShowsTheSubnetOfTailoredEntries) {
  serve_geo_leaf();
  ask("www.geo.test.", "198.51.100.7");
  std::vector<std::string> lines = shared.dump();
  auto at = std::find(lines.begin(), lines.end(), "; subnet 198.51.100.0/24");
  ASSERT_NE(at, lines.end());
  ASSERT_NE(at + 1, lines.end());
  EXPECT_NE((at + 1)->find("www.geo.test."), std::string::npos) << *(at + 1);
  EXPECT_NE((at + 1)->find("192.0.2.1"), std::string::npos) << *(at + 1);
  EXPECT_EQ(shared.flush(nullptr), shared.rrsets().size() + shared.negatives().size() + 1);
}

ResolverSettings with_public_address() {
  ResolverSettings s = ecs_settings();
  s.ecs.public_v4 = subnet("203.0.113.1", 32);
  return s;
}

class ResolverEcsPublicTest : public ResolverEcsTest {
 protected:
  ResolverEcsPublicTest() : ResolverEcsTest(with_public_address()) {}
};

// §11.3: the resolver's public address stands in for a private client.
TEST_F(ResolverEcsPublicTest, PrivateClientAddressIsReplacedByThePublicOne) {
  serve_geo_leaf();
  EXPECT_EQ(address_in(ask("www.geo.test.", "192.168.1.20")), "192.0.2.2");
  EXPECT_EQ(leaf_ecs(), (std::vector<std::string>{"203.0.113.0/24"}));
  EXPECT_EQ(address_in(ask("www.geo.test.", "10.9.9.9")), "192.0.2.2");
  EXPECT_EQ(upstream.log_for(kLeaf).size(), 1u) << "both private clients share the public /24";
}

// [resolver] ecs-* → EcsSettings, with the mistakes that are only visible together.
std::vector<std::string> settings_errors(const std::string& toml, EcsSettings* out = nullptr) {
  auto config = conf::parse_config(toml, "/etc/hayate/hayate.toml");
  EXPECT_TRUE(config.ok());
  std::vector<std::string> errors;
  if (!config.ok()) return {"parse error"};
  ResolverSettings settings = resolver_settings(*config, errors);
  if (out != nullptr) *out = settings.ecs;
  return errors;
}

TEST(ResolverEcsSettings, FromTheConfiguration) {
  EcsSettings ecs;
  EXPECT_TRUE(settings_errors("[resolver]\necs-send = true\necs-zones = [\"cdn.example\"]\n"
                              "ecs-upstreams = [\"192.0.2.0/28\"]\necs-max-source-v4 = 20\n"
                              "ecs-public-v4 = \"203.0.113.7\"\necs-max-subnets = 5\n",
                              &ecs)
                  .empty());
  EXPECT_TRUE(ecs.send);
  ASSERT_EQ(ecs.zones.size(), 1u);
  EXPECT_EQ(ecs.zones[0], name("cdn.example."));
  ASSERT_EQ(ecs.upstreams.size(), 1u);
  EXPECT_EQ(subnet_to_text(ecs.upstreams[0]), "192.0.2.0/28");
  EXPECT_EQ(ecs.max_source_v4, 20);
  EXPECT_EQ(subnet_to_text(ecs.public_v4.value()), "203.0.113.7/32");
  EXPECT_FALSE(ecs.public_v6);
  EXPECT_EQ(ecs.max_subnets_per_name, 5u);
}

TEST(ResolverEcsSettings, MistakesAreErrors) {
  auto one = [](const std::string& toml) {
    auto errors = settings_errors(toml);
    return errors.size() == 1 ? errors[0] : "errors: " + std::to_string(errors.size());
  };
  EXPECT_NE(one("[resolver]\necs-send = true\n").find("ecs-zones and ecs-upstreams"),
            std::string::npos);
  EXPECT_NE(one("[resolver]\necs-zones = [\"a.\"]\necs-public-v4 = \"2001:db8::1\"\n")
                .find("not an IPv4 address"),
            std::string::npos);
  EXPECT_NE(one("[resolver]\necs-zones = [\"a.\"]\necs-public-v4 = \"10.0.0.1\"\n")
                .find("private or unroutable"),
            std::string::npos);
  EXPECT_TRUE(settings_errors("[resolver]\n").empty()) << "off by default, nothing to check";
}

}  // namespace
}  // namespace hayate::server::resolver
