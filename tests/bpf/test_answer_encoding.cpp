// The map value built from a rendered response: header fields, body and its checksum.
#include "bpf/answer_encoding.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace hayate::bpf {
namespace {

using Bytes = std::vector<std::uint8_t>;

TEST(AnswerEncoding, SplitsHeaderQuestionAndBody) {
  // ID 0x1234, QR AA RD CD, rcode 3; 1 question, 0/1/1 records; question of 5 + 4 octets.
  Bytes response = {0x12, 0x34, 0x85, 0x13, 0,   1, 0, 0, 0, 1, 0,
                    1,    3,    'f',  'o',  'o', 0, 0, 1, 0, 1,  // question
                    0xaa, 0xbb, 0xcc};                           // body
  auto value = encode_answer(response, 9, 777, 5);
  ASSERT_TRUE(value) << value.error();
  EXPECT_EQ(value->flags, 0x8403);  // RD and CD cleared: they come from each query
  EXPECT_EQ(value->ancount, 0);
  EXPECT_EQ(value->nscount, 1);
  EXPECT_EQ(value->arcount, 1);
  EXPECT_EQ(value->body_len, 3);
  EXPECT_EQ(value->body[0], 0xaa);
  EXPECT_EQ(value->body[2], 0xcc);
  EXPECT_EQ(value->body_csum, 0xaabb + 0xcc00 - 0xffff);  // folded end-around carry
  EXPECT_EQ(value->expires_ns, 777u);
  EXPECT_EQ(value->slot, 5u);
}

TEST(AnswerEncoding, RefusesWhatIsNotAOneQuestionResponseOrTooBig) {
  Bytes query = {0, 0, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  EXPECT_FALSE(encode_answer(query, 5, 0, 0));
  Bytes big(12 + 5 + HAYATE_XDP_MAX_BODY + 1, 0);
  big[2] = 0x80;
  big[5] = 1;
  EXPECT_FALSE(encode_answer(big, 5, 0, 0));
  big.pop_back();
  EXPECT_TRUE(encode_answer(big, 5, 0, 0));
  EXPECT_FALSE(encode_answer(Bytes(10, 0), 5, 0, 0));
}

TEST(AnswerEncoding, KeyIsZeroPaddedName) {
  Bytes name = {3, 'w', 'w', 'w', 0};
  hayate_xdp_key key = make_key(name, 28, 1, HAYATE_XDP_SHAPE_EDNS);
  EXPECT_EQ(key.qname[0], 3);
  EXPECT_EQ(key.qname[4], 0);
  for (std::size_t i = 5; i < sizeof(key.qname); ++i)
    ASSERT_EQ(key.qname[i], 0);
  EXPECT_EQ(key.qtype, 28);
  EXPECT_EQ(key.shape, HAYATE_XDP_SHAPE_EDNS);
}

TEST(AnswerEncoding, OnesComplementSumOfOddLength) {
  EXPECT_EQ(ones_complement_sum(Bytes{0x01, 0x02, 0x03}), 0x0102 + 0x0300);
  EXPECT_EQ(ones_complement_sum(Bytes{0xff, 0xff, 0x00, 0x01}), 0x0001);
}

}  // namespace
}  // namespace hayate::bpf
