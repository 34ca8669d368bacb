// RR type and class numbers that hayate's own logic looks at (IANA DNS parameters registry).
// Text names for every type come from ldns (see rr_type_names.hpp).
#pragma once

#include <cstdint>

namespace hayate::zone {

namespace rr_type {
inline constexpr std::uint16_t A = 1;
inline constexpr std::uint16_t NS = 2;
inline constexpr std::uint16_t MD = 3;
inline constexpr std::uint16_t MF = 4;
inline constexpr std::uint16_t CNAME = 5;
inline constexpr std::uint16_t SOA = 6;
inline constexpr std::uint16_t MB = 7;
inline constexpr std::uint16_t MG = 8;
inline constexpr std::uint16_t MR = 9;
inline constexpr std::uint16_t NULL_ = 10;
inline constexpr std::uint16_t WKS = 11;
inline constexpr std::uint16_t PTR = 12;
inline constexpr std::uint16_t HINFO = 13;
inline constexpr std::uint16_t MINFO = 14;
inline constexpr std::uint16_t MX = 15;
inline constexpr std::uint16_t TXT = 16;
inline constexpr std::uint16_t RP = 17;
inline constexpr std::uint16_t AFSDB = 18;
inline constexpr std::uint16_t RT = 21;
inline constexpr std::uint16_t NSAP = 22;
inline constexpr std::uint16_t NSAP_PTR = 23;
inline constexpr std::uint16_t SIG = 24;
inline constexpr std::uint16_t KEY = 25;
inline constexpr std::uint16_t PX = 26;
inline constexpr std::uint16_t AAAA = 28;
inline constexpr std::uint16_t NXT = 30;
inline constexpr std::uint16_t EID = 31;
inline constexpr std::uint16_t NIMLOC = 32;
inline constexpr std::uint16_t SRV = 33;
inline constexpr std::uint16_t NAPTR = 35;
inline constexpr std::uint16_t KX = 36;
inline constexpr std::uint16_t A6 = 38;
inline constexpr std::uint16_t DNAME = 39;
inline constexpr std::uint16_t OPT = 41;
inline constexpr std::uint16_t DS = 43;
inline constexpr std::uint16_t RRSIG = 46;
inline constexpr std::uint16_t NSEC = 47;
inline constexpr std::uint16_t DNSKEY = 48;
inline constexpr std::uint16_t DHCID = 49;
inline constexpr std::uint16_t NSEC3 = 50;
inline constexpr std::uint16_t NSEC3PARAM = 51;
inline constexpr std::uint16_t CDS = 59;
inline constexpr std::uint16_t CDNSKEY = 60;
inline constexpr std::uint16_t SVCB = 64;
inline constexpr std::uint16_t HTTPS = 65;
inline constexpr std::uint16_t SPF = 99;
inline constexpr std::uint16_t UNSPEC = 103;
inline constexpr std::uint16_t EUI48 = 108;
inline constexpr std::uint16_t EUI64 = 109;
inline constexpr std::uint16_t TKEY = 249;
inline constexpr std::uint16_t TSIG = 250;
inline constexpr std::uint16_t IXFR = 251;
inline constexpr std::uint16_t AXFR = 252;
inline constexpr std::uint16_t MAILB = 253;
inline constexpr std::uint16_t MAILA = 254;
inline constexpr std::uint16_t ANY = 255;
}  // namespace rr_type

namespace rr_class {
inline constexpr std::uint16_t IN = 1;
inline constexpr std::uint16_t CH = 3;
inline constexpr std::uint16_t HS = 4;
inline constexpr std::uint16_t NONE = 254;
inline constexpr std::uint16_t ANY = 255;
}  // namespace rr_class

// Meta and query-only types (RFC 6895 §3.1) never appear as data in a zone.
constexpr bool is_meta_type(std::uint16_t type) {
  return type == rr_type::OPT || type == rr_type::TKEY || type == rr_type::TSIG ||
         (type >= rr_type::IXFR && type <= rr_type::ANY) || (type >= 128 && type <= 255);
}

// Types that may share an owner with a CNAME (RFC 2181 §10.1, RFC 4035 §2.5).
constexpr bool may_coexist_with_cname(std::uint16_t type) {
  return type == rr_type::RRSIG || type == rr_type::NSEC || type == rr_type::SIG ||
         type == rr_type::NXT || type == rr_type::KEY;
}

}  // namespace hayate::zone
