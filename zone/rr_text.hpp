// Presentation format of stored records (RFC 1035 §5.1), through ldns's printers.
#pragma once

#include <cstdint>
#include <string>

#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

// "owner TTL CLASS TYPE rdata", one line without the newline; names absolute.
std::string record_to_text(const Name& owner, std::uint16_t type, std::uint16_t rclass,
                           std::uint32_t ttl, const Rdata& rdata);

// The mnemonic for a type ("AAAA", "TYPE65534" for unknown ones, RFC 3597 §5).
std::string type_to_text(std::uint16_t type);

}  // namespace hayate::zone
