// RR type and class mnemonics <-> numbers (RFC 1035 §3.2.2, §3.2.4; RFC 3597 §5 TYPEnnn/CLASSnnn).
//
// The mnemonic table comes from ldns's descriptor list, built once; lookups are case-insensitive
// hash probes because the zone reader calls them for every record.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hayate::zone {

// "A", "aaaa", "TYPE65534" -> number; nullopt for anything else.
std::optional<std::uint16_t> rr_type_from_text(std::string_view text);
// Mnemonic when ldns knows one, else "TYPEnnn".
std::string rr_type_to_text(std::uint16_t type);

// "IN", "CH"/"CHAOS", "HS"/"HESIOD", "NONE", "ANY", "CLASSnnn" -> number.
std::optional<std::uint16_t> rr_class_from_text(std::string_view text);
std::string rr_class_to_text(std::uint16_t rclass);

}  // namespace hayate::zone
