#include "zone/rdata_checks.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "zone/extra_rdata.hpp"
#include "zone/rr_type.hpp"
#include "zone/svcb_rdata.hpp"

namespace hayate::zone {
namespace {

// Tokens from one line of rdata text (the lexer's work, so quoting rules are the real ones).
struct Tokens {
  std::string text;
  MasterEntry entry;
  explicit Tokens(std::string t) : text(std::move(t)) {
    MasterLexer lexer(text);
    EXPECT_TRUE(lexer.next(entry).ok());
  }
  std::span<const MasterToken> span() const { return entry.tokens; }
};

std::optional<std::string> text_check(std::uint16_t type, const char* rdata) {
  Tokens t(rdata);
  return check_rdata_text(type, t.span());
}

TEST(RdataChecks, Eui) {
  EXPECT_FALSE(text_check(rr_type::EUI48, "00-00-5e-00-53-2a"));
  EXPECT_TRUE(text_check(rr_type::EUI48, "01-23-45-567-89-ab"));
  EXPECT_TRUE(text_check(rr_type::EUI48, "01-23-45-67-89"));
  EXPECT_FALSE(text_check(rr_type::EUI64, "00-00-5e-ef-10-00-00-2a"));
  EXPECT_TRUE(text_check(rr_type::EUI64, "01-23-45-67-89-ab-cd"));
}

TEST(RdataChecks, Nsap) {
  EXPECT_FALSE(text_check(rr_type::NSAP, "0x47.0005.80.005a00.0000....0001.e133.ffffff000162.00"));
  EXPECT_TRUE(text_check(rr_type::NSAP, "0x"));
  EXPECT_TRUE(text_check(rr_type::NSAP, "0x47000580005a0000000001e133ffffff000161000"));
}

TEST(RdataChecks, Nsec3NextHashedOwner) {
  EXPECT_FALSE(text_check(rr_type::NSEC3, "2 1 12 aabbccdd CPNMU MX"));
  EXPECT_TRUE(text_check(rr_type::NSEC3, "1 1 12 aabbccdd CPNMU=== MX"));
  EXPECT_TRUE(text_check(rr_type::NSEC3, "1 1 12 aabbccdd CPN MX"));  // 3 digits: no octet count
  EXPECT_EQ(*decode_base32hex("CPNMU"), (Rdata{'f', 'o', 'o'}));
  // SHA-1 hashes are 20 octets (bad-nsec3-length.db).
  Rdata short_sha1 = {1, 0, 0, 10, 0, 3, 1, 2, 3};
  EXPECT_TRUE(check_rdata_wire(rr_type::NSEC3, short_sha1));
  Rdata other_alg = {2, 0, 0, 10, 0, 3, 1, 2, 3};
  EXPECT_FALSE(check_rdata_wire(rr_type::NSEC3, other_alg));
}

TEST(RdataChecks, OddHexDigests) {
  EXPECT_TRUE(text_check(rr_type::DS, "1 8 2 123"));
  EXPECT_FALSE(text_check(rr_type::DS, "1 8 2 12 34"));
  EXPECT_TRUE(text_check(52, "3 1 1 abc"));
}

TEST(RdataChecks, LocRanges) {
  Rdata loc = {0, 0x12, 0x16, 0x13, 0x80, 0, 0, 0, 0x80, 0, 0, 0, 0, 0x98, 0x96, 0x80};
  EXPECT_FALSE(check_rdata_wire(29, loc));
  Rdata north_of_pole = loc;
  north_of_pole[4] = 0x94;  // 2^31 + 0x14000000: beyond 90 degrees (324000000)
  EXPECT_TRUE(check_rdata_wire(29, north_of_pole));
  Rdata bad_size = loc;
  bad_size[1] = 0xa2;
  EXPECT_TRUE(check_rdata_wire(29, bad_size));
}

Result<Rdata> svcb(const char* rdata) {
  Tokens t(rdata);
  return svcb_rdata_from_text(t.span(), *Name::from_text("example."));
}

TEST(SvcbRdata, GoodForms) {
  EXPECT_EQ(*svcb("0 example.net."),
            (Rdata{0, 0, 7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'n', 'e', 't', 0}));
  EXPECT_EQ(*svcb("1 . alpn=h3 port=60"),
            (Rdata{0, 1, 0, 0, 1, 0, 3, 2, 'h', '3', 0, 3, 0, 2, 0, 60}));
  EXPECT_EQ(*svcb("1 . port=60 alpn=h3"), *svcb("1 . alpn=h3 port=60"));
  EXPECT_EQ(*svcb("5 . key9999=\"ab\""), (Rdata{0, 5, 0, 0x27, 0x0f, 0, 2, 'a', 'b'}));
  EXPECT_EQ(*svcb("1 . ech=\"ZWFzdGVyIGVnZyE=\""),
            (Rdata{0, 1, 0, 0, 5, 0, 11, 'e', 'a', 's', 't', 'e', 'r', ' ', 'e', 'g', 'g', '!'}));
  EXPECT_TRUE(svcb("2 . no-default-alpn alpn=alpn").ok());
  EXPECT_TRUE(svcb("7 . alpn=\"h2,h3\" dohpath=/{?dns}").ok());
  EXPECT_TRUE(svcb("6 . mandatory=port,alpn port=60 alpn=h3").ok());
}

TEST(SvcbRdata, BadForms) {
  // bad-svcb-alpn1..6.db, bad-svcb-mandatory.db, bad-svcb.db, and RFC 9460 §2.2/§7/§8 rules.
  for (const char* bad : {"1 . alpn=\\,abc",
                          "1 . alpn=a\\,\\,abc",
                          "1 . alpn=abc\\,",
                          "1 . alpn=,abc",
                          "1 . alpn=a,,abc",
                          "1 . alpn=abc,",
                          "0 . mandatory=alpn",
                          "0 . unknown=wha",
                          "1 . mandatory=mandatory",
                          "1 . mandatory=alpn,alpn alpn=h2",
                          "1 . port=53 port=54",
                          "1 . port=99999",
                          "1 . ipv4hint=1.2.3",
                          "1 . ech=!!!",
                          "1 . key65535=x",
                          "1 . no-default-alpn",
                          "1 . no-default-alpn=x alpn=h2",
                          "1 . alpn",
                          "1",
                          "x ."}) {
    EXPECT_FALSE(svcb(bad).ok()) << bad;
  }
}

TEST(ExtraRdata, TypesLdnsLacks) {
  auto origin = *Name::from_text("example.");
  auto parse = [&](std::uint16_t type, const char* text) {
    Tokens t(text);
    return extra_rdata_from_text(type, t.span(), origin);
  };
  EXPECT_EQ(*parse(rr_type::A6, "0 ::1"),
            (Rdata{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(*parse(34, "+61200000000"),
            (Rdata{1, '6', '1', '2', '0', '0', '0', '0', '0', '0', '0', '0'}));
  EXPECT_EQ(*parse(40, "8 0 2 l4ik"), (Rdata{8, 0, 2, 0x97, 0x88, 0xa4}));
  EXPECT_EQ(*parse(260, "0 0 0 ."), (Rdata{0, 0}));
  EXPECT_EQ(*parse(260, "10 1 1 192.0.2.1"), (Rdata{10, 0x81, 192, 0, 2, 1}));
  EXPECT_TRUE(parse(66, "CDS NOTIFY 1000 scanner1").ok());
  EXPECT_TRUE(parse(259, "0 1 2 \"\" aHR0cHM6Ly93d3cuaXNjLm9yZy8=").ok());
  EXPECT_FALSE(parse(260, "0 0 1 .").ok());
  Tokens generic("\\# 2 abcd");
  EXPECT_EQ(*generic_rdata_from_text(generic.span()), (Rdata{0xab, 0xcd}));
  Tokens short_generic("\\# 3 abcd");
  EXPECT_FALSE(generic_rdata_from_text(short_generic.span()).ok());
}

}  // namespace
}  // namespace hayate::zone
