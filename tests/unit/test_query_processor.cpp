// The query pipeline end to end without sockets: packets built and read back with ldns.
#include "server/query_processor.hpp"
#include "tests/unit/client_info_util.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "zone/ldns_wrapper.hpp"

namespace hayate::server {
namespace {

using Bytes = std::vector<std::uint8_t>;

const std::string kZones = std::string(HAYATE_TEST_ZONES) + "/server/";

std::shared_ptr<const ServingState> make_state(AnswerPolicy policy = {}, bool with_child = false) {
  std::vector<ZoneSource> sources = {
      {*zone::Name::from_text("example.com."), kZones + "example.com.zone", Acl::loopback()},
      {*zone::Name::from_text("example.net."), kZones + "example.net.zone", Acl()},
  };
  if (with_child) {
    sources.push_back(
        {*zone::Name::from_text("sub.example.com."), kZones + "sub.example.com.zone", Acl()});
  }
  auto state = build_serving_state(sources, policy, nullptr);
  for (const auto& report : state->zone_reports) {
    EXPECT_TRUE(report.serving) << report.file;
    for (const auto& d : report.diagnostics)
      ADD_FAILURE() << d.to_string();
  }
  return state;
}

struct QueryOptions {
  std::uint16_t id = 4242;
  bool edns = false;
  std::uint16_t payload = 1232;
  bool dnssec_ok = false;
  std::uint8_t edns_version = 0;
  ldns_rr_class qclass = LDNS_RR_CLASS_IN;
  bool rd = false;
};

Bytes make_query(const std::string& qname, ldns_rr_type qtype, QueryOptions o = {}) {
  ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(qname.c_str()), qtype, o.qclass,
                                     o.rd ? LDNS_RD : 0);
  ldns_pkt_set_id(pkt, o.id);
  if (o.edns) {
    ldns_pkt_set_edns_udp_size(pkt, o.payload);
    ldns_pkt_set_edns_do(pkt, o.dnssec_ok);
    ldns_pkt_set_edns_version(pkt, o.edns_version);
    ldns_pkt_set_edns_data(pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, 0, ""));
  }
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, pkt, &size), LDNS_STATUS_OK);
  Bytes out(wire, wire + size);
  free(wire);
  ldns_pkt_free(pkt);
  return out;
}

using test::client_from;

// A parsed response that frees itself, with helpers for the assertions below.
struct Response {
  std::unique_ptr<ldns_pkt, decltype(&ldns_pkt_free)> pkt{nullptr, ldns_pkt_free};
  Bytes wire;

  ldns_pkt* operator->() const { return pkt.get(); }
  ldns_pkt_rcode rcode() const { return ldns_pkt_get_rcode(pkt.get()); }
  std::size_t count(ldns_pkt_section s) const { return ldns_rr_list_rr_count(section(s)); }
  ldns_rr_list* section(ldns_pkt_section s) const {
    switch (s) {
      case LDNS_SECTION_ANSWER:
        return ldns_pkt_answer(pkt.get());
      case LDNS_SECTION_AUTHORITY:
        return ldns_pkt_authority(pkt.get());
      default:
        return ldns_pkt_additional(pkt.get());
    }
  }
  // "owner TTL CLASS TYPE rdata" lines of one section, in order.
  std::vector<std::string> lines(ldns_pkt_section s) const {
    std::vector<std::string> out;
    ldns_rr_list* list = section(s);
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
      char* text = ldns_rr2str(ldns_rr_list_rr(list, i));
      std::string line(text);
      free(text);
      while (!line.empty() && line.back() == '\n')
        line.pop_back();
      for (char& c : line)
        c = c == '\t' ? ' ' : c;
      out.push_back(line);
    }
    return out;
  }
};

class QueryProcessorTest : public ::testing::Test {
 protected:
  QueryProcessorTest() : processor(make_state(), stats) {}

  std::vector<Bytes> ask_raw(const Bytes& query, const ClientInfo& client) {
    std::vector<Bytes> messages;
    processor.handle(query, client, [&](std::span<const std::uint8_t> message) {
      messages.emplace_back(message.begin(), message.end());
    });
    return messages;
  }

  Response parse(const Bytes& wire) {
    Response r;
    r.wire = wire;
    ldns_pkt* pkt = nullptr;
    EXPECT_EQ(ldns_wire2pkt(&pkt, wire.data(), wire.size()), LDNS_STATUS_OK);
    r.pkt.reset(pkt);
    return r;
  }

  Response ask(const std::string& qname, ldns_rr_type qtype, QueryOptions o = {},
               Transport transport = Transport::kUdp) {
    auto messages = ask_raw(make_query(qname, qtype, o), client_from("127.0.0.1", transport));
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? Response{} : parse(messages.front());
  }

  WorkerStats stats;
  QueryProcessor processor;
};

using Lines = std::vector<std::string>;

TEST_F(QueryProcessorTest, ExactMatchIsAuthoritativeAndMinimal) {
  auto r = ask("web.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_TRUE(ldns_pkt_qr(r.pkt.get()));
  EXPECT_FALSE(ldns_pkt_tc(r.pkt.get()));
  EXPECT_EQ(ldns_pkt_id(r.pkt.get()), 4242);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER), Lines{"web.example.com. 3600 IN A 192.0.2.80"});
  EXPECT_TRUE(r.lines(LDNS_SECTION_AUTHORITY).empty());
  EXPECT_TRUE(r.lines(LDNS_SECTION_ADDITIONAL).empty());
}

TEST_F(QueryProcessorTest, QuestionCaseIsEchoedInOwnerNames) {
  auto r = ask("WeB.ExAmple.COM.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER), Lines{"WeB.ExAmple.COM. 3600 IN A 192.0.2.80"});
}

TEST_F(QueryProcessorTest, RdFlagIsCopiedAndRaStaysClear) {
  QueryOptions o;
  o.rd = true;
  auto r = ask("web.example.com.", LDNS_RR_TYPE_A, o);
  EXPECT_TRUE(ldns_pkt_rd(r.pkt.get()));
  EXPECT_FALSE(ldns_pkt_ra(r.pkt.get()));
}

TEST_F(QueryProcessorTest, MxAndNsTargetsGetAdditionalAddresses) {
  auto mx = ask("example.com.", LDNS_RR_TYPE_MX);
  EXPECT_EQ(mx.lines(LDNS_SECTION_ANSWER), Lines{"example.com. 3600 IN MX 10 mail.example.com."});
  EXPECT_EQ(mx.lines(LDNS_SECTION_ADDITIONAL), Lines{"mail.example.com. 3600 IN A 192.0.2.25"});

  auto ns = ask("example.com.", LDNS_RR_TYPE_NS);
  EXPECT_EQ(ns.count(LDNS_SECTION_ANSWER), 2u);
  // Addresses from every zone we serve, example.net included.
  EXPECT_EQ(ns.lines(LDNS_SECTION_ADDITIONAL), (Lines{"ns1.example.com. 3600 IN A 192.0.2.1",
                                                      "ns1.example.com. 3600 IN AAAA 2001:db8::1",
                                                      "ns2.example.net. 600 IN A 198.51.100.2"}));

  auto srv = ask("_sip._udp.example.com.", LDNS_RR_TYPE_SRV);
  EXPECT_EQ(srv.lines(LDNS_SECTION_ADDITIONAL), Lines{"sip.example.com. 3600 IN A 192.0.2.50"});
}

TEST_F(QueryProcessorTest, CnameChainsAreFollowedInsideOurZones) {
  auto r = ask("chain.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            (Lines{"chain.example.com. 3600 IN CNAME www.example.com.",
                   "www.example.com. 3600 IN CNAME web.example.com.",
                   "web.example.com. 3600 IN A 192.0.2.80"}));

  auto across = ask("external.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(across.lines(LDNS_SECTION_ANSWER),
            (Lines{"external.example.com. 3600 IN CNAME www.example.net.",
                   "www.example.net. 600 IN A 198.51.100.80"}));
}

TEST_F(QueryProcessorTest, CnameLoopStops) {
  auto r = ask("loop1.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            (Lines{"loop1.example.com. 3600 IN CNAME loop2.example.com.",
                   "loop2.example.com. 3600 IN CNAME loop1.example.com."}));
}

// RFC 6604: the rcode is that of the last name in the chain.
TEST_F(QueryProcessorTest, DanglingCnameGivesNxdomainWithTheChain) {
  auto r = ask("dangling.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NXDOMAIN);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            Lines{"dangling.example.com. 3600 IN CNAME nothing.example.com."});
  EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 1u);
}

TEST_F(QueryProcessorTest, NxdomainAndNodataCarryTheSoaWithNegativeTtl) {
  auto nx = ask("nothere.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(nx.rcode(), LDNS_RCODE_NXDOMAIN);
  EXPECT_TRUE(ldns_pkt_aa(nx.pkt.get()));
  EXPECT_EQ(nx.count(LDNS_SECTION_ANSWER), 0u);
  // min(SOA TTL 3600, MINIMUM 300) = 300 (RFC 2308 §5).
  EXPECT_EQ(nx.lines(LDNS_SECTION_AUTHORITY),
            Lines{"example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024112501 "
                  "7200 900 1209600 300"});

  auto nodata = ask("mail.example.com.", LDNS_RR_TYPE_AAAA);
  EXPECT_EQ(nodata.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(nodata.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(nodata.count(LDNS_SECTION_AUTHORITY), 1u);

  auto ent = ask("b.ent.example.com.", LDNS_RR_TYPE_A);  // empty non-terminal
  EXPECT_EQ(ent.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ent.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(ent.count(LDNS_SECTION_AUTHORITY), 1u);
}

TEST_F(QueryProcessorTest, WildcardsAnswerWithTheQueryNameAsOwner) {
  auto r = ask("anything.wild.example.com.", LDNS_RR_TYPE_TXT);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_TRUE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            Lines{"anything.wild.example.com. 3600 IN TXT \"wildcard\""});

  auto nodata = ask("anything.wild.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(nodata.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(nodata.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(nodata.count(LDNS_SECTION_AUTHORITY), 1u);

  auto cname = ask("x.y.wc.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(cname.lines(LDNS_SECTION_ANSWER),
            (Lines{"x.y.wc.example.com. 3600 IN CNAME web.example.com.",
                   "web.example.com. 3600 IN A 192.0.2.80"}));
}

TEST_F(QueryProcessorTest, DelegationGivesAReferralWithGlue) {
  auto r = ask("www.sub.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_FALSE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
  EXPECT_EQ(r.lines(LDNS_SECTION_AUTHORITY),
            (Lines{"sub.example.com. 3600 IN NS ns.sub.example.com.",
                   "sub.example.com. 3600 IN NS ns.example.net."}));
  EXPECT_EQ(r.lines(LDNS_SECTION_ADDITIONAL), Lines{"ns.sub.example.com. 3600 IN A 192.0.2.53"});

  // The glue itself is not ours to answer either.
  auto glue = ask("ns.sub.example.com.", LDNS_RR_TYPE_A);
  EXPECT_FALSE(ldns_pkt_aa(glue.pkt.get()));
  EXPECT_EQ(glue.count(LDNS_SECTION_ANSWER), 0u);
}

TEST_F(QueryProcessorTest, DsAtTheCutIsAnsweredByTheParent) {
  auto r = ask("sub.example.com.", LDNS_RR_TYPE_DS);
  EXPECT_TRUE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 1u);
  EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 0u);
}

// RFC 4035 §3.1.4.1: with both sides of the cut served here, DS comes from the parent zone
// (the child would answer NODATA); every other type comes from the child.
TEST_F(QueryProcessorTest, DsForAChildApexWeAlsoServeComesFromTheParent) {
  processor.set_state(make_state({}, true));
  auto ds = ask("sub.example.com.", LDNS_RR_TYPE_DS);
  EXPECT_TRUE(ldns_pkt_aa(ds.pkt.get()));
  ASSERT_EQ(ds.count(LDNS_SECTION_ANSWER), 1u);
  EXPECT_NE(ds.lines(LDNS_SECTION_ANSWER)[0].find("sub.example.com. 3600 IN DS 12345 "),
            std::string::npos)
      << ds.lines(LDNS_SECTION_ANSWER)[0];
  auto missing = ask("www.sub.example.com.", LDNS_RR_TYPE_DS);  // not a cut: the child answers
  EXPECT_EQ(missing.count(LDNS_SECTION_ANSWER), 0u);
  ASSERT_EQ(missing.count(LDNS_SECTION_AUTHORITY), 1u);
  EXPECT_NE(missing.lines(LDNS_SECTION_AUTHORITY)[0].find("sub.example.com. 60 IN SOA"),
            std::string::npos);
  auto a = ask("www.sub.example.com.", LDNS_RR_TYPE_A);
  EXPECT_TRUE(ldns_pkt_aa(a.pkt.get()));
  EXPECT_EQ(a.lines(LDNS_SECTION_ANSWER), Lines{"www.sub.example.com. 120 IN A 192.0.2.54"});
}

TEST_F(QueryProcessorTest, CnameQuestionBelowADnameGetsTheSynthesizedCname) {
  auto r = ask("x.dn.example.com.", LDNS_RR_TYPE_CNAME);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            (Lines{"dn.example.com. 3600 IN DNAME target.example.com.",
                   "x.dn.example.com. 3600 IN CNAME x.target.example.com."}));
  EXPECT_EQ(r.count(LDNS_SECTION_AUTHORITY), 0u);
}

TEST_F(QueryProcessorTest, DnameSynthesizesACname) {
  auto r = ask("a.dn.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(r.lines(LDNS_SECTION_ANSWER),
            (Lines{"dn.example.com. 3600 IN DNAME target.example.com.",
                   "a.dn.example.com. 3600 IN CNAME a.target.example.com.",
                   "a.target.example.com. 3600 IN A 192.0.2.99"}));
  // Out of our zones: the DNAME and the CNAME, nothing more.
  auto out = ask("x.old.example.com.", LDNS_RR_TYPE_A);
  EXPECT_EQ(out.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(out.lines(LDNS_SECTION_ANSWER),
            (Lines{"old.example.com. 3600 IN DNAME example.org.",
                   "x.old.example.com. 3600 IN CNAME x.example.org."}));
}

TEST_F(QueryProcessorTest, NamesInNoZoneAreRefused) {
  auto r = ask("www.example.org.", LDNS_RR_TYPE_A);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_REFUSED);
  EXPECT_FALSE(ldns_pkt_aa(r.pkt.get()));
  EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
}

TEST_F(QueryProcessorTest, AnyGivesOneRrsetOverUdpAndAllOverTcp) {
  auto udp = ask("multi.example.com.", LDNS_RR_TYPE_ANY);
  EXPECT_EQ(udp.count(LDNS_SECTION_ANSWER), 1u);
  auto tcp = ask("multi.example.com.", LDNS_RR_TYPE_ANY, {}, Transport::kTcp);
  EXPECT_EQ(tcp.count(LDNS_SECTION_ANSWER), 3u);
}

TEST_F(QueryProcessorTest, LargeAnswersAreTruncatedByRrsetOverUdp) {
  auto plain = ask("big.example.com.", LDNS_RR_TYPE_TXT);
  EXPECT_TRUE(ldns_pkt_tc(plain.pkt.get()));
  EXPECT_EQ(plain.count(LDNS_SECTION_ANSWER), 0u);  // the RRset is never split
  EXPECT_LE(plain.wire.size(), 512u);

  QueryOptions edns;
  edns.edns = true;
  edns.payload = 4096;
  auto large = ask("big.example.com.", LDNS_RR_TYPE_TXT, edns);
  EXPECT_FALSE(ldns_pkt_tc(large.pkt.get()));
  EXPECT_EQ(large.count(LDNS_SECTION_ANSWER), 8u);
  EXPECT_LE(large.wire.size(), 1232u);

  auto tcp = ask("big.example.com.", LDNS_RR_TYPE_TXT, {}, Transport::kTcp);
  EXPECT_FALSE(ldns_pkt_tc(tcp.pkt.get()));
  EXPECT_EQ(tcp.count(LDNS_SECTION_ANSWER), 8u);
}

TEST_F(QueryProcessorTest, EdnsIsEchoedWithOurPayloadSizeAndDo) {
  QueryOptions o;
  o.edns = true;
  o.payload = 4096;
  o.dnssec_ok = true;
  auto r = ask("web.example.com.", LDNS_RR_TYPE_A, o);
  EXPECT_EQ(ldns_pkt_edns_udp_size(r.pkt.get()), 1232);
  EXPECT_TRUE(ldns_pkt_edns_do(r.pkt.get()));
  EXPECT_EQ(ldns_pkt_edns_version(r.pkt.get()), 0);

  auto none = ask("web.example.com.", LDNS_RR_TYPE_A);
  EXPECT_FALSE(ldns_pkt_edns(none.pkt.get()));
}

TEST_F(QueryProcessorTest, EdnsVersionAboveZeroIsBadvers) {
  QueryOptions o;
  o.edns = true;
  o.edns_version = 1;
  auto r = ask("web.example.com.", LDNS_RR_TYPE_A, o);
  // BADVERS = 16: 0 in the header, 1 in the OPT's extended rcode (RFC 6891 §6.1.3).
  EXPECT_EQ(ldns_pkt_get_rcode(r.pkt.get()), 0);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(r.pkt.get()), 1);
  EXPECT_EQ(ldns_pkt_edns_version(r.pkt.get()), 0);
  EXPECT_EQ(r.count(LDNS_SECTION_ANSWER), 0u);
}

TEST_F(QueryProcessorTest, OpcodesClassesAndMetaTypes) {
  Bytes notify = make_query("example.com.", LDNS_RR_TYPE_SOA);
  notify[2] = static_cast<std::uint8_t>((notify[2] & 0x87) | (4 << 3));  // opcode NOTIFY
  auto messages = ask_raw(notify, client_from("127.0.0.1"));
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(parse(messages[0]).rcode(), LDNS_RCODE_NOTIMPL);

  QueryOptions hs;
  hs.qclass = LDNS_RR_CLASS_HS;
  EXPECT_EQ(ask("web.example.com.", LDNS_RR_TYPE_A, hs).rcode(), LDNS_RCODE_REFUSED);
  QueryOptions any_class;
  any_class.qclass = LDNS_RR_CLASS_ANY;
  EXPECT_EQ(ask("web.example.com.", LDNS_RR_TYPE_A, any_class).count(LDNS_SECTION_ANSWER), 1u);

  EXPECT_EQ(ask("example.com.", LDNS_RR_TYPE_AXFR).rcode(), LDNS_RCODE_NOTIMPL);  // over UDP
  EXPECT_EQ(ask("example.com.", LDNS_RR_TYPE_MAILB).rcode(), LDNS_RCODE_NOTIMPL);
  EXPECT_EQ(ask("example.com.", LDNS_RR_TYPE_OPT).rcode(), LDNS_RCODE_FORMERR);
  auto ixfr = ask("example.com.", LDNS_RR_TYPE_IXFR);
  EXPECT_EQ(ixfr.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(ixfr.count(LDNS_SECTION_ANSWER), 1u);  // just the SOA: "use TCP" (RFC 1995 §4)
}

TEST_F(QueryProcessorTest, MalformedQueriesGetFormerrOrSilence) {
  Bytes query = make_query("web.example.com.", LDNS_RR_TYPE_A);
  Bytes truncated(query.begin(), query.end() - 3);
  auto formerr = ask_raw(truncated, client_from("127.0.0.1"));
  ASSERT_EQ(formerr.size(), 1u);
  auto r = parse(formerr[0]);
  EXPECT_EQ(r.rcode(), LDNS_RCODE_FORMERR);
  EXPECT_EQ(ldns_pkt_id(r.pkt.get()), 4242);

  Bytes runt(query.begin(), query.begin() + 5);
  EXPECT_TRUE(ask_raw(runt, client_from("127.0.0.1")).empty());
  Bytes response = query;
  response[2] |= 0x80;  // QR=1
  EXPECT_TRUE(ask_raw(response, client_from("127.0.0.1")).empty());
  EXPECT_EQ(stats.dropped.load(), 2u);
}

TEST_F(QueryProcessorTest, ChaosIdentityIsHiddenUnlessConfigured) {
  QueryOptions ch;
  ch.qclass = LDNS_RR_CLASS_CH;
  EXPECT_EQ(ask("version.bind.", LDNS_RR_TYPE_TXT, ch).rcode(), LDNS_RCODE_REFUSED);

  AnswerPolicy policy;
  policy.version = "hayate test";
  policy.identity = "ns-test-1";
  processor.set_state(make_state(policy));
  auto version = ask("VERSION.BIND.", LDNS_RR_TYPE_TXT, ch);
  EXPECT_EQ(version.rcode(), LDNS_RCODE_NOERROR);
  EXPECT_EQ(version.lines(LDNS_SECTION_ANSWER), Lines{"VERSION.BIND. 0 CH TXT \"hayate test\""});
  auto id = ask("id.server.", LDNS_RR_TYPE_TXT, ch);
  EXPECT_EQ(id.lines(LDNS_SECTION_ANSWER), Lines{"id.server. 0 CH TXT \"ns-test-1\""});
}

TEST_F(QueryProcessorTest, RepeatedQuestionsComeFromTheCacheWithIdAndCasePatched) {
  QueryOptions first;
  first.id = 1;
  auto a = ask("www.example.com.", LDNS_RR_TYPE_A, first);
  EXPECT_EQ(stats.answers_from_cache.load(), 0u);
  QueryOptions second;
  second.id = 2;
  second.rd = true;
  auto b = ask("WWW.EXAMPLE.COM.", LDNS_RR_TYPE_A, second);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
  EXPECT_EQ(ldns_pkt_id(b.pkt.get()), 2);
  EXPECT_TRUE(ldns_pkt_rd(b.pkt.get()));
  EXPECT_EQ(b.lines(LDNS_SECTION_ANSWER)[0], "WWW.EXAMPLE.COM. 3600 IN CNAME web.EXAMPLE.COM.");
  EXPECT_EQ(a.lines(LDNS_SECTION_ANSWER)[0], "www.example.com. 3600 IN CNAME web.example.com.");

  // The cached answer is byte-identical to what a fresh render gives the same query (names that
  // were compressed against the question take its case either way).
  QueryProcessor fresh(make_state(), stats);
  std::vector<Bytes> rendered;
  fresh.handle(make_query("WWW.EXAMPLE.COM.", LDNS_RR_TYPE_A, second), client_from("127.0.0.1"),
               [&](std::span<const std::uint8_t> m) { rendered.emplace_back(m.begin(), m.end()); });
  ASSERT_EQ(rendered.size(), 1u);
  EXPECT_EQ(rendered[0], b.wire);

  // An EDNS query is a different question shape: no hit.
  QueryOptions edns;
  edns.edns = true;
  ask("www.example.com.", LDNS_RR_TYPE_A, edns);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);

  // A new snapshot starts with an empty cache.
  processor.set_state(make_state());
  ask("www.example.com.", LDNS_RR_TYPE_A, first);
  EXPECT_EQ(stats.answers_from_cache.load(), 1u);
}

TEST_F(QueryProcessorTest, AxfrOverTcpStreamsTheZoneToAllowedClients) {
  Bytes query = make_query("example.com.", LDNS_RR_TYPE_AXFR);
  auto messages = ask_raw(query, client_from("127.0.0.1", Transport::kTcp));
  ASSERT_GE(messages.size(), 1u);
  std::vector<std::string> records;
  for (const auto& message : messages) {
    auto r = parse(message);
    EXPECT_EQ(r.rcode(), LDNS_RCODE_NOERROR);
    EXPECT_TRUE(ldns_pkt_aa(r.pkt.get()));
    for (const auto& line : r.lines(LDNS_SECTION_ANSWER))
      records.push_back(line);
  }
  ASSERT_GE(records.size(), 3u);
  EXPECT_NE(records.front().find(" SOA "), std::string::npos);
  EXPECT_EQ(records.front(), records.back());
  // Every record of the zone once, plus the closing SOA.
  auto zone = processor.state().zones->get(*zone::Name::from_text("example.com."));
  EXPECT_EQ(records.size(), zone->record_count() + 1);

  auto refused = ask_raw(query, client_from("192.0.2.200", Transport::kTcp));
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_EQ(parse(refused[0]).rcode(), LDNS_RCODE_REFUSED);
  // example.net allows nobody (empty ACL).
  auto net = ask_raw(make_query("example.net.", LDNS_RR_TYPE_AXFR),
                     client_from("127.0.0.1", Transport::kTcp));
  EXPECT_EQ(parse(net[0]).rcode(), LDNS_RCODE_REFUSED);
  auto notauth = ask_raw(make_query("www.example.com.", LDNS_RR_TYPE_AXFR),
                         client_from("127.0.0.1", Transport::kTcp));
  EXPECT_EQ(parse(notauth[0]).rcode(), LDNS_RCODE_NOTAUTH);
}

TEST_F(QueryProcessorTest, StatsCountQueriesByTransportTypeAndRcode) {
  ask("web.example.com.", LDNS_RR_TYPE_A);
  ask("nothere.example.com.", LDNS_RR_TYPE_AAAA, {}, Transport::kTcp);
  EXPECT_EQ(stats.queries_by_transport[0].load(), 1u);
  EXPECT_EQ(stats.queries_by_transport[1].load(), 1u);
  EXPECT_EQ(stats.queries_by_qtype[LDNS_RR_TYPE_A].load(), 1u);
  EXPECT_EQ(stats.queries_by_qtype[LDNS_RR_TYPE_AAAA].load(), 1u);
  EXPECT_EQ(stats.responses_by_rcode[0].load(), 1u);
  EXPECT_EQ(stats.responses_by_rcode[3].load(), 1u);
}

}  // namespace
}  // namespace hayate::server
