// EDNS Client Subnet on the authoritative side (RFC 7871), through QueryProcessor with [[view]]s:
// the view is chosen by a trusted ECS option or the source address, the option is echoed with
// the SCOPE the choice implies, malformed options are FORMERR, and the answer cache never gives
// one view's answer to another.
#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <algorithm>

#include <memory>
#include <string>
#include <vector>

#include "server/query_processor.hpp"
#include "tests/unit/client_info_util.hpp"
#include "zone/edns.hpp"
#include "zone/ldns_wrapper.hpp"
#include "zone/message_renderer.hpp"

namespace hayate::server {
namespace {

using Bytes = std::vector<std::uint8_t>;
const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/server/";

zone::Name N(const std::string& text) {
  return zone::Name::from_text(text).value();
}

std::shared_ptr<const ServingState> state_with_views(const std::string& trusted = "0.0.0.0/0") {
  AnswerPolicy policy;
  policy.view_names = {"europe"};
  policy.views = ViewTable(
      {{Prefix::parse("192.0.2.0/24").value(), 1}, {Prefix::parse("2001:db8:1::/48").value(), 1}});
  policy.ecs_trusted = Acl({Prefix::parse(trusted).value(), Prefix::parse("::/0").value()});
  std::vector<ZoneSource> sources = {
      {N("example.com."), kZones + "example.com.zone", Acl::loopback(), 0},
      {N("example.net."), kZones + "example.net.zone", Acl::loopback(), 0},
      {N("example.com."), kZones + "views/example.com.europe.zone", Acl::loopback(), 1}};
  auto state = build_serving_state(sources, policy, nullptr);
  for (const auto& report : state->zone_reports)
    EXPECT_TRUE(report.serving) << report.file;
  return state;
}

// ECS option data: FAMILY, SOURCE, SCOPE, then the ADDRESS octets exactly as given.
Bytes ecs_data(std::uint16_t family, std::uint8_t source, std::uint8_t scope, Bytes address) {
  // Sized at once: GCC 12 warns (-Warray-bounds, a false positive) about inserting into a vector
  // built from a four-octet initializer list.
  Bytes data(4 + address.size());
  data[0] = static_cast<std::uint8_t>(family >> 8);
  data[1] = static_cast<std::uint8_t>(family);
  data[2] = source;
  data[3] = scope;
  std::copy(address.begin(), address.end(), data.begin() + 4);
  return data;
}

// A query with EDNS and, when `ecs` is not empty, one CLIENT-SUBNET option holding it.
Bytes make_query(const std::string& qname, std::uint16_t qtype, const Bytes& ecs) {
  Bytes out(512);
  zone::MessageRenderer renderer(out, out.size());
  zone::Header header;
  header.id = 777;
  renderer.begin(header);
  renderer.add_question(N(qname).wire(), qtype, 1);
  Bytes options(4 + ecs.size());
  std::size_t size =
      ecs.empty() ? 0 : zone::write_option(options, zone::edns_option::CLIENT_SUBNET, ecs);
  renderer.add_opt(zone::OptParams{}, std::span<const std::uint8_t>(options.data(), size));
  out.resize(renderer.finish());
  return out;
}

using test::client_from;

struct Answer {
  int rcode = -1;
  std::vector<std::string> answer;  // "owner TYPE rdata"
  bool has_ecs = false;
  zone::ClientSubnet ecs;
};

Answer decode(const Bytes& wire) {
  Answer out;
  ldns_pkt* pkt = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&pkt, wire.data(), wire.size()), LDNS_STATUS_OK);
  if (pkt == nullptr) return out;
  out.rcode = ldns_pkt_get_rcode(pkt);
  ldns_rr_list* answer = ldns_pkt_answer(pkt);
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(answer); ++i) {
    ldns_rr* rr = ldns_rr_list_rr(answer, i);
    char* owner = ldns_rdf2str(ldns_rr_owner(rr));
    char* type = ldns_rr_type2str(ldns_rr_get_type(rr));
    char* rdata = ldns_rdf2str(ldns_rr_rdf(rr, 0));
    out.answer.push_back(std::string(owner) + " " + type + " " + rdata);
    free(owner);
    free(type);
    free(rdata);
  }
  if (ldns_rdf* options = ldns_pkt_edns_data(pkt)) {
    zone::OptionIterator it({ldns_rdf_data(options), ldns_rdf_size(options)});
    for (zone::EdnsOption option; it.next(option);) {
      if (option.code != zone::edns_option::CLIENT_SUBNET) continue;
      out.has_ecs = true;
      EXPECT_EQ(zone::parse_client_subnet(option.data, out.ecs), zone::EcsError::kOk);
    }
  }
  ldns_pkt_free(pkt);
  return out;
}

class EcsViewsTest : public ::testing::Test {
 protected:
  explicit EcsViewsTest(std::shared_ptr<const ServingState> state = state_with_views())
      : processor(std::move(state), stats) {}

  Answer ask(const Bytes& query, const char* from = "127.0.0.1") {
    std::vector<Bytes> sent;
    processor.handle(query, client_from(from), [&](std::span<const std::uint8_t> m) {
      sent.emplace_back(m.begin(), m.end());
    });
    EXPECT_EQ(sent.size(), 1u);
    return sent.empty() ? Answer{} : decode(sent.front());
  }
  Answer ask_v4(const std::string& qname, std::uint16_t qtype, Bytes address, std::uint8_t source,
                const char* from = "127.0.0.1") {
    return ask(make_query(qname, qtype, ecs_data(1, source, 0, std::move(address))), from);
  }

  WorkerStats stats;
  QueryProcessor processor;
};

constexpr std::uint16_t A = 1;

TEST_F(EcsViewsTest, TrustedEcsChoosesTheViewAndIsEchoedWithItsScope) {
  Answer europe = ask_v4("web.example.com.", A, {192, 0, 2}, 24);
  EXPECT_EQ(europe.answer, (std::vector<std::string>{"web.example.com. A 198.51.100.80"}));
  ASSERT_TRUE(europe.has_ecs);
  EXPECT_EQ(europe.ecs.family, zone::ecs_family::IPV4);
  EXPECT_EQ(europe.ecs.source_prefix, 24);
  EXPECT_EQ(europe.ecs.scope_prefix, 24);
  EXPECT_EQ(europe.ecs.address[2], 2);

  // 203.0.113.0/24 is in no view: the default answer, valid for the addresses sharing the first
  // 5 bits (11001...) with it, which no view subnet does (192 = 11000000).
  Answer elsewhere = ask_v4("web.example.com.", A, {203, 0, 113}, 24);
  EXPECT_EQ(elsewhere.answer, (std::vector<std::string>{"web.example.com. A 192.0.2.80"}));
  ASSERT_TRUE(elsewhere.has_ecs);
  EXPECT_EQ(elsewhere.ecs.scope_prefix, 5);
  EXPECT_EQ(stats.ecs_queries.load(), 2u);
  EXPECT_EQ(stats.ecs_tailored_answers.load(), 2u);
}

TEST_F(EcsViewsTest, IPv6ClientSubnet) {
  Bytes address = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00};  // 2001:db8:1::/56
  Answer europe = ask(make_query("web.example.com.", A, ecs_data(2, 56, 0, address)));
  EXPECT_EQ(europe.answer, (std::vector<std::string>{"web.example.com. A 198.51.100.80"}));
  ASSERT_TRUE(europe.has_ecs);
  EXPECT_EQ(europe.ecs.family, zone::ecs_family::IPV6);
  EXPECT_EQ(europe.ecs.source_prefix, 56);
  EXPECT_EQ(europe.ecs.scope_prefix, 48);
}

// Names no view has a version of do not depend on the subnet: SCOPE 0 (§7.2.1).
TEST_F(EcsViewsTest, UntailoredNamesGetScopeZero) {
  Answer net = ask_v4("example.net.", 6, {192, 0, 2}, 24);
  EXPECT_EQ(net.rcode, LDNS_RCODE_NOERROR);
  ASSERT_TRUE(net.has_ecs);
  EXPECT_EQ(net.ecs.scope_prefix, 0);
  EXPECT_EQ(stats.ecs_tailored_answers.load(), 0u);
}

// No option in the query, none in the answer (§7.2); the source address chooses the view, and
// the answer cache keeps the views apart.
TEST_F(EcsViewsTest, WithoutEcsTheSourceChoosesAndTheCacheKeepsViewsApart) {
  for (int round = 0; round < 2; ++round) {  // the second round comes from the answer cache
    Answer europe = ask(make_query("web.example.com.", A, {}), "192.0.2.9");
    EXPECT_EQ(europe.answer, (std::vector<std::string>{"web.example.com. A 198.51.100.80"}));
    EXPECT_FALSE(europe.has_ecs);
    Answer local = ask(make_query("web.example.com.", A, {}), "127.0.0.1");
    EXPECT_EQ(local.answer, (std::vector<std::string>{"web.example.com. A 192.0.2.80"}));
  }
  EXPECT_EQ(stats.answers_from_cache.load(), 2u);
  EXPECT_EQ(stats.ecs_queries.load(), 0u);
}

// An ECS answer carries the client's own subnet: never stored for, or served to, anyone else.
TEST_F(EcsViewsTest, EcsAnswersBypassTheAnswerCache) {
  ask(make_query("web.example.com.", A, {}), "127.0.0.1");  // cached: default view
  Answer europe = ask_v4("web.example.com.", A, {192, 0, 2}, 24);
  EXPECT_EQ(europe.answer, (std::vector<std::string>{"web.example.com. A 198.51.100.80"}));
  Answer again = ask_v4("web.example.com.", A, {192, 0, 2}, 24);
  EXPECT_TRUE(again.has_ecs);
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
}

// §7.2.1: for a CNAME chain only the first CNAME is answered, so that a resolver caches each
// name with its own scope; without ECS the chain is followed as usual.
TEST_F(EcsViewsTest, TailoredCnameChainStopsAtTheFirstCname) {
  Answer ecs = ask_v4("www.example.com.", A, {192, 0, 2}, 24);
  EXPECT_EQ(ecs.answer, (std::vector<std::string>{"www.example.com. CNAME web.example.com."}));
  Answer plain = ask(make_query("www.example.com.", A, {}), "192.0.2.9");
  EXPECT_EQ(plain.answer, (std::vector<std::string>{"www.example.com. CNAME web.example.com.",
                                                    "web.example.com. A 198.51.100.80"}));
}

// SOURCE 0: "do not use my address" (§7.1.2): the default view, SCOPE 0, no ADDRESS.
TEST_F(EcsViewsTest, SourceZeroGetsTheDefaultViewWithScopeZero) {
  Answer zero = ask_v4("web.example.com.", A, {}, 0, "192.0.2.9");
  EXPECT_EQ(zero.answer, (std::vector<std::string>{"web.example.com. A 192.0.2.80"}));
  ASSERT_TRUE(zero.has_ecs);
  EXPECT_EQ(zero.ecs.source_prefix, 0);
  EXPECT_EQ(zero.ecs.scope_prefix, 0);
}

// §6 and §7.1.1: every malformed option, and a query with SCOPE set, is FORMERR.
TEST_F(EcsViewsTest, MalformedOptionsAreFormErr) {
  const std::vector<Bytes> bad = {
      ecs_data(1, 24, 8, {192, 0, 2}),        // SCOPE != 0 in a query
      ecs_data(3, 24, 0, {192, 0, 2}),        // unknown FAMILY
      ecs_data(1, 33, 0, {192, 0, 2, 1, 0}),  // SOURCE longer than IPv4
      ecs_data(1, 24, 0, {192, 0, 2, 0}),     // ADDRESS longer than ceil(SOURCE / 8)
      ecs_data(1, 24, 0, {192, 0}),           // ADDRESS shorter
      ecs_data(1, 23, 0, {192, 0, 3}),        // a bit set past SOURCE
      Bytes{0, 1, 24},                        // shorter than the fixed part
  };
  for (const Bytes& option : bad) {
    Answer r = ask(make_query("web.example.com.", A, option));
    EXPECT_EQ(r.rcode, LDNS_RCODE_FORMERR);
    EXPECT_FALSE(r.has_ecs);
  }
}

class UntrustedEcsTest : public EcsViewsTest {
 protected:
  UntrustedEcsTest() : EcsViewsTest(state_with_views("10.0.0.0/8")) {}
};

// A resolver outside [ecs] trusted: its option is ignored (the source chooses) and not echoed.
TEST_F(UntrustedEcsTest, OptionFromAnUntrustedSenderIsIgnored) {
  Answer r = ask_v4("web.example.com.", A, {192, 0, 2}, 24, "127.0.0.1");
  EXPECT_EQ(r.answer, (std::vector<std::string>{"web.example.com. A 192.0.2.80"}));
  EXPECT_FALSE(r.has_ecs);
  Answer trusted = ask_v4("web.example.com.", A, {192, 0, 2}, 24, "10.1.2.3");
  EXPECT_EQ(trusted.answer, (std::vector<std::string>{"web.example.com. A 198.51.100.80"}));
  EXPECT_TRUE(trusted.has_ecs);
}

}  // namespace
}  // namespace hayate::server
