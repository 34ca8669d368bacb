// classify_response and render_slip (server/rrl_response): which budget a response draws on, as
// BIND groups them, and the TC=1 slip reply.
#include "server/rrl_response.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <array>

#include "tests/unit/iterator_test_util.hpp"
#include "zone/message.hpp"

namespace hayate::server {
namespace {

using namespace resolver::testing;

sockaddr_storage v4(const char* text) {
  sockaddr_storage out{};
  auto& in = reinterpret_cast<sockaddr_in&>(out);
  in.sin_family = AF_INET;
  inet_pton(AF_INET, text, &in.sin_addr);
  return out;
}

sockaddr_storage v6(const char* text) {
  sockaddr_storage out{};
  auto& in6 = reinterpret_cast<sockaddr_in6&>(out);
  in6.sin6_family = AF_INET6;
  inet_pton(AF_INET6, text, &in6.sin6_addr);
  return out;
}

RrlKey key_of(const Msg& msg, const char* qname, std::uint16_t qtype,
              const sockaddr_storage& client = v4("192.0.2.1")) {
  auto classified = classify_response(render(msg, name(qname), qtype), client, RrlSettings{});
  EXPECT_TRUE(classified.has_value());
  return classified ? classified->key : RrlKey{};
}

TEST(RrlResponse, AnAnswerIsKeyedByQnameAndQtype) {
  const Msg msg = authoritative({a("www.example.", "192.0.2.80")});
  const RrlKey k = key_of(msg, "www.example.", rr_type::A);
  EXPECT_EQ(k.category, RrlCategory::kAnswer);
  EXPECT_EQ(k.qtype, rr_type::A);
  EXPECT_EQ(k, key_of(msg, "WWW.Example.", rr_type::A));  // 0x20 case does not make a new key
  EXPECT_NE(k, key_of(authoritative({a("ftp.example.", "192.0.2.80")}), "ftp.example.", 1));
  EXPECT_NE(k, key_of(msg, "www.example.", rr_type::AAAA));
}

TEST(RrlResponse, NxdomainIsKeyedByTheZoneSoRandomNamesShareABudget) {
  const Msg msg = negative(zone::rcode::NXDOMAIN, soa("example.", 3600, 300));
  const RrlKey k = key_of(msg, "a1b2c3.example.", rr_type::A);
  EXPECT_EQ(k.category, RrlCategory::kNxdomain);
  EXPECT_EQ(k, key_of(msg, "zz99.example.", rr_type::AAAA));
  const Msg other = negative(zone::rcode::NXDOMAIN, soa("example.net.", 3600, 300));
  EXPECT_NE(k, key_of(other, "a1b2c3.example.net.", rr_type::A));
}

TEST(RrlResponse, NxdomainWithoutSoaIsKeyedByTheQname) {
  const Msg msg = error_reply(zone::rcode::NXDOMAIN);
  EXPECT_NE(key_of(msg, "a.example.", 1), key_of(msg, "b.example.", 1));
  EXPECT_EQ(key_of(msg, "a.example.", 1).category, RrlCategory::kNxdomain);
}

TEST(RrlResponse, NodataIsKeyedByTheZone) {
  const Msg msg = negative(zone::rcode::NOERROR, soa("example.", 3600, 300));
  const RrlKey k = key_of(msg, "www.example.", rr_type::MX);
  EXPECT_EQ(k.category, RrlCategory::kNodata);
  EXPECT_EQ(k, key_of(msg, "mail.example.", rr_type::TXT));
}

TEST(RrlResponse, AReferralIsKeyedByTheDelegation) {
  const Msg msg = referral({ns("sub.example.", "ns1.sub.example.")});
  const RrlKey k = key_of(msg, "a.sub.example.", rr_type::A);
  EXPECT_EQ(k.category, RrlCategory::kReferral);
  EXPECT_EQ(k, key_of(msg, "b.sub.example.", rr_type::AAAA));
}

TEST(RrlResponse, ErrorsShareOneBudgetPerPrefix) {
  const RrlKey refused = key_of(error_reply(zone::rcode::REFUSED), "a.example.", 1);
  EXPECT_EQ(refused.category, RrlCategory::kError);
  EXPECT_EQ(refused, key_of(error_reply(zone::rcode::SERVFAIL), "b.example.", 28));
  EXPECT_EQ(refused, key_of(error_reply(zone::rcode::FORMERR), "c.example.", 15));
}

TEST(RrlResponse, AResponseWithoutQuestionIsAnError) {
  std::vector<std::uint8_t> bare(12, 0);
  bare[2] = 0x80;  // QR, FORMERR
  bare[3] = 0x01;
  auto classified = classify_response(bare, v4("192.0.2.1"), RrlSettings{});
  ASSERT_TRUE(classified);
  EXPECT_EQ(classified->key.category, RrlCategory::kError);
  EXPECT_EQ(classified->question_end, 12u);
}

TEST(RrlResponse, ClientsInOnePrefixShareAKey) {
  const Msg msg = authoritative({a("www.example.", "192.0.2.80")});
  EXPECT_EQ(key_of(msg, "www.example.", 1, v4("198.51.100.1")),
            key_of(msg, "www.example.", 1, v4("198.51.100.254")));  // /24
  EXPECT_NE(key_of(msg, "www.example.", 1, v4("198.51.100.1")),
            key_of(msg, "www.example.", 1, v4("198.51.101.1")));
  EXPECT_EQ(key_of(msg, "www.example.", 1, v6("2001:db8:0:ff::1")),
            key_of(msg, "www.example.", 1, v6("2001:db8:0:1::2")));  // /56
  EXPECT_NE(key_of(msg, "www.example.", 1, v6("2001:db8:0:100::1")),
            key_of(msg, "www.example.", 1, v6("2001:db8:0:1::2")));
  // An IPv4 client on a dual-stack socket is an IPv4 client.
  EXPECT_EQ(key_of(msg, "www.example.", 1, v6("::ffff:198.51.100.7")),
            key_of(msg, "www.example.", 1, v4("198.51.100.1")));
}

TEST(RrlResponse, TheSettingsPrefixLengthsApply) {
  RrlSettings s;
  s.ipv4_prefix = 32;
  const auto wire =
      render(authoritative({a("www.example.", "192.0.2.80")}), name("www.example."), 1);
  EXPECT_NE(classify_response(wire, v4("198.51.100.1"), s)->key,
            classify_response(wire, v4("198.51.100.2"), s)->key);
}

TEST(RrlResponse, GarbageAndUnknownFamiliesAreNotClassified) {
  const std::vector<std::uint8_t> short_header = {0, 1, 0x80};
  EXPECT_FALSE(classify_response(short_header, v4("192.0.2.1"), RrlSettings{}));
  sockaddr_storage unix_client{};
  unix_client.ss_family = AF_UNIX;
  const auto wire = render(authoritative({}), name("www.example."), 1);
  EXPECT_FALSE(classify_response(wire, unix_client, RrlSettings{}));
}

TEST(RrlResponse, TheSlipReplyIsTheHeaderWithTcAndTheQuestionOnly) {
  const auto wire =
      render(authoritative({a("www.example.", "192.0.2.80")}, {ns("example.", "ns.example.")}),
             name("www.example."), rr_type::A);
  const auto classified = classify_response(wire, v4("192.0.2.1"), RrlSettings{});
  ASSERT_TRUE(classified);
  std::array<std::uint8_t, kMaxSlipSize> out{};
  const std::size_t size = render_slip(wire, *classified, out);
  ASSERT_EQ(size, 12u + 13u + 4u);  // www.example. is 13 octets on the wire
  zone::Header header;
  ASSERT_TRUE(zone::Header::parse(out, header));
  EXPECT_TRUE(header.has(zone::flag::TC));
  EXPECT_TRUE(header.has(zone::flag::QR));
  EXPECT_TRUE(header.has(zone::flag::AA));
  EXPECT_EQ(header.qdcount, 1);
  EXPECT_EQ(header.ancount + header.nscount + header.arcount, 0);
  EXPECT_TRUE(std::equal(out.begin() + 12, out.begin() + size, wire.begin() + 12));
}

}  // namespace
}  // namespace hayate::server
