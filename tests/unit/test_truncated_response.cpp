// The TC=1 stand-in for a UDP response larger than the interface MTU (zone/truncated_response):
// header and question kept, records dropped, OPT kept, malformed input refused.
#include "zone/truncated_response.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

#include "zone/message.hpp"
#include "zone/message_renderer.hpp"
#include "zone/name.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

using Bytes = std::vector<std::uint8_t>;

Name N(const char* text) {
  return *Name::from_text(text);
}

// ID 0x1234, QR AA RD, rcode NXDOMAIN; two TXT records in the answer, the SOA in the authority
// section, an A record and (with `edns`) an OPT with DO set and a 1232-octet size in additional.
Bytes response(bool edns) {
  Bytes out(1024);
  MessageRenderer r(out, out.size());
  Header header;
  header.id = 0x1234;
  header.set(flag::QR);
  header.set(flag::AA);
  header.set(flag::RD);
  header.set_rcode(rcode::NXDOMAIN);
  r.begin(header);
  r.add_question(N("big.example.").wire(), rr_type::TXT, rr_class::IN);
  std::vector<Rdata> txt = {Rdata(200, 'a'), Rdata(200, 'b')};
  for (auto& t : txt)
    t[0] = 199;
  r.add_rrset(Section::kAnswer, N("big.example.").wire(), rr_type::TXT, rr_class::IN, 300, txt);
  Bytes soa = {0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
  std::vector<Rdata> soa_rdata = {Rdata(soa.begin(), soa.end())};
  r.add_rrset(Section::kAuthority, N("example.").wire(), rr_type::SOA, rr_class::IN, 900,
              soa_rdata);
  std::vector<Rdata> a = {Rdata{192, 0, 2, 1}};
  r.add_rrset(Section::kAdditional, N("ns.example.").wire(), rr_type::A, rr_class::IN, 60, a);
  if (edns) {
    OptParams opt;
    opt.dnssec_ok = true;
    opt.udp_payload_size = 1232;
    r.add_opt(opt);
  }
  out.resize(r.finish());
  return out;
}

// The question section of a message whose question name is uncompressed.
Bytes question_of(const Bytes& m) {
  std::size_t end = skip_message_name(m, kHeaderSize) + kQuestionFixedSize;
  return Bytes(m.begin() + kHeaderSize, m.begin() + static_cast<long>(end));
}

// The truncation of `full` (which must be accepted) and its header.
std::pair<Bytes, Header> truncate(const Bytes& full) {
  std::pair<Bytes, Header> out{truncated_response(full), Header{}};
  EXPECT_TRUE(!out.first.empty() && Header::parse(out.first, out.second));
  return out;
}

TEST(TruncatedResponse, KeepsHeaderQuestionAndOptWithTc) {
  const Bytes full = response(true);
  const auto [t, h] = truncate(full);
  EXPECT_EQ(h.id, 0x1234);
  EXPECT_TRUE(h.has(flag::TC));
  EXPECT_TRUE(h.has(flag::QR));
  EXPECT_TRUE(h.has(flag::AA));
  EXPECT_TRUE(h.has(flag::RD));
  EXPECT_EQ(h.rcode(), rcode::NXDOMAIN);
  EXPECT_EQ(h.qdcount, 1);
  EXPECT_EQ(h.ancount, 0);
  EXPECT_EQ(h.nscount, 0);
  EXPECT_EQ(h.arcount, 1);
  const Bytes question = question_of(full);
  EXPECT_EQ(question_of(t), question);
  // The OPT record follows the question, byte for byte as in the full response (its last 11+0
  // octets there: root owner, type, size, extended rcode/version/flags, no options).
  ASSERT_EQ(t.size(), kHeaderSize + question.size() + 11);
  EXPECT_TRUE(std::equal(t.end() - 11, t.end(), full.end() - 11));
  EXPECT_EQ(load_u16(t.data() + t.size() - 10), rr_type::OPT);
  EXPECT_EQ(load_u16(t.data() + t.size() - 8), 1232);
  EXPECT_EQ(load_u16(t.data() + t.size() - 4) & 0x8000, 0x8000);  // DO
}

TEST(TruncatedResponse, NoOptWithoutEdns) {
  const Bytes full = response(false);
  const auto [t, h] = truncate(full);
  EXPECT_TRUE(h.has(flag::TC));
  EXPECT_EQ(h.arcount, 0);
  EXPECT_EQ(t.size(), kHeaderSize + question_of(full).size());
}

TEST(TruncatedResponse, RefusesMalformed) {
  const Bytes full = response(true);
  EXPECT_TRUE(truncated_response(Bytes(full.begin(), full.begin() + 11)).empty());
  // The last record runs past the end.
  EXPECT_TRUE(truncated_response(Bytes(full.begin(), full.end() - 1)).empty());
  // A question name with a reserved label type (0x40).
  Bytes bad = full;
  bad[kHeaderSize] = 0x40;
  EXPECT_TRUE(truncated_response(bad).empty());
}

}  // namespace
}  // namespace hayate::zone
