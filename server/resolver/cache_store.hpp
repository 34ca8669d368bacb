// The storage under the resolver caches: a sharded, byte-bounded LRU map of expiring entries that
// stay around as stale data for a while after they expire (RFC 8767).
//
// Why shards: every worker thread looks things up in the same cache, and a lookup writes too (LRU
// order, hit count), so a reader/writer lock would not help. Keys are spread by hash over N
// shards (16 by default), each with its own mutex, LRU list and byte budget (max_bytes / N); the
// critical section is one hash probe and a list splice, and values are immutable shared_ptrs so
// callers copy nothing under the lock. The price is that LRU order is per shard, not global, the
// trade Unbound's slabhash makes too.
//
// Entries are "fresh" until their TTL runs out, then "stale" until stale_max_age more seconds
// have passed; past that they are dropped when met (lookup, visit) or evicted by LRU.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/resolver/cache_config.hpp"
#include "server/resolver/clock.hpp"

namespace hayate::server::resolver {

template <typename Value>
class CacheStore {
 public:
  enum class Mode : std::uint8_t { kFresh, kStaleToo };

  struct Hit {
    Value value;
    std::uint32_t ttl = 0;  // remaining seconds when fresh, kStaleAnswerTtl when stale
    bool stale = false;
    bool prefetch = false;  // popular and in the last 10 % of its TTL: refresh it (once)
  };

  CacheStore(const CacheConfig& config, ClockFunction clock)
      : clock_(std::move(clock)),
        shard_count_(config.shards == 0 ? 1 : config.shards),
        shard_limit_(config.max_bytes / shard_count_),
        stale_max_age_(std::chrono::seconds(config.stale_max_age)),
        prefetch_min_hits_(config.prefetch_min_hits),
        shards_(std::make_unique<Shard[]>(shard_count_)) {}

  SteadyTime now() const { return clock_(); }

  // `earlier_uses`: times the entry's data was sent without a lookup here (the answer cache kept
  // it rendered), counted as hits for prefetch.
  std::optional<Hit> lookup(std::string_view key, Mode mode, std::uint32_t earlier_uses = 0) {
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    auto found = shard.index.find(key);
    if (found == shard.index.end()) return std::nullopt;
    auto node = found->second;
    SteadyTime t = now();
    if (too_old(*node, t)) {
      erase(shard, node);
      return std::nullopt;
    }
    bool fresh = t < node->expires;
    if (!fresh && mode == Mode::kFresh) return std::nullopt;
    shard.lru.splice(shard.lru.begin(), shard.lru, node);
    node->hits =
        node->hits + 1 + earlier_uses < node->hits ? UINT32_MAX : node->hits + 1 + earlier_uses;
    if (!fresh) return Hit{node->value, kStaleAnswerTtl, true, false};
    return Hit{node->value, remaining_ttl(*node, t), false, take_prefetch(*node, t)};
  }

  // Stores `value` under `key` for `ttl` seconds, costing `value_bytes` plus the key and node
  // overhead, unless keep_existing(old_value, old_is_fresh) says the present entry stays.
  // False when nothing was stored (kept, or larger than a whole shard).
  template <typename Keep>
  bool insert(std::string key, Value value, std::uint32_t ttl, std::size_t value_bytes,
              Keep&& keep_existing) {
    std::size_t bytes = value_bytes + key.size() + kNodeOverhead;
    if (bytes > shard_limit_) return false;
    Shard& shard = shard_for(key);
    std::lock_guard lock(shard.mutex);
    SteadyTime t = now();
    auto found = shard.index.find(key);
    if (found != shard.index.end()) {
      auto node = found->second;
      if (keep_existing(node->value, t < node->expires)) return false;
      erase(shard, node);
    }
    shard.lru.push_front(Node{std::move(key), std::move(value), t + std::chrono::seconds(ttl), ttl,
                              0, false, bytes});
    shard.index.emplace(shard.lru.front().key, shard.lru.begin());
    shard.bytes += bytes;
    evict_to_limit(shard);
    return true;
  }

  // Drops the entries whose value matches; returns how many.
  template <typename Pred>
  std::size_t erase_if(Pred&& pred) {
    std::size_t erased = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      Shard& shard = shards_[i];
      std::lock_guard lock(shard.mutex);
      for (auto node = shard.lru.begin(); node != shard.lru.end();) {
        auto next = std::next(node);
        if (pred(node->value)) {
          erase(shard, node);
          ++erased;
        }
        node = next;
      }
    }
    return erased;
  }

  void clear() {
    erase_if([](const Value&) { return true; });
  }

  // Calls fn(value, ttl, stale) for every live entry, most recently used first within a shard.
  // The shard's lock is held during fn: fn must not call back into this store.
  template <typename Fn>
  void visit(Fn&& fn) const {
    SteadyTime t = now();
    for (std::size_t i = 0; i < shard_count_; ++i) {
      const Shard& shard = shards_[i];
      std::lock_guard lock(shard.mutex);
      for (const Node& node : shard.lru) {
        if (too_old(node, t)) continue;
        bool fresh = t < node.expires;
        fn(node.value, fresh ? remaining_ttl(node, t) : kStaleAnswerTtl, !fresh);
      }
    }
  }

  std::size_t bytes() const {
    return sum([](const Shard& s) { return s.bytes; });
  }
  std::size_t size() const {
    return sum([](const Shard& s) { return s.index.size(); });
  }

 private:
  struct Node {
    std::string key;
    Value value;
    SteadyTime expires;
    std::uint32_t original_ttl = 0;
    std::uint32_t hits = 0;
    bool prefetch_signalled = false;
    std::size_t bytes = 0;
  };
  using Lru = std::list<Node>;
  struct Shard {
    mutable std::mutex mutex;
    Lru lru;  // front: most recently used
    std::unordered_map<std::string_view, typename Lru::iterator> index;  // views of Node::key
    std::size_t bytes = 0;
  };

  // A list node (two links), a hash node (next link, cached hash, key view, iterator) and a
  // bucket slot, on top of the Node itself.
  static constexpr std::size_t kNodeOverhead = sizeof(Node) + 2 * sizeof(void*) +
                                               4 * sizeof(void*) + sizeof(std::string_view) +
                                               sizeof(void*);

  Shard& shard_for(std::string_view key) {
    std::size_t h = std::hash<std::string_view>{}(key);
    return shards_[(h ^ (h >> 29)) % shard_count_];
  }

  bool too_old(const Node& node, SteadyTime t) const { return t >= node.expires + stale_max_age_; }

  static std::uint32_t remaining_ttl(const Node& node, SteadyTime t) {
    auto left = std::chrono::duration_cast<std::chrono::seconds>(node.expires - t);
    return static_cast<std::uint32_t>(left.count());
  }

  // Like Unbound's prefetch: a popular entry (hits >= the threshold) that has entered the last
  // tenth of its TTL is reported once, so one caller refreshes it before it expires.
  bool take_prefetch(Node& node, SteadyTime t) const {
    if (prefetch_min_hits_ == 0 || node.prefetch_signalled) return false;
    if (node.hits < prefetch_min_hits_) return false;
    if ((node.expires - t) * 10 > std::chrono::seconds(node.original_ttl)) return false;
    node.prefetch_signalled = true;
    return true;
  }

  void erase(Shard& shard, typename Lru::iterator node) {
    shard.bytes -= node->bytes;
    shard.index.erase(node->key);
    shard.lru.erase(node);
  }

  void evict_to_limit(Shard& shard) {
    while (shard.bytes > shard_limit_ && !shard.lru.empty())
      erase(shard, std::prev(shard.lru.end()));
  }

  template <typename Fn>
  std::size_t sum(Fn&& fn) const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < shard_count_; ++i) {
      std::lock_guard lock(shards_[i].mutex);
      total += fn(shards_[i]);
    }
    return total;
  }

  ClockFunction clock_;
  std::size_t shard_count_;
  std::size_t shard_limit_;
  std::chrono::seconds stale_max_age_;
  std::uint32_t prefetch_min_hits_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace hayate::server::resolver
