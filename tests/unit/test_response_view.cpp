#include "zone/response_view.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "zone/ldns_wrapper.hpp"
#include "zone/rdata_names.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

// ---- responses built by ldns ----

Bytes to_wire(ldns_pkt* pkt) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, pkt, &size), LDNS_STATUS_OK);
  Bytes out(wire, wire + size);
  std::free(wire);
  return out;
}

ldns_rr* rr(const std::string& text) {
  ldns_rr* out = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&out, text.c_str(), 3600, nullptr, nullptr), LDNS_STATUS_OK)
      << text;
  return out;
}

Rdata ldns_rdata(const ldns_rr* record) {
  ldns_buffer* buffer = ldns_buffer_new(512);
  EXPECT_EQ(ldns_rr_rdata2buffer_wire(buffer, record), LDNS_STATUS_OK);
  Rdata out(ldns_buffer_begin(buffer), ldns_buffer_begin(buffer) + ldns_buffer_position(buffer));
  ldns_buffer_free(buffer);
  return out;
}

Name ldns_name(const ldns_rdf* rdf) {
  auto name = Name::from_wire({ldns_rdf_data(rdf), ldns_rdf_size(rdf)});
  EXPECT_TRUE(name.ok());
  return *name;
}

// What the view should hold for one ldns section: records grouped by (owner, type, class) in
// order of first appearance, TTL the minimum, duplicates (case-insensitive in names) once.
std::vector<ResponseRRset> expected_rrsets(const ldns_rr_list* list) {
  std::vector<ResponseRRset> out;
  for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i) {
    const ldns_rr* record = ldns_rr_list_rr(list, i);
    Name owner = ldns_name(ldns_rr_owner(record));
    std::uint16_t type = ldns_rr_get_type(record);
    std::uint16_t rclass = ldns_rr_get_class(record);
    auto set = std::find_if(out.begin(), out.end(), [&](const ResponseRRset& s) {
      return s.owner == owner && s.type == type && s.rclass == rclass;
    });
    if (set == out.end()) {
      out.push_back(ResponseRRset{owner, type, rclass, ldns_rr_ttl(record), {}});
      set = out.end() - 1;
    }
    set->ttl = std::min(set->ttl, ldns_rr_ttl(record));
    Rdata rdata = ldns_rdata(record);
    if (std::find(set->rdatas.begin(), set->rdatas.end(), rdata) == set->rdatas.end()) {
      set->rdatas.push_back(rdata);
    }
  }
  return out;
}

// Names compare without regard to case: a compressed name takes the case of the octets its
// pointer lands on (here the question's "www.Example.com."), which is the same name.
void expect_same_rrsets(const std::vector<ResponseRRset>& want,
                        const std::vector<ResponseRRset>& got) {
  ASSERT_EQ(want.size(), got.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    SCOPED_TRACE("rrset " + std::to_string(i) + " " + want[i].owner.to_text());
    EXPECT_EQ(want[i].owner, got[i].owner);
    EXPECT_EQ(want[i].type, got[i].type);
    EXPECT_EQ(want[i].rclass, got[i].rclass);
    EXPECT_EQ(want[i].ttl, got[i].ttl);
    ASSERT_EQ(want[i].rdatas.size(), got[i].rdatas.size());
    for (std::size_t j = 0; j < want[i].rdatas.size(); ++j) {
      EXPECT_TRUE(rdata_equal(want[i].type, want[i].rdatas[j], got[i].rdatas[j])) << "rdata " << j;
    }
  }
}

struct LdnsResponse {
  ldns_pkt* pkt = nullptr;
  Bytes wire;
};

LdnsResponse build_response(const std::vector<std::string>& answer,
                            const std::vector<std::string>& authority,
                            const std::vector<std::string>& additional) {
  LdnsResponse out;
  out.pkt = ldns_pkt_query_new(ldns_dname_new_frm_str("www.Example.com."), LDNS_RR_TYPE_A,
                               LDNS_RR_CLASS_IN, LDNS_RD);
  ldns_pkt_set_id(out.pkt, 0xbeef);
  ldns_pkt_set_qr(out.pkt, true);
  ldns_pkt_set_aa(out.pkt, true);
  ldns_pkt_set_ra(out.pkt, true);
  for (const auto& t : answer)
    ldns_pkt_push_rr(out.pkt, LDNS_SECTION_ANSWER, rr(t));
  for (const auto& t : authority)
    ldns_pkt_push_rr(out.pkt, LDNS_SECTION_AUTHORITY, rr(t));
  for (const auto& t : additional)
    ldns_pkt_push_rr(out.pkt, LDNS_SECTION_ADDITIONAL, rr(t));
  return out;
}

const std::vector<std::string> kAnswer = {
    "www.example.com. 300 IN CNAME web.example.com.",
    "web.example.com. 60 IN A 192.0.2.1",
    "web.example.com. 60 IN MX 10 mail.example.com.",
    "web.example.com. 30 IN A 192.0.2.2",  // same RRset, not adjacent, smaller TTL
    "WEB.example.com. 90 IN A 192.0.2.3",  // same RRset, other case
    "web.example.com. 60 IN A 192.0.2.1",  // duplicate
    "web.example.com. 60 IN MX 20 mail2.example.com.",
    "web.example.com. 60 IN TXT \"v=spf1 -all\" \"second string\"",
};
const std::vector<std::string> kAuthority = {
    "example.com. 86400 IN NS ns1.example.com.",
    "example.com. 86400 IN NS ns2.example.com.",
    "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 "
    "1209600 300",
    "example.com. 3600 IN RRSIG SOA 8 2 3600 20300101000000 20200101000000 12345 example.com. "
    "AwEAAcE=",
};
const std::vector<std::string> kAdditional = {
    "ns1.example.com. 86400 IN A 192.0.2.53",
    "ns1.example.com. 86400 IN AAAA 2001:db8::53",
    "_sip._udp.example.com. 300 IN SRV 10 60 5060 sip.example.com.",
    "example.com. 300 IN NAPTR 100 10 \"S\" \"SIP+D2U\" \"\" _sip._udp.example.com.",
    "example.com. 300 IN RP mbox.example.com. txt.example.com.",
    "example.com. 300 IN NSEC www.example.com. A NS SOA RRSIG NSEC",
    "example.com. 300 IN TYPE65000 \\# 4 c00c0102",  // looks like a pointer: opaque, kept
};

TEST(ResponseView, EveryRRsetOfAnLdnsResponseWithCompression) {
  LdnsResponse r = build_response(kAnswer, kAuthority, kAdditional);
  ldns_pkt_set_edns_udp_size(r.pkt, 1232);
  ldns_pkt_set_edns_do(r.pkt, true);
  r.wire = to_wire(r.pkt);

  ResponseView view;
  ASSERT_EQ(parse_response(r.wire, view), ResponseError::kOk);
  EXPECT_EQ(view.header.id, 0xbeef);
  EXPECT_TRUE(view.header.has(flag::AA));
  EXPECT_EQ(view.rcode, rcode::NOERROR);
  ASSERT_TRUE(view.has_question);
  EXPECT_EQ(view.qname.to_text(), "www.Example.com.");
  EXPECT_EQ(view.qtype, rr_type::A);
  EXPECT_EQ(view.qclass, rr_class::IN);
  expect_same_rrsets(expected_rrsets(ldns_pkt_answer(r.pkt)), view.section(Section::kAnswer));
  expect_same_rrsets(expected_rrsets(ldns_pkt_authority(r.pkt)), view.section(Section::kAuthority));
  expect_same_rrsets(expected_rrsets(ldns_pkt_additional(r.pkt)),
                     view.section(Section::kAdditional));
  EXPECT_TRUE(view.edns.present);
  EXPECT_EQ(view.edns.udp_payload_size, 1232);
  EXPECT_TRUE(view.edns.dnssec_ok);
  EXPECT_FALSE(view.has_tsig);
  EXPECT_EQ(view.record_count, kAnswer.size() + kAuthority.size() + kAdditional.size() + 1);

  // The A RRset: three addresses, the smallest TTL.
  const ResponseRRset* a =
      view.find(Section::kAnswer, *Name::from_text("web.example.COM."), rr_type::A);
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->rdatas.size(), 3u);
  EXPECT_EQ(a->ttl, 30u);
  ldns_pkt_free(r.pkt);
}

TEST(ResponseView, LdnsCompressedTheNamesInsideRdata) {
  // Guards the test above: the CNAME target must really sit on the wire as a pointer.
  LdnsResponse r = build_response({"www.example.com. 300 IN CNAME web.example.com."}, {}, {});
  r.wire = to_wire(r.pkt);
  // Question (www.example.com = 17 octets) + 4, then owner pointer (2) + 10 fixed octets.
  std::size_t rdata_at = 12 + 17 + 4 + 2 + 10;
  ASSERT_GT(r.wire.size(), rdata_at + 5);
  std::uint16_t rdlength = load_u16(&r.wire[rdata_at - 2]);
  EXPECT_LT(rdlength, 17u) << "ldns left the CNAME rdata uncompressed";
  ResponseView view;
  ASSERT_EQ(parse_response(r.wire, view), ResponseError::kOk);
  ASSERT_EQ(view.section(Section::kAnswer).size(), 1u);
  Name target = *Name::from_text("web.Example.com.");  // the case of the pointer's target
  EXPECT_EQ(view.section(Section::kAnswer)[0].rdatas[0],
            Rdata(target.wire().begin(), target.wire().end()));
  ldns_pkt_free(r.pkt);
}

TEST(ResponseView, ExtendedRcodeAndClientSubnetFromOpt) {
  LdnsResponse r = build_response({}, {}, {});
  ldns_pkt_set_rcode(r.pkt, 0);
  ldns_pkt_set_edns_udp_size(r.pkt, 4096);
  ldns_pkt_set_edns_extended_rcode(r.pkt, 1);  // 1 << 4 | 0 = 16: BADVERS
  ClientSubnet ecs;
  ecs.family = ecs_family::IPV4;
  ecs.source_prefix = 24;
  ecs.scope_prefix = 16;
  ecs.address = {198, 51, 100};
  Bytes data(32);
  data.resize(encode_client_subnet(ecs, data));
  ldns_edns_option_list* list = ldns_edns_option_list_new();
  ldns_edns_option_list_push(
      list, ldns_edns_new_from_data(LDNS_EDNS_CLIENT_SUBNET, data.size(), data.data()));
  ldns_pkt_set_edns_option_list(r.pkt, list);
  r.wire = to_wire(r.pkt);

  ResponseView view;
  ASSERT_EQ(parse_response(r.wire, view), ResponseError::kOk);
  EXPECT_EQ(view.rcode, rcode::BADVERS);
  ASSERT_TRUE(view.edns.client_subnet.has_value());
  EXPECT_EQ(view.edns.client_subnet->source_prefix, 24);
  EXPECT_EQ(view.edns.client_subnet->scope_prefix, 16);
  EXPECT_EQ(view.edns.client_subnet->address[2], 100);
  EXPECT_EQ(view.edns.options.size(), 4 + data.size());
  ldns_pkt_free(r.pkt);
}

TEST(ResponseView, MatchesQuestionIgnoringCase) {
  LdnsResponse r = build_response({}, {}, {});
  r.wire = to_wire(r.pkt);
  ResponseView view;
  ASSERT_EQ(parse_response(r.wire, view), ResponseError::kOk);
  Name asked = *Name::from_text("WWW.example.com.");
  EXPECT_TRUE(response_matches_question(view, asked, rr_type::A, rr_class::IN));
  EXPECT_FALSE(response_matches_question(view, asked, rr_type::AAAA, rr_class::IN));
  EXPECT_FALSE(response_matches_question(view, asked, rr_type::A, rr_class::CH));
  EXPECT_FALSE(
      response_matches_question(view, *Name::from_text("example.com."), rr_type::A, rr_class::IN));
  ldns_pkt_free(r.pkt);
}

// ---- hand-built messages ----

// A message assembled octet by octet; the question "example.com. A IN" sits at offset 12, so a
// pointer 0xc00c means "example.com.".
class Wire {
 public:
  explicit Wire(std::uint16_t an = 0, std::uint16_t ns = 0, std::uint16_t ar = 0) {
    Header h;
    h.id = 7;
    h.flags = flag::QR | flag::AA;
    h.qdcount = 1;
    h.ancount = an;
    h.nscount = ns;
    h.arcount = ar;
    bytes_.resize(kHeaderSize);
    h.write(bytes_);
    name("example.com.").u16(rr_type::A).u16(rr_class::IN);
  }

  Wire& raw(std::initializer_list<std::uint8_t> octets) {
    bytes_.insert(bytes_.end(), octets);
    return *this;
  }
  Wire& raw(const Bytes& octets) {
    bytes_.insert(bytes_.end(), octets.begin(), octets.end());
    return *this;
  }
  Wire& name(const char* text) {
    auto n = Name::from_text(text);
    return raw(Bytes(n->wire().begin(), n->wire().end()));
  }
  Wire& u16(std::uint16_t v) {
    return raw({static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)});
  }
  Wire& u32(std::uint32_t v) { return u16(static_cast<std::uint16_t>(v >> 16)).u16(v & 0xffff); }
  // Type, class, TTL, rdlength = rdata.size(), rdata (after an owner written by the caller).
  Wire& fixed(std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl, const Bytes& rdata) {
    return u16(type).u16(rclass).u32(ttl).u16(static_cast<std::uint16_t>(rdata.size())).raw(rdata);
  }
  Wire& set_u16(std::size_t at, std::uint16_t v) {
    store_u16(&bytes_[at], v);
    return *this;
  }

  const Bytes& bytes() const { return bytes_; }
  std::size_t size() const { return bytes_.size(); }

 private:
  Bytes bytes_;
};

constexpr std::uint8_t kPtr = 0xc0;
const Bytes kExampleCom = {kPtr, 12};
const Bytes kA = {192, 0, 2, 1};

TEST(ResponseView, DecompressesEveryNameInsideKnownRdata) {
  // SOA with both names compressed; MX with "mail" + pointer; SRV (not compressible per RFC 2782,
  // but decompressed on receipt as RFC 3597 §4 allows).
  Wire w(3);
  w.raw(kExampleCom).fixed(rr_type::SOA, 1, 300, {3,   'n',  's', '1', kPtr, 12,  10,  'h',
                                                  'o', 's',  't', 'm', 'a',  's', 't', 'e',
                                                  'r', kPtr, 12,  0,   0,    0,   1,   0,
                                                  0,   0,    2,   0,   0,    0,   3,   0,
                                                  0,   0,    4,   0,   0,    0,   5});
  w.raw(kExampleCom).fixed(rr_type::MX, 1, 300, {0, 10, 4, 'm', 'a', 'i', 'l', kPtr, 12});
  w.raw(kExampleCom).fixed(rr_type::SRV, 1, 300, {0, 1, 0, 2, 0, 53, kPtr, 12});
  ResponseView view;
  ASSERT_EQ(parse_response(w.bytes(), view), ResponseError::kOk);
  const auto& answer = view.section(Section::kAnswer);
  ASSERT_EQ(answer.size(), 3u);
  Rdata soa = {3,   'n', 's', '1', 7,   'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm',
               0,   10,  'h', 'o', 's', 't', 'm', 'a', 's', 't', 'e', 'r', 7, 'e', 'x', 'a',
               'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0,   0,   0,   0,   1, 0,   0,   0,
               2,   0,   0,   0,   3,   0,   0,   0,   4,   0,   0,   0,   5};
  EXPECT_EQ(answer[0].rdatas[0], soa);
  Rdata mx = {0,   10,  4,   'm', 'a', 'i', 'l', 7,   'e', 'x',
              'a', 'm', 'p', 'l', 'e', 3,   'c', 'o', 'm', 0};
  EXPECT_EQ(answer[1].rdatas[0], mx);
  Rdata srv = {0, 1, 0, 2, 0, 53, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0};
  EXPECT_EQ(answer[2].rdatas[0], srv);
}

TEST(ResponseView, TtlWithTopBitSetIsZero) {
  Wire w(1);
  w.raw(kExampleCom).fixed(rr_type::A, 1, 0x80000010, kA);
  ResponseView view;
  ASSERT_EQ(parse_response(w.bytes(), view), ResponseError::kOk);
  EXPECT_EQ(view.section(Section::kAnswer)[0].ttl, 0u);  // RFC 2181 §8
}

TEST(ResponseView, ResponseWithoutQuestionAndTsigAtTheEnd) {
  // A FORMERR answer may omit the question; a TSIG record (RFC 8945) ends the message.
  Bytes message(kHeaderSize, 0);
  Header h;
  h.flags = flag::QR | rcode::FORMERR;
  h.arcount = 1;
  h.write(message);
  Bytes tsig = {0, 0, 250, 0, 255, 0, 0, 0, 0, 0, 2, 0xaa, 0xbb};  // owner ".", rdata opaque
  message.insert(message.end(), tsig.begin(), tsig.end());
  ResponseView view;
  ASSERT_EQ(parse_response(message, view), ResponseError::kOk);
  EXPECT_FALSE(view.has_question);
  EXPECT_TRUE(view.has_tsig);
  EXPECT_EQ(view.rcode, rcode::FORMERR);
  EXPECT_TRUE(view.section(Section::kAdditional).empty());
  EXPECT_FALSE(response_matches_question(view, Name(), rr_type::A, rr_class::IN));
}

struct MalformedCase {
  const char* what;
  Bytes message;
  ResponseError want;
  ResponseLimits limits = {};
};

Bytes opt_rr(const Bytes& options) {
  Bytes out = {0};  // root owner
  Bytes fixed = {0,
                 41,
                 0x04,
                 0xd0,
                 0,
                 0,
                 0,
                 0,
                 static_cast<std::uint8_t>(options.size() >> 8),
                 static_cast<std::uint8_t>(options.size())};
  out.insert(out.end(), fixed.begin(), fixed.end());
  out.insert(out.end(), options.begin(), options.end());
  return out;
}

std::vector<MalformedCase> malformed_cases() {
  std::vector<MalformedCase> cases;
  auto add = [&](const char* what, Bytes m, ResponseError want, ResponseLimits limits = {}) {
    cases.push_back({what, std::move(m), want, limits});
  };
  const Bytes good = Wire(1).raw(kExampleCom).fixed(rr_type::A, 1, 60, kA).bytes();

  add("empty", {}, ResponseError::kShortHeader);
  add("five octets", Bytes(good.begin(), good.begin() + 5), ResponseError::kShortHeader);
  {
    Bytes m = good;
    m[2] &= 0x7f;  // QR off
    add("query, not response", m, ResponseError::kNotResponse);
  }
  {
    Bytes m = good;
    m.resize(65536);
    add("65536 octets", m, ResponseError::kOversized);
  }
  add("two questions", Wire(1).set_u16(4, 2).bytes(), ResponseError::kBadQuestionCount);
  add("question cut in its name", Bytes(good.begin(), good.begin() + 18),
      ResponseError::kQuestionTruncated);
  add("question cut in qclass", Bytes(good.begin(), good.begin() + 27),
      ResponseError::kQuestionTruncated);
  {
    Bytes m = good;
    m[12] = kPtr;  // question name: pointer to itself
    m[13] = 12;
    add("question name points at itself", m, ResponseError::kBadQuestionName);
  }
  {
    Bytes m = good;
    m[12] = 0x40;  // extended label type
    add("question name with label type 0x40", m, ResponseError::kBadQuestionName);
  }
  add("record cut in its fixed part", Bytes(good.begin(), good.end() - 8),
      ResponseError::kRecordTruncated);
  add("record cut in its rdata", Bytes(good.begin(), good.end() - 1),
      ResponseError::kRecordTruncated);
  add("answer count above the records", Wire(2).raw(kExampleCom).fixed(1, 1, 60, kA).bytes(),
      ResponseError::kRecordTruncated);
  add("owner pointer forward", Wire(1).raw({kPtr, 40}).fixed(1, 1, 60, kA).bytes(),
      ResponseError::kBadRecordName);
  add("owner pointer into the header", Wire(1).raw({kPtr, 2}).fixed(1, 1, 60, kA).bytes(),
      ResponseError::kBadRecordName);
  add("NS rdata pointer forward",
      Wire(1).raw(kExampleCom).fixed(rr_type::NS, 1, 60, {kPtr, 60}).bytes(),
      ResponseError::kBadRdata);
  add("NS rdata name runs past rdlength",
      Wire(1).raw(kExampleCom).fixed(rr_type::NS, 1, 60, {3, 'n', 's'}).raw({'1', 0}).bytes(),
      ResponseError::kBadRdata);
  add("NS rdata empty", Wire(1).raw(kExampleCom).fixed(rr_type::NS, 1, 60, {}).bytes(),
      ResponseError::kBadRdata);
  add("MX rdata one octet", Wire(1).raw(kExampleCom).fixed(rr_type::MX, 1, 60, {0}).bytes(),
      ResponseError::kBadRdata);
  add("NAPTR character-string past rdlength",
      Wire(1).raw(kExampleCom).fixed(rr_type::NAPTR, 1, 60, {0, 1, 0, 2, 9, 'S'}).bytes(),
      ResponseError::kBadRdata);
  add("SOA names but no counters",
      Wire(1).raw(kExampleCom).fixed(rr_type::SOA, 1, 60, {kPtr, 12, kPtr, 12}).bytes(),
      ResponseError::kOk);  // the fixed tail is opaque: not the parser's business
  add("OPT in the answer section", Wire(1).raw(opt_rr({})).bytes(),
      ResponseError::kOptNotAdditional);
  add("two OPT records", Wire(0, 0, 2).raw(opt_rr({})).raw(opt_rr({})).bytes(),
      ResponseError::kDuplicateOpt);
  add("OPT owner not root", Wire(0, 0, 1).raw(kExampleCom).fixed(rr_type::OPT, 1232, 0, {}).bytes(),
      ResponseError::kOptOwnerNotRoot);
  add("EDNS option overruns", Wire(0, 0, 1).raw(opt_rr({0, 8, 0, 9, 0, 1})).bytes(),
      ResponseError::kOptOptionOverrun);
  add("TSIG not last",
      Wire(0, 0, 2)
          .raw({0})
          .fixed(rr_type::TSIG, 255, 0, {})
          .raw(kExampleCom)
          .fixed(1, 1, 60, kA)
          .bytes(),
      ResponseError::kTsigNotLast);
  add("TSIG in the answer section", Wire(1).raw({0}).fixed(rr_type::TSIG, 255, 0, {}).bytes(),
      ResponseError::kTsigNotLast);
  {
    Bytes m = good;
    m.push_back(0);
    add("trailing octet", m, ResponseError::kTrailingData);
  }
  add("1001 records announced", Wire(1001).bytes(), ResponseError::kTooManyRecords);
  {
    Wire w(20);
    for (int i = 0; i < 20; ++i)
      w.raw(kExampleCom).fixed(rr_type::NS, 1, 60, {kPtr, 12});
    ResponseLimits small;
    small.max_rdata_bytes = 200;  // 20 x (13 + 13) octets decompressed
    add("decompressed beyond the rdata limit", w.bytes(), ResponseError::kRdataTooLarge, small);
  }
  return cases;
}

TEST(ResponseView, MalformedResponses) {
  for (const MalformedCase& c : malformed_cases()) {
    ResponseView view;
    ResponseError got = parse_response(c.message, view, c.limits);
    EXPECT_EQ(got, c.want) << c.what << ": got \"" << response_error_reason(got) << "\"";
    EXPECT_NE(std::string(response_error_reason(got)), "");
  }
}

TEST(ResponseView, HeaderIsKeptWhenTheBodyIsBad) {
  Bytes m = Wire(1).raw({kPtr, 40}).fixed(1, 1, 60, kA).bytes();
  store_u16(&m[2], flag::QR | flag::TC | rcode::SERVFAIL);
  ResponseView view;
  ASSERT_EQ(parse_response(m, view), ResponseError::kBadRecordName);
  EXPECT_EQ(view.header.id, 7);
  EXPECT_TRUE(view.header.has(flag::TC));
  EXPECT_EQ(view.rcode, rcode::SERVFAIL);
  EXPECT_EQ(view.wire_error, WireError::kBadPointer);
}

TEST(ResponseView, ReparsingResetsEverything) {
  ResponseView view;
  ASSERT_EQ(parse_response(Wire(1).raw(kExampleCom).fixed(1, 1, 60, kA).bytes(), view),
            ResponseError::kOk);
  ASSERT_EQ(parse_response(Wire().bytes(), view), ResponseError::kOk);
  EXPECT_TRUE(view.section(Section::kAnswer).empty());
  EXPECT_EQ(view.record_count, 0u);
}

}  // namespace
}  // namespace hayate::zone
