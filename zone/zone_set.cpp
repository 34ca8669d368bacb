#include "zone/zone_set.hpp"

namespace hayate::zone {

void ZoneSet::add(std::shared_ptr<const Zone> zone) {
  origin_label_counts_.set(zone->origin().label_count());
  Name origin = zone->origin();
  zones_.insert_or_assign(std::move(origin), std::move(zone));
}

const Zone* ZoneSet::find(NameView qname) const {
  std::uint8_t offsets[kMaxLabelCount + 1];
  std::size_t labels = 0;
  std::size_t pos = 0;
  for (; qname.wire[pos] != 0; pos += 1 + qname.wire[pos]) {
    offsets[labels++] = static_cast<std::uint8_t>(pos);
  }
  offsets[labels] = static_cast<std::uint8_t>(pos);  // the root label
  // Longest suffix first: the deepest enclosing zone wins (a child zone served beside its parent).
  for (std::size_t strip = 0; strip <= labels; ++strip) {
    if (!origin_label_counts_.test(labels - strip)) continue;
    auto it = zones_.find(NameView{qname.wire.subspan(offsets[strip])});
    if (it != zones_.end()) return it->second.get();
  }
  return nullptr;
}

std::shared_ptr<const Zone> ZoneSet::get(const Name& origin) const {
  auto it = zones_.find(origin);
  return it == zones_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Zone>> ZoneSet::zones() const {
  std::vector<std::shared_ptr<const Zone>> out;
  out.reserve(zones_.size());
  for (const auto& [origin, zone] : zones_)
    out.push_back(zone);
  return out;
}

}  // namespace hayate::zone
