#include "zone/rdata_checks.hpp"

#include <string_view>

#include "zone/rr_type.hpp"

namespace hayate::zone {
namespace {

constexpr std::uint16_t kSmimea = 53;
constexpr std::uint16_t kTlsa = 52;
constexpr std::uint16_t kSshfp = 44;
constexpr std::uint16_t kDlv = 32769;
constexpr std::uint16_t kLoc = 29;

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool is_base32hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'v') || (c >= 'A' && c <= 'V');
}

// EUI-48/EUI-64 (RFC 7043 §3.2, §4.2): exactly `groups` pairs of hex digits joined by '-'.
std::optional<std::string> check_eui(std::span<const MasterToken> tokens, std::size_t groups) {
  if (tokens.size() != 1) return "bad EUI: expected one xx-xx-... token";
  std::string_view t = tokens[0].text;
  if (t.size() != groups * 3 - 1) return "bad EUI '" + std::string(t) + "'";
  for (std::size_t i = 0; i < t.size(); ++i) {
    bool ok = (i % 3 == 2) ? t[i] == '-' : is_hex(t[i]);
    if (!ok) return "bad EUI '" + std::string(t) + "'";
  }
  return std::nullopt;
}

// NSAP (RFC 1706 §5): "0x" then an even, non-zero number of hex digits, dots allowed anywhere
// for readability. ldns accepts "0x" alone and pads an odd nibble.
std::optional<std::string> check_nsap(std::span<const MasterToken> tokens) {
  if (tokens.size() != 1) return "NSAP: expected one 0x... token";
  std::string_view t = tokens[0].text;
  if (t.size() < 2 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X')) {
    return "NSAP: must begin with 0x";
  }
  std::size_t digits = 0;
  for (char c : t.substr(2)) {
    if (c == '.') continue;
    if (!is_hex(c)) return "NSAP: bad hex digit";
    ++digits;
  }
  if (digits == 0) return "NSAP: no address after 0x (unexpected end of input)";
  if (digits % 2 != 0) return "NSAP: odd number of hex digits";
  return std::nullopt;
}

// Hex fields that end the rdata (DS digest, TLSA data, SSHFP fingerprint) may be split over
// several tokens; an odd digit count is an error (BIND: "bad hex encoding"), ldns pads with 0.
std::optional<std::string> check_trailing_hex(std::span<const MasterToken> tokens,
                                              std::size_t first) {
  if (tokens.size() <= first) return std::nullopt;  // ldns reports the missing field
  std::size_t digits = 0;
  for (const auto& token : tokens.subspan(first))
    digits += token.text.size();
  if (digits % 2 != 0) return "odd number of hex digits";
  return std::nullopt;
}

// RFC 5155 §3.3: the Next Hashed Owner Name is base32hex *without* padding. The length must be
// one that whole octets produce (8 digits = 5 octets; a partial group has 2, 4, 5 or 7 digits).
std::optional<std::string> check_nsec3_text(std::span<const MasterToken> tokens) {
  if (tokens.size() < 5) return std::nullopt;  // ldns reports the missing field
  std::string_view hash = tokens[4].text;
  for (char c : hash) {
    if (c == '=') return "bad base32 encoding: padding in NSEC3 next hashed owner name";
    if (!is_base32hex(c)) return "bad base32hex digit in NSEC3 next hashed owner name";
  }
  switch (hash.size() % 8) {
    case 0:
    case 2:
    case 4:
    case 5:
    case 7:
      return std::nullopt;
    default:
      return "bad base32 encoding: impossible length of NSEC3 next hashed owner name";
  }
}

std::uint32_t get32(const Rdata& r, std::size_t at) {
  return std::uint32_t{r[at]} << 24 | std::uint32_t{r[at + 1]} << 16 |
         std::uint32_t{r[at + 2]} << 8 | r[at + 3];
}

// RFC 5155 §3.2: the hash length is at least 1, and for SHA-1 (algorithm 1) a hash is 20 octets.
std::optional<std::string> check_nsec3_wire(const Rdata& r) {
  if (r.size() < 5) return "NSEC3 rdata too short";
  std::size_t at = 5 + r[4];  // algorithm, flags, iterations(2), salt length, salt
  if (at >= r.size()) return "NSEC3 rdata too short";
  std::size_t hash_length = r[at];
  if (hash_length == 0) return "NSEC3 next hashed owner name is empty";
  if (r[0] == 1 && hash_length != 20) {
    return "out of range: SHA-1 NSEC3 next hashed owner name of " + std::to_string(hash_length) +
           " octets (must be 20)";
  }
  return std::nullopt;
}

// RFC 1876 §2: size/precision octets are mantissa(4 bits, 0-9) and exponent(4 bits, 0-9);
// latitude within ±90°, longitude within ±180°, both as thousandths of arcseconds around 2^31.
std::optional<std::string> check_loc_wire(const Rdata& r) {
  if (r.size() != 16) return "LOC rdata must be 16 octets";
  if (r[0] != 0) return "LOC version must be 0";
  for (int i = 1; i <= 3; ++i) {
    if ((r[i] >> 4) > 9 || (r[i] & 0x0f) > 9) return "LOC size or precision out of range";
  }
  constexpr std::int64_t kEquator = std::int64_t{1} << 31;
  constexpr std::int64_t kDegree = 3600 * 1000;
  std::int64_t lat = std::int64_t{get32(r, 4)} - kEquator;
  std::int64_t lon = std::int64_t{get32(r, 8)} - kEquator;
  if (lat > 90 * kDegree || lat < -90 * kDegree) return "LOC latitude beyond 90 degrees";
  if (lon > 180 * kDegree || lon < -180 * kDegree) return "LOC longitude beyond 180 degrees";
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_rdata_text(std::uint16_t type,
                                            std::span<const MasterToken> tokens) {
  switch (type) {
    case rr_type::EUI48:
      return check_eui(tokens, 6);
    case rr_type::EUI64:
      return check_eui(tokens, 8);
    case rr_type::NSAP:
      return check_nsap(tokens);
    case rr_type::NSEC3:
      return check_nsec3_text(tokens);
    case rr_type::DS:
    case rr_type::CDS:
    case kDlv:
    case kTlsa:
    case kSmimea:
      return check_trailing_hex(tokens, 3);
    case kSshfp:
      return check_trailing_hex(tokens, 2);
    default:
      return std::nullopt;
  }
}

std::optional<std::string> check_rdata_wire(std::uint16_t type, const Rdata& rdata) {
  switch (type) {
    case rr_type::NSEC3:
      return check_nsec3_wire(rdata);
    case kLoc:
      return check_loc_wire(rdata);
    default:
      return std::nullopt;
  }
}

Result<Rdata> decode_base32hex(std::string_view text) {
  Rdata out;
  std::uint32_t bits = 0;
  int held = 0;
  for (char c : text) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'v') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'V') {
      d = c - 'A' + 10;
    } else {
      return make_error("bad base32hex digit");
    }
    bits = (bits << 5) | static_cast<std::uint32_t>(d);
    held += 5;
    if (held >= 8) {
      held -= 8;
      out.push_back(static_cast<std::uint8_t>(bits >> held));
    }
  }
  return out;
}

}  // namespace hayate::zone
