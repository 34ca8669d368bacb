#include "server/answer_cache.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <functional>
#include <new>

namespace hayate::server {

AnswerCache::AnswerCache(std::size_t capacity) : capacity_(capacity) {
  rebuild_index(16);
}

std::string_view AnswerCache::encode(const AnswerKey& key, char (&buffer)[kMaxKey]) {
  std::size_t n = key.qname_lower.size();
  std::memcpy(buffer, key.qname_lower.data(), n);
  buffer[n++] = static_cast<char>(key.qtype >> 8);
  buffer[n++] = static_cast<char>(key.qtype);
  buffer[n++] = static_cast<char>(key.qclass >> 8);
  buffer[n++] = static_cast<char>(key.qclass);
  buffer[n++] = static_cast<char>(key.shape);
  buffer[n++] = static_cast<char>(key.policy);
  buffer[n++] = static_cast<char>(key.view >> 8);
  buffer[n++] = static_cast<char>(key.view);
  return {buffer, n};
}

namespace {

// The finalizer of SplitMix64: every input bit moves every output bit.
std::uint64_t mix(std::uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::uint64_t AnswerCache::question_hash(std::span<const std::uint8_t> qname_lower,
                                         std::uint16_t qtype) {
  const std::string_view name(reinterpret_cast<const char*>(qname_lower.data()),
                              qname_lower.size());
  return mix(std::hash<std::string_view>{}(name) ^ qtype);
}

std::uint64_t AnswerCache::hash(const AnswerKey& key) {
  const std::uint64_t question = question_hash(key.qname_lower, key.qtype);
  const std::uint64_t rest = key.qclass | std::uint64_t{key.shape} << 16 |
                             std::uint64_t{key.policy} << 24 | std::uint64_t{key.view} << 32;
  return question ^ (mix(rest) & 0xffffffffULL);
}

std::size_t AnswerCache::probe(std::string_view key, std::uint64_t hash) const {
  const auto tag = static_cast<std::uint32_t>(hash);
  std::size_t slot = (hash >> 32) & mask_;
  // At most half full, so an empty slot ends every probe.
  while (index_[slot].entry != kEmpty) {
    if (index_[slot].tag == tag && index_[slot].stored->key() == key) return slot;
    slot = (slot + 1) & mask_;
  }
  return slot;
}

CachedAnswer AnswerCache::lookup(const AnswerKey& key) {
  char buffer[kMaxKey];
  const std::string_view encoded = encode(key, buffer);
  const std::size_t slot = probe(encoded, hash(key));
  if (index_[slot].entry == kEmpty) return {};
  Stored& stored = *index_[slot].stored;
  stored.referenced = true;
  return CachedAnswer{stored.response(), stored.aged ? &stored.aging : nullptr,
                      stored.ttl_offsets()};
}

void AnswerCache::insert(const AnswerKey& key, std::span<const std::uint8_t> response,
                         const AnswerAging* aging, std::span<const std::uint16_t> ttl_offsets) {
  if (capacity_ == 0) return;
  char buffer[kMaxKey];
  const std::string_view encoded = encode(key, buffer);
  const std::uint64_t h = hash(key);
  std::size_t slot = probe(encoded, h);
  if (index_[slot].entry != kEmpty) {
    Entry& entry = entries_[index_[slot].entry];
    store(entry, encoded, h, response, aging, ttl_offsets);
    entry.stored()->referenced = true;
    index_[slot].stored = entry.stored();  // store() may have moved it
    return;
  }
  std::uint32_t number;
  if (entries_.size() < capacity_) {
    if ((entries_.size() + 1) * 2 > index_.size()) rebuild_index(index_.size() * 2);
    number = static_cast<std::uint32_t>(entries_.size());
    entries_.emplace_back();
  } else {
    number = evict();
  }
  // The index changed (an eviction shifts slots back, a rebuild moves them): probe again.
  slot = probe(encoded, h);
  store(entries_[number], encoded, h, response, aging, ttl_offsets);
  entries_[number].stored()->referenced = false;  // a second use marks it, as a hit does
  index_[slot] = {static_cast<std::uint32_t>(h), number, entries_[number].stored()};
}

void AnswerCache::store(Entry& entry, std::string_view key, std::uint64_t hash,
                        std::span<const std::uint8_t> response, const AnswerAging* aging,
                        std::span<const std::uint16_t> ttl_offsets) {
  if (aging == nullptr) ttl_offsets = {};
  const std::size_t offsets_size = ttl_offsets.size_bytes();
  const std::size_t size = sizeof(Stored) + offsets_size + key.size() + response.size();
  if (entry.capacity < size) {
    // operator new[] aligns for any fundamental type, so a Stored may begin the block.
    entry.bytes = std::make_unique_for_overwrite<std::uint8_t[]>(size);
    entry.capacity = static_cast<std::uint32_t>(size);
  }
  Stored* stored = new (entry.bytes.get()) Stored;
  stored->response_size = static_cast<std::uint32_t>(response.size());
  stored->key_size = static_cast<std::uint16_t>(key.size());
  stored->ttl_count = static_cast<std::uint16_t>(ttl_offsets.size());
  stored->aged = aging != nullptr;
  if (aging != nullptr) stored->aging = *aging;
  std::uint8_t* out = entry.bytes.get() + sizeof(Stored);
  if (offsets_size != 0) std::memcpy(out, ttl_offsets.data(), offsets_size);
  std::memcpy(out + offsets_size, key.data(), key.size());
  std::memcpy(out + offsets_size + key.size(), response.data(), response.size());
  entry.hash = hash;
}

// CLOCK: skip (and unmark) entries used since the hand last passed them; the first one not used
// goes. Every entry is passed at most once before one is found.
std::uint32_t AnswerCache::evict() {
  while (true) {
    if (hand_ >= entries_.size()) hand_ = 0;
    Stored& stored = *entries_[hand_].stored();
    if (!stored.referenced) break;
    stored.referenced = false;
    ++hand_;
  }
  const auto number = static_cast<std::uint32_t>(hand_++);
  const Entry& victim = entries_[number];
  erase_slot(probe(victim.stored()->key(), victim.hash));
  return number;
}

// Linear probing without tombstones: the slots after the erased one that would no longer be found
// (their home is at or before the hole, cyclically) move back into it.
void AnswerCache::erase_slot(std::size_t hole) {
  std::size_t next = (hole + 1) & mask_;
  while (index_[next].entry != kEmpty) {
    const std::size_t home = (entries_[index_[next].entry].hash >> 32) & mask_;
    const bool reachable_from_home = ((next - home) & mask_) >= ((next - hole) & mask_);
    if (reachable_from_home) {
      index_[hole] = index_[next];
      hole = next;
    }
    next = (next + 1) & mask_;
  }
  index_[hole] = Slot{};
}

void AnswerCache::rebuild_index(std::size_t slots) {
  index_.assign(std::bit_ceil(std::max<std::size_t>(slots, 16)), Slot{});
  mask_ = index_.size() - 1;
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    std::size_t slot = (entries_[i].hash >> 32) & mask_;
    while (index_[slot].entry != kEmpty)
      slot = (slot + 1) & mask_;
    index_[slot] = {static_cast<std::uint32_t>(entries_[i].hash), static_cast<std::uint32_t>(i),
                    entries_[i].stored()};
  }
}

void AnswerCache::clear() {
  entries_.clear();
  hand_ = 0;
  rebuild_index(16);
}

void AnswerCache::set_capacity(std::size_t capacity) {
  capacity_ = capacity;
  if (entries_.size() > capacity_) clear();
}

}  // namespace hayate::server
