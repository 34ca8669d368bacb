// Rendered answers of one worker, so that a repeated question costs a hash lookup and a copy.
//
// The key is everything the rendered bytes depend on besides the ID, the RD/CD bits and the case
// of the question name, which are patched in on a hit: lowercased QNAME, QTYPE, QCLASS and the
// EDNS shape (no OPT / OPT / OPT with DO) plus the transport where it changes the answer, and
// the client's DNS64 policy with its CD bit where a policy rewrites the answer. Only
// complete (untruncated) responses are stored; a hit larger than the asker's size limit is a miss.
// The cache belongs to one ServingState: a reload clears it.
//
// Layout (issue 8: the previous unordered_map + LRU list cost 14% of a worker's CPU, nearly all
// of it cache misses on its chain of nodes): an open-addressing index of 8-byte slots (a hash
// tag and an entry number, linear probing, at most half full) over a vector of entries whose key
// and response bytes sit in one allocation. A hit touches one index slot, one entry and its
// bytes. Eviction is CLOCK (second chance), which approximates least-recently-used without
// writing a list on every hit: an entry used since the hand last passed it survives one more
// round.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace hayate::server {

struct AnswerKey {
  std::span<const std::uint8_t> qname_lower;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::uint8_t shape = 0;  // bit 0: OPT present, bit 1: DO, bit 2: TCP, bit 3: CD
  // The client's DNS64 / AAAA filter policy (its index + 1; 0: none). Answers rewritten for one
  // policy must never reach a client of another (issue 5).
  std::uint8_t policy = 0;
  std::uint16_t view = 0;  // the [[view]] that answered (0: default): answers differ by view

  static constexpr std::uint8_t kEdns = 1;
  static constexpr std::uint8_t kDnssecOk = 2;
  static constexpr std::uint8_t kTcp = 4;
  static constexpr std::uint8_t kCheckingDisabled = 8;  // only where CD changes the answer (DNS64)
};

// Answers from the resolver's cache are kept too (issue 8: rendering them again from the RRset
// caches cost more than Unbound's whole answer), but their TTLs run down: such an entry records
// when it was stored and until when it may be sent, in seconds of the resolver's clock, the
// resolver's cache generation then (a `cache flush` advances it and so drops them all), and where
// the response's TTLs are, to lower them by the time the entry has been kept.
struct AnswerAging {
  std::uint32_t stored_at = 0;
  std::uint32_t expires_at = 0;
  std::uint32_t generation = 0;
  std::uint32_t uses = 0;  // times sent from here (for the resolver's prefetch)
};

struct CachedAnswer {
  std::span<const std::uint8_t> response;  // empty: a miss
  AnswerAging* aging = nullptr;            // nullptr: an answer that does not age (our zones)
  std::span<const std::uint16_t> ttl_offsets;
};

class AnswerCache {
 public:
  explicit AnswerCache(std::size_t capacity);

  // The stored answer; an empty response on a miss. Valid until the next insert, clear or
  // set_capacity.
  CachedAnswer lookup(const AnswerKey& key);
  std::span<const std::uint8_t> find(const AnswerKey& key) { return lookup(key).response; }
  // Starts loading the index slot where the answers to this question (any EDNS shape, policy or
  // view) begin their probe, for a lookup soon after (QueryHandler::prefetch).
  void prefetch(std::span<const std::uint8_t> qname_lower, std::uint16_t qtype) const {
    __builtin_prefetch(&index_[(question_hash(qname_lower, qtype) >> 32) & mask_]);
  }
  // `aging` for answers whose TTLs run down, with the offsets of those TTLs in `response`.
  void insert(const AnswerKey& key, std::span<const std::uint8_t> response,
              const AnswerAging* aging = nullptr, std::span<const std::uint16_t> ttl_offsets = {});
  void clear();
  // Shrinking below the number stored drops them all (only a reload changes it, after clear()).
  void set_capacity(std::size_t capacity);

  std::size_t size() const { return entries_.size(); }

 private:
  // Room for the encoded key: a wire name (at most 255 bytes) and 8 bytes of the rest.
  static constexpr std::size_t kMaxKey = 264;
  static constexpr std::uint32_t kEmpty = 0xffffffff;

  // At the front of each answer's allocation, so that a hit reads its index slot and this
  // allocation only (issue 8: an entry between the two was a third cache miss per hit). Then come
  // the TTL offsets (aligned: the size of Stored is a multiple of 4), the key and the response.
  struct Stored {
    std::uint32_t response_size = 0;
    std::uint16_t key_size = 0;
    std::uint16_t ttl_count = 0;
    bool referenced = false;  // used since the clock hand last passed
    bool aged = false;        // `aging` holds
    AnswerAging aging;

    const std::uint8_t* data() const { return reinterpret_cast<const std::uint8_t*>(this + 1); }
    std::size_t key_at() const { return ttl_count * sizeof(std::uint16_t); }
    std::string_view key() const {
      return {reinterpret_cast<const char*>(data() + key_at()), key_size};
    }
    std::span<const std::uint8_t> response() const {
      return {data() + key_at() + key_size, response_size};
    }
    std::span<const std::uint16_t> ttl_offsets() const {
      return {reinterpret_cast<const std::uint16_t*>(data()), ttl_count};
    }
  };
  static_assert(sizeof(Stored) % alignof(std::uint16_t) == 0);

  struct Slot {
    std::uint32_t tag = 0;         // the low 32 bits of the key's hash
    std::uint32_t entry = kEmpty;  // index into entries_
    Stored* stored = nullptr;      // entries_[entry]'s answer
  };
  struct Entry {
    std::unique_ptr<std::uint8_t[]> bytes;  // a Stored and what follows it
    std::uint32_t capacity = 0;             // bytes allocated
    std::uint64_t hash = 0;

    Stored* stored() const { return reinterpret_cast<Stored*>(bytes.get()); }
  };

  static std::string_view encode(const AnswerKey& key, char (&buffer)[kMaxKey]);
  // The upper 32 bits (the home slot) hash the question alone, so that prefetch() finds the slot
  // before the rest of the key is known; the lower 32 bits (the tag) mix in the rest, so that
  // the variants of one question (with and without EDNS, per view) rarely compare keys.
  static std::uint64_t question_hash(std::span<const std::uint8_t> qname_lower,
                                     std::uint16_t qtype);
  static std::uint64_t hash(const AnswerKey& key);
  // The slot holding `key`, or the empty slot where it would go.
  std::size_t probe(std::string_view key, std::uint64_t hash) const;
  void store(Entry& entry, std::string_view key, std::uint64_t hash,
             std::span<const std::uint8_t> response, const AnswerAging* aging,
             std::span<const std::uint16_t> ttl_offsets);
  std::uint32_t evict();  // frees the entry the CLOCK hand picks and returns its number
  void erase_slot(std::size_t slot);
  void rebuild_index(std::size_t slots);

  std::size_t capacity_;
  std::vector<Slot> index_;  // a power of two, at least twice the entries
  std::size_t mask_ = 0;
  std::vector<Entry> entries_;  // dense: every one holds an answer
  std::size_t hand_ = 0;        // the CLOCK hand over entries_
};

}  // namespace hayate::server
