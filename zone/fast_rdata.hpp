// Text → wire rdata for the types that make up most of a large zone (A, AAAA, NS, CNAME, PTR,
// DNAME, MX, TXT, SPF, SOA, SRV), without ldns's per-record string building and re-tokenizing.
//
// Only the plain spellings are handled here: dotted/colon addresses, unquoted names, decimal
// numbers, character-strings with \X and \DDD escapes. Anything else (TTL-style units in SOA
// timers, quoted names, numbers out of range, malformed text) returns nullopt and the reader
// hands the record to ldns, which parses it or words the error. So every result is byte-identical
// to ldns's and every diagnostic unchanged; ldns is the oracle in test_fast_rdata and in
// fuzz/fuzz_zone_reader_differential.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "zone/master_lexer.hpp"
#include "zone/name.hpp"
#include "zone/rrset.hpp"

namespace hayate::zone {

// True for the types fast_rdata_from_text() knows (it may still decline a given text).
bool has_fast_rdata(std::uint16_t type);

// The rdata of `tokens` (the lexer's raw tokens after the type), relative names completed with
// `origin`; nullopt when the type or the spelling is not one handled here.
std::optional<Rdata> fast_rdata_from_text(std::uint16_t type, std::span<const MasterToken> tokens,
                                          const Name& origin);

}  // namespace hayate::zone
