#include "server/resolver/forward_table.hpp"

#include <algorithm>

namespace hayate::server::resolver {

ForwardTable::ForwardTable(std::vector<UpstreamAddress> global, std::vector<ForwardZone> zones)
    : zones_(std::move(zones)) {
  if (!global.empty()) zones_.push_back(ForwardZone{zone::Name(), std::move(global)});
  std::stable_sort(zones_.begin(), zones_.end(), [](const ForwardZone& a, const ForwardZone& b) {
    return a.name.label_count() > b.name.label_count();
  });
}

const ForwardZone* ForwardTable::find(const zone::Name& name) const {
  for (const ForwardZone& z : zones_) {
    if (name.is_subdomain_of(z.name)) return &z;
  }
  return nullptr;
}

}  // namespace hayate::server::resolver
