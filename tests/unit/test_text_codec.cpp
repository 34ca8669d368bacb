#include "zone/text_codec.hpp"

#include <gtest/gtest.h>

namespace hayate::zone {
namespace {

TEST(TextCodec, Base64DecodesRfc4648Vectors) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(*decode_base64("Zg=="), (Rdata{'f'}));
  EXPECT_EQ(*decode_base64("Zm8="), (Rdata{'f', 'o'}));
  EXPECT_EQ(*decode_base64("Zm9v"), (Rdata{'f', 'o', 'o'}));
  EXPECT_EQ(*decode_base64("Zm9vYmFy"), (Rdata{'f', 'o', 'o', 'b', 'a', 'r'}));
}

TEST(TextCodec, Base64RejectsMalformedText) {
  EXPECT_FALSE(decode_base64(""));
  EXPECT_FALSE(decode_base64("Zm9"));       // not a multiple of four
  EXPECT_FALSE(decode_base64("Zm=v"));      // '=' inside
  EXPECT_FALSE(decode_base64("Z==="));      // three pad characters
  EXPECT_FALSE(decode_base64("Zm9v!A=="));  // outside the alphabet
}

TEST(TextCodec, HexDigits) {
  EXPECT_EQ(hex_digit_value('0'), 0);
  EXPECT_EQ(hex_digit_value('a'), 10);
  EXPECT_EQ(hex_digit_value('F'), 15);
  EXPECT_EQ(hex_digit_value('g'), -1);
}

}  // namespace
}  // namespace hayate::zone
