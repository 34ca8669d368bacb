#include "zone/edns.hpp"

#include <cstring>

#include "zone/message.hpp"
#include "zone/rr_type.hpp"

namespace hayate::zone {

std::uint32_t opt_ttl(const OptParams& params) {
  // RFC 6891 §6.1.3: EXTENDED-RCODE (8) | VERSION (8) | DO (1) | Z (15).
  std::uint32_t flags = (params.z & ~kEdnsDoBit) | (params.dnssec_ok ? kEdnsDoBit : 0u);
  return (std::uint32_t{params.ext_rcode_high} << 24) | (std::uint32_t{params.version} << 16) |
         flags;
}

void opt_params_from_ttl(std::uint32_t ttl, OptParams& out) {
  out.ext_rcode_high = static_cast<std::uint8_t>(ttl >> 24);
  out.version = static_cast<std::uint8_t>(ttl >> 16);
  out.dnssec_ok = (ttl & kEdnsDoBit) != 0;
  out.z = static_cast<std::uint16_t>(ttl & 0x7fff);
}

std::size_t write_opt_rr(std::span<std::uint8_t> out, const OptParams& params,
                         std::span<const std::uint8_t> options) {
  if (options.size() > 0xffff) return 0;
  std::size_t size = opt_rr_size(options.size());
  if (out.size() < size) return 0;
  std::uint8_t* p = out.data();
  p[0] = 0;  // owner: the root (RFC 6891 §6.1.2)
  store_u16(p + 1, rr_type::OPT);
  store_u16(p + 3, params.udp_payload_size);
  store_u32(p + 5, opt_ttl(params));
  store_u16(p + 9, static_cast<std::uint16_t>(options.size()));
  if (!options.empty()) std::memcpy(p + kOptFixedSize, options.data(), options.size());
  return size;
}

std::size_t write_option(std::span<std::uint8_t> out, std::uint16_t code,
                         std::span<const std::uint8_t> data) {
  if (data.size() > 0xffff) return 0;
  std::size_t size = kOptionHeaderSize + data.size();
  if (out.size() < size) return 0;
  store_u16(out.data(), code);
  store_u16(out.data() + 2, static_cast<std::uint16_t>(data.size()));
  if (!data.empty()) std::memcpy(out.data() + kOptionHeaderSize, data.data(), data.size());
  return size;
}

bool OptionIterator::next(EdnsOption& out) {
  if (rest_.empty() || malformed_) return false;
  if (rest_.size() < kOptionHeaderSize) {
    malformed_ = true;
    return false;
  }
  std::size_t length = load_u16(rest_.data() + 2);
  if (rest_.size() - kOptionHeaderSize < length) {
    malformed_ = true;
    return false;
  }
  out.code = load_u16(rest_.data());
  out.data = rest_.subspan(kOptionHeaderSize, length);
  rest_ = rest_.subspan(kOptionHeaderSize + length);
  return true;
}

bool options_well_formed(std::span<const std::uint8_t> options) {
  OptionIterator it(options);
  EdnsOption option;
  while (it.next(option)) {
  }
  return !it.malformed();
}

// ---- ECS ----

const char* ecs_error_reason(EcsError error) {
  switch (error) {
    case EcsError::kOk:
      return "ok";
    case EcsError::kTooShort:
      return "ECS option shorter than 4 octets";
    case EcsError::kBadFamily:
      return "ECS family is neither 1 (IPv4) nor 2 (IPv6)";
    case EcsError::kSourceTooLong:
      return "ECS source prefix longer than the address";
    case EcsError::kScopeTooLong:
      return "ECS scope prefix longer than the address";
    case EcsError::kAddressLength:
      return "ECS address is not exactly ceil(source prefix / 8) octets";
    case EcsError::kNonZeroPadding:
      return "ECS address has bits set beyond the source prefix";
  }
  return "unknown ECS error";
}

std::size_t ecs_max_prefix(std::uint16_t family) {
  switch (family) {
    case ecs_family::IPV4:
      return 32;
    case ecs_family::IPV6:
      return 128;
    default:
      return 0;
  }
}

namespace {

// Mask for the last address octet: keeps the `prefix % 8` leading bits (all 8 when a multiple).
std::uint8_t last_octet_mask(std::uint8_t prefix) {
  unsigned bits = prefix % 8u;
  return bits == 0 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
}

EcsError check_prefixes(std::uint16_t family, std::uint8_t source, std::uint8_t scope) {
  std::size_t max = ecs_max_prefix(family);
  if (max == 0) return EcsError::kBadFamily;
  if (source > max) return EcsError::kSourceTooLong;
  if (scope > max) return EcsError::kScopeTooLong;
  return EcsError::kOk;
}

}  // namespace

EcsError parse_client_subnet(std::span<const std::uint8_t> data, ClientSubnet& out) {
  if (data.size() < 4) return EcsError::kTooShort;
  std::uint16_t family = load_u16(data.data());
  std::uint8_t source = data[2];
  std::uint8_t scope = data[3];
  if (EcsError error = check_prefixes(family, source, scope); error != EcsError::kOk) return error;
  out.family = family;
  out.source_prefix = source;
  out.scope_prefix = scope;
  std::size_t length = out.address_length();
  // RFC 7871 §6: ADDRESS "MUST be truncated to the number of bits indicated by the SOURCE
  // PREFIX-LENGTH field, padding with 0 bits to pad to the end of the last octet needed"; too many
  // octets or non-zero padding: the server "SHOULD return FORMERR".
  if (data.size() - 4 != length) return EcsError::kAddressLength;
  out.address.fill(0);
  std::memcpy(out.address.data(), data.data() + 4, length);
  if (length > 0 && (out.address[length - 1] & ~last_octet_mask(source)) != 0) {
    return EcsError::kNonZeroPadding;
  }
  return EcsError::kOk;
}

std::size_t encode_client_subnet(const ClientSubnet& subnet, std::span<std::uint8_t> out) {
  if (check_prefixes(subnet.family, subnet.source_prefix, subnet.scope_prefix) != EcsError::kOk) {
    return 0;
  }
  std::size_t length = subnet.address_length();
  if (out.size() < 4 + length) return 0;
  store_u16(out.data(), subnet.family);
  out[2] = subnet.source_prefix;
  out[3] = subnet.scope_prefix;
  std::memcpy(out.data() + 4, subnet.address.data(), length);
  if (length > 0) out[4 + length - 1] &= last_octet_mask(subnet.source_prefix);
  return 4 + length;
}

}  // namespace hayate::zone
