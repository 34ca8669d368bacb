// The DNS64 / AAAA filter stage against a scripted source: which questions it asks, and each rule
// of issue 5 on the answers it gets back (server/dns64_stage, server/dns64_synthesis).
#include "server/dns64_stage.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "server/dns64_synthesis.hpp"
#include "tests/unit/dns64_test_util.hpp"
#include "zone/rr_type.hpp"

namespace hayate::server {
namespace {

namespace rr_type = zone::rr_type;
using zone::ResponseRRset;

using test::N;
using test::v4;
using test::v6;

ResponseRRset rrset(const std::string& owner, std::uint16_t type, std::uint32_t ttl,
                    std::vector<zone::Rdata> rdatas) {
  return ResponseRRset{N(owner), type, zone::rr_class::IN, ttl, std::move(rdatas)};
}

zone::Rdata name_rdata(const std::string& text) {
  zone::Name name = N(text);
  auto wire = name.wire();
  return zone::Rdata(wire.begin(), wire.end());
}

StagedAnswer answer(std::uint16_t rcode, std::vector<ResponseRRset> records,
                    std::vector<ResponseRRset> authority = {}) {
  StagedAnswer out;
  out.rcode = rcode;
  out.answer() = std::move(records);
  out.section(zone::Section::kAuthority) = std::move(authority);
  return out;
}

ResponseRRset soa(std::uint32_t ttl) {
  zone::Rdata rdata = name_rdata("ns1.test.");
  auto mail = name_rdata("hostmaster.test.");
  rdata.insert(rdata.end(), mail.begin(), mail.end());
  rdata.resize(rdata.size() + 20, 0);
  return rrset("test.", rr_type::SOA, ttl, {rdata});
}

StagedAnswer nodata(std::uint32_t soa_ttl = 300) {
  return answer(zone::rcode::NOERROR, {}, {soa(soa_ttl)});
}

// Answers from a table; questions not in it get SERVFAIL. Records every question asked.
class ScriptedSource final : public AnswerSource {
 public:
  void set(const std::string& name, std::uint16_t qtype, StagedAnswer a) {
    answers_[{N(name).to_text(), qtype}] = std::move(a);
  }
  void ask(const zone::Name& qname, std::uint16_t qtype, Done done) override {
    asked.emplace_back(qname.to_text(), qtype);
    auto it = answers_.find({qname.to_text(), qtype});
    StagedAnswer a = it != answers_.end() ? it->second : staged_error(zone::rcode::SERVFAIL, true);
    if (deferred) {
      later.push_back([done, a]() { done(a); });
    } else {
      done(a);
    }
  }
  std::vector<std::pair<std::string, std::uint16_t>> asked;
  bool deferred = false;  // answer only when run_later() is called, as the resolver does
  std::vector<std::function<void()>> later;
  void run_later() {
    while (!later.empty()) {
      auto next = std::move(later.front());
      later.erase(later.begin());
      next();
    }
  }

 private:
  std::map<std::pair<std::string, std::uint16_t>, StagedAnswer> answers_;
};

Dns64Policy policy(Dns64Mode mode = Dns64Mode::kDns64) {
  Dns64Policy p;
  p.mode = mode;
  p.prefixes = {zone::Nat64Prefix{{0x20, 0x01, 0x0d, 0xb8, 0, 0x64}, 96}};  // 2001:db8:64::/96
  p.exclude = {*Prefix::parse("::ffff:0:0/96")};
  return p;
}

Dns64Question question(const std::string& name, std::uint16_t qtype = rr_type::AAAA) {
  return Dns64Question{N(name), qtype, zone::rr_class::IN, false, false};
}

StagedAnswer run(const Dns64Policy& p, const Dns64Question& q, ScriptedSource& source) {
  std::optional<StagedAnswer> result;
  answer_with_dns64(p, q, source, [&](StagedAnswer a) { result = std::move(a); });
  source.run_later();
  EXPECT_TRUE(result.has_value());
  return result.value_or(StagedAnswer{});
}

TEST(Dns64Stage, NodataIsSynthesizedFromA) {
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata(300));
  source.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 3000, {v4("192.0.2.1")})},
                    {rrset("test.", rr_type::NS, 3600, {name_rdata("ns1.test.")})}));
  StagedAnswer out = run(policy(), question("a.test."), source);
  EXPECT_EQ(source.asked, (std::vector<std::pair<std::string, std::uint16_t>>{
                              {"a.test.", rr_type::AAAA}, {"a.test.", rr_type::A}}));
  EXPECT_EQ(out.rcode, zone::rcode::NOERROR);
  ASSERT_EQ(out.answer().size(), 1u);
  EXPECT_EQ(out.answer()[0].type, rr_type::AAAA);
  EXPECT_EQ(out.answer()[0].rdatas, (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.2.1")}));
  EXPECT_EQ(out.answer()[0].ttl, 300u) << "min(A TTL 3000, SOA TTL 300)";
  // Authority from the A answer, not the AAAA answer's SOA.
  ASSERT_EQ(out.authority().size(), 1u);
  EXPECT_EQ(out.authority()[0].type, rr_type::NS);
}

TEST(Dns64Stage, TtlIsTheATtlWhenShorterAnd600WithoutSoa) {
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata(300));
  source.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
  EXPECT_EQ(run(policy(), question("a.test."), source).answer()[0].ttl, 60u);

  ScriptedSource no_soa;
  no_soa.set("a.test.", rr_type::AAAA, answer(zone::rcode::NOERROR, {}));
  no_soa.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 3000, {v4("192.0.2.1")})}));
  EXPECT_EQ(run(policy(), question("a.test."), no_soa).answer()[0].ttl, 600u)
      << "RFC 6147 §5.1.7: min(A TTL, 600) without an SOA";
}

TEST(Dns64Stage, NxdomainPassesThroughWithoutAskingForA) {
  ScriptedSource source;
  source.set("gone.test.", rr_type::AAAA, answer(zone::rcode::NXDOMAIN, {}, {soa(300)}));
  StagedAnswer out = run(policy(), question("gone.test."), source);
  EXPECT_EQ(out.rcode, zone::rcode::NXDOMAIN);
  EXPECT_EQ(source.asked.size(), 1u);
}

TEST(Dns64Stage, OtherErrorsCountAsEmptyAndSynthesisProceeds) {
  for (std::uint16_t rcode : {zone::rcode::SERVFAIL, zone::rcode::REFUSED, zone::rcode::FORMERR}) {
    ScriptedSource source;
    source.set("a.test.", rr_type::AAAA, answer(rcode, {}));
    source.set("a.test.", rr_type::A,
               answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
    StagedAnswer out = run(policy(), question("a.test."), source);
    EXPECT_EQ(out.rcode, zone::rcode::NOERROR) << rcode;
    ASSERT_EQ(out.answer().size(), 1u);
    EXPECT_EQ(out.answer()[0].ttl, 60u);
  }
}

TEST(Dns64Stage, FailedAaaaAndFailedAGiveTheAaaaError) {
  ScriptedSource source;  // both questions unscripted: SERVFAIL, as after a timeout
  StagedAnswer out = run(policy(), question("a.test."), source);
  EXPECT_EQ(out.rcode, zone::rcode::SERVFAIL);
}

TEST(Dns64Stage, RealAaaaStandsUnlessExcluded) {
  ScriptedSource source;
  source.set("dual.test.", rr_type::AAAA,
             answer(zone::rcode::NOERROR,
                    {rrset("dual.test.", rr_type::AAAA, 3600, {v6("2001:db8::1")})}));
  StagedAnswer out = run(policy(), question("dual.test."), source);
  EXPECT_EQ(out.answer()[0].rdatas, (std::vector<zone::Rdata>{v6("2001:db8::1")}));
  EXPECT_EQ(source.asked.size(), 1u);

  ScriptedSource mapped;
  mapped.set("m.test.", rr_type::AAAA,
             answer(zone::rcode::NOERROR,
                    {rrset("m.test.", rr_type::AAAA, 3600, {v6("::ffff:192.0.2.7")})}));
  mapped.set("m.test.", rr_type::A,
             answer(zone::rcode::NOERROR, {rrset("m.test.", rr_type::A, 60, {v4("192.0.2.7")})}));
  out = run(policy(), question("m.test."), mapped);
  EXPECT_EQ(out.answer()[0].rdatas, (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.2.7")}))
      << "RFC 6147 §5.1.4: only excluded AAAA count as none";
}

TEST(Dns64Stage, CnameChainIsKeptAndTheEndOwnsTheSynthesizedAaaa) {
  ScriptedSource source;
  source.set(
      "alias.test.", rr_type::AAAA,
      answer(zone::rcode::NOERROR,
             {rrset("alias.test.", rr_type::CNAME, 120, {name_rdata("real.test.")})}, {soa(300)}));
  source.set("alias.test.", rr_type::A,
             answer(zone::rcode::NOERROR,
                    {rrset("alias.test.", rr_type::CNAME, 120, {name_rdata("real.test.")}),
                     rrset("real.test.", rr_type::A, 60, {v4("192.0.2.1"), v4("192.0.2.2")})}));
  StagedAnswer out = run(policy(), question("alias.test."), source);
  ASSERT_EQ(out.answer().size(), 2u);
  EXPECT_EQ(out.answer()[0].type, rr_type::CNAME);
  EXPECT_EQ(out.answer()[0].ttl, 120u);
  EXPECT_EQ(out.answer()[1].owner, N("real.test."));
  EXPECT_EQ(out.answer()[1].type, rr_type::AAAA);
  EXPECT_EQ(out.answer()[1].rdatas.size(), 2u);
}

TEST(Dns64Stage, OneAaaaPerPrefixPerA) {
  Dns64Policy p = policy();
  p.prefixes.push_back(zone::Nat64Prefix{{0x20, 0x01, 0x0d, 0xb8, 0x01}, 40});
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata());
  source.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR,
                    {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.33"), v4("192.0.2.34")})}));
  StagedAnswer out = run(p, question("a.test."), source);
  EXPECT_EQ(out.answer()[0].rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.2.33"), v6("2001:db8:64::192.0.2.34"),
                                      v6("2001:db8:1c0:2:21::"), v6("2001:db8:1c0:2:22::")}));
}

TEST(Dns64Stage, MappedAclAndTheWellKnownPrefixRule) {
  Dns64Policy p = policy();
  p.mapped = {*Prefix::parse("192.0.2.0/25")};
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata());
  source.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR,
                    {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1"), v4("192.0.2.200")})}));
  EXPECT_EQ(run(p, question("a.test."), source).answer()[0].rdatas,
            (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.2.1")}));

  Dns64Policy wkp = policy();
  wkp.prefixes = {zone::Nat64Prefix::well_known()};
  ScriptedSource private_only;
  private_only.set("p.test.", rr_type::AAAA, nodata());
  private_only.set("p.test.", rr_type::A,
                   answer(zone::rcode::NOERROR,
                          {rrset("p.test.", rr_type::A, 60, {v4("10.0.0.1"), v4("1.2.3.4")})}));
  EXPECT_EQ(run(wkp, question("p.test."), private_only).answer()[0].rdatas,
            (std::vector<zone::Rdata>{v6("64:ff9b::1.2.3.4")}))
      << "RFC 6052 §3.1: no non-global IPv4 under 64:ff9b::/96";

  ScriptedSource nothing_mapped;
  nothing_mapped.set("p.test.", rr_type::AAAA, nodata());
  nothing_mapped.set(
      "p.test.", rr_type::A,
      answer(zone::rcode::NOERROR, {rrset("p.test.", rr_type::A, 60, {v4("10.0.0.1")})}));
  StagedAnswer out = run(wkp, question("p.test."), nothing_mapped);
  EXPECT_TRUE(out.answer().empty()) << "nothing to synthesize: the AAAA answer stands";
  EXPECT_NE(out.authority_soa(), nullptr);
}

TEST(Dns64Stage, CheckingDisabledMeansNoSynthesis) {
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata());
  Dns64Question q = question("a.test.");
  q.checking_disabled = true;
  StagedAnswer out = run(policy(), q, source);
  EXPECT_TRUE(out.answer().empty());
  EXPECT_EQ(source.asked.size(), 1u);
}

TEST(Dns64Stage, SignedNodataForDnssecOkClientsUnlessBreakDnssec) {
  StagedAnswer signed_nodata = nodata();
  signed_nodata.signed_data = true;
  auto script = [&](ScriptedSource& s) {
    s.set("a.test.", rr_type::AAAA, signed_nodata);
    s.set("a.test.", rr_type::A,
          answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
  };
  Dns64Question q = question("a.test.");
  q.dnssec_ok = true;
  ScriptedSource source;
  script(source);
  EXPECT_TRUE(run(policy(), q, source).answer().empty());

  Dns64Policy breaking = policy();
  breaking.break_dnssec = true;
  ScriptedSource again;
  script(again);
  EXPECT_EQ(run(breaking, q, again).answer().size(), 1u);

  ScriptedSource no_do;  // DO=0: the client does not validate, synthesis proceeds
  script(no_do);
  EXPECT_EQ(run(policy(), question("a.test."), no_do).answer().size(), 1u);
}

TEST(Dns64Stage, SynthesizedAnswerIsNotAuthoritativeAndDropsSignaturesOverA) {
  zone::Rdata rrsig_over_a(18, 0);
  rrsig_over_a[1] = 1;  // type covered: A
  StagedAnswer a =
      answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1")}),
                                    rrset("a.test.", rr_type::RRSIG, 60, {rrsig_over_a})});
  a.authoritative = true;
  a.signed_data = true;
  ScriptedSource source;
  source.set("a.test.", rr_type::AAAA, nodata());
  source.set("a.test.", rr_type::A, a);
  StagedAnswer out = run(policy(), question("a.test."), source);
  EXPECT_FALSE(out.authoritative);
  EXPECT_FALSE(out.signed_data);
  ASSERT_EQ(out.answer().size(), 1u);
  EXPECT_EQ(out.answer()[0].type, rr_type::AAAA);
}

TEST(Dns64Stage, SynthesizeAlwaysIgnoresRealAaaaAndKeepsTheChain) {
  ScriptedSource source;
  source.set("dual.test.", rr_type::AAAA,
             answer(zone::rcode::NOERROR,
                    {rrset("dual.test.", rr_type::AAAA, 3600, {v6("2001:db8::1")})}));
  source.set("dual.test.", rr_type::A,
             answer(zone::rcode::NOERROR,
                    {rrset("dual.test.", rr_type::CNAME, 120, {name_rdata("real.test.")}),
                     rrset("real.test.", rr_type::A, 3000, {v4("192.0.2.1")})}));
  StagedAnswer out = run(policy(Dns64Mode::kSynthesizeAlways), question("dual.test."), source);
  ASSERT_EQ(out.answer().size(), 2u);
  EXPECT_EQ(out.answer()[1].rdatas, (std::vector<zone::Rdata>{v6("2001:db8:64::192.0.2.1")}));
  EXPECT_EQ(out.answer()[1].ttl, 3000u) << "no AAAA answer was asked for: the A TTL";
  EXPECT_EQ(source.asked.size(), 1u);

  ScriptedSource gone;
  gone.set("gone.test.", rr_type::A, answer(zone::rcode::NXDOMAIN, {}, {soa(300)}));
  EXPECT_EQ(run(policy(Dns64Mode::kSynthesizeAlways), question("gone.test."), gone).rcode,
            zone::rcode::NXDOMAIN);
}

TEST(Dns64Stage, Ipv4OnlyArpaIsAnsweredLocally) {
  Dns64Policy p = policy();
  p.prefixes = {zone::Nat64Prefix::well_known()};
  ScriptedSource source;
  StagedAnswer aaaa = run(p, question("IPv4only.arpa."), source);
  EXPECT_TRUE(source.asked.empty());
  ASSERT_EQ(aaaa.answer().size(), 1u);
  EXPECT_EQ(aaaa.answer()[0].rdatas,
            (std::vector<zone::Rdata>{v6("64:ff9b::192.0.0.170"), v6("64:ff9b::192.0.0.171")}))
      << "RFC 7050 §3: the well-known addresses are synthesized despite RFC 6052 §3.1";
  StagedAnswer a = run(p, question("ipv4only.arpa.", rr_type::A), source);
  EXPECT_EQ(a.answer()[0].rdatas, (std::vector<zone::Rdata>{v4("192.0.0.170"), v4("192.0.0.171")}));
  StagedAnswer mx = run(p, question("ipv4only.arpa.", rr_type::MX), source);
  EXPECT_EQ(mx.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(mx.answer().empty());
  EXPECT_TRUE(source.asked.empty());
}

TEST(Dns64Stage, PtrInsideThePrefixBecomesACnameToInAddrArpa) {
  const std::string ptr_name =
      "1.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.4.6.0.0.8.b.d.0.1.0.0.2.ip6.arpa.";
  ScriptedSource source;
  source.set("1.2.0.192.in-addr.arpa.", rr_type::PTR,
             answer(zone::rcode::NOERROR, {rrset("1.2.0.192.in-addr.arpa.", rr_type::PTR, 3600,
                                                 {name_rdata("host.test.")})}));
  StagedAnswer out = run(policy(), question(ptr_name, rr_type::PTR), source);
  EXPECT_EQ(source.asked, (std::vector<std::pair<std::string, std::uint16_t>>{
                              {"1.2.0.192.in-addr.arpa.", rr_type::PTR}}));
  ASSERT_EQ(out.answer().size(), 2u);
  EXPECT_EQ(out.answer()[0].type, rr_type::CNAME);
  EXPECT_EQ(out.answer()[0].owner, N(ptr_name));
  EXPECT_EQ(out.answer()[0].rdatas[0], name_rdata("1.2.0.192.in-addr.arpa."));
  EXPECT_EQ(out.answer()[1].type, rr_type::PTR);

  EXPECT_FALSE(dns64_applies(policy(),
                             N("1.2.0.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.4.6.0.0.9.b.d.0."
                               "1.0.0.2.ip6.arpa."),
                             rr_type::PTR, zone::rr_class::IN))
      << "outside the prefix: answered normally";
}

TEST(Dns64Stage, OnlyClassInAndOnlyTheQuestionsAPolicyChanges) {
  EXPECT_FALSE(dns64_applies(policy(), N("a.test."), rr_type::AAAA, zone::rr_class::CH));
  EXPECT_FALSE(dns64_applies(policy(), N("a.test."), rr_type::A, zone::rr_class::IN));
  EXPECT_TRUE(dns64_applies(policy(), N("a.test."), rr_type::AAAA, zone::rr_class::IN));
  EXPECT_TRUE(
      dns64_applies(policy(Dns64Mode::kFilterAaaa), N("a.test."), rr_type::MX, zone::rr_class::IN));
}

TEST(Dns64Stage, DeferredSourcesAnswerLater) {
  ScriptedSource source;
  source.deferred = true;
  source.set("a.test.", rr_type::AAAA, nodata());
  source.set("a.test.", rr_type::A,
             answer(zone::rcode::NOERROR, {rrset("a.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
  std::optional<StagedAnswer> result;
  const Dns64Policy p = policy();  // must outlive the deferred answer (the stage's contract)
  answer_with_dns64(p, question("a.test."), source, [&](StagedAnswer a) { result = std::move(a); });
  EXPECT_FALSE(result.has_value());
  source.run_later();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->answer()[0].type, rr_type::AAAA);
}

// --- the AAAA filter ----------------------------------------------------------------------------

TEST(AaaaFilter, AaaaGoesWhenTheNameHasA) {
  ScriptedSource source;
  source.set("dual.test.", rr_type::AAAA,
             answer(zone::rcode::NOERROR,
                    {rrset("dual.test.", rr_type::AAAA, 3600, {v6("2001:db8::1")})}));
  source.set(
      "dual.test.", rr_type::A,
      answer(zone::rcode::NOERROR, {rrset("dual.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
  StagedAnswer out = run(policy(Dns64Mode::kFilterAaaa), question("dual.test."), source);
  EXPECT_EQ(out.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(out.answer().empty());

  ScriptedSource v6only;
  v6only.set(
      "v6.test.", rr_type::AAAA,
      answer(zone::rcode::NOERROR, {rrset("v6.test.", rr_type::AAAA, 3600, {v6("2001:db8::1")})}));
  v6only.set("v6.test.", rr_type::A, nodata());
  EXPECT_EQ(run(policy(Dns64Mode::kFilterAaaa), question("v6.test."), v6only).answer().size(), 1u)
      << "no A: the AAAA is the only way there";
}

TEST(AaaaFilter, SignedAnswersForDnssecOkClientsAreKeptUnlessBreakDnssec) {
  StagedAnswer aaaa =
      answer(zone::rcode::NOERROR, {rrset("dual.test.", rr_type::AAAA, 3600, {v6("2001:db8::1")})});
  aaaa.signed_data = true;
  auto script = [&](ScriptedSource& s) {
    s.set("dual.test.", rr_type::AAAA, aaaa);
    s.set("dual.test.", rr_type::A,
          answer(zone::rcode::NOERROR, {rrset("dual.test.", rr_type::A, 60, {v4("192.0.2.1")})}));
  };
  Dns64Question q = question("dual.test.");
  q.dnssec_ok = true;
  ScriptedSource source;
  script(source);
  EXPECT_EQ(run(policy(Dns64Mode::kFilterAaaa), q, source).answer().size(), 1u);
  Dns64Policy breaking = policy(Dns64Mode::kFilterAaaa);
  breaking.break_dnssec = true;
  ScriptedSource again;
  script(again);
  EXPECT_TRUE(run(breaking, q, again).answer().empty());
}

TEST(AaaaFilter, AdditionalAaaaBesideAGoesAndIpv6HintIsStripped) {
  StagedAnswer mx =
      answer(zone::rcode::NOERROR, {rrset("mx.test.", rr_type::MX, 3600, {zone::Rdata{0, 10}})});
  mx.section(zone::Section::kAdditional) = {
      rrset("mail.test.", rr_type::A, 60, {v4("192.0.2.1")}),
      rrset("mail.test.", rr_type::AAAA, 60, {v6("2001:db8::1")}),
      rrset("v6mail.test.", rr_type::AAAA, 60, {v6("2001:db8::2")}),
  };
  ScriptedSource source;
  source.set("mx.test.", rr_type::MX, mx);
  StagedAnswer out = run(policy(Dns64Mode::kFilterAaaa), question("mx.test.", rr_type::MX), source);
  const auto& additional = out.section(zone::Section::kAdditional);
  ASSERT_EQ(additional.size(), 2u);
  EXPECT_EQ(additional[0].type, rr_type::A);
  EXPECT_EQ(additional[1].owner, N("v6mail.test."));

  // HTTPS 1 . alpn=h2 ipv6hint=2001:db8::1 port=443 (RFC 9460 §2.2 wire form).
  zone::Rdata https = {0, 1, 0, 0, 1, 0, 3, 2, 'h', '2', 0, 3, 0, 2, 1, 187, 0, 6, 0, 16};
  zone::Rdata hint = v6("2001:db8::1");
  https.insert(https.end() - 0, hint.begin(), hint.end());
  // Keys must be in order; move port after the hint is not needed for the strip: check removal.
  zone::Rdata stripped = without_ipv6hint(https);
  EXPECT_EQ(stripped, (zone::Rdata{0, 1, 0, 0, 1, 0, 3, 2, 'h', '2', 0, 3, 0, 2, 1, 187}));
  ScriptedSource svc;
  svc.set("svc.test.", rr_type::HTTPS,
          answer(zone::rcode::NOERROR, {rrset("svc.test.", rr_type::HTTPS, 60, {https})}));
  EXPECT_EQ(run(policy(Dns64Mode::kFilterAaaa), question("svc.test.", rr_type::HTTPS), svc)
                .answer()[0]
                .rdatas[0],
            stripped);
  zone::Rdata broken = {0, 1, 0, 0, 6, 0, 16, 1};  // ipv6hint running past the end
  EXPECT_EQ(without_ipv6hint(broken), broken);
}

}  // namespace
}  // namespace hayate::server
