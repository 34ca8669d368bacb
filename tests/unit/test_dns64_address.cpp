#include "zone/dns64_address.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace hayate::zone {
namespace {

Ipv6Octets v6(const char* text) {
  Ipv6Octets out{};
  EXPECT_EQ(inet_pton(AF_INET6, text, out.data()), 1) << text;
  return out;
}

Ipv4Octets v4(const char* text) {
  Ipv4Octets out{};
  EXPECT_EQ(inet_pton(AF_INET, text, out.data()), 1) << text;
  return out;
}

Nat64Prefix prefix(const char* text, std::uint8_t length) {
  return Nat64Prefix{v6(text), length};
}

Name name(const char* text) {
  return Name::from_text(text).value();
}

// RFC 6052 §2.4, the table of examples for 192.0.2.33.
struct TableRow {
  const char* prefix;
  std::uint8_t length;
  const char* embedded;
};
constexpr TableRow kRfc6052Table[] = {
    {"2001:db8::", 32, "2001:db8:c000:221::"},
    {"2001:db8:100::", 40, "2001:db8:1c0:2:21::"},
    {"2001:db8:122::", 48, "2001:db8:122:c000:2:2100::"},
    {"2001:db8:122:300::", 56, "2001:db8:122:3c0:0:221::"},
    {"2001:db8:122:344::", 64, "2001:db8:122:344:c0:2:2100:0"},
    {"2001:db8:122:344::", 96, "2001:db8:122:344::192.0.2.33"},
};

TEST(Dns64Address, Rfc6052TableSynthesis) {
  for (const TableRow& row : kRfc6052Table) {
    EXPECT_EQ(synthesize_ipv6(prefix(row.prefix, row.length), v4("192.0.2.33")), v6(row.embedded))
        << row.prefix << "/" << int{row.length};
  }
}

TEST(Dns64Address, Rfc6052TableExtraction) {
  for (const TableRow& row : kRfc6052Table) {
    auto ipv4 = extract_ipv4(prefix(row.prefix, row.length), v6(row.embedded));
    ASSERT_TRUE(ipv4.has_value()) << row.prefix;
    EXPECT_EQ(*ipv4, v4("192.0.2.33")) << row.prefix << "/" << int{row.length};
  }
}

TEST(Dns64Address, RoundTripEveryLengthManyAddresses) {
  for (std::uint8_t length : {32, 40, 48, 56, 64, 96}) {
    Nat64Prefix p = prefix("2001:db8:aaaa:bbbb:cc::", length);
    for (unsigned seed = 0; seed < 1000; ++seed) {
      std::uint32_t x = seed * 2654435761u;
      Ipv4Octets ipv4{static_cast<std::uint8_t>(x >> 24), static_cast<std::uint8_t>(x >> 16),
                      static_cast<std::uint8_t>(x >> 8), static_cast<std::uint8_t>(x)};
      Ipv6Octets synthesized = synthesize_ipv6(p, ipv4);
      EXPECT_EQ(synthesized[8], 0) << "u octet must stay zero, length " << int{length};
      EXPECT_TRUE(p.contains(synthesized));
      EXPECT_EQ(extract_ipv4(p, synthesized), ipv4);
    }
  }
}

TEST(Dns64Address, ExtractRejectsOtherPrefixAndNonZeroUOctet) {
  EXPECT_FALSE(extract_ipv4(prefix("2001:db8::", 32), v6("2001:db9:c000:221::")));
  // Bit 64–71 set: not an address we would have synthesized (RFC 6052 §2.2).
  EXPECT_FALSE(extract_ipv4(prefix("2001:db8::", 32), v6("2001:db8:c000:221:ff00::")));
  // With /96 octet 8 is part of the prefix, so only the prefix check applies.
  EXPECT_TRUE(extract_ipv4(Nat64Prefix::well_known(), v6("64:ff9b::192.0.2.1")));
}

TEST(Dns64Address, WellKnownPrefix) {
  EXPECT_EQ(Nat64Prefix::well_known(), prefix("64:ff9b::", 96));
  EXPECT_TRUE(Nat64Prefix::well_known().is_well_known());
  EXPECT_FALSE(prefix("64:ff9b:1::", 48).is_well_known());
  EXPECT_EQ(synthesize_ipv6(Nat64Prefix::well_known(), v4("198.51.100.7")),
            v6("64:ff9b::198.51.100.7"));
}

TEST(Dns64Address, PrefixLengths) {
  for (unsigned length = 0; length <= 128; ++length) {
    bool allowed = length == 32 || length == 40 || length == 48 || length == 56 || length == 64 ||
                   length == 96;
    EXPECT_EQ(is_nat64_prefix_length(length), allowed) << length;
  }
}

TEST(Dns64Address, GlobalIpv4) {
  for (const char* local :
       {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "127.0.0.1", "169.254.1.1",
        "100.64.0.1", "0.1.2.3", "192.0.2.33", "198.51.100.1", "203.0.113.9", "198.18.0.1",
        "224.0.0.1", "255.255.255.255", "192.0.0.170"}) {
    EXPECT_FALSE(is_global_ipv4(v4(local))) << local;
  }
  for (const char* global : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "193.0.14.129"}) {
    EXPECT_TRUE(is_global_ipv4(v4(global))) << global;
  }
}

TEST(Dns64Address, Ipv4OnlyArpa) {
  EXPECT_TRUE(is_ipv4only_arpa(name("ipv4only.arpa.")));
  EXPECT_TRUE(is_ipv4only_arpa(name("IPv4Only.ARPA.")));
  EXPECT_FALSE(is_ipv4only_arpa(name("www.ipv4only.arpa.")));
  EXPECT_FALSE(is_ipv4only_arpa(name("ipv4only.arpa.example.")));
  EXPECT_FALSE(is_ipv4only_arpa(name("arpa.")));
  auto addresses = ipv4only_arpa_addresses();
  EXPECT_EQ(addresses[0], v4("192.0.0.170"));
  EXPECT_EQ(addresses[1], v4("192.0.0.171"));
}

TEST(Dns64Address, Ip6ArpaToAddress) {
  // 64:ff9b::c000:221 reversed nibble by nibble (RFC 3596 §2.5).
  auto address = ip6_arpa_address(
      name("1.2.2.0.0.0.0.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa."));
  ASSERT_TRUE(address.has_value());
  EXPECT_EQ(*address, v6("64:ff9b::192.0.2.33"));
  EXPECT_FALSE(ip6_arpa_address(name("2.2.0.0.0.0.c.0.ip6.arpa.")));  // not all 32 nibbles
  EXPECT_FALSE(ip6_arpa_address(
      name("1.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.example.")));
  EXPECT_FALSE(ip6_arpa_address(
      name("g.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.")));
  EXPECT_FALSE(ip6_arpa_address(
      name("11.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.")));
}

TEST(Dns64Address, InAddrArpaName) {
  EXPECT_EQ(in_addr_arpa_name(v4("192.0.2.33")), name("33.2.0.192.in-addr.arpa."));
  EXPECT_EQ(in_addr_arpa_name(v4("0.0.0.0")), name("0.0.0.0.in-addr.arpa."));
}

}  // namespace
}  // namespace hayate::zone
