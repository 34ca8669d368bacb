// Rdata for types that ldns 1.8 does not know (AVC, DOA, AMTRELAY, RESINFO, WALLET, DSYNC, HHIT,
// BRID, NINFO, RKEY, TA) or parses wrongly (A6, ATMA, SINK), and RFC 3597 generic rdata.
//
// Types whose presentation and wire format equal a type ldns handles are parsed as that type
// (ldns_alias_type); the rest have small parsers here.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "zone/master_lexer.hpp"
#include "zone/name.hpp"
#include "zone/result.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

struct ExtraTypeName {
  std::string_view name;
  std::uint16_t type;
};
// Mnemonics for the types ldns lacks (IANA registry), for rr_type_names.
std::span<const ExtraTypeName> extra_type_names();

// The ldns type with the same presentation and wire format (TXT for AVC, DS for TA, ...).
std::optional<std::uint16_t> ldns_alias_type(std::uint16_t type);

// True when extra_rdata_from_text() parses this type.
bool has_extra_parser(std::uint16_t type);
Result<Rdata> extra_rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                    const Name& origin);

// RFC 3597 §5: `tokens` = "\#" length hex...; the hex must hold exactly `length` octets.
Result<Rdata> generic_rdata_from_text(std::span<const MasterToken> tokens);

}  // namespace hayate::zone
