#include "server/serving_state.hpp"

#include "zone/zone_loader.hpp"

namespace hayate::server {
namespace {

ZoneReport load_one(const ZoneSource& source, const ServingState* previous, zone::ZoneSet& zones) {
  ZoneReport report;
  report.origin = source.origin;
  report.file = source.file;
  zone::ZoneLoadResult loaded = zone::load_zone_file(source.file, {source.origin});
  report.diagnostics = std::move(loaded.diagnostics);
  if (loaded.zone) {
    report.serving = true;
    report.serial = loaded.zone->serial();
    zones.add(std::shared_ptr<const zone::Zone>(std::move(loaded.zone)));
    return report;
  }
  // Keep serving what we had: a typo in a zone file must not take the zone down.
  if (previous != nullptr) {
    if (auto old = previous->zones->get(source.origin)) {
      report.serving = true;
      report.kept_old = true;
      report.serial = old->serial();
      zones.add(std::move(old));
    }
  }
  return report;
}

}  // namespace

std::shared_ptr<const ServingState> build_serving_state(const std::vector<ZoneSource>& zones,
                                                        const AnswerPolicy& policy,
                                                        const ServingState* previous) {
  auto state = std::make_shared<ServingState>();
  auto zone_set = std::make_shared<zone::ZoneSet>();
  for (const ZoneSource& source : zones) {
    state->zone_reports.push_back(load_one(source, previous, *zone_set));
    state->transfer_acls.insert_or_assign(source.origin, source.allow_transfer);
  }
  state->zones = std::move(zone_set);
  state->policy = policy;
  state->generation = previous != nullptr ? previous->generation + 1 : 1;
  return state;
}

}  // namespace hayate::server
