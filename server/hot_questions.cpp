#include "server/hot_questions.hpp"

#include <cstring>

namespace hayate::server {

std::string encode_question(const AnswerKey& key) {
  std::string out(reinterpret_cast<const char*>(key.qname_lower.data()), key.qname_lower.size());
  out.push_back(static_cast<char>(key.qtype >> 8));
  out.push_back(static_cast<char>(key.qtype));
  out.push_back(static_cast<char>(key.qclass >> 8));
  out.push_back(static_cast<char>(key.qclass));
  out.push_back(static_cast<char>(key.shape));
  return out;
}

bool decode_question(std::string_view encoded, AnswerKey& key) {
  if (encoded.size() < 6 || encoded.size() > 255 + 5) return false;
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(encoded.data());
  const std::size_t n = encoded.size() - 5;
  if (bytes[n - 1] != 0) return false;  // a wire name ends with the root label
  key.qname_lower = {bytes, n};
  key.qtype = static_cast<std::uint16_t>(bytes[n] << 8 | bytes[n + 1]);
  key.qclass = static_cast<std::uint16_t>(bytes[n + 2] << 8 | bytes[n + 3]);
  key.shape = bytes[n + 4];
  return true;
}

void HotQuestions::count(const AnswerKey& key) {
  char buffer[255 + 5];
  const std::size_t n = key.qname_lower.size();
  if (n > 255) return;
  std::memcpy(buffer, key.qname_lower.data(), n);
  buffer[n] = static_cast<char>(key.qtype >> 8);
  buffer[n + 1] = static_cast<char>(key.qtype);
  buffer[n + 2] = static_cast<char>(key.qclass >> 8);
  buffer[n + 3] = static_cast<char>(key.qclass);
  buffer[n + 4] = static_cast<char>(key.shape);
  const std::string_view encoded(buffer, n + 5);
  std::lock_guard lock(mutex_);
  if (auto it = counts_.find(encoded); it != counts_.end()) {
    ++it->second;
  } else if (counts_.size() < max_questions_) {
    counts_.emplace(std::string(encoded), 1);
  }
}

HotQuestions::Counts HotQuestions::take() {
  Counts taken;
  std::lock_guard lock(mutex_);
  taken.swap(counts_);
  return taken;
}

}  // namespace hayate::server
