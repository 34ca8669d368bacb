#include "zone/message_parser.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes to_wire(ldns_pkt* pkt) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, pkt, &size), LDNS_STATUS_OK);
  Bytes out(wire, wire + size);
  std::free(wire);
  return out;
}

ldns_pkt* query(const char* name, ldns_rr_type type, std::uint16_t flags = LDNS_RD) {
  ldns_pkt* pkt = ldns_pkt_query_new(ldns_dname_new_frm_str(name), type, LDNS_RR_CLASS_IN, flags);
  ldns_pkt_set_id(pkt, 0x1234);
  return pkt;
}

Bytes span_bytes(std::span<const std::uint8_t> s) {
  return Bytes(s.begin(), s.end());
}

TEST(MessageParser, PlainQueryFromLdns) {
  ldns_pkt* pkt = query("WwW.Example.ORG.", LDNS_RR_TYPE_AAAA, LDNS_RD | LDNS_CD);
  Bytes wire = to_wire(pkt);
  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  EXPECT_EQ(q.header.id, 0x1234);
  EXPECT_TRUE(q.header.has(flag::RD));
  EXPECT_TRUE(q.header.has(flag::CD));
  EXPECT_FALSE(q.header.has(flag::QR));
  EXPECT_EQ(q.header.opcode(), opcode::QUERY);
  ASSERT_TRUE(q.has_question);
  const ldns_rdf* qname = ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(pkt), 0));
  EXPECT_EQ(span_bytes(q.qname_wire()),
            Bytes(ldns_rdf_data(qname), ldns_rdf_data(qname) + ldns_rdf_size(qname)));
  EXPECT_EQ(q.qname_labels, ldns_dname_label_count(qname));
  auto lower = Name::from_text("www.example.org.");
  ASSERT_TRUE(lower.ok());
  EXPECT_EQ(span_bytes(q.qname_lower_wire()), span_bytes(lower->wire()));
  EXPECT_EQ(q.qtype, rr_type::AAAA);
  EXPECT_EQ(q.qclass, rr_class::IN);
  EXPECT_EQ(q.question_offset, kHeaderSize);
  EXPECT_EQ(q.question_length, ldns_rdf_size(qname) + 4);
  EXPECT_EQ(span_bytes(q.question(wire)), Bytes(wire.begin() + kHeaderSize, wire.end()));
  EXPECT_FALSE(q.has_edns);
  EXPECT_FALSE(q.has_tsig);
  EXPECT_EQ(parse_error_action(ParseError::kOk), ParseAction::kAnswer);
  ldns_pkt_free(pkt);
}

// peek_question: the question alone, lowercased, for the answer cache's prefetch; it must agree
// with parse_query() wherever that finds a question.
TEST(MessageParser, PeekQuestionAgreesWithTheFullParse) {
  ldns_pkt* pkt = query("WwW.Example.ORG.", LDNS_RR_TYPE_AAAA);
  const Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);
  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  WireName name;
  std::uint16_t qtype = 0;
  ASSERT_TRUE(peek_question(wire, name, qtype));
  EXPECT_EQ(span_bytes(name.wire()), span_bytes(q.qname_lower_wire()));
  EXPECT_EQ(qtype, rr_type::AAAA);
}

TEST(MessageParser, PeekQuestionRefusesWhatHasNoSingleQuestion) {
  ldns_pkt* pkt = query("www.example.org.", LDNS_RR_TYPE_A);
  const Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);
  WireName name;
  std::uint16_t qtype = 0;
  EXPECT_FALSE(peek_question(Bytes(wire.begin(), wire.begin() + 11), name, qtype)) << "header";
  EXPECT_FALSE(peek_question(Bytes(wire.begin(), wire.end() - 1), name, qtype)) << "cut QCLASS";
  Bytes two = wire;
  two[5] = 2;  // QDCOUNT 2
  EXPECT_FALSE(peek_question(two, name, qtype));
  Bytes none = wire;
  none[5] = 0;
  EXPECT_FALSE(peek_question(none, name, qtype));
  Bytes pointer(wire.begin(), wire.begin() + kHeaderSize);
  for (std::uint8_t octet : {0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01})
    pointer.push_back(octet);  // a compression pointer to itself
  EXPECT_FALSE(peek_question(pointer, name, qtype));
}

// Option area: ECS 192.0.2.0/24, a client cookie, and an unknown option 65001.
Bytes sample_options() {
  return Bytes{0,    8,    0, 7, 0,   1,   24, 0, 192, 0, 2,     // ECS
               0,    10,   0, 8, 1,   2,   3,  4, 5,   6, 7, 8,  // COOKIE
               0xfd, 0xe9, 0, 3, 'x', 'y', 'z'};                 // unknown
}

TEST(MessageParser, EdnsFieldsAndOptionsFromLdns) {
  ldns_pkt* pkt = query("example.net.", LDNS_RR_TYPE_DNSKEY);
  ldns_pkt_set_edns_udp_size(pkt, 1400);
  ldns_pkt_set_edns_do(pkt, true);
  ldns_pkt_set_edns_version(pkt, 0);
  Bytes options = sample_options();
  ldns_pkt_set_edns_data(
      pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, options.size(), options.data()));
  Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);

  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  ASSERT_TRUE(q.has_edns);
  EXPECT_EQ(q.udp_payload_size, 1400);
  EXPECT_TRUE(q.dnssec_ok);
  EXPECT_EQ(q.edns_version, 0);
  EXPECT_EQ(q.ext_rcode_high, 0);
  EXPECT_EQ(span_bytes(q.options(wire)), options);
  EXPECT_EQ(q.opt_offset, q.question_offset + q.question_length);

  OptionIterator it = q.option_iterator(wire);
  EdnsOption option;
  std::vector<std::uint16_t> codes;
  while (it.next(option))
    codes.push_back(option.code);
  EXPECT_FALSE(it.malformed());
  EXPECT_EQ(codes, (std::vector<std::uint16_t>{8, 10, 65001}));

  ASSERT_TRUE(q.has_client_subnet);
  EXPECT_EQ(span_bytes(q.client_subnet(wire)), (Bytes{0, 1, 24, 0, 192, 0, 2}));
  ClientSubnet ecs;
  EXPECT_EQ(parse_client_subnet(q.client_subnet(wire), ecs), EcsError::kOk);
  ASSERT_TRUE(q.has_cookie);
  EXPECT_EQ(q.cookie_length, 8);
}

TEST(MessageParser, EdnsVersionAndExtendedRcodeAreReportedNotRejected) {
  ldns_pkt* pkt = query("example.", LDNS_RR_TYPE_SOA);
  ldns_pkt_set_edns_udp_size(pkt, 100);  // below 512: reported raw
  ldns_pkt_set_edns_version(pkt, 1);     // the server answers BADVERS, the parser reports it
  ldns_pkt_set_edns_extended_rcode(pkt, 3);
  Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);
  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  EXPECT_TRUE(q.has_edns);
  EXPECT_EQ(q.udp_payload_size, 100);
  EXPECT_EQ(q.edns_version, 1);
  EXPECT_EQ(q.ext_rcode_high, 3);
  EXPECT_FALSE(q.dnssec_ok);
}

TEST(MessageParser, TsigLastIsAccepted) {
  ldns_pkt* pkt = query("example.com.", LDNS_RR_TYPE_SOA);
  ldns_pkt_set_edns_udp_size(pkt, 1232);
  ASSERT_EQ(ldns_pkt_tsig_sign(pkt, "key.example.", "MTIzNDU2Nzg5MGFiY2RlZg==", 300, "hmac-sha256.",
                               nullptr),
            LDNS_STATUS_OK);
  Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);
  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  EXPECT_TRUE(q.has_edns);
  ASSERT_TRUE(q.has_tsig);
  EXPECT_GT(q.tsig_offset, q.opt_offset);
}

// ---- hand-made packets ----

struct Packet {
  Bytes bytes;
  Packet& header(std::uint16_t flags, std::uint16_t qd, std::uint16_t an, std::uint16_t ns,
                 std::uint16_t ar) {
    Header h;
    h.id = 0xbeef;
    h.flags = flags;
    h.qdcount = qd;
    h.ancount = an;
    h.nscount = ns;
    h.arcount = ar;
    bytes.resize(kHeaderSize);
    h.write(bytes);
    return *this;
  }
  Packet& raw(std::initializer_list<std::uint8_t> octets) {
    bytes.insert(bytes.end(), octets);
    return *this;
  }
  Packet& u16(std::uint16_t v) {
    return raw({static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
  }
  Packet& name(const char* text) {
    auto n = Name::from_text(text);
    EXPECT_TRUE(n.ok());
    bytes.insert(bytes.end(), n->wire().begin(), n->wire().end());
    return *this;
  }
  Packet& question(const char* text = "example.", std::uint16_t type = 1) {
    return name(text).u16(type).u16(1);
  }
  // Owner already written; type, class, TTL, rdata.
  Packet& fixed(std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl,
                std::initializer_list<std::uint8_t> rdata) {
    u16(type).u16(rclass).u16(static_cast<std::uint16_t>(ttl >> 16)).u16(ttl & 0xffff);
    u16(static_cast<std::uint16_t>(rdata.size()));
    return raw(rdata);
  }
  Packet& opt(std::initializer_list<std::uint8_t> rdata = {}) {
    return raw({0}).fixed(rr_type::OPT, 1232, 0, rdata);
  }
  Packet& a_record(const char* owner) { return name(owner).fixed(1, 1, 60, {192, 0, 2, 1}); }
  // A minimal TSIG-typed record (content is not checked by the parser).
  Packet& tsig() { return name("key.").fixed(rr_type::TSIG, 255, 0, {0}); }
};

Packet query_header(std::uint16_t an = 0, std::uint16_t ns = 0, std::uint16_t ar = 0) {
  Packet p;
  p.header(flag::RD, 1, an, ns, ar).question();
  return p;
}

struct BadPacket {
  const char* what;
  Bytes bytes;
  ParseError expected;
  WireError detail = WireError::kOk;
};

std::vector<BadPacket> bad_packets() {
  std::vector<BadPacket> cases;
  cases.push_back({"empty", {}, ParseError::kShortHeader});
  cases.push_back({"11 octets", Bytes(11, 0), ParseError::kShortHeader});
  cases.push_back({"response (QR=1)", Packet().header(flag::QR, 1, 0, 0, 0).question().bytes,
                   ParseError::kNotQuery});
  cases.push_back(
      {"QDCOUNT 0", Packet().header(0, 0, 0, 0, 0).bytes, ParseError::kBadQuestionCount});
  cases.push_back({"QDCOUNT 2", Packet().header(0, 2, 0, 0, 0).question().question().bytes,
                   ParseError::kBadQuestionCount});
  cases.push_back({"NOTIFY with QDCOUNT 0", Packet().header(opcode::NOTIFY << 11, 0, 0, 0, 0).bytes,
                   ParseError::kBadQuestionCount});
  cases.push_back({"question without type/class",
                   Packet().header(0, 1, 0, 0, 0).name("example.").bytes,
                   ParseError::kQuestionTruncated, WireError::kTruncated});
  cases.push_back({"question name cut in a label",
                   Packet().header(0, 1, 0, 0, 0).raw({7, 'e', 'x'}).bytes,
                   ParseError::kQuestionTruncated, WireError::kTruncated});
  cases.push_back({"label length 64 (type 0x40)",
                   Packet().header(0, 1, 0, 0, 0).raw({0x40}).u16(1).u16(1).bytes,
                   ParseError::kBadQuestionName, WireError::kBadLabelType});
  cases.push_back({"label type 0x80",
                   Packet().header(0, 1, 0, 0, 0).raw({0x80, 0}).u16(1).u16(1).bytes,
                   ParseError::kBadQuestionName, WireError::kBadLabelType});
  {
    Packet p;
    p.header(0, 1, 0, 0, 0);
    for (int i = 0; i < 5; ++i) {
      p.raw({60});
      p.bytes.insert(p.bytes.end(), 60, 'z');
    }
    p.raw({0}).u16(1).u16(1);
    cases.push_back(
        {"name of 306 octets", p.bytes, ParseError::kBadQuestionName, WireError::kNameTooLong});
  }
  cases.push_back({"forward pointer in question",
                   Packet().header(0, 1, 0, 0, 0).raw({0xc0, 18}).u16(1).u16(1).raw({0}).bytes,
                   ParseError::kBadQuestionName, WireError::kBadPointer});
  cases.push_back({"question pointer to itself",
                   Packet().header(0, 1, 0, 0, 0).raw({0xc0, 12}).u16(1).u16(1).bytes,
                   ParseError::kBadQuestionName, WireError::kBadPointer});
  cases.push_back({"question pointer into header",
                   Packet().header(0, 1, 0, 0, 0).raw({0xc0, 4}).u16(1).u16(1).bytes,
                   ParseError::kBadQuestionName, WireError::kBadPointer});
  {
    // Additional owner at 25: "a" then a pointer back to 25 (a loop through its own label).
    Packet p = query_header(0, 0, 1);
    EXPECT_EQ(p.bytes.size(), 25u);
    p.raw({1, 'a', 0xc0, 25}).fixed(1, 1, 0, {1, 2, 3, 4});
    cases.push_back({"pointer loop in a record owner", p.bytes, ParseError::kBadRecordName,
                     WireError::kBadPointer});
  }
  cases.push_back({"ARCOUNT 1, no record", query_header(0, 0, 1).bytes,
                   ParseError::kRecordTruncated, WireError::kTruncated});
  {
    Packet p = query_header(1);
    p.name("example.").u16(1).u16(1).u16(0).u16(60).u16(4).raw({192, 0});
    cases.push_back(
        {"rdata overruns", p.bytes, ParseError::kRecordTruncated, WireError::kRdataOverrun});
  }
  cases.push_back(
      {"two OPT records", query_header(0, 0, 2).opt().opt().bytes, ParseError::kDuplicateOpt});
  cases.push_back({"OPT owner not root",
                   query_header(0, 0, 1).name("a.").fixed(rr_type::OPT, 1232, 0, {}).bytes,
                   ParseError::kOptOwnerNotRoot});
  cases.push_back(
      {"OPT in answer", query_header(1, 0, 0).opt().bytes, ParseError::kOptNotAdditional});
  cases.push_back(
      {"OPT in authority", query_header(0, 1, 0).opt().bytes, ParseError::kOptNotAdditional});
  cases.push_back({"option length overruns OPT rdata",
                   query_header(0, 0, 1).opt({0, 8, 0, 10, 0, 1}).bytes,
                   ParseError::kOptOptionOverrun});
  cases.push_back({"option header cut short", query_header(0, 0, 1).opt({0, 8}).bytes,
                   ParseError::kOptOptionOverrun});
  cases.push_back({"second option overruns",
                   query_header(0, 0, 1).opt({0, 3, 0, 0, 0, 12, 0, 2, 0}).bytes,
                   ParseError::kOptOptionOverrun});
  cases.push_back({"trailing octet", query_header().raw({0}).bytes, ParseError::kTrailingData});
  cases.push_back({"trailing octets after OPT", query_header(0, 0, 1).opt().raw({1, 2, 3}).bytes,
                   ParseError::kTrailingData});
  cases.push_back(
      {"TSIG before OPT", query_header(0, 0, 2).tsig().opt().bytes, ParseError::kTsigNotLast});
  cases.push_back({"TSIG in answer", query_header(1, 0, 0).tsig().bytes, ParseError::kTsigNotLast});
  cases.push_back(
      {"two TSIG records", query_header(0, 0, 2).tsig().tsig().bytes, ParseError::kTsigNotLast});
  return cases;
}

TEST(MessageParser, RejectsMalformedPackets) {
  for (const BadPacket& c : bad_packets()) {
    ParsedQuery q;
    EXPECT_EQ(parse_query(c.bytes, q), c.expected) << c.what;
    if (c.detail != WireError::kOk) {
      EXPECT_EQ(q.wire_error, c.detail) << c.what;
    }
    EXPECT_STRNE(parse_error_reason(c.expected), "ok") << c.what;
    ParseAction want =
        (c.expected == ParseError::kShortHeader || c.expected == ParseError::kNotQuery)
            ? ParseAction::kDrop
            : ParseAction::kFormErr;
    EXPECT_EQ(parse_error_action(c.expected), want) << c.what;
    // Whenever the header was readable, ID and opcode are there for the error answer.
    if (c.expected != ParseError::kShortHeader) {
      EXPECT_EQ(q.header.id, 0xbeef) << c.what;
    }
  }
}

TEST(MessageParser, WellFormedHandMadeVariantsAreAccepted) {
  ParsedQuery q;
  // Unknown EDNS options are ignored, not errors (RFC 6891 §6.1.2); zero-length ones too.
  EXPECT_EQ(parse_query(query_header(0, 0, 1).opt({0xff, 0xfe, 0, 0, 0, 99, 0, 1, 7}).bytes, q),
            ParseError::kOk);
  EXPECT_TRUE(q.has_edns);
  EXPECT_FALSE(q.has_client_subnet);
  // A compressed owner in the additional section pointing at the question name.
  EXPECT_EQ(
      parse_query(query_header(0, 0, 1).raw({0xc0, 12}).fixed(1, 1, 0, {1, 2, 3, 4}).bytes, q),
      ParseError::kOk);
  // OPT followed by TSIG, and records in answer/authority (e.g. IXFR's SOA) are fine.
  EXPECT_EQ(parse_query(query_header(1, 1, 2).a_record("a.").a_record("b.").opt().tsig().bytes, q),
            ParseError::kOk);
  EXPECT_TRUE(q.has_tsig);
  EXPECT_TRUE(q.has_edns);
}

TEST(MessageParser, NonQueryOpcodesStillReportHeader) {
  ParsedQuery q;
  // STATUS with no question: parseable, the server answers NOTIMP.
  ASSERT_EQ(parse_query(Packet().header(opcode::STATUS << 11, 0, 0, 0, 0).bytes, q),
            ParseError::kOk);
  EXPECT_EQ(q.header.opcode(), opcode::STATUS);
  EXPECT_FALSE(q.has_question);
  // UPDATE with its zone section and a prerequisite.
  ASSERT_EQ(parse_query(Packet()
                            .header(opcode::UPDATE << 11, 1, 1, 0, 0)
                            .question("example.", rr_type::SOA)
                            .name("www.example.")
                            .fixed(rr_type::ANY, rr_class::ANY, 0, {})
                            .bytes,
                        q),
            ParseError::kOk);
  EXPECT_EQ(q.header.opcode(), opcode::UPDATE);
  EXPECT_EQ(q.qtype, rr_type::SOA);
  // An unknown opcode with two questions: FORMERR, but the ID and opcode are reported.
  EXPECT_EQ(parse_query(Packet().header(9 << 11, 2, 0, 0, 0).question().question().bytes, q),
            ParseError::kBadQuestionCount);
  EXPECT_EQ(q.header.opcode(), 9);
  EXPECT_EQ(q.header.id, 0xbeef);
}

TEST(MessageParser, OversizedMessageIsDropped) {
  Bytes huge = query_header().bytes;
  huge.resize(70000, 0);
  ParsedQuery q;
  EXPECT_EQ(parse_query(huge, q), ParseError::kOversized);
  EXPECT_EQ(parse_error_action(ParseError::kOversized), ParseAction::kDrop);
}

TEST(MessageParser, ResultIsResetBetweenCalls) {
  ParsedQuery q;
  ASSERT_EQ(parse_query(query_header(0, 0, 1).opt({0, 8, 0, 4, 0, 1, 0, 0}).bytes, q),
            ParseError::kOk);
  EXPECT_TRUE(q.has_edns);
  EXPECT_TRUE(q.has_client_subnet);
  ASSERT_EQ(parse_query(query_header().bytes, q), ParseError::kOk);
  EXPECT_FALSE(q.has_edns);
  EXPECT_FALSE(q.has_client_subnet);
  EXPECT_EQ(q.options_length, 0);
}

TEST(MessageParser, EveryTruncationOfAValidQueryIsRejected) {
  ldns_pkt* pkt = query("a.long.name.example.com.", LDNS_RR_TYPE_TXT);
  ldns_pkt_set_edns_udp_size(pkt, 4096);
  Bytes options = sample_options();
  ldns_pkt_set_edns_data(
      pkt, ldns_rdf_new_frm_data(LDNS_RDF_TYPE_UNKNOWN, options.size(), options.data()));
  Bytes wire = to_wire(pkt);
  ldns_pkt_free(pkt);
  ParsedQuery q;
  ASSERT_EQ(parse_query(wire, q), ParseError::kOk);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    ParseError e = parse_query(std::span(wire).first(n), q);
    EXPECT_NE(e, ParseError::kOk) << n;
    EXPECT_NE(parse_error_action(e), ParseAction::kAnswer) << n;
  }
}

}  // namespace
}  // namespace hayate::zone
