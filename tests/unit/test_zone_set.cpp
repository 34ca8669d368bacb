#include "zone/zone_set.hpp"

#include <gtest/gtest.h>

namespace hayate::zone {
namespace {

Name N(std::string_view text) {
  return *Name::from_text(text);
}

std::shared_ptr<const Zone> make_zone(std::string_view origin) {
  auto zone = std::make_shared<Zone>(N(origin));
  zone->finalize();
  return zone;
}

TEST(ZoneSet, LongestMatchingOriginWins) {
  ZoneSet set;
  set.add(make_zone("example."));
  set.add(make_zone("sub.example."));
  set.add(make_zone("other.test."));
  EXPECT_EQ(set.find(N("www.example."))->origin(), N("example."));
  EXPECT_EQ(set.find(N("example."))->origin(), N("example."));
  EXPECT_EQ(set.find(N("a.b.SUB.example."))->origin(), N("sub.example."));
  EXPECT_EQ(set.find(N("sub.example."))->origin(), N("sub.example."));
  EXPECT_EQ(set.find(N("xsub.example."))->origin(), N("example."));
  EXPECT_EQ(set.find(N("other.test."))->origin(), N("other.test."));
  EXPECT_EQ(set.find(N("test.")), nullptr);
  EXPECT_EQ(set.find(N("example.com.")), nullptr);
  EXPECT_EQ(set.find(N(".")), nullptr);
}

TEST(ZoneSet, RootZoneServesEverything) {
  ZoneSet set;
  set.add(make_zone("."));
  set.add(make_zone("example."));
  EXPECT_EQ(set.find(N("www.example."))->origin(), N("example."));
  EXPECT_TRUE(set.find(N("anything.else."))->origin().is_root());
  EXPECT_TRUE(set.find(N("."))->origin().is_root());
}

TEST(ZoneSet, AddReplacesTheZoneWithTheSameOrigin) {
  ZoneSet set;
  auto first = make_zone("example.");
  auto second = make_zone("EXAMPLE.");
  set.add(first);
  set.add(second);
  EXPECT_EQ(set.size(), 1u);
  EXPECT_EQ(set.find(N("www.example.")), second.get());
  EXPECT_EQ(set.get(N("example.")), second);
  EXPECT_EQ(set.get(N("nothing.")), nullptr);
}

}  // namespace
}  // namespace hayate::zone
