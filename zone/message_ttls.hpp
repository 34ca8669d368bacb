// Where the TTL fields of a message are, so that a response kept rendered can be sent again later
// with every TTL lowered by the time it was kept (a resolver's answer cache, as PowerDNS
// Recursor's packet cache ages its packets).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace hayate::zone {

// Appends to `offsets` the offset of the TTL of every record in the answer, authority and
// additional sections, except OPT's (RFC 6891 §6.1.3: that field holds the extended RCODE and
// flags, not a TTL). False, with `offsets` unspecified, for a message that does not parse.
bool find_ttl_offsets(std::span<const std::uint8_t> message, std::vector<std::uint16_t>& offsets);

// Lowers each TTL at `offsets` by `seconds` (not below 0).
void lower_ttls(std::span<std::uint8_t> message, std::span<const std::uint16_t> offsets,
                std::uint32_t seconds);

}  // namespace hayate::zone
