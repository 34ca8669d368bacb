#include "server/answer_cache.hpp"

#include <cstring>

namespace hayate::server {

std::string_view AnswerCache::encode(const AnswerKey& key, char (&buffer)[264]) {
  std::size_t n = key.qname_lower.size();
  std::memcpy(buffer, key.qname_lower.data(), n);
  buffer[n++] = static_cast<char>(key.qtype >> 8);
  buffer[n++] = static_cast<char>(key.qtype);
  buffer[n++] = static_cast<char>(key.qclass >> 8);
  buffer[n++] = static_cast<char>(key.qclass);
  buffer[n++] = static_cast<char>(key.shape);
  buffer[n++] = static_cast<char>(key.view >> 8);
  buffer[n++] = static_cast<char>(key.view);
  return {buffer, n};
}

const std::vector<std::uint8_t>* AnswerCache::find(const AnswerKey& key) {
  char buffer[264];
  auto it = index_.find(encode(key, buffer));
  if (it == index_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second);
  return &it->second->response;
}

void AnswerCache::insert(const AnswerKey& key, std::span<const std::uint8_t> response) {
  if (capacity_ == 0) return;
  char buffer[264];
  std::string_view encoded = encode(key, buffer);
  if (auto it = index_.find(encoded); it != index_.end()) {
    it->second->response.assign(response.begin(), response.end());
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  evict_to(capacity_ - 1);
  lru_.push_front(Entry{std::string(encoded), {response.begin(), response.end()}});
  index_.emplace(lru_.front().key, lru_.begin());
}

void AnswerCache::clear() {
  index_.clear();
  lru_.clear();
}

void AnswerCache::set_capacity(std::size_t capacity) {
  capacity_ = capacity;
  evict_to(capacity);
}

void AnswerCache::evict_to(std::size_t size) {
  while (index_.size() > size) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
}

}  // namespace hayate::server
