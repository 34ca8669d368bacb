// Domain names embedded in rdata: where they are, for the types whose rdata holds names.
//
// Used for canonical comparison (RFC 4034 §6.2 lowercases these names), for glue and target checks
// and for additional-section processing. Rdata in a zone is uncompressed, so names are full.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

// Position just past the wire name starting at `pos`, or std::nullopt if it is malformed.
std::optional<std::size_t> wire_name_end(std::span<const std::uint8_t> rdata, std::size_t pos);
// Like wire_name_end but returns rdata.size() + 1 on error, for callers that then bounds-check.
std::size_t skip_wire_name(std::span<const std::uint8_t> rdata, std::size_t pos);

// One field of a layout below: `octets` fixed octets, one <character-string> (RFC 1035 §3.3), or
// one domain name.
struct RdataField {
  enum class Kind : std::uint8_t { kFixed, kCharString, kName };
  Kind kind = Kind::kFixed;
  std::uint8_t octets = 0;  // kFixed only
};

// The fields of `type`'s rdata up to its last embedded name (the RFC 4034 §6.2 list), for readers
// that must walk rdata whose names may still be compressed (responses from upstream servers).
// Octets after the last name are opaque. std::nullopt when the type holds no names.
struct RdataNameLayout {
  std::array<RdataField, 5> fields{};
  std::size_t count = 0;
};
std::optional<RdataNameLayout> rdata_name_layout(std::uint16_t type);

// Calls `visit(offset, length)` for each domain name in `rdata` of `type` (RFC 4034 §6.2 list).
// Returns false when the rdata is too short for its type's layout.
bool for_each_rdata_name(std::uint16_t type, std::span<const std::uint8_t> rdata,
                         const std::function<void(std::size_t, std::size_t)>& visit);

// The name that additional-section processing and glue checks follow (RFC 1035 §3.3, RFC 2782):
// NS and MX targets, SRV target, KX/AFSDB/RT hosts. Empty when the type has none.
std::optional<Name> rdata_target(std::uint16_t type, std::span<const std::uint8_t> rdata);

// Equality under RFC 4034 §6.2 canonical form: embedded names compared without regard to case.
bool rdata_equal(std::uint16_t type, std::span<const std::uint8_t> a,
                 std::span<const std::uint8_t> b);

}  // namespace hayate::zone
