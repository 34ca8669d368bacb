// View choice and the ECS SCOPE it implies (RFC 7871 §7.2.1): first match wins, and the scope is
// the number of leading bits every address in the same view shares.
#include "server/view_table.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace hayate::server {
namespace {

Prefix P(const std::string& text) {
  return Prefix::parse(text).value();
}

// An address known to `bits` leading bits (zero past them, as an ECS ADDRESS).
ClientAddress client(const std::string& text, int bits = -1) {
  ClientAddress c;
  if (text.find(':') == std::string::npos) {
    c.family = AF_INET;
    inet_pton(AF_INET, text.c_str(), c.bytes.data());
    c.known_bits = static_cast<std::uint8_t>(bits < 0 ? 32 : bits);
  } else {
    c.family = AF_INET6;
    inet_pton(AF_INET6, text.c_str(), c.bytes.data());
    c.known_bits = static_cast<std::uint8_t>(bits < 0 ? 128 : bits);
  }
  return c;
}

TEST(ViewTable, MatchingSubnetGivesItsViewAndLengthAsScope) {
  ViewTable table({{P("192.0.2.0/24"), 1}, {P("2001:db8:1::/48"), 2}});
  ViewChoice v4 = table.choose(client("192.0.2.77", 24));
  EXPECT_EQ(v4.view, 1u);
  EXPECT_EQ(v4.scope, 24);
  ViewChoice v6 = table.choose(client("2001:db8:1:2::", 56));
  EXPECT_EQ(v6.view, 2u);
  EXPECT_EQ(v6.scope, 48);
}

TEST(ViewTable, FirstMatchWins) {
  ViewTable table({{P("10.1.0.0/16"), 1}, {P("10.0.0.0/8"), 2}});
  EXPECT_EQ(table.choose(client("10.1.2.3")).view, 1u);
  EXPECT_EQ(table.choose(client("10.2.2.3")).view, 2u);
}

// 10.2.0.0 is in the /8 view, but the earlier 10.1/16 shares 14 bits with it: the answer holds
// only for addresses sharing 15 bits with it. Addresses further from 10.1/16 need fewer.
TEST(ViewTable, AnEarlierSubnetInsideTheMatchLengthensTheScope) {
  ViewTable table({{P("10.1.0.0/16"), 1}, {P("10.0.0.0/8"), 2}});
  ViewChoice choice = table.choose(client("10.2.0.0", 24));
  EXPECT_EQ(choice.view, 2u);
  EXPECT_EQ(choice.scope, 15);  // 00001010.0000001x: bit 15 tells 10.2 from 10.1
  // 10.128.0.0 differs from 10.1.0.0 in bit 9.
  EXPECT_EQ(table.choose(client("10.128.0.0", 16)).scope, 9);
}

TEST(ViewTable, NoMatchIsTheDefaultViewWithBitsToStayClearOfEverySubnet) {
  ViewTable table({{P("192.0.2.0/24"), 1}});
  ViewChoice far = table.choose(client("10.0.0.0", 24));
  EXPECT_EQ(far.view, 0u);
  EXPECT_EQ(far.scope, 1);  // 0xxxxxxx vs 1100...: the first bit is enough
  ViewChoice near = table.choose(client("192.0.3.0", 24));
  EXPECT_EQ(near.view, 0u);
  EXPECT_EQ(near.scope, 24);  // 192.0.2 vs 192.0.3 differ in bit 24
}

TEST(ViewTable, OtherFamiliesAndAnEmptyTableDoNotMatter) {
  ViewTable table({{P("2001:db8::/32"), 1}});
  ViewChoice v4 = table.choose(client("192.0.2.1", 24));
  EXPECT_EQ(v4.view, 0u);
  EXPECT_EQ(v4.scope, 0);
  ViewChoice none = ViewTable().choose(client("192.0.2.1"));
  EXPECT_EQ(none.view, 0u);
  EXPECT_EQ(none.scope, 0);
}

// SOURCE 0: the client wants an answer for everyone (RFC 7871 §7.1.2).
TEST(ViewTable, SourceZeroIsTheDefaultViewWithScopeZero) {
  ViewTable table({{P("0.0.0.0/0"), 1}, {P("192.0.2.0/24"), 2}});
  ViewChoice choice = table.choose(client("0.0.0.0", 0));
  EXPECT_EQ(choice.view, 0u);
  EXPECT_EQ(choice.scope, 0);
}

// A /24 client against a /28 view: the zero-padded address decides, and the scope may exceed the
// SOURCE PREFIX-LENGTH (§7.2.1: the prefix given was not specific enough).
TEST(ViewTable, ScopeMayExceedSourceWhenTheViewIsNarrower) {
  ViewTable table({{P("192.0.2.0/28"), 1}});
  ViewChoice choice = table.choose(client("192.0.2.0", 24));
  EXPECT_EQ(choice.view, 1u);
  EXPECT_EQ(choice.scope, 28);
}

TEST(ViewTable, CommonPrefixBits) {
  std::uint8_t a[16] = {0xc0, 0x00, 0x02, 0x00};
  std::uint8_t b[16] = {0xc0, 0x00, 0x03, 0x00};
  EXPECT_EQ(common_prefix_bits(a, b, 32), 23u);
  EXPECT_EQ(common_prefix_bits(a, b, 16), 16u);
  EXPECT_EQ(common_prefix_bits(a, a, 128), 128u);
}

}  // namespace
}  // namespace hayate::server
