// The zones a server answers for, and which one serves a name (RFC 1034 §4.3.2 step 2: the zone
// with the longest origin that is an ancestor of, or equal to, the name).
//
// A ZoneSet is immutable once built: a reload builds a new one and swaps it in, so queries in
// flight keep the set (and zones) they started with through their shared_ptr.
#pragma once

#include <bitset>
#include <memory>
#include <unordered_map>
#include <vector>

#include "zone/zone.hpp"

namespace hayate::zone {

class ZoneSet {
 public:
  // Adds a zone, replacing any zone with the same origin.
  void add(std::shared_ptr<const Zone> zone);

  // The zone that serves `qname`, or nullptr when no zone is an ancestor of it.
  const Zone* find(NameView qname) const;
  const Zone* find(const Name& qname) const { return find(NameView{qname.wire()}); }
  // The zone whose origin is exactly `origin`.
  std::shared_ptr<const Zone> get(const Name& origin) const;

  std::vector<std::shared_ptr<const Zone>> zones() const;
  std::size_t size() const { return zones_.size(); }

 private:
  std::unordered_map<Name, std::shared_ptr<const Zone>, NameKeyHash, NameKeyEqual> zones_;
  // Which origin label counts exist, so find() probes only suffixes that could match.
  std::bitset<kMaxLabelCount> origin_label_counts_;
};

}  // namespace hayate::zone
