// Per-question counters of one worker, for the XDP publisher: how often each question was answered
// with a response that depends on nothing but the question (what the answer cache keeps).
//
// The worker counts under a mutex that only the publisher's take() contends for, once a second;
// the number of distinct questions kept between two takes is bounded, so a random-name flood
// cannot grow it without limit (new questions are then not counted until the next take).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/answer_cache.hpp"

namespace hayate::server {

// A question as one string: the lowercased QNAME wire, QTYPE and QCLASS (big-endian), the
// AnswerKey shape octet.
std::string encode_question(const AnswerKey& key);
// The parts of an encode_question() string (qname_lower points into `encoded`). False when the
// string is not one.
bool decode_question(std::string_view encoded, AnswerKey& key);

struct QuestionHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class HotQuestions {
 public:
  using Counts = std::unordered_map<std::string, std::uint64_t, QuestionHash, std::equal_to<>>;

  explicit HotQuestions(std::size_t max_questions = 65536) : max_questions_(max_questions) {}

  void count(const AnswerKey& key);
  // The counts since the last take, and a fresh start.
  Counts take();

 private:
  std::size_t max_questions_;
  std::mutex mutex_;
  Counts counts_;
};

}  // namespace hayate::server
