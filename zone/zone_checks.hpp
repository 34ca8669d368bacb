// Semantic checks on a loaded zone: the ones named-checkzone, kzonecheck and pdnsutil agree on.
//
// Errors make a zone unservable (as BIND's "not loaded due to errors"); warnings are reported and
// the zone still loads. Each finding names the file and line of the record concerned.
#pragma once

#include <vector>

#include "zone/diagnostic.hpp"
#include "zone/zone.hpp"

namespace hayate::zone {

// Runs every whole-zone check on a finalized zone and appends its findings, ordered by location.
void check_zone(const Zone& zone, std::vector<Diagnostic>& out);

}  // namespace hayate::zone
