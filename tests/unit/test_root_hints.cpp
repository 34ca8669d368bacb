#include "server/resolver/root_hints.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

namespace hayate::server::resolver {
namespace {

zone::Name name(const char* text) {
  return zone::Name::from_text(text).value();
}

TEST(RootHintsTest, BuiltInHintsAreTheThirteenIanaRootServers) {
  const RootHints& hints = builtin_root_hints();
  ASSERT_EQ(hints.servers.size(), 13u);
  const char* letters = "abcdefghijklm";
  for (std::size_t i = 0; i < 13; ++i) {
    std::string expected = std::string(1, letters[i]) + ".root-servers.net.";
    EXPECT_EQ(hints.servers[i].name, name(expected.c_str()));
    ASSERT_EQ(hints.servers[i].addresses.size(), 2u) << expected;  // IPv4 and IPv6
    EXPECT_TRUE(hints.servers[i].addresses[0].address.is_v4());
    EXPECT_TRUE(hints.servers[i].addresses[1].address.is_v6());
  }
  EXPECT_EQ(hints.servers[0].addresses[0], UpstreamAddress::from_string("198.41.0.4"));
  EXPECT_EQ(hints.servers[0].addresses[1], UpstreamAddress::from_string("2001:503:ba3e::2:30"));
  // b.root-servers.net renumbered in November 2023.
  EXPECT_EQ(hints.servers[1].addresses[0], UpstreamAddress::from_string("170.247.170.2"));
  EXPECT_EQ(hints.servers[1].addresses[1], UpstreamAddress::from_string("2801:1b8:10::b"));
  EXPECT_EQ(hints.servers[12].addresses[0], UpstreamAddress::from_string("202.12.27.33"));
}

TEST(RootHintsTest, ParsesNamedRootFormatWithCommentsAndRelativeNames) {
  auto hints = parse_root_hints(
      "; test root\n"
      ".            3600000 IN NS a.root.test.\n"
      ".            3600000    NS b.root\n"  // relative to origin "."
      "a.root.test. 3600000    A  127.0.0.11\n"
      "a.root.test. 3600000    AAAA ::1\n"
      "b.root.      3600000    A  127.0.0.12\n"
      "unrelated.   3600000    A  127.0.0.99\n");
  ASSERT_TRUE(hints) << hints.error();
  ASSERT_EQ(hints->servers.size(), 2u);
  EXPECT_EQ(hints->servers[0].name, name("a.root.test."));
  ASSERT_EQ(hints->servers[0].addresses.size(), 2u);
  EXPECT_EQ(hints->servers[0].addresses[0], UpstreamAddress::from_string("127.0.0.11"));
  EXPECT_EQ(hints->servers[0].addresses[1], UpstreamAddress::from_string("::1"));
  EXPECT_EQ(hints->servers[1].name, name("b.root."));
  EXPECT_EQ(hints->servers[1].addresses[0], UpstreamAddress::from_string("127.0.0.12"));
}

TEST(RootHintsTest, RejectsHintsWithoutAnyAddressedRootServer) {
  auto no_address = parse_root_hints(". 3600000 NS a.root.test.\n");
  ASSERT_FALSE(no_address);
  EXPECT_NE(no_address.error().find("no root server"), std::string::npos);
  EXPECT_FALSE(parse_root_hints("a.root.test. 3600000 A 127.0.0.1\n"));  // no NS at all
}

TEST(RootHintsTest, ReportsSyntaxErrorsWithTheLine) {
  auto bad = parse_root_hints(". 3600000 NS a.root.test.\na.root.test. 3600000 A 300.0.0.1\n",
                              "hints.txt");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("hints.txt:2"), std::string::npos) << bad.error();
}

TEST(RootHintsTest, LoadsAFile) {
  std::string path = ::testing::TempDir() + "hayate_root_hints_test.root";
  {
    std::ofstream out(path);
    out << ". 3600000 NS a.root.test.\na.root.test. 3600000 A 127.0.0.11\n";
  }
  auto hints = load_root_hints(path);
  std::remove(path.c_str());
  ASSERT_TRUE(hints) << hints.error();
  ASSERT_EQ(hints->servers.size(), 1u);
  EXPECT_FALSE(load_root_hints(path));  // gone
}

}  // namespace
}  // namespace hayate::server::resolver
