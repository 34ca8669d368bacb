// Response rate limiting (RRL), the budgets: how many responses of one kind one client prefix may
// get per second, as in BIND 9's rate-limit clause, Knot's rrl module and NSD's rrl-ratelimit.
//
// A spoofed query makes us send its answer to the victim; RRL caps how many identical responses
// a prefix gets, so hayate stops being an amplifier while a real client that retries over TCP
// (after a slipped TC=1 reply) is still served. Responses are grouped as BIND does:
//   answers   per (prefix, qname, qtype)          responses-per-second
//   NODATA    per (prefix, zone)                  responses-per-second
//   NXDOMAIN  per (prefix, zone)                  nxdomains-per-second  (random names in one zone
//                                                  share a budget: a random-subdomain flood is one
//                                                  key, not millions)
//   referrals per (prefix, delegation)            referrals-per-second
//   errors    per prefix (REFUSED, SERVFAIL, ...)  errors-per-second
// Each key has a balance credited `rate` per second up to `rate` (a one-second burst) and debited
// one per response; below zero the response is limited. The debt is bounded by `window` seconds of
// the rate, so a prefix that keeps flooding stays limited until its average over the window falls
// below the rate, and one that stops is forgiven after `window` seconds. Of the limited responses
// every `slip`-th is sent as an empty TC=1 reply, the rest are dropped.
//
// Pure and thread-safe: the caller passes the time (tests inject it); the table is split into
// shards with a lock each, shared by all workers so that SO_REUSEPORT spreading one client's
// ports over the workers does not multiply its budget. At most `max_entries` keys are kept; the
// least recently used go first (a key unused for `window` seconds is worth nothing anyway).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "server/acl.hpp"

namespace hayate::server {

enum class RrlCategory : std::uint8_t { kAnswer, kNodata, kNxdomain, kReferral, kError };

struct RrlKey {
  std::array<std::uint8_t, 16> prefix{};  // the client's address, host bits cleared
  std::uint8_t family = 0;                // 4 or 6 (IPv4-mapped IPv6 counts as 4)
  RrlCategory category = RrlCategory::kAnswer;
  std::uint16_t qtype = 0;      // answers only
  std::uint64_t name_hash = 0;  // see the table above; 0 for errors
  friend bool operator==(const RrlKey&, const RrlKey&) = default;
};

struct RrlSettings {
  // Per second and key; 0 = that category is not limited.
  std::uint32_t responses_per_second = 0;
  std::uint32_t nxdomains_per_second = 0;
  std::uint32_t referrals_per_second = 0;
  std::uint32_t errors_per_second = 0;
  std::uint32_t window = 15;  // seconds, at least 1
  std::uint32_t slip = 2;     // every slip-th limited response goes out as TC=1; 0: drop all
  std::uint8_t ipv4_prefix = 24;
  std::uint8_t ipv6_prefix = 56;
  std::size_t max_entries = 100000;
  bool log_only = false;  // decide and count, but send everything (to tune the rates first)
  Acl exempt;             // clients never limited

  std::uint32_t rate(RrlCategory category) const;
};

enum class RrlAction : std::uint8_t { kSend, kDrop, kSlip };

class ResponseRateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ResponseRateLimiter(RrlSettings settings);

  const RrlSettings& settings() const { return settings_; }

  // Debits the key's budget for one response at `now` and says what to do with the response.
  // log-only is the caller's business: this says what would be done.
  RrlAction decide(const RrlKey& key, Clock::time_point now);

  std::size_t entries() const;  // keys tracked, for tests and status

 private:
  static constexpr std::size_t kShards = 16;
  static constexpr std::int64_t kUnit = 1000;  // balances are kept in thousandths of a response

  struct KeyHash {
    std::size_t operator()(const RrlKey& key) const;
  };
  struct Entry {
    RrlKey key;
    std::int64_t balance = 0;  // in kUnit
    Clock::time_point last;
    std::uint32_t limited = 0;  // limited responses so far, for slip
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> lru;  // most recently used first
    std::unordered_map<RrlKey, std::list<Entry>::iterator, KeyHash> index;
  };

  Entry& find_or_add(Shard& shard, const RrlKey& key, Clock::time_point now);
  void credit(Entry& entry, std::int64_t rate, Clock::time_point now) const;

  RrlSettings settings_;
  std::size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace hayate::server
