#include "zone/master_lexer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace hayate::zone {
namespace {

std::vector<std::string> texts(const MasterEntry& e) {
  std::vector<std::string> out;
  for (const auto& t : e.tokens)
    out.emplace_back(t.text);
  return out;
}

TEST(MasterLexer, SplitsLinesAndDropsComments) {
  MasterLexer lexer("a A 1.2.3.4 ; comment\n\n; only a comment\nb\tNS ns\n");
  MasterEntry e;
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_EQ(texts(e), (std::vector<std::string>{"a", "A", "1.2.3.4"}));
  EXPECT_EQ(e.line, 1u);
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_EQ(texts(e), (std::vector<std::string>{"b", "NS", "ns"}));
  EXPECT_EQ(e.line, 4u);
  EXPECT_FALSE(*lexer.next(e));
}

TEST(MasterLexer, ParenthesesJoinLinesWithCommentsInside) {
  MasterLexer lexer("@ SOA ns hm (\n 1 ; serial\n 2 3 ; ( not a paren\n 4 5 )\nnext A 1.2.3.4\n");
  MasterEntry e;
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_EQ(texts(e), (std::vector<std::string>{"@", "SOA", "ns", "hm", "1", "2", "3", "4", "5"}));
  EXPECT_EQ(e.line, 1u);
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_EQ(e.line, 5u);  // the line after a multi-line entry is counted right
}

TEST(MasterLexer, LeadingBlankMeansOwnerOmitted) {
  MasterLexer lexer("a A 1.2.3.4\n\tAAAA ::1\n  ; comment line\nb A 1.2.3.5\n");
  MasterEntry e;
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_FALSE(e.owner_omitted);
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_TRUE(e.owner_omitted);
  EXPECT_EQ(e.tokens[0].text, "AAAA");
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_FALSE(e.owner_omitted);
  EXPECT_EQ(e.line, 4u);
}

TEST(MasterLexer, QuotedStringsKeepSpecialCharacters) {
  MasterLexer lexer("t TXT \"a ; b ( c )\" x\\ y key=\"v w\"\n");
  MasterEntry e;
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_EQ(texts(e),
            (std::vector<std::string>{"t", "TXT", "\"a ; b ( c )\"", "x\\ y", "key=\"v w\""}));
  EXPECT_TRUE(e.tokens[2].quoted);
  EXPECT_FALSE(e.tokens[4].quoted);
}

TEST(MasterLexer, Errors) {
  struct Case {
    const char* text;
    std::uint32_t line;
  } cases[] = {{"a TXT \"open\n", 1}, {"a A 1 )\n", 1}, {"ok A 1\na SOA (\n1\n", 2}, {"a \\", 1}};
  for (const auto& c : cases) {
    MasterLexer lexer(c.text);
    MasterEntry e;
    Result<bool> r = true;
    while ((r = lexer.next(e)) && *r) {
    }
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(lexer.error_line(), c.line) << c.text;
  }
}

TEST(MasterLexer, NulSeparatesAndFlags) {
  std::string text("a A 1.2.3.4", 11);
  text += std::string("\0x\n", 3);
  MasterLexer lexer(text);
  MasterEntry e;
  ASSERT_TRUE(*lexer.next(e));
  EXPECT_TRUE(e.has_nul);
  EXPECT_EQ(e.tokens.size(), 4u);
}

TEST(MasterLexer, DecodeTextToken) {
  EXPECT_EQ(*decode_text_token("\"a\\\"b\""), "a\"b");
  EXPECT_EQ(*decode_text_token("x\\065\\;"), "xA;");
  EXPECT_FALSE(decode_text_token("\\256").ok());
  EXPECT_FALSE(decode_text_token("a\\").ok());
}

}  // namespace
}  // namespace hayate::zone
