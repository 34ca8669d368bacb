#include "zone/generate_directive.hpp"

#include <gtest/gtest.h>

namespace hayate::zone {
namespace {

TEST(GenerateDirective, Ranges) {
  auto r = parse_generate_range("1-10/3");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->start, 1u);
  EXPECT_EQ(r->stop, 10u);
  EXPECT_EQ(r->step, 3u);
  EXPECT_EQ(r->count(), 4u);
  EXPECT_EQ(parse_generate_range("5-5")->count(), 1u);
  // BIND's own test cases (bad2.db, bad3.db, bad4.db) and their messages.
  for (const char* bad : {"9--10", "1-3/", "1-3/0", "3-1", "1", "a-b", "-1-3", "1-2147483648"}) {
    auto e = parse_generate_range(bad);
    ASSERT_FALSE(e.ok()) << bad;
    EXPECT_EQ(e.error(), "invalid range '" + std::string(bad) + "'");
  }
}

std::string expand(const char* templ, std::uint32_t value) {
  auto r = expand_generate_template(templ, value);
  EXPECT_TRUE(r.ok()) << templ << ": " << (r.ok() ? "" : r.error());
  return r.ok() ? *r : "";
}

TEST(GenerateDirective, TemplatesFromBindDocumentation) {
  EXPECT_EQ(expand("$.0", 7), "7.0");
  EXPECT_EQ(expand("SERVER$.EXAMPLE.", 2), "SERVER2.EXAMPLE.");
  EXPECT_EQ(expand("host$$x", 1), "host$x");
  EXPECT_EQ(expand("host\\$x$", 1), "host\\$x1");
  EXPECT_EQ(expand("${1,0,d}", 0), "1");
  EXPECT_EQ(expand("${1,0}", 8), "9");
  EXPECT_EQ(expand("${1}", 10), "11");
  EXPECT_EQ(expand("${0,3,d}", 5), "005");
  EXPECT_EQ(expand("${-1,4,d}", 0), "-001");
  EXPECT_EQ(expand("${0,4,x}", 1024), "0400");
  EXPECT_EQ(expand("${0,0,X}", 255), "FF");
  EXPECT_EQ(expand("${0,0,o}", 8), "10");
  EXPECT_EQ(expand("${0,3,n}", 1024), "0.0.4");
  EXPECT_EQ(expand("${0,0,N}", 0xab), "B.A");
  EXPECT_EQ(expand("${0,7,n}", 1), "1.0.0.0");
  // good-generate-modifier.db: a negative value in nibble mode is the unsigned int's nibbles.
  EXPECT_EQ(expand("${-2000,0,n}", 1024), "0.3.c.f.f.f.f.f");
}

TEST(GenerateDirective, TemplateErrors) {
  EXPECT_EQ(expand_generate_template("${1,0,dgarbagegarbage}", 0).error(), "syntax error");
  EXPECT_EQ(expand_generate_template("${1000", 0).error(), "syntax error");
  EXPECT_EQ(expand_generate_template("${a}", 0).error(), "syntax error");
  EXPECT_EQ(expand_generate_template("${1,2,q}", 0).error(), "syntax error");
  EXPECT_EQ(expand_generate_template("foo${2147483647}", 1).error(), "out of range");
}

}  // namespace
}  // namespace hayate::zone
