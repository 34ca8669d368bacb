// Settings shared by the resolver's RRset and negative caches (the [resolver] cache options).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace hayate::server::resolver {

// RFC 8767 §4: stale data is answered with a TTL of 30 seconds.
inline constexpr std::uint32_t kStaleAnswerTtl = 30;

struct CacheConfig {
  std::size_t max_bytes = 32 * 1024 * 1024;  // approximate memory of one cache (keys, data, nodes)
  std::size_t shards = 16;                   // independently locked parts, each max_bytes/shards
  std::uint32_t min_ttl = 0;                 // cache-min-ttl: positive TTLs are raised to this
  std::uint32_t max_ttl = 86400;             // cache-max-ttl: positive TTLs are cut to this
  std::uint32_t max_negative_ttl = 3600;     // cache-max-negative-ttl (RFC 2308 §5 suggests 1-3 h)
  std::uint32_t stale_max_age = 86400;       // stale-max-age: seconds kept after expiry; 0 = none
  std::uint32_t prefetch_min_hits = 3;       // hits that make an entry worth prefetching; 0 = off
};

// A positive TTL as the cache keeps it: within [min_ttl, max_ttl] (max wins if they cross).
inline std::uint32_t clamp_positive_ttl(const CacheConfig& config, std::uint32_t ttl) {
  return std::min(std::max(ttl, config.min_ttl), config.max_ttl);
}

// Negative TTLs are only capped: RFC 2308 §5 asks to honour the SOA, and raising them with
// min_ttl would hide new names for longer than the zone allows (Unbound keeps a separate knob).
inline std::uint32_t clamp_negative_ttl(const CacheConfig& config, std::uint32_t ttl) {
  return std::min(ttl, config.max_negative_ttl);
}

}  // namespace hayate::server::resolver
