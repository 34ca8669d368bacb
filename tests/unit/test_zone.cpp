#include "zone/zone.hpp"

#include <gtest/gtest.h>

#include "zone/rdata_names.hpp"

namespace hayate::zone {
namespace {

Name N(std::string_view text) {
  return *Name::from_text(text);
}

Rdata name_rdata(std::string_view text) {
  Name n = N(text);
  return Rdata(n.wire().begin(), n.wire().end());
}

Rdata a_rdata(std::uint8_t last) {
  return Rdata{192, 0, 2, last};
}

Rdata soa_rdata(std::uint32_t serial) {
  Rdata r = name_rdata("ns.example.");
  Rdata rname = name_rdata("hostmaster.example.");
  r.insert(r.end(), rname.begin(), rname.end());
  for (std::uint32_t v : {serial, 3600u, 900u, 604800u, 300u}) {
    for (int shift = 24; shift >= 0; shift -= 8)
      r.push_back(static_cast<std::uint8_t>(v >> shift));
  }
  return r;
}

// The RFC 4592 §2.2.1 example zone, plus a delegation and a DNAME.
class ZoneTest : public ::testing::Test {
 protected:
  ZoneTest() : zone(N("example.")) {
    add("example.", rr_type::SOA, soa_rdata(2024));
    add("example.", rr_type::NS, name_rdata("ns.example.com."));
    add("example.", rr_type::NS, name_rdata("ns.example.net."));
    add("*.example.", rr_type::TXT, Rdata{4, 't', 'e', 'x', 't'});
    add("*.example.", rr_type::MX,
        Rdata{0, 10, 4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0});
    add("sub.*.example.", rr_type::TXT, Rdata{4, 't', 'e', 'x', 't'});
    add("_ssh._tcp.host1.example.", rr_type::SRV, Rdata{0, 0, 0, 0, 0, 22, 0});
    add("_ssh._tcp.host2.example.", rr_type::SRV, Rdata{0, 0, 0, 0, 0, 22, 0});
    add("subdel.example.", rr_type::NS, name_rdata("ns.example.com."));
    add("subdel.example.", rr_type::NS, name_rdata("ns.subdel.example."));
    add("ns.subdel.example.", rr_type::A, a_rdata(53));
    add("redirect.example.", rr_type::DNAME, name_rdata("example.net."));
    add("redirect.example.", rr_type::A, a_rdata(7));
    zone.finalize();
  }
  AddResult add(std::string_view owner, std::uint16_t type, Rdata rdata, std::uint32_t ttl = 3600) {
    return zone.add(N(owner), type, ttl, std::move(rdata), {0, ++line});
  }
  Lookup lookup(std::string_view qname) { return zone.lookup(N(qname)); }

  Zone zone;
  std::uint32_t line = 0;
};

TEST_F(ZoneTest, ApexHasSoaAndNs) {
  ASSERT_NE(zone.soa(), nullptr);
  ASSERT_NE(zone.apex_ns(), nullptr);
  EXPECT_EQ(zone.apex_ns()->rdatas.size(), 2u);
  EXPECT_EQ(zone.serial(), 2024u);
  EXPECT_FALSE(zone.apex().is_delegation());
}

// Nodes, their RRsets and the rdata lists live in the zone's arena (zone_arena.hpp).
TEST_F(ZoneTest, DataLivesInTheZonesArena) {
  const std::pmr::memory_resource* arena = zone.apex().rrsets().get_allocator().resource();
  EXPECT_NE(arena, std::pmr::get_default_resource());
  EXPECT_EQ(zone.apex_ns()->rdatas.get_allocator().resource(), arena);
  auto found = lookup("ns.subdel.example.");
  ASSERT_TRUE(found.node);
  EXPECT_EQ(found.node.node->rrsets().get_allocator().resource(), arena);
}

// A moved zone takes its nodes and arena along: the data and the apex stay where they were.
TEST_F(ZoneTest, MovedZoneKeepsItsData) {
  const Node* apex = &zone.apex();
  Zone moved(std::move(zone));
  EXPECT_EQ(&moved.apex(), apex);
  EXPECT_EQ(moved.serial(), 2024u);
  EXPECT_EQ(moved.apex_ns()->rdatas.size(), 2u);
  EXPECT_EQ(moved.lookup(N("ns.subdel.example.")).kind, Lookup::Kind::kDelegation);
  EXPECT_EQ(moved.lookup(N("anything.example.")).kind, Lookup::Kind::kWildcard);
}

TEST_F(ZoneTest, ExactMatchIgnoresCase) {
  auto found = lookup("_SSH._tcp.HOST1.example.");
  EXPECT_EQ(found.kind, Lookup::Kind::kExact);
  ASSERT_TRUE(found.node);
  EXPECT_NE(found.node.node->find(rr_type::SRV), nullptr);
  EXPECT_EQ(*found.node.name, N("_ssh._tcp.host1.example."));
}

// RFC 4592 §2.2.1: these names are synthesized from *.example.
TEST_F(ZoneTest, WildcardMatchesMissingNames) {
  for (auto qname : {"host3.example.", "foo.bar.example."}) {
    auto found = lookup(qname);
    EXPECT_EQ(found.kind, Lookup::Kind::kWildcard) << qname;
    EXPECT_EQ(*found.node.name, N("*.example.")) << qname;
    EXPECT_EQ(*found.closest_encloser.name, N("example.")) << qname;
  }
}

// RFC 4592 §2.2.1: host1.example and _tcp.host1.example exist as empty non-terminals, so they
// answer NODATA; names below an existing name do not match *.example.
TEST_F(ZoneTest, EmptyNonTerminalsExistAndBlockTheWildcard) {
  for (auto qname : {"host1.example.", "_tcp.host1.example."}) {
    auto found = lookup(qname);
    EXPECT_EQ(found.kind, Lookup::Kind::kExact) << qname;
    ASSERT_TRUE(found.node) << qname;
    EXPECT_TRUE(found.node.node->is_empty_nonterminal()) << qname;
  }
  auto blocked = lookup("_telnet._tcp.host1.example.");
  EXPECT_EQ(blocked.kind, Lookup::Kind::kNxDomain);
  EXPECT_EQ(*blocked.closest_encloser.name, N("_tcp.host1.example."));
  auto below_wildcard_owner = lookup("foo.sub.*.example.");
  EXPECT_EQ(below_wildcard_owner.kind, Lookup::Kind::kNxDomain);
  EXPECT_EQ(*below_wildcard_owner.closest_encloser.name, N("sub.*.example."));
}

TEST_F(ZoneTest, TheWildcardOwnerItselfIsAnExactMatch) {
  auto found = lookup("*.example.");
  EXPECT_EQ(found.kind, Lookup::Kind::kExact);
  // "_ssh._tcp.host3.example." matches the wildcard: host3 does not exist.
  EXPECT_EQ(lookup("_ssh._tcp.host3.example.").kind, Lookup::Kind::kWildcard);
}

TEST_F(ZoneTest, DelegationAtAndBelowTheCut) {
  for (auto qname : {"subdel.example.", "www.subdel.example.", "ns.subdel.example."}) {
    auto found = lookup(qname);
    EXPECT_EQ(found.kind, Lookup::Kind::kDelegation) << qname;
    EXPECT_EQ(*found.node.name, N("subdel.example.")) << qname;
    EXPECT_TRUE(found.node.node->is_delegation());
  }
  auto glue = zone.find(N("ns.subdel.example."));
  ASSERT_TRUE(glue);
  EXPECT_TRUE(glue.node->is_occluded());
  EXPECT_NE(glue.node->find(rr_type::A), nullptr);
}

TEST_F(ZoneTest, DnameRedirectsNamesBelowItsOwnerOnly) {
  EXPECT_EQ(lookup("redirect.example.").kind, Lookup::Kind::kExact);
  auto below = lookup("a.b.redirect.example.");
  EXPECT_EQ(below.kind, Lookup::Kind::kDname);
  EXPECT_EQ(*below.node.name, N("redirect.example."));
}

TEST_F(ZoneTest, NamesOutsideTheZone) {
  EXPECT_EQ(lookup("example.com.").kind, Lookup::Kind::kNotInZone);
  EXPECT_EQ(lookup(".").kind, Lookup::Kind::kNotInZone);
  EXPECT_EQ(lookup("notexample.").kind, Lookup::Kind::kNotInZone);
}

TEST_F(ZoneTest, NxDomainWithoutWildcard) {
  Zone plain(N("example.org."));
  plain.add(N("example.org."), rr_type::SOA, 300, soa_rdata(1), {});
  plain.add(N("a.b.example.org."), rr_type::A, 300, a_rdata(1), {});
  plain.finalize();
  auto found = plain.lookup(N("x.b.example.org."));
  EXPECT_EQ(found.kind, Lookup::Kind::kNxDomain);
  EXPECT_EQ(*found.closest_encloser.name, N("b.example.org."));
  EXPECT_FALSE(found.node);
}

TEST_F(ZoneTest, AddReportsDuplicatesTtlMismatchAndOutOfZone) {
  Zone z(N("example."));
  EXPECT_EQ(z.add(N("a.example."), rr_type::A, 300, a_rdata(1), {}), AddResult::kAdded);
  EXPECT_EQ(z.add(N("A.example."), rr_type::A, 300, a_rdata(1), {}), AddResult::kDuplicate);
  EXPECT_EQ(z.add(N("a.example."), rr_type::A, 600, a_rdata(2), {}), AddResult::kTtlMismatch);
  EXPECT_EQ(z.find(N("a.example.")).node->find(rr_type::A)->ttl, 300u);
  EXPECT_EQ(z.add(N("a.example.net."), rr_type::A, 300, a_rdata(1), {}), AddResult::kOutOfZone);
  // Names inside rdata compare without case (RFC 4034 §6.2).
  EXPECT_EQ(z.add(N("a.example."), rr_type::CNAME, 300, name_rdata("x.example."), {}),
            AddResult::kAdded);
  EXPECT_EQ(z.add(N("a.example."), rr_type::CNAME, 300, name_rdata("X.EXAMPLE."), {}),
            AddResult::kDuplicate);
  EXPECT_EQ(z.record_count(), 3u);
}

TEST_F(ZoneTest, CanonicalOrderCoversEveryNode) {
  auto nodes = zone.nodes_in_canonical_order();
  ASSERT_EQ(nodes.size(), zone.node_count());
  EXPECT_EQ(*nodes.front().name, N("example."));
  for (std::size_t i = 1; i < nodes.size(); ++i) {
    EXPECT_LT(nodes[i - 1].name->canonical_compare(*nodes[i].name), 0);
  }
}

TEST(Zone, RootZoneGetsItsEmptyNonTerminals) {
  Zone root(Name{});
  root.add(N("a.b."), rr_type::A, 300, a_rdata(1), {});
  root.finalize();
  auto ent = root.lookup(N("b."));
  EXPECT_EQ(ent.kind, Lookup::Kind::kExact);
  EXPECT_TRUE(ent.node.node->is_empty_nonterminal());
  EXPECT_EQ(root.lookup(N("c.")).kind, Lookup::Kind::kNxDomain);
  EXPECT_EQ(root.node_count(), 3u);
}

// Occlusion is the same whichever comes first, the cut (or DNAME) or the names below it.
class ZoneOcclusionOrder : public ::testing::TestWithParam<bool> {};

TEST_P(ZoneOcclusionOrder, NamesBelowCutsAndDnamesAreOccludedInAnyOrder) {
  const bool cuts_first = GetParam();
  Zone zone(N("example."));
  zone.add(N("example."), rr_type::SOA, 300, soa_rdata(1), {});
  auto add_cuts = [&] {
    zone.add(N("sub.example."), rr_type::NS, 300, name_rdata("ns.sub.example."), {});
    zone.add(N("d.example."), rr_type::DNAME, 300, name_rdata("example.net."), {});
  };
  if (cuts_first) add_cuts();
  zone.add(N("ns.sub.example."), rr_type::A, 300, a_rdata(1), {});
  zone.add(N("a.b.c.sub.example."), rr_type::A, 300, a_rdata(2), {});  // and empty ancestors
  zone.add(N("x.y.d.example."), rr_type::A, 300, a_rdata(3), {});
  zone.add(N("www.example."), rr_type::A, 300, a_rdata(4), {});
  zone.add(N("sub.example."), rr_type::A, 300, a_rdata(5), {});  // at the cut: not below it
  if (!cuts_first) add_cuts();
  zone.finalize();
  for (auto name :
       {"ns.sub.example.", "a.b.c.sub.example.", "b.c.sub.example.", "c.sub.example."}) {
    const Node* node = zone.find(N(name)).node;
    ASSERT_NE(node, nullptr) << name;
    EXPECT_TRUE(node->is_occluded()) << name;
    EXPECT_TRUE(node->is_below_delegation()) << name;
  }
  for (auto name : {"x.y.d.example.", "y.d.example."}) {
    const Node* node = zone.find(N(name)).node;
    ASSERT_NE(node, nullptr) << name;
    EXPECT_TRUE(node->is_occluded()) << name;
    EXPECT_FALSE(node->is_below_delegation()) << name;
  }
  for (auto name : {"example.", "www.example.", "sub.example.", "d.example."}) {
    EXPECT_FALSE(zone.find(N(name)).node->is_occluded()) << name;
  }
}

INSTANTIATE_TEST_SUITE_P(CutsFirstOrLast, ZoneOcclusionOrder, ::testing::Bool());

// A DNAME at the apex occludes every other name of the zone (RFC 6672 §2.4).
TEST(Zone, DnameAtTheApexOccludesEverythingBelowIt) {
  for (bool dname_first : {true, false}) {
    Zone zone(N("example."));
    if (dname_first) zone.add(N("example."), rr_type::DNAME, 300, name_rdata("example.net."), {});
    zone.add(N("a.b.example."), rr_type::A, 300, a_rdata(1), {});
    if (!dname_first) zone.add(N("example."), rr_type::DNAME, 300, name_rdata("example.net."), {});
    zone.finalize();
    EXPECT_TRUE(zone.find(N("a.b.example.")).node->is_occluded()) << dname_first;
    EXPECT_TRUE(zone.find(N("b.example.")).node->is_occluded()) << dname_first;
    EXPECT_FALSE(zone.apex().is_occluded()) << dname_first;
  }
}

// Records of one owner in a row, then that owner again later: one node, every record in it.
TEST(Zone, AnOwnerComingBackLaterFindsItsNode) {
  Zone zone(N("example."));
  zone.add(N("www.example."), rr_type::A, 300, a_rdata(1), {});
  zone.add(N("WWW.example."), rr_type::A, 300, a_rdata(2), {});
  zone.add(N("mail.example."), rr_type::A, 300, a_rdata(3), {});
  EXPECT_EQ(zone.add(N("www.example."), rr_type::A, 300, a_rdata(1), {}), AddResult::kDuplicate);
  zone.add(N("www.example."), rr_type::TXT, 300, Rdata{1, 'x'}, {});
  zone.finalize();
  EXPECT_EQ(zone.node_count(), 3u);
  const Node* www = zone.find(N("www.example.")).node;
  EXPECT_EQ(www->find(rr_type::A)->rdatas.size(), 2u);
  EXPECT_NE(www->find(rr_type::TXT), nullptr);
  EXPECT_EQ(zone.record_count(), 4u);
}

TEST(RdataNames, TargetsAndEquality) {
  Rdata mx{0, 10, 4, 'm', 'a', 'i', 'l', 0};
  auto target = rdata_target(rr_type::MX, mx);
  ASSERT_TRUE(target);
  EXPECT_EQ(target->to_text(), "mail.");
  Rdata srv{0, 1, 0, 2, 0, 80, 3, 'w', 'w', 'w', 0};
  EXPECT_EQ(rdata_target(rr_type::SRV, srv)->to_text(), "www.");
  EXPECT_FALSE(rdata_target(rr_type::A, a_rdata(1)));
  // Case differences outside names are real differences (TXT is not a name).
  EXPECT_FALSE(rdata_equal(rr_type::TXT, Rdata{1, 'a'}, Rdata{1, 'A'}));
  EXPECT_TRUE(rdata_equal(rr_type::MX, mx, Rdata{0, 10, 4, 'M', 'A', 'I', 'L', 0}));
  EXPECT_FALSE(rdata_equal(rr_type::MX, mx, Rdata{0, 11, 4, 'm', 'a', 'i', 'l', 0}));
  Rdata truncated{0, 10, 4, 'm'};
  EXPECT_FALSE(rdata_target(rr_type::MX, truncated));
}

}  // namespace
}  // namespace hayate::zone
