// Everything a worker needs to answer queries, as one immutable snapshot.
//
// A reload builds a new ServingState and hands it to every worker (on the worker's own thread);
// queries already being answered finish on the snapshot they started with. A zone that fails to
// load on reload keeps its previous version.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "server/acl.hpp"
#include "server/dns64_policy.hpp"
#include "server/view_table.hpp"
#include "zone/diagnostic.hpp"
#include "zone/zone_set.hpp"

namespace hayate::server {

struct ZoneSource {
  zone::Name origin;
  std::string file;
  Acl allow_transfer = Acl::loopback();  // who may AXFR the zone
  std::size_t view = 0;                  // 0: the default view; i + 1: AnswerPolicy::view_names[i]
};

struct AnswerPolicy {
  std::uint16_t udp_payload_size = 1232;  // what we advertise and send at most (DNS flag day 2020)
  std::string identity;                   // CH TXT id.server / hostname.bind; empty: REFUSED
  std::string version;                    // CH TXT version.bind / version.server; empty: REFUSED
  std::size_t answer_cache_entries = 131072;  // rendered answers kept per worker
  Dns64Policies dns64;                        // [[dns64]] blocks, in order
  // [[view]]s (GeoDNS) and EDNS Client Subnet (RFC 7871): no views, no ECS in answers.
  std::vector<std::string> view_names;  // view i + 1 is view_names[i]
  ViewTable views;
  Acl ecs_trusted;  // whose ECS option chooses the view
};

struct ZoneReport {
  zone::Name origin;
  std::string file;
  std::size_t view = 0;   // as ZoneSource::view
  bool serving = false;   // a version of the zone is being served
  bool kept_old = false;  // this load failed and the previous version is still served
  std::uint32_t serial = 0;
  std::vector<zone::Diagnostic> diagnostics;
};

struct ServingState {
  std::shared_ptr<const zone::ZoneSet> zones;  // the default view
  // Per view (index as ViewChoice::view; [0] is `zones`): the view's own zones, and the default
  // view's zones of every other name, so CNAME chains and delegations cross freely.
  std::vector<std::shared_ptr<const zone::ZoneSet>> view_zones;
  // Origins of the zones some [[view]] has its own version of: names at or below them get
  // answers that depend on the client's subnet (ECS SCOPE > 0); the rest do not (SCOPE 0).
  std::vector<zone::Name> tailored_origins;
  std::unordered_map<zone::Name, Acl, zone::NameKeyHash, zone::NameKeyEqual> transfer_acls;
  AnswerPolicy policy;
  std::uint64_t generation = 0;  // grows with each reload; keys the workers' answer caches
  std::vector<ZoneReport> zone_reports;
};

// Whether answers for `qname` can differ between views (see tailored_origins).
bool is_tailored(const ServingState& state, const zone::Name& qname);

// The name of view `index` for logs and status ("" for the default view).
std::string view_name(const AnswerPolicy& policy, std::size_t index);

// Loads every zone (checks included) and builds the next snapshot. A zone that fails keeps its
// version from `previous` when there is one (reported with kept_old); on first start it is
// simply not served. Never throws for bad zones: everything is in the reports.
std::shared_ptr<const ServingState> build_serving_state(const std::vector<ZoneSource>& zones,
                                                        const AnswerPolicy& policy,
                                                        const ServingState* previous);

}  // namespace hayate::server
