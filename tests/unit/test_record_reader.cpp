#include "zone/record_reader.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

// A 12-octet header with the given counts, then `body`.
Bytes message(std::initializer_list<std::uint8_t> body, std::uint16_t qd = 0, std::uint16_t an = 0,
              std::uint16_t ns = 0, std::uint16_t ar = 0) {
  // Reserved first: one allocation, and no GCC 12 -Warray-bounds false positive on the
  // reallocation path of insert().
  Bytes out;
  out.reserve(kHeaderSize + body.size());
  out.resize(kHeaderSize, 0);
  Header h;
  h.qdcount = qd;
  h.ancount = an;
  h.nscount = ns;
  h.arcount = ar;
  h.write(out);
  out.insert(out.end(), body);
  return out;
}

Bytes to_wire(ldns_pkt* pkt) {
  std::uint8_t* wire = nullptr;
  std::size_t size = 0;
  EXPECT_EQ(ldns_pkt2wire(&wire, pkt, &size), LDNS_STATUS_OK);
  Bytes out(wire, wire + size);
  std::free(wire);
  return out;
}

ldns_rr* rr(const char* text) {
  ldns_rr* out = nullptr;
  EXPECT_EQ(ldns_rr_new_frm_str(&out, text, 3600, nullptr, nullptr), LDNS_STATUS_OK) << text;
  return out;
}

bool same_name(const WireName& ours, const ldns_rdf* theirs) {
  ldns_rdf* mine = ldns_rdf_new_frm_data(LDNS_RDF_TYPE_DNAME, ours.length, ours.octets.data());
  bool same = ldns_dname_compare(mine, theirs) == 0;
  ldns_rdf_deep_free(mine);
  return same;
}

TEST(RecordReader, WalksLdnsResponseWithCompressedNames) {
  ldns_rdf* qname = ldns_dname_new_frm_str("www.example.com.");
  ldns_pkt* pkt = ldns_pkt_query_new(qname, LDNS_RR_TYPE_A, LDNS_RR_CLASS_IN, LDNS_RD);
  ldns_pkt_set_qr(pkt, true);
  const char* answer[] = {"www.example.com. 300 IN CNAME web.example.com.",
                          "web.example.com. 60 IN A 192.0.2.1"};
  const char* authority[] = {"example.com. 86400 IN NS ns1.example.com.",
                             "example.com. 86400 IN NS ns2.example.com."};
  const char* additional[] = {"ns1.example.com. 86400 IN A 192.0.2.53"};
  for (const char* t : answer)
    ldns_pkt_push_rr(pkt, LDNS_SECTION_ANSWER, rr(t));
  for (const char* t : authority)
    ldns_pkt_push_rr(pkt, LDNS_SECTION_AUTHORITY, rr(t));
  for (const char* t : additional)
    ldns_pkt_push_rr(pkt, LDNS_SECTION_ADDITIONAL, rr(t));
  Bytes wire = to_wire(pkt);

  RecordReader reader(wire);
  Header h;
  ASSERT_EQ(reader.read_header(h), WireError::kOk);
  EXPECT_EQ(h.qdcount, 1);
  EXPECT_EQ(h.ancount, 2);
  EXPECT_EQ(h.nscount, 2);
  EXPECT_EQ(h.arcount, 1);
  WireName name;
  std::uint16_t qtype = 0, qclass = 0;
  ASSERT_EQ(reader.read_question(&name, qtype, qclass), WireError::kOk);
  EXPECT_TRUE(same_name(name, qname));
  EXPECT_EQ(name.labels, 3);
  EXPECT_EQ(qtype, rr_type::A);
  EXPECT_EQ(qclass, 1);

  // The names after the question are compressed by ldns; each must decode to ldns's owner.
  std::size_t compressed_owners = 0;
  auto walk = [&](std::uint16_t count, ldns_rr_list* expected) {
    std::size_t i = 0;
    WireError error =
        reader.for_each_record(count, [&](const WireName& owner, const WireRecord& r) {
          ldns_rr* want = ldns_rr_list_rr(expected, i++);
          EXPECT_TRUE(same_name(owner, ldns_rr_owner(want)));
          EXPECT_EQ(r.header.type, ldns_rr_get_type(want));
          EXPECT_EQ(r.header.ttl, ldns_rr_ttl(want));
          EXPECT_EQ(r.rdata.size(), r.header.rdlength);
          if ((wire[r.header.owner_offset] & 0xc0) == 0xc0) ++compressed_owners;
          return true;
        });
    EXPECT_EQ(error, WireError::kOk);
    EXPECT_EQ(i, ldns_rr_list_rr_count(expected));
  };
  walk(h.ancount, ldns_pkt_answer(pkt));
  walk(h.nscount, ldns_pkt_authority(pkt));
  walk(h.arcount, ldns_pkt_additional(pkt));
  EXPECT_TRUE(reader.at_end());
  EXPECT_GE(compressed_owners, 4u);

  // NS rdata names are compressed too; read_name_at decodes them in place.
  RecordReader again(wire);
  ASSERT_EQ(again.skip(kHeaderSize), WireError::kOk);
  ASSERT_EQ(again.read_question(nullptr, qtype, qclass), WireError::kOk);
  WireRecord record;
  // CNAME, A, NS ns1, NS ns2.
  for (int i = 0; i < 4; ++i)
    ASSERT_EQ(again.read_record(nullptr, record), WireError::kOk);
  EXPECT_EQ(record.header.type, rr_type::NS);
  std::size_t next = 0;
  ASSERT_EQ(read_name_at(wire, record.header.rdata_offset, &name, &next), WireError::kOk);
  EXPECT_EQ(next, record.header.rdata_offset + record.header.rdlength);
  ldns_rdf* ns2 = ldns_dname_new_frm_str("ns2.example.com.");
  EXPECT_TRUE(same_name(name, ns2));
  ldns_rdf_deep_free(ns2);
  ldns_pkt_free(pkt);
}

TEST(RecordReader, LowercasesOnRequestAndKeepsCaseOtherwise) {
  Bytes wire = message({3, 'W', 'w', 'W', 2, 'E', 'x', 0, 0, 1, 0, 1}, 1);
  RecordReader reader(wire, kHeaderSize);
  WireName kept;
  ASSERT_EQ(reader.read_name(&kept), WireError::kOk);
  EXPECT_EQ(Bytes(kept.wire().begin(), kept.wire().end()),
            (Bytes{3, 'W', 'w', 'W', 2, 'E', 'x', 0}));
  WireName lower;
  ASSERT_EQ(read_name_at(wire, kHeaderSize, &lower, nullptr, NameCase::kLower), WireError::kOk);
  EXPECT_EQ(Bytes(lower.wire().begin(), lower.wire().end()),
            (Bytes{3, 'w', 'w', 'w', 2, 'e', 'x', 0}));
  EXPECT_EQ(hash_name_wire(kept.wire()), hash_name_wire(lower.wire()));
}

TEST(RecordReader, RootNameIsOneOctet) {
  Bytes wire = message({0});
  WireName name;
  std::size_t next = 0;
  ASSERT_EQ(read_name_at(wire, kHeaderSize, &name, &next), WireError::kOk);
  EXPECT_TRUE(name.is_root());
  EXPECT_EQ(name.labels, 0);
  EXPECT_EQ(next, kHeaderSize + 1);
}

struct BadName {
  const char* what;
  Bytes wire;
  WireError expected;
};

// Body starting at offset 12; the name under test starts at `start`.
Bytes body(std::initializer_list<std::uint8_t> octets) {
  return message(octets);
}

TEST(RecordReader, RejectsMalformedNames) {
  const BadName cases[] = {
      {"empty", body({}), WireError::kTruncated},
      {"label runs past end", body({5, 'a', 'b'}), WireError::kTruncated},
      {"no root label", body({1, 'a'}), WireError::kTruncated},
      {"half a pointer", body({1, 'a', 0xc0}), WireError::kTruncated},
      {"label type 0x40 (length 64)", body({0x40, 'a', 0}), WireError::kBadLabelType},
      {"label type 0x80", body({0x80, 0}), WireError::kBadLabelType},
      {"pointer to itself", body({0xc0, 12}), WireError::kBadPointer},
      {"forward pointer", body({0xc0, 14, 0}), WireError::kBadPointer},
      {"pointer into header", body({0xc0, 2}), WireError::kBadPointer},
      {"loop via earlier label", body({1, 'a', 0xc0, 12}), WireError::kBadPointer},
  };
  for (const BadName& c : cases) {
    WireName name;
    EXPECT_EQ(read_name_at(c.wire, kHeaderSize, &name, nullptr), c.expected) << c.what;
    EXPECT_EQ(read_name_at(c.wire, kHeaderSize, nullptr, nullptr), c.expected) << c.what;
    EXPECT_STRNE(wire_error_reason(c.expected), "ok");
  }
}

TEST(RecordReader, LoopBetweenTwoNamesIsRejected) {
  // name A at 12: "a" + pointer to 16; name B at 16: "b" + pointer to 12. From B, 12 is before
  // B's run start, so the jump is allowed; from A's run (12) the pointer back to 16 is not.
  Bytes wire = body({1, 'a', 0xc0, 16, 1, 'b', 0xc0, 12});
  EXPECT_EQ(read_name_at(wire, 12, nullptr, nullptr), WireError::kBadPointer);
  EXPECT_EQ(read_name_at(wire, 16, nullptr, nullptr), WireError::kBadPointer);
}

Bytes labels_of_63(std::size_t count) {
  Bytes out = body({});
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(63);
    out.insert(out.end(), 63, 'x');
  }
  return out;
}

TEST(RecordReader, NameLengthLimitIs255) {
  // 3 x 64 + 62 + root = 255: the longest legal name.
  Bytes ok = labels_of_63(3);
  ok.push_back(61);
  ok.insert(ok.end(), 61, 'y');
  ok.push_back(0);
  WireName name;
  ASSERT_EQ(read_name_at(ok, kHeaderSize, &name, nullptr), WireError::kOk);
  EXPECT_EQ(name.length, 255);
  EXPECT_EQ(name.labels, 4);

  Bytes too_long = labels_of_63(3);
  too_long.push_back(62);
  too_long.insert(too_long.end(), 62, 'y');
  too_long.push_back(0);
  EXPECT_EQ(read_name_at(too_long, kHeaderSize, &name, nullptr), WireError::kNameTooLong);
}

TEST(RecordReader, NameTooLongThroughPointers) {
  // A 200-octet name, then a name that adds 60 octets in front of a pointer to it.
  Bytes wire = body({});
  for (int i = 0; i < 4; ++i) {
    wire.push_back(49);
    wire.insert(wire.end(), 49, 'a');
  }
  wire.push_back(0);  // 201 octets at 12
  std::size_t second = wire.size();
  wire.push_back(59);
  wire.insert(wire.end(), 59, 'b');
  wire.push_back(0xc0);
  wire.push_back(12);
  EXPECT_EQ(read_name_at(wire, 12, nullptr, nullptr), WireError::kOk);
  EXPECT_EQ(read_name_at(wire, second, nullptr, nullptr), WireError::kNameTooLong);
}

// Each pointer points to the pointer before it; the first points at a root label at 12.
Bytes pointer_chain(std::size_t pointers) {
  Bytes wire = body({0});
  for (std::size_t i = 0; i < pointers; ++i) {
    std::size_t target = i == 0 ? 12 : wire.size() - 2;
    wire.push_back(static_cast<std::uint8_t>(0xc0 | (target >> 8)));
    wire.push_back(static_cast<std::uint8_t>(target));
  }
  return wire;
}

TEST(RecordReader, PointerChainsAreBounded) {
  Bytes short_chain = pointer_chain(100);
  WireName name;
  EXPECT_EQ(read_name_at(short_chain, short_chain.size() - 2, &name, nullptr), WireError::kOk);
  EXPECT_TRUE(name.is_root());
  Bytes long_chain = pointer_chain(200);
  EXPECT_EQ(read_name_at(long_chain, long_chain.size() - 2, &name, nullptr),
            WireError::kTooManyPointers);
}

TEST(RecordReader, RecordBoundsAreChecked) {
  // Root owner, type A, class IN, TTL 1, rdlength 4, but only 2 octets of rdata.
  Bytes wire = message({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 192, 0}, 0, 1);
  RecordReader reader(wire, kHeaderSize);
  WireRecord record;
  EXPECT_EQ(reader.read_record(nullptr, record), WireError::kRdataOverrun);

  Bytes short_fixed = message({0, 0, 1, 0, 1, 0}, 0, 1);
  RecordReader reader2(short_fixed, kHeaderSize);
  EXPECT_EQ(reader2.read_record(nullptr, record), WireError::kTruncated);

  Bytes good = message({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 192, 0, 2, 1}, 0, 1);
  RecordReader reader3(good, kHeaderSize);
  WireName owner;
  ASSERT_EQ(reader3.read_record(&owner, record), WireError::kOk);
  EXPECT_TRUE(owner.is_root());
  EXPECT_EQ(record.header.type, rr_type::A);
  EXPECT_EQ(record.header.ttl, 1u);
  EXPECT_EQ(Bytes(record.rdata.begin(), record.rdata.end()), (Bytes{192, 0, 2, 1}));
  EXPECT_TRUE(reader3.at_end());
}

TEST(RecordReader, ForEachRecordStopsEarlyAndReportsErrors) {
  Bytes wire = message({0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 1, 0, 0, 0, 2, 0, 0}, 0, 3);
  RecordReader reader(wire, kHeaderSize);
  int seen = 0;
  EXPECT_EQ(reader.for_each_record(3,
                                   [&](const WireName&, const WireRecord&) {
                                     ++seen;
                                     return seen < 2;
                                   }),
            WireError::kOk);
  EXPECT_EQ(seen, 2);
  EXPECT_TRUE(reader.at_end());
  RecordReader reader2(wire, kHeaderSize);
  EXPECT_EQ(reader2.for_each_record(3, [](const WireName&, const WireRecord&) { return true; }),
            WireError::kTruncated);
}

TEST(RecordReader, PrimitiveReadsStopAtTheEnd) {
  Bytes wire = {1, 2, 3};
  RecordReader reader(wire);
  std::uint16_t v16 = 0;
  std::uint32_t v32 = 0;
  std::uint8_t v8 = 0;
  EXPECT_EQ(reader.read_u32(v32), WireError::kTruncated);
  ASSERT_EQ(reader.read_u16(v16), WireError::kOk);
  EXPECT_EQ(v16, 0x0102);
  ASSERT_EQ(reader.read_u8(v8), WireError::kOk);
  EXPECT_EQ(v8, 3);
  EXPECT_EQ(reader.read_u8(v8), WireError::kTruncated);
  Header h;
  RecordReader short_header(wire);
  EXPECT_EQ(short_header.read_header(h), WireError::kTruncated);
}

}  // namespace
}  // namespace hayate::zone
