// Resource records as stored in a zone: RRsets of uncompressed wire rdata.
#pragma once

#include <cstdint>
#include <memory_resource>
#include <vector>

#include "zone/name.hpp"

namespace hayate::zone {

// Rdata in uncompressed wire form (RFC 1035 §3.3; names inside are full, never pointers).
using Rdata = std::vector<std::uint8_t>;

// Where a record came from: an index into the zone's file table and a 1-based line number.
struct SourceLocation {
  std::uint32_t file_index = 0;
  std::uint32_t line = 0;
};

// One record as read from a zone file, before it joins an RRset.
struct ParsedRecord {
  Name owner;
  std::uint16_t type = 0;
  std::uint16_t rclass = 0;
  std::uint32_t ttl = 0;
  Rdata rdata;
  SourceLocation where;
};

// All records of one owner and type. Class IN only is served; the class lives on the zone.
struct RRset {
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  // In the zone's arena (zone_arena.hpp) for a zone's RRsets; the default resource elsewhere.
  std::pmr::vector<Rdata> rdatas;
  SourceLocation where;  // the first record of the set
};

}  // namespace hayate::zone
