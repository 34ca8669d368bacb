#include "server/resolver/iterator.hpp"

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "iterator_test_util.hpp"
#include "server/resolver/scripted_upstream.hpp"

namespace hayate::server::resolver {
namespace {

using namespace testing;
using namespace std::chrono_literals;

const UpstreamAddress kRoot = UpstreamAddress::from_string("10.0.0.1");
const UpstreamAddress kTld = UpstreamAddress::from_string("10.0.1.1");
const UpstreamAddress kExample = UpstreamAddress::from_string("10.0.2.1");
const UpstreamAddress kExample2 = UpstreamAddress::from_string("10.0.2.2");
const UpstreamAddress kOther = UpstreamAddress::from_string("10.0.3.1");

// A small authoritative server for one zone: referrals for NS below the apex (with whatever
// address records the zone holds for the server names), AA answers, a CNAME or a synthesised
// DNAME answer without chasing, NODATA/NXDOMAIN with the SOA, REFUSED outside the zone.
struct FakeZone {
  std::string apex;
  std::vector<Rr> records;
  std::uint32_t soa_ttl = 3600;
  std::uint32_t soa_minimum = 300;

  Msg operator()(const UpstreamQuery& q) const {
    zone::Name zone_name = name(apex);
    if (!q.qname.is_subdomain_of(zone_name)) return error_reply(zone::rcode::REFUSED);
    for (const Rr& rr : records) {
      zone::Name owner = name(rr.owner);
      if (rr.type == rr_type::NS && owner != zone_name && q.qname.is_subdomain_of(owner))
        return delegation(owner);
    }
    Msg msg;
    msg.aa = true;
    for (const Rr& rr : records)
      if (name(rr.owner) == q.qname && rr.type == q.qtype) msg.answer.push_back(rr);
    if (!msg.answer.empty()) return msg;
    for (const Rr& rr : records) {
      zone::Name owner = name(rr.owner);
      if (rr.type == rr_type::CNAME && owner == q.qname) return authoritative({rr});
      if (rr.type == rr_type::DNAME && q.qname != owner && q.qname.is_subdomain_of(owner)) {
        auto target = dname_substitute(q.qname, owner, *rdata_name(rr.rdata));
        return authoritative({rr, cname(q.qname.to_text(), target->to_text(), rr.ttl)});
      }
    }
    bool exists = false;
    for (const Rr& rr : records)
      exists = exists || name(rr.owner).is_subdomain_of(q.qname);
    msg.rcode = exists ? zone::rcode::NOERROR : zone::rcode::NXDOMAIN;
    msg.authority.push_back(soa(apex, soa_ttl, soa_minimum));
    return msg;
  }

  Msg delegation(const zone::Name& cut) const {
    Msg msg;
    for (const Rr& rr : records)
      if (rr.type == rr_type::NS && name(rr.owner) == cut) msg.authority.push_back(rr);
    for (const Rr& rr : records) {
      if (rr.type != rr_type::A && rr.type != rr_type::AAAA) continue;
      for (const Rr& ns_rr : msg.authority)
        if (name(rr.owner) == *rdata_name(ns_rr.rdata)) msg.additional.push_back(rr);
    }
    return msg;
  }
};

using Responder = std::function<Msg(const UpstreamQuery&)>;

std::string type_text(std::uint16_t type) {
  switch (type) {
    case rr_type::A:
      return "A";
    case rr_type::AAAA:
      return "AAAA";
    case rr_type::NS:
      return "NS";
    case rr_type::CNAME:
      return "CNAME";
  }
  return std::to_string(type);
}

class IteratorTest : public ::testing::Test {
 protected:
  IteratorTest() {
    hints_ =
        parse_root_hints(". 3600000 NS a.root.test.\na.root.test. 3600000 A 10.0.0.1\n").value();
    // The scripted trees have no NS RRset at the root; the priming tests turn it back on.
    limits_.prime_root = false;
  }

  static InfraOptions infra_options() {
    InfraOptions options;
    options.explore_percent = 0;  // deterministic server choice
    return options;
  }

  void serve(const UpstreamAddress& server, Responder responder,
             std::optional<unsigned> times = std::nullopt) {
    ScriptedRule rule;
    rule.server = server;
    rule.times = times;
    rule.respond = [responder](const UpstreamQuery& q) {
      return render(responder(q), q.qname, q.qtype, q.qclass);
    };
    upstream_.add(std::move(rule));
  }
  void misbehave(const UpstreamAddress& server, ScriptedBehaviour behaviour) {
    ScriptedRule rule;
    rule.server = server;
    rule.behaviour = behaviour;
    upstream_.add(std::move(rule));
  }

  // root → test. → example.test. (www, mail) and other.test. (www), all with glue.
  void standard_tree(Responder example = example_zone()) {
    serve(kRoot, root_zone());
    serve_below_root(std::move(example));
  }
  void serve_below_root(Responder example = example_zone()) {
    serve(kTld,
          FakeZone{"test.",
                   {ns("example.test.", "ns1.example.test."), a("ns1.example.test.", "10.0.2.1"),
                    ns("other.test.", "ns1.other.test."), a("ns1.other.test.", "10.0.3.1")}});
    serve(kExample, std::move(example));
    serve(kOther, FakeZone{"other.test.", {a("www.other.test.", "192.0.2.90")}});
  }
  static FakeZone root_zone() {
    return FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}};
  }
  static FakeZone example_zone() {
    return FakeZone{"example.test.",
                    {ns("example.test.", "ns1.example.test."), a("ns1.example.test.", "10.0.2.1"),
                     a("www.example.test.", "192.0.2.80"), a("mail.example.test.", "192.0.2.25")}};
  }

  Iterator& iterator() {
    if (!iterator_)
      iterator_ =
          std::make_unique<Iterator>(IteratorServices{upstream_, rrsets_, negatives_, infra_},
                                     hints_, limits_, clock_.function());
    return *iterator_;
  }

  void spawn(const std::string& qname, std::uint16_t qtype, std::optional<ResolveResult>& out) {
    boost::asio::co_spawn(context_,
                          iterator().resolve(Question{name(qname), qtype, 1, std::nullopt}),
                          [&out](std::exception_ptr error, ResolveResult result) {
                            if (error) std::rethrow_exception(error);
                            out = std::move(result);
                          });
  }

  ResolveResult resolve(const std::string& qname, std::uint16_t qtype = rr_type::A) {
    std::optional<ResolveResult> out;
    spawn(qname, qtype, out);
    context_.restart();
    context_.run();
    EXPECT_TRUE(out) << "resolution did not finish";
    EXPECT_EQ(iterator().in_flight(), 0u);
    return out.value_or(ResolveResult{});
  }

  // "server qname type" for each message sent, e.g. "10.0.0.1 test. A".
  std::vector<std::string> sent() const {
    std::vector<std::string> out;
    for (const auto& message : upstream_.log())
      out.push_back(message.query.server.address.to_string() + " " + message.query.qname.to_text() +
                    " " + type_text(message.query.qtype));
    return out;
  }

  bool cached(const std::string& owner, std::uint16_t type) {
    return rrsets_.lookup(name(owner), type).has_value();
  }

  boost::asio::io_context context_;
  ManualClock clock_;
  CacheConfig config_;
  RrsetCache rrsets_{config_, clock_.function()};
  NegativeCache negatives_{config_, clock_.function()};
  InfraCache infra_{infra_options()};
  ScriptedUpstream upstream_{context_, &infra_};
  RootHints hints_;
  ResolverLimits limits_;
  std::unique_ptr<Iterator> iterator_;
};

std::vector<std::string> owners(const ResolveResult& result) {
  std::vector<std::string> out;
  for (const auto& rrset : result.answer)
    out.push_back(rrset.owner.to_text() + " " + type_text(rrset.type));
  return out;
}

TEST_F(IteratorTest, FollowsReferralsFromTheRootWithQnameMinimisationThenAnswersFromCache) {
  standard_tree();
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0].rdatas[0], a("x.", "192.0.2.80").rdata);
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(r.upstream_queries, 3u);
  // RFC 9156: each server learns only the next label, asked with QTYPE A.
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 test. A", "10.0.1.1 example.test. A",
                                              "10.0.2.1 www.example.test. A"}));
  // Referral NS at authority rank, glue at additional rank, the answer at AA-answer rank.
  EXPECT_EQ(rrsets_.lookup(name("example.test."), rr_type::NS)->rrset->trust, Trust::kAuthority);
  EXPECT_EQ(rrsets_.lookup(name("ns1.example.test."), rr_type::A)->rrset->trust,
            Trust::kAdditional);
  EXPECT_EQ(rrsets_.lookup(name("www.example.test."), rr_type::A)->rrset->trust,
            Trust::kAuthAnswer);

  clock_.advance(10s);
  ResolveResult again = resolve("www.example.test.");
  EXPECT_EQ(again.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(again.from_cache);
  ASSERT_EQ(again.answer.size(), 1u);
  EXPECT_EQ(again.answer[0].ttl, 3590u);
  EXPECT_EQ(upstream_.log().size(), 3u);  // nothing sent

  // Another name of the zone starts at the cached delegation: one query, to the leaf.
  ResolveResult nodata = resolve("mail.example.test.", rr_type::AAAA);
  EXPECT_EQ(nodata.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(nodata.answer.empty());
  EXPECT_EQ(sent().back(), "10.0.2.1 mail.example.test. AAAA");
  EXPECT_EQ(upstream_.log().size(), 4u);
}

// RFC 8109: the hints name a server that is no longer a root server; priming learns the
// current ones (and their addresses from the additional section), which the resolution uses.
TEST_F(IteratorTest, PrimingReplacesTheHintsWithTheRootsOwnNsRRset) {
  limits_.prime_root = true;
  const UpstreamAddress new_root = UpstreamAddress::from_string("10.0.0.2");
  serve(kRoot, [](const UpstreamQuery& q) {
    if (q.qname.is_root() && q.qtype == rr_type::NS)
      return authoritative({ns(".", "b.root.test.")}, {}, {a("b.root.test.", "10.0.0.2")});
    return error_reply(zone::rcode::REFUSED);  // the old server answers nothing else
  });
  serve(new_root, root_zone());
  serve_below_root();

  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent(),
            (std::vector<std::string>{"10.0.0.1 . NS", "10.0.0.2 test. A",
                                      "10.0.1.1 example.test. A", "10.0.2.1 www.example.test. A"}));
  EXPECT_EQ(rrsets_.lookup(name("."), rr_type::NS)->rrset->trust, Trust::kAuthAnswer);
  EXPECT_EQ(rrsets_.lookup(name("b.root.test."), rr_type::A)->rrset->trust, Trust::kAdditional);

  // Primed once: later questions start from the cache.
  EXPECT_EQ(resolve("www.other.test.").rcode, zone::rcode::NOERROR);
  const std::vector<std::string> all = sent();
  EXPECT_EQ(std::count(all.begin(), all.end(), "10.0.0.1 . NS"), 1);
  EXPECT_EQ(std::count(all.begin(), all.end(), "10.0.0.2 test. A"), 1);  // test. is cached
}

TEST_F(IteratorTest, PrimingThatFailsFallsBackToTheHints) {
  limits_.prime_root = true;
  serve(kRoot, [](const UpstreamQuery& q) {
    if (q.qname.is_root() && q.qtype == rr_type::NS) return error_reply(zone::rcode::SERVFAIL);
    return root_zone()(q);
  });
  serve_below_root();
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent().front(), "10.0.0.1 . NS");
  EXPECT_EQ(sent().back(), "10.0.2.1 www.example.test. A");
}

TEST_F(IteratorTest, WithoutMinimisationEveryServerSeesTheFullQuestion) {
  limits_.qname_minimisation = false;
  standard_tree();
  ResolveResult r = resolve("www.example.test.", rr_type::AAAA);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 www.example.test. AAAA",
                                              "10.0.1.1 www.example.test. AAAA",
                                              "10.0.2.1 www.example.test. AAAA"}));
}

TEST_F(IteratorTest, MinimisesOneLabelAtATimeInsideAZone) {
  FakeZone zone = example_zone();
  zone.records.push_back(a("a.b.c.example.test.", "192.0.2.3"));
  serve(kExample2, zone);
  rrsets_.insert(name("example.test."), rr_type::NS, 1, 3600, {name_rdata("ns2.example.test.")},
                 Trust::kAuthority);
  rrsets_.insert(name("ns2.example.test."), rr_type::A, 1, 3600, {a("x.", "10.0.2.2").rdata},
                 Trust::kAdditional);
  ResolveResult r = resolve("a.b.c.example.test.", rr_type::TXT);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent(),
            (std::vector<std::string>{"10.0.2.2 c.example.test. A", "10.0.2.2 b.c.example.test. A",
                                      "10.0.2.2 a.b.c.example.test. 16"}));
}

TEST_F(IteratorTest, RelaxedMinimisationDoesNotTrustNxDomainForAnEmptyNonTerminal) {
  // A server that wrongly says NXDOMAIN for empty non-terminals (RFC 9156 §4, RFC 8020 §4).
  FakeZone zone = example_zone();
  zone.records.push_back(a("a.b.example.test.", "192.0.2.4"));
  serve(kRoot,
        FakeZone{".",
                 {ns("example.test.", "ns1.example.test."), a("ns1.example.test.", "10.0.2.1")}});
  serve(kExample, [zone](const UpstreamQuery& q) {
    if (q.qname == name("b.example.test."))
      return negative(zone::rcode::NXDOMAIN, soa("example.test.", 3600, 300));
    return zone(q);
  });
  ResolveResult r = resolve("a.b.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 test. A", "10.0.0.1 example.test. A",
                                              "10.0.2.1 b.example.test. A",
                                              "10.0.2.1 a.b.example.test. A"}));
  EXPECT_FALSE(negatives_.lookup(name("b.example.test."), rr_type::A));  // not cached as a cut
}

TEST_F(IteratorTest, GluelessDelegationResolvesTheServerNameAsASubQuery) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld, FakeZone{"test.",
                       {ns("example.test.", "ns.other.test."),  // no glue possible
                        ns("other.test.", "ns1.other.test."), a("ns1.other.test.", "10.0.3.1")}});
  serve(kOther, FakeZone{"other.test.", {a("ns.other.test.", "10.0.2.1")}});
  serve(kExample, example_zone());
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 test. A", "10.0.1.1 example.test. A",
                                              // the sub-query, from the cached test. delegation
                                              "10.0.1.1 other.test. A", "10.0.3.1 ns.other.test. A",
                                              "10.0.2.1 www.example.test. A"}));
  EXPECT_EQ(r.upstream_queries, 5u);  // the sub-query counts against the same budget
  EXPECT_TRUE(cached("ns.other.test.", rr_type::A));
}

TEST_F(IteratorTest, GlueOutsideTheDelegatedZoneIsNotUsed) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  // Sibling glue: ns.other.test. is in the TLD's zone but not in example.test. (RFC 5452 §6,
  // Unbound's scrubber: only the child zone's own server names get glue believed).
  serve(kTld, FakeZone{"test.",
                       {ns("example.test.", "ns.other.test."), a("ns.other.test.", "6.6.6.6"),
                        ns("other.test.", "ns1.other.test."), a("ns1.other.test.", "10.0.3.1")}});
  serve(kOther, FakeZone{"other.test.", {a("ns.other.test.", "10.0.2.1")}});
  serve(kExample, example_zone());
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  for (const auto& line : sent())
    EXPECT_EQ(line.find("6.6.6.6"), std::string::npos) << line;
  EXPECT_EQ(sent().back(), "10.0.2.1 www.example.test. A");
  EXPECT_EQ(rrsets_.lookup(name("ns.other.test."), rr_type::A)->rrset->rdatas[0],
            a("x.", "10.0.2.1").rdata);
}

TEST_F(IteratorTest, CnameIntoAnotherZoneRestartsThereAndDropsTheForgedTarget) {
  FakeZone zone = example_zone();
  standard_tree([zone](const UpstreamQuery& q) {
    if (q.qname != name("alias.example.test.")) return zone(q);
    // The target's address is not example.test.'s to give (RFC 5452 §6).
    return authoritative(
        {cname("alias.example.test.", "www.other.test."), a("www.other.test.", "6.6.6.6")});
  });
  ResolveResult r = resolve("alias.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(owners(r),
            (std::vector<std::string>{"alias.example.test. CNAME", "www.other.test. A"}));
  EXPECT_EQ(r.answer[1].rdatas[0], a("x.", "192.0.2.90").rdata);
  EXPECT_EQ(sent(),
            (std::vector<std::string>{"10.0.0.1 test. A", "10.0.1.1 example.test. A",
                                      "10.0.2.1 alias.example.test. A",
                                      // restart at the target, from the cached test. delegation
                                      "10.0.1.1 other.test. A", "10.0.3.1 www.other.test. A"}));
  // The whole chain now comes from the cache.
  ResolveResult again = resolve("alias.example.test.");
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(owners(again), owners(r));
}

TEST_F(IteratorTest, DnameSynthesisesTheCname) {
  FakeZone zone = example_zone();
  zone.records.push_back(dname("old.example.test.", "new.example.test."));
  zone.records.push_back(a("www.new.example.test.", "192.0.2.81"));
  standard_tree(zone);
  ResolveResult r = resolve("www.old.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  // The server sends DNAME + CNAME without chasing; the target is asked next.
  EXPECT_EQ(owners(r),
            (std::vector<std::string>{"old.example.test. 39", "www.old.example.test. CNAME",
                                      "www.new.example.test. A"}));
  EXPECT_EQ(r.answer[1].rdatas[0], name_rdata("www.new.example.test."));
  EXPECT_EQ(sent().back(), "10.0.2.1 www.new.example.test. A");
}

// A later question for another type finds the synthesized CNAME in the cache and iterates only
// for the target; the answer still carries the DNAME before the CNAME (RFC 6672 §3.4). (The
// DNS64 engineer found it missing.)
TEST_F(IteratorTest, PartlyCachedDnameChainKeepsTheDname) {
  FakeZone zone = example_zone();
  zone.records.push_back(dname("old.example.test.", "new.example.test."));
  zone.records.push_back(a("www.new.example.test.", "192.0.2.81"));
  zone.records.push_back(aaaa("www.new.example.test.", "2001:db8::81"));
  standard_tree(zone);
  ASSERT_EQ(resolve("www.old.example.test.").rcode, zone::rcode::NOERROR);
  ResolveResult r = resolve("www.old.example.test.", rr_type::AAAA);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_FALSE(r.from_cache);
  EXPECT_EQ(owners(r),
            (std::vector<std::string>{"old.example.test. 39", "www.old.example.test. CNAME",
                                      "www.new.example.test. AAAA"}));
  EXPECT_EQ(sent().back(), "10.0.2.1 www.new.example.test. AAAA");
}

TEST_F(IteratorTest, NxDomainIsCachedWithTheSoaTtlRuleAndCoversNamesBelow) {
  standard_tree();
  ResolveResult r = resolve("nx.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NXDOMAIN);
  ASSERT_TRUE(r.soa);
  EXPECT_EQ(r.soa->owner, name("example.test."));
  EXPECT_EQ(r.soa->ttl, 300u);  // RFC 2308 §5: min(SOA TTL 3600, MINIMUM 300)
  auto entry = negatives_.lookup(name("nx.example.test."), rr_type::A);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry->ttl, 300u);
  std::size_t queries = upstream_.log().size();

  ResolveResult again = resolve("nx.example.test.", rr_type::MX);  // every type
  EXPECT_EQ(again.rcode, zone::rcode::NXDOMAIN);
  EXPECT_TRUE(again.from_cache);
  ResolveResult below = resolve("deep.below.nx.example.test.");  // RFC 8020
  EXPECT_EQ(below.rcode, zone::rcode::NXDOMAIN);
  EXPECT_TRUE(below.from_cache);
  ASSERT_TRUE(below.soa);
  EXPECT_EQ(upstream_.log().size(), queries);
}

TEST_F(IteratorTest, NoDataIsCachedWithTheSoaTtlRule) {
  FakeZone zone = example_zone();
  zone.soa_ttl = 60;  // below MINIMUM: the SOA's own TTL wins
  standard_tree(zone);
  ResolveResult r = resolve("www.example.test.", rr_type::AAAA);
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR);
  EXPECT_TRUE(r.answer.empty());
  ASSERT_TRUE(r.soa);
  EXPECT_EQ(r.soa->ttl, 60u);
  ResolveResult again = resolve("www.example.test.", rr_type::AAAA);
  EXPECT_TRUE(again.from_cache);
  EXPECT_EQ(again.rcode, zone::rcode::NOERROR);
  ASSERT_TRUE(again.soa);
  clock_.advance(61s);
  std::size_t queries = upstream_.log().size();
  EXPECT_FALSE(resolve("www.example.test.", rr_type::AAAA).from_cache);
  EXPECT_EQ(upstream_.log().size(), queries + 1);
  // The A record is still there: NODATA is per type.
  EXPECT_EQ(resolve("www.example.test.").answer.size(), 1u);
}

// Two servers for example.test.: the first one chosen misbehaves. The infra cache is told the
// good one is slow, so that the bad one (unknown, 376 ms estimate) is tried first.
class IteratorTwoServerTest : public IteratorTest {
 protected:
  void two_server_tree(Responder first) {
    serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
    serve(kTld, FakeZone{"test.",
                         {ns("example.test.", "ns1.example.test."),
                          ns("example.test.", "ns2.example.test."),
                          a("ns1.example.test.", "10.0.2.1"), a("ns2.example.test.", "10.0.2.2")}});
    serve(kExample2, std::move(first));
    serve(kExample, example_zone());
    infra_.record_rtt(kExample, 900ms);
  }
};

TEST_F(IteratorTwoServerTest, UpwardReferralMarksTheServerLameAndTheNextOneAnswers) {
  two_server_tree([](const UpstreamQuery&) { return referral({ns(".", "a.root.test.")}); });
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 test. A", "10.0.1.1 example.test. A",
                                              "10.0.2.2 www.example.test. A",
                                              "10.0.2.1 www.example.test. A"}));
  EXPECT_TRUE(infra_.is_lame(kExample2, name("example.test.")));
  EXPECT_FALSE(cached(".", rr_type::NS));  // the upward NS was not believed
  // Next time the lame server is not asked.
  resolve("mail.example.test.");
  EXPECT_EQ(sent().back(), "10.0.2.1 mail.example.test. A");
  EXPECT_EQ(upstream_.log_for(kExample2).size(), 1u);
}

TEST_F(IteratorTwoServerTest, RefusedMarksTheServerLameAndTheNextOneAnswers) {
  two_server_tree([](const UpstreamQuery&) { return error_reply(zone::rcode::REFUSED); });
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(upstream_.log_for(kExample2).size(), 1u);
  EXPECT_TRUE(infra_.is_lame(kExample2, name("example.test.")));
}

TEST_F(IteratorTwoServerTest, ServfailGoesToTheNextServerWithoutALameMark) {
  two_server_tree([](const UpstreamQuery&) { return error_reply(zone::rcode::SERVFAIL); });
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(upstream_.log_for(kExample2).size(), 1u);
  EXPECT_FALSE(infra_.is_lame(kExample2, name("example.test.")));
}

TEST_F(IteratorTwoServerTest, TimeoutGoesToTheNextServerAndTheInfraCacheLearns) {
  misbehave(kExample2, ScriptedBehaviour::kTimeout);  // matched before the rules below
  two_server_tree(example_zone());
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(sent(), (std::vector<std::string>{"10.0.0.1 test. A", "10.0.1.1 example.test. A",
                                              "10.0.2.2 www.example.test. A",
                                              "10.0.2.1 www.example.test. A"}));
  auto bad = infra_.info(kExample2);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->consecutive_timeouts, 1u);
  EXPECT_FALSE(infra_.is_lame(kExample2, name("example.test.")));  // silent is not lame
  auto good = infra_.info(kExample);
  ASSERT_TRUE(good);
  EXPECT_TRUE(good->measured);
  EXPECT_EQ(good->consecutive_timeouts, 0u);
}

TEST_F(IteratorTest, OutOfBailiwickRecordsAreIgnoredAndNeverCached) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld, [](const UpstreamQuery&) {
    // A referral to example.test. carrying extras the TLD may not speak for.
    return referral(
        {ns("example.test.", "ns1.example.test."), ns("bank.", "ns.evil.")},
        {a("ns1.example.test.", "10.0.2.1"), a("ns.evil.", "6.6.6.1"), a("www.bank.", "6.6.6.2")});
  });
  FakeZone zone = example_zone();
  serve(kExample, [zone](const UpstreamQuery& q) {
    Msg msg = zone(q);
    msg.answer.push_back(a("www.bank.", "6.6.6.3"));            // not on the chain, not its zone
    msg.answer.push_back(a("other.example.test.", "6.6.6.4"));  // its zone, not on the chain
    msg.authority.push_back(ns("test.", "ns.evil."));           // above its zone
    msg.authority.push_back(ns("bank.", "ns.evil."));           // unrelated
    msg.additional.push_back(a("ns.evil.", "6.6.6.5"));
    msg.additional.push_back(aaaa("ns1.nic.test.", "2001:db8::666"));
    return msg;
  });
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_EQ(owners(r), (std::vector<std::string>{"www.example.test. A"}));
  for (const char* owner : {"www.bank.", "ns.evil.", "other.example.test."})
    EXPECT_FALSE(cached(owner, rr_type::A)) << owner;
  EXPECT_FALSE(cached("bank.", rr_type::NS));
  EXPECT_FALSE(cached("ns1.nic.test.", rr_type::AAAA));
  EXPECT_EQ(rrsets_.lookup(name("test."), rr_type::NS)->rrset->rdatas.size(), 1u);
  EXPECT_EQ(rrsets_.lookup(name("test."), rr_type::NS)->rrset->rdatas[0],
            name_rdata("ns1.nic.test."));
}

TEST_F(IteratorTest, AnAnswerForAnotherQuestionIsIgnored) {
  serve(kRoot,
        FakeZone{".",
                 {ns("example.test.", "ns1.example.test."), a("ns1.example.test.", "10.0.2.1")}});
  ScriptedRule rule;
  rule.server = kExample;
  rule.response = render(authoritative({a("evil.example.test.", "6.6.6.6")}),
                         name("evil.example.test."), rr_type::A);
  upstream_.add(rule);
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_FALSE(cached("evil.example.test.", rr_type::A));
  EXPECT_FALSE(cached("www.example.test.", rr_type::A));
}

TEST_F(IteratorTest, AReferralToAnUnrelatedZoneIsLame) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld, [](const UpstreamQuery&) {
    return referral({ns("other.test.", "ns1.other.test.")}, {a("ns1.other.test.", "6.6.6.6")});
  });
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_TRUE(infra_.is_lame(kTld, name("test.")));
  EXPECT_FALSE(cached("other.test.", rr_type::NS));
  EXPECT_FALSE(cached("ns1.other.test.", rr_type::A));
}

TEST_F(IteratorTest, CnameLoopEndsInServfail) {
  FakeZone zone = example_zone();
  zone.records.push_back(cname("a.example.test.", "b.example.test."));
  zone.records.push_back(cname("b.example.test.", "a.example.test."));
  standard_tree(zone);
  ResolveResult r = resolve("a.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "CNAME loop");
  EXPECT_LE(r.upstream_queries, 5u);
}

TEST_F(IteratorTest, OverlongCnameChainEndsInServfail) {
  FakeZone zone = example_zone();
  for (int i = 0; i < 20; ++i)
    zone.records.push_back(cname("c" + std::to_string(i) + ".example.test.",
                                 "c" + std::to_string(i + 1) + ".example.test."));
  standard_tree(zone);
  ResolveResult r = resolve("c0.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "CNAME chain too long");
  EXPECT_EQ(r.answer.size(), limits_.max_cname_chain + 1);
}

TEST_F(IteratorTest, ServerNamedInsideItsOwnZoneWithoutGlueIsNotChased) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld, FakeZone{"test.", {ns("example.test.", "ns1.example.test.")}});  // glue missing
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.upstream_queries, 2u);
}

TEST_F(IteratorTest, DelegationsNamingEachOthersServersWithoutGlueEndInServfail) {
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld, FakeZone{"test.", {ns("a.test.", "ns.b.test."), ns("b.test.", "ns.a.test.")}});
  ResolveResult r = resolve("www.a.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_LE(r.upstream_queries, limits_.max_upstream_queries);
  EXPECT_LE(r.upstream_queries, 6u);
}

TEST_F(IteratorTest, TheQueryBudgetEndsAResolution) {
  limits_.max_upstream_queries = 2;
  standard_tree();
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "upstream query budget spent");
  EXPECT_EQ(upstream_.log().size(), 2u);
}

// Referral depth (ResolverLimits::max_referrals): root → test. → example.test. is two referrals.
TEST_F(IteratorTest, TheReferralLimitEndsAResolution) {
  limits_.max_referrals = 1;
  standard_tree();
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "too many referrals");
}

TEST_F(IteratorTest, AResolutionWithinTheReferralLimitSucceeds) {
  limits_.max_referrals = 2;
  standard_tree();
  EXPECT_EQ(resolve("www.example.test.").rcode, zone::rcode::NOERROR);
}

// Glueless delegations make nested look-ups (ResolverLimits::max_subquery_depth): example.test
// is served by ns.other.test, whose address the TLD does not have.
FakeZone glueless_tld() {
  return FakeZone{"test.",
                  {ns("example.test.", "ns.other.test."), ns("other.test.", "ns1.other.test."),
                   a("ns1.other.test.", "10.0.3.1")}};
}

TEST_F(IteratorTest, TheSubqueryDepthLimitEndsAGluelessResolution) {
  limits_.max_subquery_depth = 0;
  serve(kRoot, root_zone());
  serve(kTld, glueless_tld());
  serve(kOther, FakeZone{"other.test.", {a("ns.other.test.", "10.0.2.1")}});
  serve(kExample, example_zone());
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "glueless look-ups nested too deep");
}

TEST_F(IteratorTest, AGluelessResolutionWithinTheDepthLimitSucceeds) {
  limits_.max_subquery_depth = 1;
  serve(kRoot, root_zone());
  serve(kTld, glueless_tld());
  serve(kOther, FakeZone{"other.test.", {a("ns.other.test.", "10.0.2.1")}});
  serve(kExample, example_zone());
  EXPECT_EQ(resolve("www.example.test.").rcode, zone::rcode::NOERROR);
}

TEST_F(IteratorTest, TheTimeBudgetEndsAResolution) {
  limits_.timeout = 0ms;
  standard_tree();
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::SERVFAIL);
  EXPECT_EQ(r.failure, "resolution timed out");
  EXPECT_TRUE(upstream_.log().empty());
}

TEST_F(IteratorTest, QueriesNeverWaitPastTheDeadline) {
  limits_.timeout = 300ms;  // below the 800 ms first-query timeout of an unknown server
  standard_tree();
  resolve("www.example.test.");
  ASSERT_FALSE(upstream_.log().empty());
  for (const auto& message : upstream_.log())
    EXPECT_LE(message.query.timeout, 300ms);
}

TEST_F(IteratorTest, ExpiredDataIsServedWhenTheServersFail) {
  FakeZone zone = example_zone();
  serve(kRoot, FakeZone{".", {ns("test.", "ns1.nic.test."), a("ns1.nic.test.", "10.0.1.1")}});
  serve(kTld,
        FakeZone{"test.",
                 {ns("example.test.", "ns1.example.test."), a("ns1.example.test.", "10.0.2.1")}});
  serve(kExample, zone, 1);  // answers once, then silence
  EXPECT_EQ(resolve("www.example.test.").rcode, zone::rcode::NOERROR);
  clock_.advance(3601s);  // the A record (TTL 3600) expired, the delegation (86400) did not
  ResolveResult r = resolve("www.example.test.");
  EXPECT_EQ(r.rcode, zone::rcode::NOERROR) << r.failure;
  EXPECT_TRUE(r.stale);
  ASSERT_EQ(r.answer.size(), 1u);
  EXPECT_EQ(r.answer[0].ttl, 30u);                           // RFC 8767 §4
  EXPECT_EQ(sent().back(), "10.0.2.1 www.example.test. A");  // it was tried first
}

TEST_F(IteratorTest, ConcurrentIdenticalQuestionsShareOneResolution) {
  standard_tree();
  std::optional<ResolveResult> first, second, other;
  spawn("www.example.test.", rr_type::A, first);
  spawn("WWW.example.test.", rr_type::A, second);  // same question, other case
  spawn("www.example.test.", rr_type::AAAA, other);
  context_.run();
  ASSERT_TRUE(first && second && other);
  EXPECT_EQ(first->rcode, zone::rcode::NOERROR);
  EXPECT_EQ(second->rcode, zone::rcode::NOERROR);
  EXPECT_EQ(owners(*second), owners(*first));
  EXPECT_EQ(iterator().in_flight(), 0u);
  std::size_t a_queries = 0;
  for (const auto& line : sent())
    if (line == "10.0.2.1 www.example.test. A") ++a_queries;
  EXPECT_EQ(a_queries, 1u);
}

}  // namespace
}  // namespace hayate::server::resolver
