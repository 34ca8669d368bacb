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
  const Bytes foo = {3, 'f', 'o', 'o', 0};
  auto value = encode_answer(response, foo, 777, 5);
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
  EXPECT_EQ(Bytes(value->qname, value->qname + 6), (Bytes{3, 'f', 'o', 'o', 0, 0}));
}

TEST(AnswerEncoding, RefusesWhatIsNotAOneQuestionResponseOrTooBig) {
  const Bytes root = {0};
  Bytes query = {0, 0, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1};
  EXPECT_FALSE(encode_answer(query, root, 0, 0));
  Bytes big(12 + 5 + HAYATE_XDP_MAX_BODY + 1, 0);  // root question: 1 + 4 octets
  big[2] = 0x80;
  big[5] = 1;
  EXPECT_FALSE(encode_answer(big, root, 0, 0));
  big.pop_back();
  EXPECT_TRUE(encode_answer(big, root, 0, 0));
  EXPECT_FALSE(encode_answer(Bytes(10, 0), root, 0, 0));
  EXPECT_FALSE(encode_answer(big, Bytes(256, 1), 0, 0));
}

TEST(AnswerEncoding, KeyHashesTheNameWordsAsTheProgramDoes) {
  Bytes name = {3, 'w', 'w', 'w', 0};
  hayate_xdp_key key = make_key(name, 28, 1, HAYATE_XDP_SHAPE_EDNS);
  // One 8-octet word, little-endian, zero past the name: 03 'w' 'w' 'w' 00 00 00 00.
  const std::uint64_t word = 0x0000000077777703ull;
  EXPECT_EQ(key.name_hash, hayate_xdp_hash_word(HAYATE_XDP_HASH_SEED, word));
  EXPECT_EQ(key.name_words, 1);
  EXPECT_EQ(key.qtype, 28);
  EXPECT_EQ(key.qclass, 1);
  EXPECT_EQ(key.shape, HAYATE_XDP_SHAPE_EDNS);
  Bytes nine = {7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 0};
  EXPECT_EQ(make_key(nine, 1, 1, 0).name_words, 2);
  EXPECT_NE(make_key(nine, 1, 1, 0).name_hash, make_key(name, 1, 1, 0).name_hash);
}

TEST(AnswerEncoding, OnesComplementSumOfOddLength) {
  EXPECT_EQ(ones_complement_sum(Bytes{0x01, 0x02, 0x03}), 0x0102 + 0x0300);
  EXPECT_EQ(ones_complement_sum(Bytes{0xff, 0xff, 0x00, 0x01}), 0x0001);
}

}  // namespace
}  // namespace hayate::bpf
