// The resolver's negative cache (RFC 2308): NXDOMAIN per name, NODATA per (name, type), each with
// the SOA that came in the authority section so cached negative answers can carry it (§5).
//
// An NXDOMAIN covers every type of the name and, per RFC 8020 §2, every name below it: lookups
// walk the name's ancestors for an "NXDOMAIN cut". Same storage, sharding, stale and prefetch
// rules as the RRset cache (cache_store.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "server/resolver/cache_config.hpp"
#include "server/resolver/cache_store.hpp"
#include "server/resolver/clock.hpp"
#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::server::resolver {

enum class NegativeKind : std::uint8_t { kNxDomain, kNoData };

// One negative answer as learnt from upstream.
struct NegativeAnswer {
  NegativeKind kind = NegativeKind::kNxDomain;
  zone::Name name;         // the name that does not exist / has no data of `type`
  std::uint16_t type = 0;  // NODATA only; 0 for NXDOMAIN (all types)
  std::uint16_t rclass = 1;
  zone::Name soa_owner;  // the zone apex
  std::uint32_t soa_ttl = 0;
  zone::Rdata soa_rdata;  // uncompressed (zone::ResponseView gives it so)
};

struct CachedNegative {
  NegativeAnswer answer;
  std::uint32_t original_ttl = 0;  // RFC 2308 §5 rule, after the cap
};

struct NegativeHit {
  std::shared_ptr<const CachedNegative> entry;  // entry->answer.name may be an ancestor (cut)
  std::uint32_t ttl = 0;  // remaining, also the TTL to give the SOA (RFC 2308 §5); 30 if stale
  bool stale = false;
  bool prefetch = false;
};

// RFC 2308 §5: the negative TTL is the smaller of the SOA record's TTL and its MINIMUM field.
// std::nullopt when `soa_rdata` is not a well-formed uncompressed SOA rdata.
std::optional<std::uint32_t> negative_ttl(std::uint32_t soa_ttl,
                                          std::span<const std::uint8_t> soa_rdata);

class NegativeCache {
 public:
  NegativeCache(const CacheConfig& config, ClockFunction clock);

  // Stores the answer for min(negative_ttl, cache-max-negative-ttl) seconds. Refused (false):
  // a malformed SOA, a TTL of 0, or NXDOMAIN for the root (which always exists, and as an
  // NXDOMAIN cut would deny every name).
  bool insert(NegativeAnswer answer);

  // NXDOMAIN for `name` or one of its ancestors first (RFC 8020), then NODATA for (name, type).
  // Never stale data.
  std::optional<NegativeHit> lookup(const zone::Name& name, std::uint16_t type,
                                    std::uint16_t rclass = 1);
  // The same, stale entries included (RFC 8767).
  std::optional<NegativeHit> lookup_stale(const zone::Name& name, std::uint16_t type,
                                          std::uint16_t rclass = 1);

  // Drops entries for `name` and below; returns how many.
  std::size_t flush(const zone::Name& name);
  void flush_all();
  // As RrsetCache::dump: runs under a shard lock.
  void dump(
      const std::function<void(const CachedNegative&, std::uint32_t ttl, bool stale)>& visit) const;

  std::size_t bytes() const { return store_.bytes(); }
  std::size_t size() const { return store_.size(); }

 private:
  using Store = CacheStore<std::shared_ptr<const CachedNegative>>;
  std::optional<NegativeHit> find(const zone::Name& name, std::uint16_t type, std::uint16_t rclass,
                                  Store::Mode mode);
  std::optional<NegativeHit> find_nxdomain_cut(const zone::Name& name, std::uint16_t rclass,
                                               Store::Mode mode);

  CacheConfig config_;
  Store store_;
};

// Lines for `hayatectl cache dump`: "; NXDOMAIN name TTL" or "; NODATA name TYPE TTL",
// then the SOA record; each line '\n'-terminated.
std::string negative_to_text(const CachedNegative& entry, std::uint32_t ttl);

}  // namespace hayate::server::resolver
