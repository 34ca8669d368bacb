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
#include "zone/diagnostic.hpp"
#include "zone/zone_set.hpp"

namespace hayate::server {

struct ZoneSource {
  zone::Name origin;
  std::string file;
  Acl allow_transfer = Acl::loopback();  // who may AXFR the zone
};

struct AnswerPolicy {
  std::uint16_t udp_payload_size = 1232;  // what we advertise and send at most (DNS flag day 2020)
  std::string identity;                   // CH TXT id.server / hostname.bind; empty: REFUSED
  std::string version;                    // CH TXT version.bind / version.server; empty: REFUSED
  std::size_t answer_cache_entries = 65536;  // rendered answers kept per worker
  Dns64Policies dns64;                       // [[dns64]] blocks, in order
};

struct ZoneReport {
  zone::Name origin;
  std::string file;
  bool serving = false;   // a version of the zone is being served
  bool kept_old = false;  // this load failed and the previous version is still served
  std::uint32_t serial = 0;
  std::vector<zone::Diagnostic> diagnostics;
};

struct ServingState {
  std::shared_ptr<const zone::ZoneSet> zones;
  std::unordered_map<zone::Name, Acl, zone::NameKeyHash, zone::NameKeyEqual> transfer_acls;
  AnswerPolicy policy;
  std::uint64_t generation = 0;  // grows with each reload; keys the workers' answer caches
  std::vector<ZoneReport> zone_reports;
};

// Loads every zone (checks included) and builds the next snapshot. A zone that fails keeps its
// version from `previous` when there is one (reported with kept_old); on first start it is
// simply not served. Never throws for bad zones: everything is in the reports.
std::shared_ptr<const ServingState> build_serving_state(const std::vector<ZoneSource>& zones,
                                                        const AnswerPolicy& policy,
                                                        const ServingState* previous);

}  // namespace hayate::server
