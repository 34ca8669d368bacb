#include "zone/name_storage.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace hayate::zone {
namespace {

const std::string kShort(
    "\x03www\x07"
    "example\x00",
    13);  // inline
const std::string kLong = std::string(1, '\x3f') + std::string(63, 'a') + std::string(1, '\0');

TEST(NameStorage, HoldsShortAndLongNames) {
  NameStorage empty;
  EXPECT_EQ(empty.size(), 0u);
  NameStorage s(kShort);
  EXPECT_EQ(s.view(), kShort);
  NameStorage l(kLong);
  EXPECT_EQ(l.view(), kLong);
  NameStorage max(std::string(255, 'x'));
  EXPECT_EQ(max.size(), 255u);
  EXPECT_EQ(max[254], 'x');
}

TEST(NameStorage, CopiesAndMovesKeepTheOctets) {
  for (const std::string& octets : {kShort, kLong}) {
    NameStorage a(octets);
    NameStorage b(a);
    EXPECT_EQ(b.view(), octets);
    NameStorage c(std::move(a));
    EXPECT_EQ(c.view(), octets);
    NameStorage d(kShort);
    d = b;
    EXPECT_EQ(d.view(), octets);
    NameStorage e(kLong);
    e = std::move(c);
    EXPECT_EQ(e.view(), octets);
    e = e;  // self-assignment leaves it as it was
    EXPECT_EQ(e.view(), octets);
    a = b;  // a moved-from storage can be assigned again
    EXPECT_EQ(a.view(), octets);
  }
}

}  // namespace
}  // namespace hayate::zone
