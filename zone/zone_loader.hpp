// Zone file → checked Zone: the reader, the zone tree and the semantic checks, in that order.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "zone/diagnostic.hpp"
#include "zone/zone.hpp"

namespace hayate::zone {

struct ZoneLoadOptions {
  Name origin;
  std::uint16_t rclass = rr_class::IN;
  bool semantic_checks = true;
};

struct ZoneLoadResult {
  // Set only when the zone loaded without errors; a zone with errors is never served.
  std::unique_ptr<Zone> zone;
  // Errors and warnings, in the order they were found.
  std::vector<Diagnostic> diagnostics;

  std::size_t error_count() const;
  std::size_t warning_count() const;
};

ZoneLoadResult load_zone_file(const std::string& path, const ZoneLoadOptions& options);

}  // namespace hayate::zone
