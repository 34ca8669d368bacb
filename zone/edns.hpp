// EDNS(0): the OPT pseudo-record (RFC 6891 §6), its options, and the option codecs the server
// uses: EDNS Client Subnet (RFC 7871 §6) and a DNS Cookie length check (RFC 7873 §4).
//
// No allocation: encoders write into caller buffers and return the octets written (0 = no room).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace hayate::zone {

namespace edns_option {
inline constexpr std::uint16_t NSID = 3;            // RFC 5001
inline constexpr std::uint16_t CLIENT_SUBNET = 8;   // RFC 7871
inline constexpr std::uint16_t EXPIRE = 9;          // RFC 7314
inline constexpr std::uint16_t COOKIE = 10;         // RFC 7873
inline constexpr std::uint16_t TCP_KEEPALIVE = 11;  // RFC 7828
inline constexpr std::uint16_t PADDING = 12;        // RFC 7830
inline constexpr std::uint16_t EDE = 15;            // RFC 8914
}  // namespace edns_option

inline constexpr std::size_t kOptFixedSize = 11;     // root owner + type/class/ttl/rdlength
inline constexpr std::size_t kOptionHeaderSize = 4;  // OPTION-CODE, OPTION-LENGTH
inline constexpr std::uint16_t kEdnsDoBit = 0x8000;  // in the OPT TTL's low 16 bits (RFC 3225)

// What the OPT record says besides its options (RFC 6891 §6.1.3).
struct OptParams {
  std::uint16_t udp_payload_size = 1232;  // DNS flag day 2020 default
  std::uint8_t ext_rcode_high = 0;        // upper 8 bits of the 12-bit rcode
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  std::uint16_t z = 0;  // remaining flag bits (DO excluded); must be 0 on send (§6.1.4)
};

// OPT TTL field <-> OptParams (class/payload and options are not in the TTL).
std::uint32_t opt_ttl(const OptParams& params);
void opt_params_from_ttl(std::uint32_t ttl, OptParams& out);

// Size of an OPT RR whose options take `options_length` octets.
constexpr std::size_t opt_rr_size(std::size_t options_length) {
  return kOptFixedSize + options_length;
}

// Writes a whole OPT RR (owner root, TYPE 41) with the given, already encoded options area.
// Returns octets written, 0 when `out` is too small or the options exceed 65535 octets.
std::size_t write_opt_rr(std::span<std::uint8_t> out, const OptParams& params,
                         std::span<const std::uint8_t> options);

// Appends one option (code, length, data). Returns octets written, 0 when it does not fit.
std::size_t write_option(std::span<std::uint8_t> out, std::uint16_t code,
                         std::span<const std::uint8_t> data);

struct EdnsOption {
  std::uint16_t code = 0;
  std::span<const std::uint8_t> data;
};

// Walks the options area of an OPT rdata. Unknown codes are returned like any other: it is up to
// the caller to ignore them (RFC 6891 §6.1.2).
class OptionIterator {
 public:
  explicit OptionIterator(std::span<const std::uint8_t> options) : rest_(options) {}

  // Next option; false at the end or when the next option overruns the area (then malformed()).
  bool next(EdnsOption& out);
  bool malformed() const { return malformed_; }

 private:
  std::span<const std::uint8_t> rest_;
  bool malformed_ = false;
};

// True when every option header and length fits the area exactly.
bool options_well_formed(std::span<const std::uint8_t> options);

// ---- EDNS Client Subnet (RFC 7871 §6) ----

namespace ecs_family {
inline constexpr std::uint16_t IPV4 = 1;  // IANA address family numbers
inline constexpr std::uint16_t IPV6 = 2;
}  // namespace ecs_family

struct ClientSubnet {
  std::uint16_t family = ecs_family::IPV4;
  std::uint8_t source_prefix = 0;
  std::uint8_t scope_prefix = 0;
  std::array<std::uint8_t, 16> address{};  // network order, zero beyond the prefix

  // Octets of ADDRESS on the wire: ceil(SOURCE PREFIX-LENGTH / 8).
  std::size_t address_length() const { return (source_prefix + 7u) / 8u; }
  // Option data length (FAMILY + two prefixes + ADDRESS).
  std::size_t data_length() const { return 4 + address_length(); }
};

enum class EcsError : std::uint8_t {
  kOk = 0,
  kTooShort,        // fewer than 4 octets
  kBadFamily,       // not 1 (IPv4) or 2 (IPv6)
  kSourceTooLong,   // SOURCE PREFIX-LENGTH > 32 / 128
  kScopeTooLong,    // SCOPE PREFIX-LENGTH > 32 / 128
  kAddressLength,   // ADDRESS is not exactly ceil(SOURCE/8) octets (§6: "MUST be truncated")
  kNonZeroPadding,  // bits beyond SOURCE PREFIX-LENGTH are set (§6: server SHOULD FORMERR)
};

const char* ecs_error_reason(EcsError error);

std::size_t ecs_max_prefix(std::uint16_t family);  // 32, 128, or 0 for unknown families

// Parses and strictly validates the option data (without code/length) of an ECS option.
EcsError parse_client_subnet(std::span<const std::uint8_t> data, ClientSubnet& out);

// Encodes option data (without code/length); the address is truncated to SOURCE PREFIX-LENGTH and
// the trailing bits of the last octet are cleared. Returns octets written, 0 when `out` is too
// small or the subnet is invalid (family/prefixes out of range).
std::size_t encode_client_subnet(const ClientSubnet& subnet, std::span<std::uint8_t> out);

// ---- DNS Cookies (RFC 7873 §4) ----

// A COOKIE option holds an 8-octet client cookie, optionally followed by an 8..32-octet server
// cookie; any other length is FORMERR (§5.2.2).
constexpr bool cookie_length_valid(std::size_t length) {
  return length == 8 || (length >= 16 && length <= 40);
}

}  // namespace hayate::zone
