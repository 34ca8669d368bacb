#include "zone/message_renderer.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "zone/message_parser.hpp"
#include "zone/record_reader.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct LdnsRRFree {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using LdnsRR = std::unique_ptr<ldns_rr, LdnsRRFree>;

// One RRset as the zone would hold it, plus ldns's own view of each record for comparisons.
struct TestRRset {
  Section section;
  Bytes owner;
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  std::vector<Rdata> rdatas;
  std::vector<LdnsRR> expected;
};

Rdata uncompressed_rdata(const ldns_rr* rr) {
  ldns_buffer* buffer = ldns_buffer_new(512);
  EXPECT_EQ(ldns_rr_rdata2buffer_wire(buffer, rr), LDNS_STATUS_OK);
  Rdata out(ldns_buffer_begin(buffer), ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
  ldns_buffer_free(buffer);
  return out;
}

// All records must share owner, type and TTL.
TestRRset rrset(Section section, std::vector<std::string> texts) {
  TestRRset out;
  out.section = section;
  for (const std::string& text : texts) {
    ldns_rr* rr = nullptr;
    EXPECT_EQ(ldns_rr_new_frm_str(&rr, text.c_str(), 3600, nullptr, nullptr), LDNS_STATUS_OK)
        << text;
    const ldns_rdf* owner = ldns_rr_owner(rr);
    out.owner.assign(ldns_rdf_data(owner), ldns_rdf_data(owner) + ldns_rdf_size(owner));
    out.type = ldns_rr_get_type(rr);
    out.ttl = ldns_rr_ttl(rr);
    out.rdatas.push_back(uncompressed_rdata(rr));
    out.expected.emplace_back(rr);
  }
  return out;
}

bool same_rr(const ldns_rr* want, const ldns_rr* got) {
  if (ldns_dname_compare(ldns_rr_owner(want), ldns_rr_owner(got)) != 0) return false;
  if (ldns_rr_get_type(want) != ldns_rr_get_type(got)) return false;
  if (ldns_rr_get_class(want) != ldns_rr_get_class(got)) return false;
  if (ldns_rr_ttl(want) != ldns_rr_ttl(got)) return false;
  if (ldns_rr_rd_count(want) != ldns_rr_rd_count(got)) return false;
  for (std::size_t i = 0; i < ldns_rr_rd_count(want); ++i) {
    const ldns_rdf* a = ldns_rr_rdf(want, i);
    const ldns_rdf* b = ldns_rr_rdf(got, i);
    int cmp = ldns_rdf_get_type(a) == LDNS_RDF_TYPE_DNAME ? ldns_dname_compare(a, b)
                                                          : ldns_rdf_compare(a, b);
    if (cmp != 0) return false;
  }
  return true;
}

Header query_header() {
  Header h;
  h.id = 0x4242;
  h.set(flag::RD);
  h.set(flag::CD);
  h.qdcount = 1;
  return h;
}

Bytes question_bytes(const char* name, std::uint16_t type) {
  auto n = Name::from_text(name);
  EXPECT_TRUE(n.ok());
  Bytes out(n->wire().begin(), n->wire().end());
  out.push_back(static_cast<std::uint8_t>(type >> 8));
  out.push_back(static_cast<std::uint8_t>(type));
  out.push_back(0);
  out.push_back(1);
  return out;
}

ldns_pkt* ldns_parse(std::span<const std::uint8_t> wire) {
  ldns_pkt* pkt = nullptr;
  EXPECT_EQ(ldns_wire2pkt(&pkt, wire.data(), wire.size()), LDNS_STATUS_OK);
  return pkt;
}

ldns_rr_list* ldns_section(ldns_pkt* pkt, Section section) {
  switch (section) {
    case Section::kAnswer:
      return ldns_pkt_answer(pkt);
    case Section::kAuthority:
      return ldns_pkt_authority(pkt);
    default:
      return ldns_pkt_additional(pkt);
  }
}

// Every record of every RRset in `added`, in order, must be what ldns parsed, and nothing else.
void expect_sections(ldns_pkt* pkt, const std::vector<const TestRRset*>& added) {
  for (Section s : {Section::kAnswer, Section::kAuthority, Section::kAdditional}) {
    ldns_rr_list* list = ldns_section(pkt, s);
    std::size_t next = 0;
    for (const TestRRset* set : added) {
      if (set->section != s) continue;
      for (const LdnsRR& want : set->expected) {
        ASSERT_LT(next, ldns_rr_list_rr_count(list));
        EXPECT_TRUE(same_rr(want.get(), ldns_rr_list_rr(list, next)))
            << "record " << next << " of section " << static_cast<int>(s);
        ++next;
      }
    }
    EXPECT_EQ(next, ldns_rr_list_rr_count(list)) << "section " << static_cast<int>(s);
  }
}

std::vector<TestRRset> sample_response() {
  std::vector<TestRRset> sets;
  sets.push_back(rrset(Section::kAnswer, {"www.example.com. 300 IN CNAME web.example.com."}));
  sets.push_back(rrset(Section::kAnswer,
                       {"web.example.com. 60 IN A 192.0.2.1", "web.example.com. 60 IN A 192.0.2.2",
                        "web.example.com. 60 IN A 192.0.2.3"}));
  sets.push_back(rrset(Section::kAnswer, {"web.example.com. 60 IN MX 10 mail.example.com.",
                                          "web.example.com. 60 IN MX 20 mail2.example.com."}));
  sets.push_back(
      rrset(Section::kAnswer, {"_sip._tcp.example.com. 60 IN SRV 0 5 5060 sip.example.com."}));
  sets.push_back(rrset(Section::kAnswer,
                       {"web.example.com. 60 IN TXT \"v=spf1 include:_spf.example.com ~all "
                        "and some more text to make this a longer record\"",
                        "web.example.com. 60 IN TXT \"another long text string that takes up "
                        "room in the response message\""}));
  sets.push_back(rrset(Section::kAnswer, {"1.2.0.192.in-addr.arpa. 60 IN PTR web.example.com."}));
  sets.push_back(rrset(Section::kAnswer,
                       {"list.example.com. 60 IN MINFO owner.example.com. errors.example.com."}));
  sets.push_back(rrset(Section::kAuthority, {"example.com. 86400 IN NS ns1.example.com.",
                                             "example.com. 86400 IN NS ns2.example.com.",
                                             "example.com. 86400 IN NS ns3.example.net."}));
  sets.push_back(rrset(Section::kAuthority, {"example.com. 3600 IN SOA ns1.example.com. "
                                             "hostmaster.example.com. 2024010101 7200 3600 "
                                             "1209600 300"}));
  sets.push_back(rrset(Section::kAdditional, {"ns1.example.com. 86400 IN A 192.0.2.53",
                                              "ns1.example.com. 86400 IN A 192.0.2.54"}));
  sets.push_back(rrset(Section::kAdditional, {"ns1.example.com. 86400 IN AAAA 2001:db8::53"}));
  sets.push_back(rrset(Section::kAdditional, {"ns2.example.com. 86400 IN A 198.51.100.53"}));
  sets.push_back(rrset(Section::kAdditional, {"ns2.example.com. 86400 IN AAAA 2001:db8:1::53",
                                              "ns2.example.com. 86400 IN AAAA 2001:db8:2::53"}));
  return sets;
}

std::size_t uncompressed_size(const std::vector<TestRRset>& sets) {
  std::size_t total = 0;
  for (const TestRRset& s : sets) {
    for (const Rdata& r : s.rdatas)
      total += s.owner.size() + kRRFixedSize + r.size();
  }
  return total;
}

struct Rendered {
  Bytes wire;
  std::vector<const TestRRset*> added;
  bool required_missing = false;
};

// Renders like the server will: answer and authority stop at the first RRset that does not fit;
// additional data is best effort; the OPT always goes in.
Rendered render(const std::vector<TestRRset>& sets, std::span<const std::uint8_t> question,
                std::size_t limit, Bytes& buffer) {
  Rendered out;
  MessageRenderer r(buffer, limit);
  if (!r.begin_response(query_header())) return out;
  bool room = r.echo_question(question) && r.reserve(opt_rr_size(0));
  for (const TestRRset& set : sets) {
    if (!room) break;
    if (r.add_rrset(set.section, set.owner, set.type, rr_class::IN, set.ttl, set.rdatas)) {
      out.added.push_back(&set);
    } else if (set.section != Section::kAdditional) {
      out.required_missing = true;
      break;
    }
  }
  if (room) {
    OptParams params;
    params.udp_payload_size = 1232;
    EXPECT_TRUE(r.add_opt(params));
  }
  EXPECT_EQ(r.truncated(), out.required_missing);
  out.wire.assign(buffer.begin(), buffer.begin() + r.finish());
  return out;
}

TEST(MessageRenderer, RoundTripThroughLdns) {
  std::vector<TestRRset> sets = sample_response();
  Bytes question = question_bytes("www.example.com.", rr_type::A);
  Bytes buffer(4096);
  Rendered out = render(sets, question, buffer.size(), buffer);
  ASSERT_EQ(out.added.size(), sets.size());

  ldns_pkt* pkt = ldns_parse(out.wire);
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(ldns_pkt_id(pkt), 0x4242);
  EXPECT_TRUE(ldns_pkt_qr(pkt));
  EXPECT_TRUE(ldns_pkt_rd(pkt));
  EXPECT_TRUE(ldns_pkt_cd(pkt));
  EXPECT_FALSE(ldns_pkt_tc(pkt));
  EXPECT_FALSE(ldns_pkt_aa(pkt));
  EXPECT_EQ(ldns_pkt_get_opcode(pkt), LDNS_PACKET_QUERY);
  EXPECT_EQ(ldns_pkt_qdcount(pkt), 1);
  EXPECT_TRUE(ldns_pkt_edns(pkt));
  EXPECT_EQ(ldns_pkt_edns_udp_size(pkt), 1232);
  EXPECT_EQ(Bytes(out.wire.begin() + kHeaderSize, out.wire.begin() + kHeaderSize + question.size()),
            question);
  expect_sections(pkt, out.added);
  ldns_pkt_free(pkt);

  // Compression must have paid: well under the uncompressed size.
  std::size_t plain = kHeaderSize + question.size() + uncompressed_size(sets) + opt_rr_size(0);
  EXPECT_LT(out.wire.size() + 150, plain) << out.wire.size() << " vs " << plain;
}

bool ends_with_net(const Rdata& rdata) {
  const Bytes net = {3, 'n', 'e', 't', 0};
  return rdata.size() >= net.size() && std::equal(net.begin(), net.end(), rdata.end() - 5);
}

TEST(MessageRenderer, CompressesOnlyTheRfc3597Types) {
  std::vector<TestRRset> sets = sample_response();
  Bytes question = question_bytes("www.example.com.", rr_type::A);
  Bytes buffer(4096);
  Rendered out = render(sets, question, buffer.size(), buffer);
  RecordReader reader(out.wire, kHeaderSize + question.size());
  WireRecord record;
  WireName owner;
  std::size_t index = 0;
  for (const TestRRset& set : sets) {
    for (const Rdata& rdata : set.rdatas) {
      ASSERT_EQ(reader.read_record(&owner, record), WireError::kOk) << index;
      EXPECT_EQ(Bytes(owner.wire().begin(), owner.wire().end()), set.owner);
      if (set.type == rr_type::SRV || set.type == rr_type::TXT || set.type == rr_type::A ||
          set.type == rr_type::AAAA) {
        // Never compressed: the stored octets go out unchanged.
        EXPECT_EQ(Bytes(record.rdata.begin(), record.rdata.end()), rdata) << index;
      } else if (!ends_with_net(rdata)) {
        // Every compressible rdata here but ns3.example.net. repeats a known suffix: it shrinks.
        EXPECT_LT(record.rdata.size(), rdata.size()) << index << " type " << set.type;
      }
      ++index;
    }
  }
  // The SRV target is not compressed, even though "example.com." is in the message already.
  EXPECT_FALSE(rdata_compressible(rr_type::SRV));
}

TEST(MessageRenderer, CompressionIgnoresCaseAndPointsAtTheQuestion) {
  Bytes question = question_bytes("WwW.ExAmPlE.CoM.", rr_type::A);
  std::vector<TestRRset> sets;
  sets.push_back(rrset(Section::kAnswer, {"www.example.com. 60 IN A 192.0.2.1"}));
  Bytes buffer(512);
  MessageRenderer r(buffer, buffer.size());
  ASSERT_TRUE(r.begin_response(query_header()));
  ASSERT_TRUE(r.echo_question(question));
  ASSERT_TRUE(r.add_rrset(Section::kAnswer, sets[0].owner, rr_type::A, 1, 60, sets[0].rdatas));
  std::size_t size = r.finish();
  std::size_t owner_at = kHeaderSize + question.size();
  ASSERT_EQ(size, owner_at + 2 + kRRFixedSize + 4);
  EXPECT_EQ(buffer[owner_at], 0xc0);
  EXPECT_EQ(buffer[owner_at + 1], kHeaderSize);
}

TEST(MessageRenderer, NeverExceedsTheLimitAndNeverSplitsAnRRset) {
  std::vector<TestRRset> sets = sample_response();
  Bytes question = question_bytes("www.example.com.", rr_type::A);
  Bytes full_buffer(4096);
  Rendered full = render(sets, question, full_buffer.size(), full_buffer);
  ASSERT_GT(full.wire.size(), 600u) << "the sample must not fit the sweep's largest limit";

  std::size_t previous_records = 0;
  bool saw_truncation = false;
  for (std::size_t limit = kHeaderSize; limit <= 600; ++limit) {
    Bytes buffer(1024, 0xaa);
    Rendered out = render(sets, question, limit, buffer);
    ASSERT_LE(out.wire.size(), limit);
    ASSERT_TRUE(
        std::all_of(buffer.begin() + limit, buffer.end(), [](std::uint8_t b) { return b == 0xaa; }))
        << "wrote past the limit " << limit;
    ldns_pkt* pkt = ldns_parse(out.wire);
    ASSERT_NE(pkt, nullptr) << limit;
    EXPECT_EQ(ldns_pkt_tc(pkt), out.required_missing) << limit;
    saw_truncation |= out.required_missing;
    expect_sections(pkt, out.added);
    std::size_t records = 0;
    for (const TestRRset* s : out.added)
      records += s->rdatas.size();
    EXPECT_GE(records, previous_records) << limit;
    previous_records = records;
    // With room for the question, the OPT is always there.
    bool question_fits = limit >= kHeaderSize + question.size() + opt_rr_size(0);
    EXPECT_EQ(ldns_pkt_edns(pkt), question_fits) << limit;
    ldns_pkt_free(pkt);
  }
  EXPECT_TRUE(saw_truncation);
}

TEST(MessageRenderer, FailedRRsetRollsBackCompletely) {
  std::vector<TestRRset> sets = sample_response();
  Bytes question = question_bytes("www.example.com.", rr_type::A);
  Bytes buffer(512, 0);
  MessageRenderer r(buffer, 120);
  ASSERT_TRUE(r.begin_response(query_header()));
  ASSERT_TRUE(r.echo_question(question));
  ASSERT_TRUE(r.add_rrset(Section::kAnswer, sets[0].owner, sets[0].type, 1, 60, sets[0].rdatas));
  std::size_t before = r.size();
  Bytes snapshot(buffer.begin(), buffer.begin() + before);
  // The TXT RRset (two long strings) cannot fit into 120 octets.
  const TestRRset& txt = sets[4];
  ASSERT_EQ(txt.type, rr_type::TXT);
  EXPECT_FALSE(r.add_rrset(Section::kAnswer, txt.owner, txt.type, 1, 60, txt.rdatas));
  EXPECT_EQ(r.size(), before);
  EXPECT_EQ(r.count(Section::kAnswer), 1);
  EXPECT_TRUE(r.truncated());
  // A small RRset still fits after the rollback (compression table state is consistent).
  ASSERT_TRUE(r.add_rrset(Section::kAnswer, sets[1].owner, sets[1].type, 1, 60,
                          std::span(sets[1].rdatas).first(1)));
  std::size_t size = r.finish();
  EXPECT_TRUE(
      std::equal(snapshot.begin() + kHeaderSize, snapshot.end(), buffer.begin() + kHeaderSize));
  ldns_pkt* pkt = ldns_parse(std::span(buffer).first(size));
  ASSERT_NE(pkt, nullptr);
  EXPECT_TRUE(ldns_pkt_tc(pkt));
  EXPECT_EQ(ldns_pkt_ancount(pkt), 2);
  ldns_pkt_free(pkt);
}

TEST(MessageRenderer, AdditionalOverflowDoesNotSetTcUnlessAsked) {
  std::vector<TestRRset> sets = sample_response();
  const TestRRset& glue = sets[9];
  ASSERT_EQ(glue.section, Section::kAdditional);
  Bytes buffer(512);
  for (bool required : {false, true}) {
    MessageRenderer r(buffer, 40);
    ASSERT_TRUE(r.begin_response(query_header()));
    ASSERT_TRUE(r.echo_question(question_bytes("example.com.", rr_type::NS)));
    EXPECT_FALSE(r.add_rrset(Section::kAdditional, glue.owner, glue.type, 1, 60, glue.rdatas));
    EXPECT_FALSE(r.truncated());
    if (required) r.mark_truncated();
    std::size_t size = r.finish();
    ldns_pkt* pkt = ldns_parse(std::span(buffer).first(size));
    ASSERT_NE(pkt, nullptr);
    EXPECT_EQ(ldns_pkt_tc(pkt), required);
    EXPECT_EQ(ldns_pkt_arcount(pkt), 0);
    ldns_pkt_free(pkt);
  }
}

TEST(MessageRenderer, ReservedSpaceKeepsRoomForOpt) {
  Bytes question = question_bytes("example.com.", rr_type::A);
  TestRRset a = rrset(Section::kAnswer, {"example.com. 60 IN A 192.0.2.1"});
  std::size_t limit = kHeaderSize + question.size() + 16 * 2 + opt_rr_size(0);  // 2 x A (ptr)
  Bytes buffer(512);
  MessageRenderer r(buffer, limit);
  ASSERT_TRUE(r.begin_response(query_header()));
  ASSERT_TRUE(r.echo_question(question));
  ASSERT_TRUE(r.reserve(opt_rr_size(0)));
  EXPECT_EQ(r.reserved(), opt_rr_size(0));
  EXPECT_TRUE(r.add_rrset(Section::kAnswer, a.owner, a.type, 1, 60, a.rdatas));
  EXPECT_TRUE(r.add_rrset(Section::kAnswer, a.owner, a.type, 1, 60, a.rdatas));
  EXPECT_FALSE(r.add_rrset(Section::kAnswer, a.owner, a.type, 1, 60, a.rdatas));
  EXPECT_TRUE(r.add_opt(OptParams{}));
  EXPECT_EQ(r.finish(), limit);
  EXPECT_FALSE(r.reserve(1));
}

TEST(MessageRenderer, ExtendedRcodeGoesIntoOpt) {
  Bytes buffer(512);
  MessageRenderer r(buffer, buffer.size());
  ASSERT_TRUE(r.begin_response(query_header()));
  ASSERT_TRUE(r.echo_question(question_bytes("example.", rr_type::SOA)));
  r.set_rcode(rcode::BADVERS);
  OptParams params;
  params.ext_rcode_high = 0x77;  // ignored: set_rcode decides
  ASSERT_TRUE(r.add_opt(params));
  std::size_t size = r.finish();
  ldns_pkt* pkt = ldns_parse(std::span(buffer).first(size));
  ASSERT_NE(pkt, nullptr);
  EXPECT_EQ(ldns_pkt_get_rcode(pkt), 0);
  EXPECT_EQ(ldns_pkt_edns_extended_rcode(pkt), 1);
  ldns_pkt_free(pkt);
}

TEST(MessageRenderer, SectionsMustBeFilledInOrder) {
  TestRRset a = rrset(Section::kAnswer, {"example.com. 60 IN A 192.0.2.1"});
  Bytes buffer(512);
  MessageRenderer r(buffer, buffer.size());
  ASSERT_TRUE(r.begin_response(query_header()));
  ASSERT_TRUE(r.add_rrset(Section::kAuthority, a.owner, a.type, 1, 60, a.rdatas));
  EXPECT_FALSE(r.add_rrset(Section::kAnswer, a.owner, a.type, 1, 60, a.rdatas));
  EXPECT_FALSE(r.truncated());
  EXPECT_EQ(r.count(Section::kAnswer), 0);
  EXPECT_EQ(r.count(Section::kAuthority), 1);
  EXPECT_FALSE(MessageRenderer(buffer, 11).begin_response(query_header()));
}

TEST(MessageRenderer, RdataCompressibleTypes) {
  for (std::uint16_t t :
       {rr_type::NS, rr_type::MD, rr_type::MF, rr_type::CNAME, rr_type::SOA, rr_type::MB,
        rr_type::MG, rr_type::MR, rr_type::PTR, rr_type::MINFO, rr_type::MX}) {
    EXPECT_TRUE(rdata_compressible(t)) << t;
  }
  for (std::uint16_t t :
       {rr_type::SRV, rr_type::NAPTR, rr_type::RP, rr_type::AFSDB, rr_type::RT, rr_type::DNAME,
        rr_type::RRSIG, rr_type::NSEC, rr_type::KX, rr_type::A, rr_type::TXT, rr_type::SVCB}) {
    EXPECT_FALSE(rdata_compressible(t)) << t;
  }
}

TEST(MessageRenderer, LargeMessagesBeyondPointerRangeAndFullTable) {
  // 400 distinct owners of ~60 octets: more names than the compression table holds and more
  // octets than a 14-bit pointer reaches. Output must stay correct.
  std::vector<TestRRset> sets;
  for (int i = 0; i < 400; ++i) {
    std::string owner = "host" + std::to_string(i) +
                        ".a-fairly-long-label-to-use-up-space-quickly-" + std::to_string(i) +
                        ".zone" + std::to_string(i % 7) + ".example.";
    sets.push_back(rrset(Section::kAnswer, {owner + " 60 IN CNAME target.example."}));
  }
  Bytes question = question_bytes("example.", rr_type::ANY);
  Bytes buffer(65535);
  Rendered out = render(sets, question, buffer.size(), buffer);
  ASSERT_EQ(out.added.size(), sets.size());
  ASSERT_GT(out.wire.size(), 0x4000u);
  ldns_pkt* pkt = ldns_parse(out.wire);
  ASSERT_NE(pkt, nullptr);
  expect_sections(pkt, out.added);
  ldns_pkt_free(pkt);
  // Our own reader agrees on every name (it rejects any pointer that is not strictly backwards).
  RecordReader reader(out.wire, kHeaderSize + question.size());
  for (std::size_t i = 0; i < sets.size(); ++i) {
    WireRecord record;
    WireName owner;
    ASSERT_EQ(reader.read_record(&owner, record), WireError::kOk) << i;
    EXPECT_EQ(Bytes(owner.wire().begin(), owner.wire().end()), sets[i].owner) << i;
  }
}

TEST(MessageRenderer, AnswersAParsedQuery) {
  // The parser's question span echoes straight into the renderer.
  Bytes packet(kHeaderSize);
  Header q = query_header();
  q.write(packet);
  Bytes question = question_bytes("Mixed.Case.Example.", rr_type::TXT);
  packet.insert(packet.end(), question.begin(), question.end());
  ParsedQuery parsed;
  ASSERT_EQ(parse_query(packet, parsed), ParseError::kOk);
  Bytes buffer(512);
  MessageRenderer r(buffer, 512);
  ASSERT_TRUE(r.begin_response(parsed.header));
  ASSERT_TRUE(r.echo_question(parsed.question(packet)));
  r.set_rcode(rcode::NXDOMAIN);
  r.header().set(flag::AA);
  std::size_t size = r.finish();
  ASSERT_EQ(size, packet.size());
  Header h;
  ASSERT_TRUE(Header::parse(buffer, h));
  EXPECT_EQ(h.id, q.id);
  EXPECT_TRUE(h.has(flag::QR));
  EXPECT_TRUE(h.has(flag::AA));
  EXPECT_EQ(h.rcode(), rcode::NXDOMAIN);
  EXPECT_EQ(h.qdcount, 1);
  EXPECT_TRUE(std::equal(question.begin(), question.end(), buffer.begin() + kHeaderSize));
}

}  // namespace
}  // namespace hayate::zone
