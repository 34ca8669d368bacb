// Rdata rules that ldns 1.8 does not enforce but BIND does (or the RFCs require).
//
// check_rdata_text() looks at the presentation tokens before ldns parses them (where ldns would
// silently repair input, e.g. pad an odd hex string); check_rdata_wire() looks at the wire rdata
// ldns produced. Both return the reason when the rdata is malformed. Neither is called for the
// RFC 3597 generic form ("\# len hex"), which ldns validates against the type's wire format.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "zone/master_lexer.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

std::optional<std::string> check_rdata_text(std::uint16_t type,
                                            std::span<const MasterToken> tokens);

std::optional<std::string> check_rdata_wire(std::uint16_t type, const Rdata& rdata);

// NSEC3's Next Hashed Owner Name is unpadded base32hex (RFC 5155 §3.3). ldns 1.8 only decodes
// padded groups of 8 (and miscounts padded partial groups), so the reader decodes it with this.
Result<Rdata> decode_base32hex(std::string_view text);

}  // namespace hayate::zone
