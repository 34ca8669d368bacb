#include "server/serving_state.hpp"

#include <algorithm>

#include "zone/zone_loader.hpp"

namespace hayate::server {
namespace {

// The previous snapshot's version of a zone in the same view.
std::shared_ptr<const zone::Zone> previous_version(const ServingState* previous,
                                                   const ZoneSource& source) {
  if (previous == nullptr) return nullptr;
  if (source.view >= previous->view_zones.size()) return nullptr;
  auto zone = previous->view_zones[source.view]->get(source.origin);
  // A view's set holds default zones too: only a zone loaded for this view counts.
  if (zone && source.view != 0 && previous->zones->get(source.origin) == zone) return nullptr;
  return zone;
}

ZoneReport load_one(const ZoneSource& source, const ServingState* previous, zone::ZoneSet& zones) {
  ZoneReport report;
  report.origin = source.origin;
  report.file = source.file;
  report.view = source.view;
  zone::ZoneLoadResult loaded = zone::load_zone_file(source.file, {source.origin});
  report.diagnostics = std::move(loaded.diagnostics);
  if (loaded.zone) {
    report.serving = true;
    report.serial = loaded.zone->serial();
    zones.add(std::shared_ptr<const zone::Zone>(std::move(loaded.zone)));
    return report;
  }
  // Keep serving what we had: a typo in a zone file must not take the zone down.
  if (auto old = previous_version(previous, source)) {
    report.serving = true;
    report.kept_old = true;
    report.serial = old->serial();
    zones.add(std::move(old));
  }
  return report;
}

}  // namespace

bool is_tailored(const ServingState& state, const zone::Name& qname) {
  return std::any_of(state.tailored_origins.begin(), state.tailored_origins.end(),
                     [&qname](const zone::Name& origin) { return qname.is_subdomain_of(origin); });
}

std::string view_name(const AnswerPolicy& policy, std::size_t index) {
  return index == 0 || index > policy.view_names.size() ? std::string()
                                                        : policy.view_names[index - 1];
}

std::shared_ptr<const ServingState> build_serving_state(const std::vector<ZoneSource>& zones,
                                                        const AnswerPolicy& policy,
                                                        const ServingState* previous) {
  auto state = std::make_shared<ServingState>();
  const std::size_t view_count = policy.view_names.size() + 1;
  std::vector<zone::ZoneSet> own(view_count);  // each view's own zones
  for (const ZoneSource& source : zones) {
    if (source.view >= view_count) continue;  // daemon_config only makes valid indexes
    state->zone_reports.push_back(load_one(source, previous, own[source.view]));
    state->transfer_acls.insert_or_assign(source.origin, source.allow_transfer);
  }
  auto default_zones = std::make_shared<zone::ZoneSet>(std::move(own[0]));
  state->view_zones.push_back(default_zones);
  for (std::size_t v = 1; v < view_count; ++v) {
    auto merged = std::make_shared<zone::ZoneSet>(std::move(own[v]));
    for (const ZoneSource& source : zones) {
      if (source.view != v) continue;
      if (std::find(state->tailored_origins.begin(), state->tailored_origins.end(),
                    source.origin) == state->tailored_origins.end())
        state->tailored_origins.push_back(source.origin);
    }
    for (const auto& zone : default_zones->zones()) {
      if (merged->get(zone->origin()) == nullptr) merged->add(zone);
    }
    state->view_zones.push_back(std::move(merged));
  }
  state->zones = std::move(default_zones);
  state->policy = policy;
  state->generation = previous != nullptr ? previous->generation + 1 : 1;
  return state;
}

}  // namespace hayate::server
