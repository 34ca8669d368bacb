// Text encodings that zone file rdata uses: base64 (RFC 4648 §4) and hex digits.
#pragma once

#include <optional>
#include <string_view>

#include "zone/rrset.hpp"

namespace hayate::zone {

// 0..15 for a hex digit (either case), -1 otherwise.
int hex_digit_value(char c);

// Strict base64: groups of four characters, at most two '=' and only at the very end. Returns
// nothing for any other input, including the empty string.
std::optional<Rdata> decode_base64(std::string_view text);

}  // namespace hayate::zone
