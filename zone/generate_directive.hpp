// BIND's $GENERATE directive: `$GENERATE range lhs [ttl] [class] type rhs`.
//
// This file holds the two text transformations; the zone reader turns the expanded lhs/rhs into
// records like any other line. Behaviour follows BIND 9.18 (lib/dns/master.c, generate/genname):
//   range   "start-stop" or "start-stop/step", unsigned decimals, start <= stop, step >= 1
//   "$"     the iterator value; "$$" a literal '$'; "\X" is copied as is (so "\$" stays escaped
//           for the name/rdata parser that reads the result)
//   "${offset[,width[,base]]}"  value + offset, zero-padded to width, base d (decimal), o (octal),
//           x/X (hex lower/upper), n/N (reversed nibbles with dots, as for ip6.arpa labels).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zone/result.hpp"

namespace hayate::zone {

struct GenerateRange {
  std::uint32_t start = 0;
  std::uint32_t stop = 0;
  std::uint32_t step = 1;

  std::uint64_t count() const { return (std::uint64_t{stop} - start) / step + 1; }
};

// Largest value BIND accepts for start and stop (it iterates with a signed int).
inline constexpr std::uint32_t kMaxGenerateValue = 0x7fffffff;

// Errors read "invalid range '...'" as BIND's do.
Result<GenerateRange> parse_generate_range(std::string_view text);

// Expands one lhs or rhs template for iterator value `value`. Errors: "syntax error" for a
// malformed ${...}, "out of range" when value + offset overflows.
Result<std::string> expand_generate_template(std::string_view templ, std::uint32_t value);

}  // namespace hayate::zone
