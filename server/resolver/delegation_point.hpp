// A delegation point: a zone cut and the servers that serve the zone below it (RFC 1034 §5.3.3,
// Unbound's delegpt). Built from the root hints, from NS RRsets in the cache, or from a referral.
#pragma once

#include <optional>
#include <vector>

#include "server/resolver/bailiwick.hpp"
#include "server/resolver/resolver_limits.hpp"
#include "server/resolver/root_hints.hpp"
#include "server/resolver/rrset_cache.hpp"
#include "server/resolver/upstream_address.hpp"
#include "zone/name.hpp"

namespace hayate::server::resolver {

struct DelegationServer {
  NameServer server;
  bool lookup_tried = false;  // a glueless address look-up was started for it
};

struct DelegationPoint {
  zone::Name zone;
  std::vector<DelegationServer> servers;

  // Every known address of every server, in server order, of the families `limits` allows.
  std::vector<UpstreamAddress> addresses(const ResolverLimits& limits) const;
  // True when some server has an address, or could get one by a look-up outside this zone.
  bool usable() const;
};

// The A/AAAA addresses in `rdatas` of `type` as upstream addresses (port 53).
void append_addresses(std::uint16_t type, const std::vector<zone::Rdata>& rdatas,
                      std::vector<UpstreamAddress>& out);

DelegationPoint delegation_from_hints(const RootHints& hints);

// The delegation at `zone` when the cache holds its NS RRset (any trust), with the addresses
// the cache holds for the server names.
std::optional<DelegationPoint> delegation_from_cache(RrsetCache& cache, const zone::Name& zone,
                                                     std::uint16_t rclass);

// The deepest usable cached delegation at or above `name`, else the root hints.
// For DS the search starts at the parent: DS lives on the parent side of a cut (RFC 4035 §3.1.4.1).
DelegationPoint closest_delegation(RrsetCache& cache, const RootHints& hints,
                                   const zone::Name& name, std::uint16_t qtype,
                                   std::uint16_t rclass);

// The delegation a referral describes. Glue is taken only for server names inside the
// delegated zone (RFC 5452 §6: the parent is not authoritative for anything else); addresses of
// other names come from the cache or from a look-up later.
DelegationPoint delegation_from_referral(const ScrubbedResponse& referral, RrsetCache& cache);

}  // namespace hayate::server::resolver
