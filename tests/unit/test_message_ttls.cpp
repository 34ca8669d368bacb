// TTL offsets of a rendered message (zone/message_ttls): every record's TTL in the three sections,
// through compressed names, never OPT's; malformed messages refused; TTLs lowered, not below 0.
#include "zone/message_ttls.hpp"

#include <gtest/gtest.h>

#include <cstdint>
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

// www.example. CNAME host.example. (TTL 300), host.example. A (TTL 60), the SOA (TTL 900) in the
// authority section, an OPT whose flags word has DO set.
Bytes message() {
  Bytes out(512);
  MessageRenderer r(out, out.size());
  Header header;
  header.set(flag::QR);
  r.begin(header);
  r.add_question(N("www.example.").wire(), rr_type::A, rr_class::IN);
  const Bytes host = {4, 'h', 'o', 's', 't', 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  std::vector<Rdata> cname_rdata = {Rdata(host.begin(), host.end())};
  r.add_rrset(Section::kAnswer, N("www.example.").wire(), rr_type::CNAME, rr_class::IN, 300,
              cname_rdata);
  std::vector<Rdata> a_rdata = {Rdata{192, 0, 2, 1}, Rdata{192, 0, 2, 2}};
  r.add_rrset(Section::kAnswer, N("host.example.").wire(), rr_type::A, rr_class::IN, 60, a_rdata);
  Bytes soa = {0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5};
  std::vector<Rdata> soa_rdata = {Rdata(soa.begin(), soa.end())};
  r.add_rrset(Section::kAuthority, N("example.").wire(), rr_type::SOA, rr_class::IN, 900,
              soa_rdata);
  OptParams opt;
  opt.dnssec_ok = true;
  r.add_opt(opt);
  out.resize(r.finish());
  return out;
}

TEST(MessageTtls, EveryRecordButOpt) {
  const Bytes m = message();
  std::vector<std::uint16_t> offsets;
  ASSERT_TRUE(find_ttl_offsets(m, offsets));
  ASSERT_EQ(offsets.size(), 4u);  // CNAME, A, A, SOA
  std::vector<std::uint32_t> ttls;
  for (auto o : offsets)
    ttls.push_back(load_u32(m.data() + o));
  EXPECT_EQ(ttls, (std::vector<std::uint32_t>{300, 60, 60, 900}));
}

TEST(MessageTtls, LoweredNotBelowZeroAndOptUntouched) {
  Bytes m = message();
  const Bytes before = m;
  std::vector<std::uint16_t> offsets;
  ASSERT_TRUE(find_ttl_offsets(m, offsets));
  lower_ttls(m, offsets, 100);
  EXPECT_EQ(load_u32(m.data() + offsets[0]), 200u);
  EXPECT_EQ(load_u32(m.data() + offsets[1]), 0u);
  EXPECT_EQ(load_u32(m.data() + offsets[3]), 800u);
  // Only the TTL fields changed: the OPT's flags word (DO) is the same.
  std::size_t changed = 0;
  for (std::size_t i = 0; i < m.size(); ++i)
    changed += m[i] != before[i];
  EXPECT_LE(changed, 4u * 4);
  EXPECT_EQ(m.size(), before.size());
  EXPECT_EQ(Bytes(m.end() - 11, m.end()), Bytes(before.end() - 11, before.end()));
}

TEST(MessageTtls, MalformedMessagesAreRefused) {
  const Bytes m = message();
  std::vector<std::uint16_t> offsets;
  for (std::size_t size = 0; size < m.size(); ++size) {
    offsets.clear();
    EXPECT_FALSE(find_ttl_offsets(std::span(m.data(), size), offsets)) << size;
  }
  Bytes longer = m;
  longer.push_back(0);
  EXPECT_FALSE(find_ttl_offsets(longer, offsets)) << "trailing bytes";
  Bytes bad_label = m;
  bad_label[kHeaderSize] = 0x40;  // a reserved label type in the question
  EXPECT_FALSE(find_ttl_offsets(bad_label, offsets));
}

}  // namespace
}  // namespace hayate::zone
