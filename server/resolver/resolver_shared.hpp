// What all workers' resolvers share: the settings from [resolver], the RRset, negative and
// ECS-tailored (subnet) caches and the infra cache (all lock inside), the client ACL and the
// forward table. One per daemon, built at start; `hayatectl cache flush|dump` reach the caches
// through it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "server/acl.hpp"
#include "server/net/connection_limiter.hpp"
#include "server/recursion_stage.hpp"
#include "server/resolver/cache_config.hpp"
#include "server/resolver/clock.hpp"
#include "server/resolver/ecs_policy.hpp"
#include "server/resolver/forward_table.hpp"
#include "server/resolver/infra_cache.hpp"
#include "server/resolver/negative_cache.hpp"
#include "server/resolver/rrset_cache.hpp"
#include "server/resolver/subnet_cache.hpp"
#include "zone/name.hpp"

namespace hayate::server::resolver {

struct ResolverSettings {
  Acl allow;
  std::vector<UpstreamAddress> forward;  // global; empty: iterate (outside the forward zones)
  std::vector<ForwardZone> forward_zones;
  std::string root_hints;  // file; empty: built-in
  CacheConfig rrset_cache;
  CacheConfig negative_cache;
  bool serve_stale = true;
  bool prefetch = false;
  bool qname_minimisation = true;
  std::chrono::milliseconds query_timeout{5000};
  EcsSettings ecs;  // EDNS Client Subnet (RFC 7871); off unless ecs.send
  // Client questions being resolved at once, in all and per client address; beyond either a new
  // question is dropped unanswered, as Unbound drops when its request list is full (an answer
  // would only feed a flood, and a real client retries). 0 = no limit.
  std::size_t max_pending = 0;
  std::size_t max_pending_per_client = 0;

  // Whether some names are resolved iteratively (no global forward list).
  bool iterates() const { return forward.empty(); }
};

class ResolverShared {
 public:
  explicit ResolverShared(ResolverSettings settings,
                          ClockFunction clock = coarse_steady_clock_function());
  ResolverShared(const ResolverShared&) = delete;
  ResolverShared& operator=(const ResolverShared&) = delete;

  const ResolverSettings& settings() const { return settings_; }
  RrsetCache& rrsets() { return rrsets_; }
  NegativeCache& negatives() { return negatives_; }
  SubnetCache& subnets() { return subnets_; }
  InfraCache& infra() { return infra_; }
  net::ConnectionLimiter& pending() { return pending_; }
  const std::shared_ptr<const ForwardTable>& forward_table() const { return forward_table_; }

  // `hayatectl cache flush [NAME]`: NAME and below, or everything; returns the entries dropped
  // (everything: the count before flushing).
  std::size_t flush(const zone::Name* name);
  // The caches' clock in seconds and the number of flushes so far: the workers' answer caches
  // drop resolver answers kept before a flush or past their time.
  CacheEpoch epoch() const;
  // `hayatectl cache dump`: one line per record, negative entries as comments, tailored
  // answers after a "; subnet ADDRESS/PREFIX" comment line.
  std::vector<std::string> dump() const;

 private:
  ResolverSettings settings_;
  RrsetCache rrsets_;
  NegativeCache negatives_;
  SubnetCache subnets_;
  InfraCache infra_;
  net::ConnectionLimiter pending_;  // questions in flight (max_pending, max_pending_per_client)
  std::shared_ptr<const ForwardTable> forward_table_;
  ClockFunction clock_;
  std::atomic<std::uint32_t> generation_{0};
};

}  // namespace hayate::server::resolver
