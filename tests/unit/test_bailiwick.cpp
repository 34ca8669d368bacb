#include "server/resolver/bailiwick.hpp"

#include <gtest/gtest.h>

#include "iterator_test_util.hpp"

namespace hayate::server::resolver {
namespace {

using namespace testing;

ScrubbedResponse scrub(const Msg& msg, const char* zone, const char* qname,
                       std::uint16_t qtype = rr_type::A) {
  return scrub_response(view_of(msg, name(qname), qtype), name(zone), name(qname), qtype);
}

TEST(BailiwickTest, ReferralKeepsInZoneNsAndGlueOfItsServersOnly) {
  Msg msg = referral({ns("example.test.", "ns1.example.test."), ns("victim.test.", "ns.evil.")},
                     {a("ns1.example.test.", "192.0.2.1"), a("www.victim.test.", "6.6.6.6"),
                      a("ns.evil.", "6.6.6.7")});
  ScrubbedResponse s = scrub(msg, "test.", "www.example.test.");
  ASSERT_TRUE(s.ns);
  EXPECT_EQ(s.ns->owner, name("example.test."));
  ASSERT_EQ(s.glue.size(), 1u);
  EXPECT_EQ(s.glue[0].owner, name("ns1.example.test."));
  EXPECT_EQ(s.dropped, 3u);
  EXPECT_EQ(classify_response(s, name("test."), rr_type::A), ResponseKind::kReferral);
}

TEST(BailiwickTest, AnswerKeepsOnlyTheChainInsideTheZone) {
  Msg msg = authoritative({cname("www.example.test.", "web.example.test."),
                           a("web.example.test.", "192.0.2.7"), a("other.example.test.", "6.6.6.6"),
                           a("www.victim.test.", "6.6.6.6")});
  ScrubbedResponse s = scrub(msg, "example.test.", "www.example.test.");
  ASSERT_EQ(s.answer.size(), 2u);
  EXPECT_EQ(s.answer[0].type, rr_type::CNAME);
  EXPECT_EQ(s.answer[1].owner, name("web.example.test."));
  EXPECT_TRUE(s.chain_complete);
  EXPECT_EQ(s.dropped, 2u);
  EXPECT_EQ(classify_response(s, name("example.test."), rr_type::A), ResponseKind::kAnswer);
}

TEST(BailiwickTest, ChainLeavingTheZoneStopsThereAndIsAnAlias) {
  Msg msg = authoritative(
      {cname("www.example.test.", "www.other.test."), a("www.other.test.", "6.6.6.6")});
  ScrubbedResponse s = scrub(msg, "example.test.", "www.example.test.");
  ASSERT_EQ(s.answer.size(), 1u);
  EXPECT_EQ(s.chain_end, name("www.other.test."));
  EXPECT_EQ(classify_response(s, name("example.test."), rr_type::A), ResponseKind::kAlias);
}

TEST(BailiwickTest, DnameSynthesisesTheCnameAndIgnoresTheSentOne) {
  Msg msg = authoritative({dname("old.example.test.", "new.example.test."),
                           cname("www.old.example.test.", "www.evil.test."),
                           a("www.new.example.test.", "192.0.2.8")});
  ScrubbedResponse s = scrub(msg, "example.test.", "www.old.example.test.");
  ASSERT_EQ(s.answer.size(), 3u);
  EXPECT_EQ(s.answer[0].type, rr_type::DNAME);
  EXPECT_EQ(s.answer[1].type, rr_type::CNAME);
  EXPECT_TRUE(s.synthesised[1]);
  EXPECT_EQ(s.answer[1].rdatas[0], name_rdata("www.new.example.test."));
  EXPECT_EQ(s.answer[2].owner, name("www.new.example.test."));
  EXPECT_TRUE(s.chain_complete);
}

TEST(BailiwickTest, DnameSubstitution) {
  EXPECT_EQ(dname_substitute(name("a.b.old.test."), name("old.test."), name("new.example.")),
            name("a.b.new.example."));
  std::string long_target;
  for (int i = 0; i < 4; ++i)
    long_target += std::string(60, 'x') + ".";
  EXPECT_FALSE(dname_substitute(name("aaaaaaaaaa.old.test."), name("old.test."),
                                name(long_target)));  // RFC 6672 §2.2: YXDOMAIN
}

TEST(BailiwickTest, Classification) {
  const char* zone = "example.test.";
  EXPECT_EQ(classify_response(scrub(negative(zone::rcode::NXDOMAIN, soa(zone, 3600, 300)), zone,
                                    "nx.example.test."),
                              name(zone), rr_type::A),
            ResponseKind::kNxDomain);
  EXPECT_EQ(classify_response(scrub(negative(0, soa(zone, 3600, 300)), zone, "www.example.test."),
                              name(zone), rr_type::A),
            ResponseKind::kNoData);
  // Upward referral (to the parent or the root): lame.
  EXPECT_EQ(classify_response(scrub(referral({ns(".", "a.root.test.")}), zone, "www.example.test."),
                              name(zone), rr_type::A),
            ResponseKind::kLame);
  // Referral to the zone itself, non-authoritative: lame.
  EXPECT_EQ(
      classify_response(scrub(referral({ns(zone, "ns1.example.test.")}), zone, "www.example.test."),
                        name(zone), rr_type::A),
      ResponseKind::kLame);
  // Referral sideways to an unrelated zone: the NS is dropped, lame.
  ScrubbedResponse sideways =
      scrub(referral({ns("other.test.", "ns.other.test.")}), "test.", "www.example.test.");
  EXPECT_FALSE(sideways.ns);
  EXPECT_EQ(classify_response(sideways, name("test."), rr_type::A), ResponseKind::kLame);
  Msg refused;
  refused.rcode = zone::rcode::REFUSED;
  EXPECT_EQ(classify_response(scrub(refused, zone, "www.example.test."), name(zone), rr_type::A),
            ResponseKind::kError);
}

}  // namespace
}  // namespace hayate::server::resolver
