// Rendered answers of one worker, so that a repeated question costs a hash lookup and a copy.
//
// The key is everything the rendered bytes depend on besides the ID, the RD/CD bits and the case
// of the question name, which are patched in on a hit: lowercased QNAME, QTYPE, QCLASS and the
// EDNS shape (no OPT / OPT / OPT with DO) plus the transport where it changes the answer. Only
// complete (untruncated) responses are stored; a hit larger than the asker's size limit is a miss.
// Least recently used entries go first. The cache belongs to one ServingState: a reload clears it.
#pragma once

#include <cstdint>
#include <list>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace hayate::server {

struct AnswerKey {
  std::span<const std::uint8_t> qname_lower;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::uint8_t shape = 0;  // bit 0: OPT present, bit 1: DO, bit 2: TCP
  std::uint16_t view = 0;  // the [[view]] that answered (0: default): answers differ by view

  static constexpr std::uint8_t kEdns = 1;
  static constexpr std::uint8_t kDnssecOk = 2;
  static constexpr std::uint8_t kTcp = 4;
};

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t capacity) : capacity_(capacity) {}

  // The stored response, or nullptr. Valid until the next insert or clear.
  const std::vector<std::uint8_t>* find(const AnswerKey& key);
  void insert(const AnswerKey& key, std::span<const std::uint8_t> response);
  void clear();
  void set_capacity(std::size_t capacity);

  std::size_t size() const { return index_.size(); }

 private:
  struct Entry {
    std::string key;
    std::vector<std::uint8_t> response;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Lru = std::list<Entry>;

  // Writes the key's bytes into `buffer` and returns a view of them.
  static std::string_view encode(const AnswerKey& key, char (&buffer)[264]);
  void evict_to(std::size_t size);

  std::size_t capacity_;
  Lru lru_;  // front: most recently used
  std::unordered_map<std::string, Lru::iterator, Hash, std::equal_to<>> index_;
};

}  // namespace hayate::server
