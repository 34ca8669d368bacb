// The resolver's cache of ECS-tailored answers (RFC 7871 §7.3.1), beside the RRset cache.
//
// An answer whose server said SCOPE s > 0 is valid only for clients in the subnet it was asked
// for, cut to min(s, SOURCE) bits; it must never reach a client in another subnet, so it is kept
// here, under its question, and never in the RRset cache. A lookup takes the client's subnet (what
// would be sent upstream for it) and returns the entry with the longest prefix that contains it
// (§7.3.1: longest-prefix match). Answers with SCOPE 0 or no ECS option are for everyone and go to
// the RRset cache as before; so do negative answers and delegations (not tailored here).
//
// Per question at most `max_per_name` subnets are kept: a new one evicts the oldest (a popular
// name asked from many networks must not take the whole cache). Built on CacheStore: sharded,
// byte-bounded LRU over questions; each value is an immutable set, replaced as a whole when a
// subnet is added (two workers adding at once may lose one of the two: a later miss, no harm).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "server/resolver/cache_config.hpp"
#include "server/resolver/cache_store.hpp"
#include "server/resolver/clock.hpp"
#include "zone/edns.hpp"
#include "zone/name.hpp"
#include "zone/response_view.hpp"

namespace hayate::server::resolver {

struct TailoredAnswer {
  zone::ClientSubnet subnet;                // family, prefix = min(scope, source), address
  std::vector<zone::ResponseRRset> answer;  // TTLs as received (after the clamps)
  SteadyTime stored;
  SteadyTime expires;
};

struct TailoredSet {
  zone::Name qname;  // case as first received
  std::uint16_t qtype = 0;
  std::uint16_t qclass = 0;
  std::vector<TailoredAnswer> entries;  // oldest first
};

struct TailoredHit {
  std::vector<zone::ResponseRRset> answer;  // TTLs decremented
  std::uint8_t scope = 0;                   // the entry's prefix: the SCOPE to tell the client
};

class SubnetCache {
 public:
  SubnetCache(const CacheConfig& config, std::size_t max_per_name, ClockFunction clock);

  // Stores `answer` for the clients in `sent` cut to `scope` bits (scope is already at most
  // sent.source_prefix). Nothing is stored for scope 0 (that answer belongs in the RRset cache)
  // or an empty answer. Returns whether it was stored.
  bool insert(const zone::Name& qname, std::uint16_t qtype, std::uint16_t qclass,
              const zone::ClientSubnet& sent, std::uint8_t scope,
              std::vector<zone::ResponseRRset> answer);

  // The longest-prefix entry containing `client` that has not expired. `known` (when given) is
  // set when the question has tailored entries at all, so a miss can be told from "not tailored".
  std::optional<TailoredHit> lookup(const zone::Name& qname, std::uint16_t qtype,
                                    std::uint16_t qclass, const zone::ClientSubnet& client,
                                    bool* known = nullptr);

  std::size_t flush(const zone::Name& name);  // `name` and below; returns the subnets dropped
  void flush_all();

  // Every live entry with its age in seconds (under a shard lock: do not call back in).
  void dump(const std::function<void(const TailoredSet&, const TailoredAnswer&, std::uint32_t age)>&
                visit) const;

  std::size_t size() const;  // subnets held, all questions together
  std::size_t bytes() const { return store_.bytes(); }

 private:
  using Store = CacheStore<std::shared_ptr<const TailoredSet>>;

  CacheConfig config_;
  std::size_t max_per_name_;
  Store store_;
};

}  // namespace hayate::server::resolver
