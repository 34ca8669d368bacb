// Where the forwarder sends a question: the upstreams of the longest [[resolver.forward-zone]]
// that contains the name, else the global `forward` list (Unbound's forward-zone semantics).
// Immutable once built; shared by all workers.
#pragma once

#include <vector>

#include "server/resolver/upstream_address.hpp"
#include "zone/name.hpp"

namespace hayate::server::resolver {

struct ForwardZone {
  zone::Name name;  // "." for the global list
  std::vector<UpstreamAddress> servers;
};

class ForwardTable {
 public:
  // `global` may be empty (then names outside every forward zone have no upstream).
  ForwardTable(std::vector<UpstreamAddress> global, std::vector<ForwardZone> zones);

  // The forward zone for `name`, or nullptr when it has no upstream.
  const ForwardZone* find(const zone::Name& name) const;
  bool empty() const { return zones_.empty(); }

 private:
  std::vector<ForwardZone> zones_;  // most labels first, so the first match is the longest
};

}  // namespace hayate::server::resolver
