#include "zone/name.hpp"

#include <gtest/gtest.h>
#include <ldns/ldns.h>

#include <algorithm>
#include <vector>

namespace hayate::zone {
namespace {

Name N(std::string_view text) {
  auto n = Name::from_text(text);
  EXPECT_TRUE(n.ok()) << text << ": " << (n.ok() ? "" : n.error());
  return n.ok() ? *n : Name();
}

TEST(Name, RootIsOneZeroOctet) {
  Name root;
  EXPECT_EQ(root.wire_length(), 1u);
  EXPECT_TRUE(root.is_root());
  EXPECT_EQ(root.to_text(), ".");
  EXPECT_EQ(N(".").wire_length(), 1u);
}

TEST(Name, TextToWireMatchesLdns) {
  for (const char* text : {"example.", "www.Example.COM.", "a.b.c.d.e.f.", "\\046.example.",
                           "a\\.b.example.", "\\000\\255.x.", "*.wild.example."}) {
    auto ours = Name::from_text(text);
    ASSERT_TRUE(ours.ok()) << text;
    ldns_rdf* theirs = nullptr;
    ASSERT_EQ(ldns_str2rdf_dname(&theirs, text), LDNS_STATUS_OK) << text;
    std::vector<std::uint8_t> ldns_wire(ldns_rdf_data(theirs),
                                        ldns_rdf_data(theirs) + ldns_rdf_size(theirs));
    ldns_rdf_deep_free(theirs);
    EXPECT_EQ(std::vector<std::uint8_t>(ours->wire().begin(), ours->wire().end()), ldns_wire)
        << text;
  }
}

TEST(Name, RelativeNamesTakeTheOrigin) {
  Name origin = N("example.com.");
  auto www = Name::from_text("www", &origin);
  ASSERT_TRUE(www.ok());
  EXPECT_EQ(www->to_text(), "www.example.com.");
  auto at = Name::from_text("@", &origin);
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(*at, origin);
  EXPECT_FALSE(Name::from_text("www").ok());
  EXPECT_FALSE(Name::from_text("@").ok());
}

TEST(Name, RoundTripsThroughText) {
  for (const char* text : {"example.", "a\\.b.example.", "\\000\\255.x.", "sp\\032ace.x.",
                           "semi\\;colon.x.", "\\@at.x.", "q\\\"uote.x."}) {
    Name n = N(text);
    EXPECT_EQ(N(n.to_text()), n) << text << " -> " << n.to_text();
    EXPECT_EQ(n.to_text(), text);
  }
}

TEST(Name, LimitsAreEnforcedWithReasons) {
  std::string label63(63, 'a');
  std::string label64(64, 'a');
  EXPECT_TRUE(Name::from_text(label63 + ".").ok());
  auto too_long_label = Name::from_text(label64 + ".");
  ASSERT_FALSE(too_long_label.ok());
  EXPECT_NE(too_long_label.error().find("63"), std::string::npos);

  // 4 labels of 63 = 256 octets with length bytes, plus root = 257 > 255.
  std::string big = label63 + "." + label63 + "." + label63 + "." + label63 + ".";
  auto too_long = Name::from_text(big);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.error().find("255"), std::string::npos);
  // 3*64 + 62 + 1 = 255 exactly.
  std::string max = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'b') + ".";
  auto at_limit = Name::from_text(max);
  ASSERT_TRUE(at_limit.ok()) << at_limit.error();
  EXPECT_EQ(at_limit->wire_length(), 255u);

  EXPECT_FALSE(Name::from_text("a..b.").ok());
  EXPECT_FALSE(Name::from_text("").ok());
  EXPECT_FALSE(Name::from_text("bad\\").ok());
  EXPECT_FALSE(Name::from_text("bad\\25").ok());
  EXPECT_FALSE(Name::from_text("bad\\256.").ok());
}

TEST(Name, FromWireRejectsMalformed) {
  const std::uint8_t good[] = {3, 'w', 'w', 'w', 0};
  EXPECT_TRUE(Name::from_wire(good).ok());
  const std::uint8_t no_root[] = {3, 'w', 'w', 'w'};
  EXPECT_FALSE(Name::from_wire(no_root).ok());
  const std::uint8_t trailing[] = {0, 0};
  EXPECT_FALSE(Name::from_wire(trailing).ok());
  const std::uint8_t pointer[] = {0xc0, 0x0c};
  EXPECT_FALSE(Name::from_wire(pointer).ok());
  const std::uint8_t overrun[] = {5, 'a', 0};
  EXPECT_FALSE(Name::from_wire(overrun).ok());
}

TEST(Name, CompareAndHashIgnoreCase) {
  EXPECT_EQ(N("WWW.Example.COM."), N("www.example.com."));
  EXPECT_EQ(N("WWW.Example.COM.").hash(), N("www.example.com.").hash());
  EXPECT_NE(N("www.example.com."), N("ww.example.com."));
  EXPECT_EQ(N("MiXeD.").lowercased().to_text(), "mixed.");
}

// The example list from RFC 4034 §6.1, in canonical order.
TEST(Name, CanonicalOrderIsRfc4034) {
  std::vector<Name> expected = {
      N("example."),         N("a.example."),      N("yljkjljk.a.example."),
      N("Z.a.example."),     N("zABC.a.EXAMPLE."), N("z.example."),
      N("\\001.z.example."), N("*.z.example."),    N("\\200.z.example."),
  };
  std::vector<Name> shuffled(expected.rbegin(), expected.rend());
  std::swap(shuffled[1], shuffled[5]);
  std::sort(shuffled.begin(), shuffled.end());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(shuffled[i].to_text(), expected[i].to_text()) << i;
  }
  EXPECT_EQ(N("a.example.").canonical_compare(N("A.EXAMPLE.")), 0);
}

TEST(Name, LabelsAndAncestry) {
  Name n = N("www.Example.com.");
  EXPECT_EQ(n.label_count(), 3u);
  EXPECT_EQ(n.label(0), "www");
  EXPECT_EQ(n.label(1), "Example");
  EXPECT_EQ(n.strip_left().to_text(), "Example.com.");
  EXPECT_EQ(n.suffix(1).to_text(), "com.");
  EXPECT_TRUE(n.is_subdomain_of(N("example.COM.")));
  EXPECT_TRUE(n.is_subdomain_of(n));
  EXPECT_TRUE(n.is_subdomain_of(Name()));
  EXPECT_FALSE(n.is_subdomain_of(N("ample.com.")));
  EXPECT_FALSE(N("com.").is_subdomain_of(n));
  auto wild = N("example.").wildcard_child();
  ASSERT_TRUE(wild.ok());
  EXPECT_TRUE(wild->is_wildcard());
  EXPECT_EQ(wild->to_text(), "*.example.");
  EXPECT_FALSE(n.is_wildcard());
}

}  // namespace
}  // namespace hayate::zone
