// The resolver's RRset cache: RRsets learnt from upstream responses, keyed by (owner, type,
// class), with a trust level (RFC 2181 §5.4.1), TTL clamps, serve-stale and prefetch signals.
// Shared by all worker threads; see cache_store.hpp for how it is sharded and bounded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/resolver/cache_config.hpp"
#include "server/resolver/cache_store.hpp"
#include "server/resolver/clock.hpp"
#include "zone/message.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"
#include "zone/rrset.hpp"

namespace hayate::server::resolver {

// How much an RRset is believed, lowest first (RFC 2181 §5.4.1, with Unbound's split of its last
// rank: authority data of a non-authoritative answer ranks above plain additional data).
enum class Trust : std::uint8_t {
  kAdditional = 0,     // additional section: glue, addresses of NS/MX targets
  kAuthority = 1,      // authority section of a non-authoritative answer (referral NS)
  kAnswer = 2,         // answer section without AA (forwarders; out-of-zone CNAME targets)
  kAuthAuthority = 3,  // authority section of an authoritative answer (the zone's NS, SOA)
  kAuthAnswer = 4,     // answer section of an authoritative answer
};

// The trust of data found in `section` of a response whose AA bit is `authoritative`.
Trust trust_for(zone::Section section, bool authoritative);
const char* trust_name(Trust trust);

struct CachedRRset {
  zone::Name owner;  // case as first received
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t original_ttl = 0;  // after the clamps
  Trust trust = Trust::kAdditional;
  std::vector<zone::Rdata> rdatas;
};

struct RRsetHit {
  std::shared_ptr<const CachedRRset> rrset;
  std::uint32_t ttl = 0;  // to answer with: remaining seconds, or 30 when stale (RFC 8767 §4)
  bool stale = false;
  bool prefetch = false;  // the caller should refresh this RRset now (reported once per entry)
};

class RrsetCache {
 public:
  RrsetCache(const CacheConfig& config, ClockFunction clock);

  // Stores an RRset for clamp(ttl) seconds unless an unexpired one of higher trust is cached
  // (RFC 2181 §5.4.1: lower-ranked data never replaces higher-ranked data). TTL 0 after the
  // clamps is not stored (RFC 1035 §3.2.1). Returns whether it was stored.
  bool insert(const zone::Name& owner, std::uint16_t type, std::uint16_t rclass, std::uint32_t ttl,
              std::vector<zone::Rdata> rdatas, Trust trust);
  bool insert(const zone::ResponseRRset& rrset, Trust trust) {
    return insert(rrset.owner, rrset.type, rrset.rclass, rrset.ttl, rrset.rdatas, trust);
  }

  // An unexpired RRset, never stale data. `earlier_uses`: see CacheStore::lookup.
  std::optional<RRsetHit> lookup(const zone::Name& owner, std::uint16_t type,
                                 std::uint16_t rclass = 1, std::uint32_t earlier_uses = 0);
  // Fresh or stale (expired less than stale-max-age ago): for when upstreams fail (RFC 8767).
  std::optional<RRsetHit> lookup_stale(const zone::Name& owner, std::uint16_t type,
                                       std::uint16_t rclass = 1);

  // Drops `name` and everything below it (like unbound-control flush_zone); returns how many.
  std::size_t flush(const zone::Name& name);
  void flush_all();

  // Visits every live RRset with its TTL to show and whether it is stale. Runs under a shard
  // lock: `visit` must not call into this cache.
  void dump(
      const std::function<void(const CachedRRset&, std::uint32_t ttl, bool stale)>& visit) const;

  std::size_t bytes() const { return store_.bytes(); }
  std::size_t size() const { return store_.size(); }

 private:
  using Store = CacheStore<std::shared_ptr<const CachedRRset>>;
  std::optional<RRsetHit> find(const zone::Name& owner, std::uint16_t type, std::uint16_t rclass,
                               Store::Mode mode, std::uint32_t earlier_uses = 0);

  CacheConfig config_;
  Store store_;
};

// Presentation format of a cached RRset: one line per record with `ttl`, '\n'-terminated
// (the lines of `hayatectl cache dump`).
std::string rrset_to_text(const CachedRRset& rrset, std::uint32_t ttl);

// The cache key of (owner, type, class): lowercased owner wire + type + class.
std::string rrset_cache_key(const zone::Name& owner, std::uint16_t type, std::uint16_t rclass);

}  // namespace hayate::server::resolver
